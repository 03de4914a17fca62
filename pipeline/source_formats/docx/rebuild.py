"""Translations placed into a paragraph: its runs rebuilt from the tagged msgstr.

A paragraph none of whose units is translated is not touched. Otherwise its content (everything
but ``w:pPr``) is written again from items: the literal stretches between units and untranslated
units as they were, each translation parsed back into characters with the formatting its tags
stand for. Bookmarks inside a translated unit move to its edges; an object the translation lost
is put back at the unit's end.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from docx.oxml.ns import qn
from lxml import etree

from . import inline
from .paragraphs import W_HYPERLINK, W_PPR, W_R, W_T, Item, Key, Object, Paragraph, Span

_CHAR_ELEMENTS = {
    "\t": "w:tab",
    "\n": "w:br",
    "\u2011": "w:noBreakHyphen",
    "\u00ad": "w:softHyphen",
}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def parse_translation(paragraph: Paragraph, span: Span, text: str) -> list[Item]:
    """A tagged translation as items: characters with the formatting of the innermost open tag
    (the paragraph's own outside tags), objects where their tags are; unknown tags stay text."""
    items: list[Item] = []
    stack: list[str] = []
    used: set[str] = set()
    for kind, value in inline.tokens(text):
        key = span.tags[stack[-1]] if stack else paragraph.base
        if kind == "text":
            items.extend((char, key) for char in value)
        elif kind == "open" and value in span.tags:
            stack.append(value)
        elif kind == "close" and value in stack:
            while stack.pop() != value:
                pass
        elif kind == "empty" and value == inline.BREAK:
            items.append(("\n", key))
        elif kind == "empty" and value in span.objects and value not in used:
            used.add(value)
            items.append(span.objects[value])
        elif kind == "open" or kind == "close" or kind == "empty":
            literal = {"open": f"<{value}>", "close": f"</{value}>", "empty": f"<{value}/>"}[kind]
            items.extend((char, key) for char in literal)
    items += [found for name, found in span.objects.items() if name not in used]
    return items


def rebuild(paragraph: Paragraph, translations: Sequence[str | None]) -> None:
    """Rewrite the paragraph's runs with the given translation of each unit (None: as it was)."""
    if all(text is None for text in translations):
        return
    markers = sorted(paragraph.markers, key=lambda marker: marker[0])
    out: list[Item | tuple[None, Any]] = []
    cursor = 0

    def literal(start: int, end: int) -> None:
        for index in range(start, end):
            out.extend((None, m) for position, m in markers if position == index)
            out.append(paragraph.items[index])

    for span, text in zip(paragraph.spans, translations, strict=True):
        literal(cursor, span.start)
        if text is None:
            literal(span.start, span.end)
        else:
            inside = [m for position, m in markers if span.start <= position < span.end]
            out.extend((None, m) for m in inside if not m.tag.endswith("End"))
            out.extend(parse_translation(paragraph, span, text))
            out.extend((None, m) for m in inside if m.tag.endswith("End"))
        cursor = span.end
    literal(cursor, len(paragraph.items))
    out.extend((None, m) for position, m in markers if position >= len(paragraph.items))
    _write(paragraph, out)


def _write(paragraph: Paragraph, out: list[Item | tuple[None, Any]]) -> None:
    element = paragraph.element
    for child in list(element):
        if child.tag != W_PPR:
            element.remove(child)
    hyperlink: Any = None
    hyperlink_key = ""
    run: Any = None
    run_key: Key | None = None
    made: list[Any] = []

    def container(link: str) -> Any:
        nonlocal hyperlink, hyperlink_key, run, run_key
        if not link:
            hyperlink, hyperlink_key = None, ""
            return element
        if hyperlink is None or hyperlink_key != link:
            source = paragraph.links[link]
            hyperlink = etree.SubElement(element, W_HYPERLINK, dict(source.attrib))
            hyperlink_key, run, run_key = link, None, None
        return hyperlink

    for item in out:
        if isinstance(item, Object):
            for part, in_run, rpr, link in item.parts:
                parent = container(link)
                if not in_run:
                    parent.append(part)
                else:
                    wrapper = etree.SubElement(parent, W_R)
                    if rpr is not None:
                        wrapper.append(copy.deepcopy(rpr))
                    wrapper.append(part)
            run, run_key = None, None
        elif item[0] is None:
            element.append(item[1])
            hyperlink, hyperlink_key, run, run_key = None, "", None, None
        else:
            char, key = item
            parent = container(key.link)
            if run is None or run_key != key or run.getparent() is not parent:
                run, run_key = etree.SubElement(parent, W_R), key
                made.append(run)
                rpr = paragraph.rprs.get(key)
                if rpr is not None:
                    run.append(copy.deepcopy(rpr))
            _add_char(run, char)
    for text in (child for made_run in made for child in made_run if child.tag == W_T):
        if text.text and text.text != text.text.strip():
            text.set(_XML_SPACE, "preserve")
        elif _XML_SPACE in text.attrib:
            del text.attrib[_XML_SPACE]


def _add_char(run: Any, char: str) -> None:
    special = _CHAR_ELEMENTS.get(char)
    if special is not None:
        etree.SubElement(run, qn(special))
        return
    last = run[-1] if len(run) else None
    if last is None or last.tag != W_T:
        last = etree.SubElement(run, W_T)
        last.text = ""
    last.text = (last.text or "") + char
