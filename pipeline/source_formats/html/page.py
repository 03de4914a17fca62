"""Translations placed into the parsed source page; the page, its body and a Markdown reading.

The page is parsed again from `Document.source_bytes` and walked as `segment` walked it: the n-th
slot with text is the n-th block. A run with no translation shown keeps its nodes untouched, so
with empty catalogs the edition's tree is the source's (``lang`` on ``<html>`` aside). A translated
run is parsed as HTML in its parent element and replaces the run's nodes; ``alt`` and ``title``
attributes are translated last, by value, so those inside a translated run are too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ...assemble import Edition, chosen_text, escape_markdown
from ...model import Block, Translation, Unit
from .decode import decode_html
from .segment import slot_msgid
from .tree import collapse, local, parse, parse_fragment, serialize
from .walk import Attribute, Run, Title, get_slot, set_slot, slots

_WHITESPACE = " \t\n\r\f"
_DROPPED_FROM_BODY = frozenset(("script", "style", "template", "noscript"))


def translated_tree(edition: Edition) -> ET.Element:
    """The source page's tree with the edition's translations placed and its ``lang``."""
    document = edition.document
    text, charset = decode_html(document.source_bytes, document.source_path)
    root = parse(text)
    found = [slot for slot in slots(root) if slot_msgid(slot)]
    if len(found) != len(document.blocks):
        raise RuntimeError(f"{document.source_path}: the page no longer matches its document")
    translations, policy = edition.translations, edition.policy
    for slot, block in reversed(list(zip(found, document.blocks, strict=True))):
        if isinstance(slot, Run):
            _replace_run(slot, block, translations, policy)
            continue
        shown = chosen_text(block.units[0], translations, policy)
        if shown is None:
            continue
        if isinstance(slot, Title):
            slot.element.text = shown
        elif slot.name == "content":
            slot.element.set("content", shown)
    for slot in slots(root):  # alt and title, wherever they now are
        if isinstance(slot, Attribute) and slot.name != "content":
            msgid = collapse(slot.element.get(slot.name) or "").strip(" ")
            shown = chosen_text(Unit(msgid, 0, ""), translations, policy)
            if shown is not None:
                slot.element.set(slot.name, shown)
    for element in root.iter():
        if local(element.tag) == "html":
            element.set("lang", edition.language)
        elif charset != "utf-8" and local(element.tag) == "meta":
            _declare_utf8(element)
    return root


def _declare_utf8(meta: ET.Element) -> None:
    """The edition is written in UTF-8, whatever the source's charset was."""
    if meta.get("charset") is not None:
        meta.set("charset", "utf-8")
    elif (meta.get("http-equiv") or "").lower() == "content-type":
        meta.set("content", "text/html; charset=utf-8")


def _replace_run(
    run: Run, block: Block, translations: Mapping[str, Translation], policy: str
) -> None:
    pieces: list[str] = []
    translated = False
    for part in block.parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        shown = chosen_text(part, translations, policy)
        translated = translated or shown is not None
        pieces.append(part.msgid if shown is None else shown)
    if not translated:
        return
    parent, start, end = run.parent, run.start, run.end
    first, last = get_slot(parent, start), get_slot(parent, end)
    lead = first[: len(first) - len(first.lstrip(_WHITESPACE))]
    trail = last[len(last.rstrip(_WHITESPACE)) :]
    fragment = parse_fragment("".join(pieces), local(parent.tag))
    for child in list(parent)[start:end]:
        parent.remove(child)
    new = list(fragment)
    for offset, child in enumerate(new):
        parent.insert(start + offset, child)
    if new:
        new[-1].tail = (new[-1].tail or "") + trail or None
        set_slot(parent, start, lead + (fragment.text or ""))
    else:
        set_slot(parent, start, lead + (fragment.text or "") + trail)


def page(edition: Edition) -> str:
    """The whole translated page, as HTML (no newline added after ``</html>``: the parser would
    put it into the body)."""
    return serialize(translated_tree(edition))


def body_lines(edition: Edition) -> list[str]:
    """The translated ``<body>`` content, one top-level node a line, void elements closed as in
    XHTML; scripts, styles and templates left out (EPUB and PDF run none)."""
    root = translated_tree(edition)
    body = next((e for e in root.iter() if local(e.tag) == "body"), None)
    if body is None:
        return []
    for parent in list(body.iter()):
        for child in list(parent):
            if local(child.tag) in _DROPPED_FROM_BODY:
                _remove_keeping_tail(parent, child)
    lines = [collapse(body.text).strip(" ")] if body.text and body.text.strip() else []
    for child in body:
        lines.append(serialize(child, xhtml=True, with_tail=True).strip(_WHITESPACE))
    return [line for line in lines if line]


def _remove_keeping_tail(parent: ET.Element, child: ET.Element) -> None:
    index = list(parent).index(child)
    tail = child.tail or ""
    parent.remove(child)
    set_slot(parent, index, get_slot(parent, index) + tail)


_HEADINGS = {f"h{level}": "#" * level + " " for level in range(1, 7)}
_MARKS = {"li": "- ", "dt": "", "dd": ": ", "blockquote": "> "}


def markdown_text(edition: Edition) -> str:
    """The translated text as readable Markdown: headings, paragraphs, list items, quotes."""
    chunks: list[str] = []
    blocks = edition.document.blocks
    running = [block for block in blocks if block.number is not None]
    if not running or running[0].kind != "h1":  # the page's <title> heads it instead
        for block in blocks:
            if block.kind == "title":
                shown = chosen_text(block.units[0], edition.translations, edition.policy)
                title = block.units[0].msgid if shown is None else shown
                chunks.append("# " + escape_markdown(title, line_start=False))
                break
    for block in blocks:
        if block.number is None:  # title, description and attributes are not running text
            continue
        pieces: list[str] = []
        for part in block.parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                shown = chosen_text(part, edition.translations, edition.policy)
                pieces.append(part.msgid if shown is None else shown)
        fragment = parse_fragment("".join(pieces), "div")
        text = collapse("".join(fragment.itertext())).strip(" ")
        if text:
            mark = _HEADINGS.get(block.kind, _MARKS.get(block.kind, ""))
            chunks.append(mark + escape_markdown(text, line_start=not mark))
    return "\n\n".join(chunks) + "\n"
