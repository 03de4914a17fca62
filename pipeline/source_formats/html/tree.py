"""Parsing a page with html5lib into an ElementTree, and writing a tree back as HTML. Pure.

html5lib implements the WHATWG parsing algorithm, so the tree is the one a browser builds. The
serializer is ours (about fifty lines) because the edition's promise is about trees: parsing what
it writes gives back the same tree, including the corner html5lib's own serializer misses (a
``<pre>`` whose text starts with a newline).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

HTML = "{http://www.w3.org/1999/xhtml}"
_NAMESPACE_PREFIX = {
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.w3.org/2000/xmlns/": "xmlns",
}
VOID = frozenset(
    (
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    )
)
RAW_TEXT = frozenset(
    (
        "script",
        "style",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "plaintext",
    )
)
_LEADING_NEWLINE = frozenset(("pre", "textarea", "listing"))
DOCTYPE = "<!DOCTYPE>"
ROOT = "DOCUMENT_ROOT"
FRAGMENT = "DOCUMENT_FRAGMENT"


def parse(text: str) -> ET.Element:
    """The whole document (doctype, comments outside ``<html>``) under a DOCUMENT_ROOT element."""
    import html5lib  # type: ignore[import-untyped]

    builder = html5lib.getTreeBuilder("etree", fullTree=True)
    parser = html5lib.HTMLParser(tree=builder, namespaceHTMLElements=False)
    root: ET.Element = parser.parse(text)
    return root


def parse_fragment(text: str, container: str) -> ET.Element:
    """HTML parsed as the content of a ``container`` element (a DOCUMENT_FRAGMENT element)."""
    import html5lib

    fragment: ET.Element = html5lib.parseFragment(
        text, container=container, treebuilder="etree", namespaceHTMLElements=False
    )
    return fragment


def local(tag: Any) -> str:
    """An element's name without its namespace ("" for comments)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


def is_comment(node: ET.Element) -> bool:
    return node.tag is ET.Comment  # type: ignore[comparison-overlap]


def is_foreign(node: ET.Element) -> bool:
    """An SVG or MathML element (html5lib keeps their namespace; HTML elements have none)."""
    return isinstance(node.tag, str) and node.tag.startswith("{")


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")


def _attribute_name(name: str) -> str:
    if not name.startswith("{"):
        return name
    namespace, _, name_local = name[1:].partition("}")
    prefix = _NAMESPACE_PREFIX.get(namespace)
    if prefix == "xmlns" and name_local == "xmlns":
        return "xmlns"
    return f"{prefix}:{name_local}" if prefix else name_local


def start_tag(node: ET.Element, xhtml: bool = False) -> str:
    attributes = "".join(
        f' {_attribute_name(name)}="{escape_attribute(value)}"' for name, value in node.items()
    )
    name = local(node.tag)
    closing = " /" if xhtml and name in VOID and not is_foreign(node) else ""
    return f"<{name}{attributes}{closing}>"


def serialize(node: ET.Element, xhtml: bool = False, with_tail: bool = False) -> str:
    """A node (and its subtree) as HTML; ``xhtml`` closes void elements as ``<br />``."""
    out: list[str] = []
    _write(node, out, xhtml)
    if with_tail and node.tail:
        out.append(escape_text(node.tail))
    return "".join(out)


def _text(parent: ET.Element, text: str) -> str:
    if local(parent.tag) in RAW_TEXT and not is_foreign(parent):
        return text
    return escape_text(text)


def _write(node: ET.Element, out: list[str], xhtml: bool) -> None:
    tag = node.tag
    if is_comment(node):
        out.append(f"<!--{node.text or ''}-->")
        return
    if tag == DOCTYPE:
        public, system = node.get("publicId"), node.get("systemId")
        ids = f' PUBLIC "{public}"' if public else ""
        if system:
            ids += f' "{system}"' if public else f' SYSTEM "{system}"'
        out.append(f"<!DOCTYPE {node.text or 'html'}{ids}>")
        return
    if tag in (ROOT, FRAGMENT):
        for child in node:
            _write(child, out, xhtml)
            if child.tail:
                out.append(escape_text(child.tail))
        return
    name = local(tag)
    out.append(start_tag(node, xhtml))
    if name in VOID and not is_foreign(node):
        return
    text = node.text or ""
    if name in _LEADING_NEWLINE and text.startswith("\n") and not is_foreign(node):
        text = "\n" + text  # the parser drops one newline right after the start tag
    out.append(_text(node, text))
    for child in node:
        _write(child, out, xhtml)
        out.append(_text(node, child.tail or ""))
    out.append(f"</{name}>")


_SPACES = re.compile(r"[ \t\n\r\f]+")


def collapse(text: str) -> str:
    """HTML's own whitespace collapsed to one space (a no-break space is text, not space)."""
    return _SPACES.sub(" ", text)
