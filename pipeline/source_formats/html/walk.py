"""Where the translatable text of a parsed page is: runs of inline content in block elements,
the ``<title>``, the meta description and ``alt``/``title`` attributes. Pure.

A *run* is the inline content of a block element (p, h1–h6, li, td/th, blockquote, figcaption,
dt/dd, caption) between its block-level children: text, inline elements (a, em, strong, code,
span, abbr, br, …) and comments. Segmenting and placing walk the same tree the same way, so the
n-th slot found here is the n-th block of the document.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from .tree import collapse, is_comment, is_foreign, local

BLOCKS = {
    "p": "paragraph",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "li": "list item",
    "td": "table cell",
    "th": "table header cell",
    "blockquote": "block quote",
    "figcaption": "figure caption",
    "dt": "term",
    "dd": "definition",
    "caption": "table caption",
}
INLINE = frozenset(
    (
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "i",
        "img",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
        "label",
    )
)
OPAQUE = frozenset(
    (
        "script",
        "style",
        "pre",
        "code",
        "template",
        "textarea",
        "noscript",
        "iframe",
        "object",
    )
)
"""Never entered: their text and attributes are never units."""
ATTRIBUTES = ("alt", "title")
_UNWRAP_NEVER = frozenset(("br", "wbr", "img", "code"))


@dataclass
class Run:
    """Children ``start``…``end - 1`` of ``parent`` with the text before, between and after them.

    Text slot i is ``parent.text`` for i = 0 and ``parent[i - 1].tail`` otherwise; the run holds
    slots ``start``…``end``.
    """

    parent: ET.Element
    start: int
    end: int
    block: str  # the block element's tag


@dataclass
class Attribute:
    element: ET.Element
    name: str


@dataclass
class Title:
    element: ET.Element


Slot = Run | Attribute | Title


def get_slot(parent: ET.Element, index: int) -> str:
    if index == 0:
        return parent.text or ""
    return parent[index - 1].tail or ""


def set_slot(parent: ET.Element, index: int, text: str) -> None:
    if index == 0:
        parent.text = text or None
    else:
        parent[index - 1].tail = text or None


def is_inline(node: ET.Element) -> bool:
    """An inline element (or comment) with nothing but inline content."""
    if is_comment(node):
        return True
    if is_foreign(node) or local(node.tag) not in INLINE:
        return False
    return all(is_inline(child) for child in node)


def slots(root: ET.Element) -> list[Slot]:
    """Every translatable place in the page, in document order."""
    found: list[Slot] = []
    _visit(root, found)
    return found


def _visit(node: ET.Element, found: list[Slot]) -> None:
    name = local(node.tag)
    if is_comment(node) or is_foreign(node) or name in OPAQUE:
        return
    if name == "title":
        found.append(Title(node))
        return
    if name == "head":  # the title and the description; a <link title> names a stylesheet
        for child in node:
            if local(child.tag) == "title" or _description(child):
                _visit(child, found)
        return
    if _description(node):
        found.append(Attribute(node, "content"))
        return
    if name in ("html", "DOCUMENT_ROOT"):
        for child in node:
            _visit(child, found)
        return
    _attributes(node, found)
    if name in BLOCKS:
        _block(node, name, found)
    else:
        for child in node:
            _visit(child, found)


def _description(node: ET.Element) -> bool:
    return (
        local(node.tag) == "meta"
        and (node.get("name") or "").lower() == "description"
        and bool((node.get("content") or "").strip())
    )


def _attributes(node: ET.Element, found: list[Slot]) -> None:
    for attribute in ATTRIBUTES:
        if collapse(node.get(attribute) or "").strip():
            found.append(Attribute(node, attribute))


def _block(node: ET.Element, block: str, found: list[Slot]) -> None:
    children = list(node)
    start = 0
    for index, child in enumerate([*children, None]):
        if child is not None and is_inline(child):
            continue
        _run(node, start, index, block, found)
        if child is not None:
            _visit(child, found)
        start = index + 1


def _run(parent: ET.Element, start: int, end: int, block: str, found: list[Slot]) -> None:
    wrappers: list[Slot] = []
    while True:  # an inline element around the whole run: its content is the run
        texts = [get_slot(parent, index) for index in range(start, end + 1)]
        if end - start != 1 or any(text.strip(" \t\n\r\f") for text in texts):
            break
        only = parent[start]
        if is_comment(only) or local(only.tag) in _UNWRAP_NEVER:
            break
        _attributes(only, wrappers)
        parent, start, end = only, 0, len(only)
    found.append(Run(parent, start, end, block))
    found.extend(wrappers)
    for index in range(start, end):
        for element in _elements(parent[index]):
            _attributes(element, found)


def _elements(node: ET.Element) -> Iterator[ET.Element]:
    if is_comment(node):
        return
    yield node
    for child in node:
        yield from _elements(child)
