"""A DOCX body as paragraphs of formatted characters, and the units in them. Reads, never writes.

Each `w:p` of the body (tables included; text boxes inside drawings are not) becomes a
`Paragraph`: a sequence of characters, each with its formatting `Key` (the run's `w:rPr` without
`w:lang`, and the hyperlink around it), and of `Object`s (pictures, fields, footnote marks: what
is not text), plus zero-width markers (bookmarks) set aside with their position. The units are
sentences of those characters (a heading or a table cell is one unit), written in the tagged
notation of `inline`.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from docx.oxml.ns import qn
from lxml import etree

from ...sentences import sentence_spans
from . import inline

W_P, W_R, W_T, W_PPR, W_RPR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:pPr"), qn("w:rPr")
W_HYPERLINK, W_LANG, W_TC, W_TR, W_TBL = (
    qn("w:hyperlink"),
    qn("w:lang"),
    qn("w:tc"),
    qn("w:tr"),
    qn("w:tbl"),
)
_TEXT_LIKE = {
    qn("w:tab"): "\t",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "\u2011",
    qn("w:softHyphen"): "\u00ad",
}
_DROPPED = {qn("w:rPr"), qn("w:lastRenderedPageBreak")}
_MARKERS = {
    qn(f"w:{name}") for name in ("bookmarkStart", "bookmarkEnd", "proofErr", "permStart", "permEnd")
}
_OBJECT_MARK = "\ufffc"
_OFF = ("0", "false", "off")


@dataclass(frozen=True)
class Key:
    """The formatting of a character: its run properties (canonical XML) and its hyperlink."""

    rpr: str
    link: str = ""


@dataclass
class Object:
    """Consecutive non-text content: (element, whether it was inside a run, that run's
    properties or None, link)."""

    parts: list[tuple[Any, bool, Any, str]] = field(default_factory=list)


Item = tuple[str, Key] | Object


@dataclass(frozen=True)
class Look:
    """What a formatting adds to the paragraph's own, for the HTML and Markdown editions."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    href: str = ""
    other: bool = False


@dataclass
class Span:
    """One unit: where it lies in the paragraph's items, its msgid and plain text, and what its
    tags and objects stand for."""

    start: int
    end: int
    msgid: str
    text: str
    where: str
    tags: dict[str, Key]
    objects: dict[str, Object]


@dataclass
class Paragraph:
    element: Any
    number: int
    kind: str  # "heading", "paragraph" or "cell"
    level: int | None
    cell: tuple[int, int, int] | None  # table, row, column (1-based)
    items: list[Item]
    markers: list[tuple[int, Any]]
    base: Key
    rprs: dict[Key, Any]
    links: dict[str, Any]
    looks: dict[Key, Look]
    spans: list[Span] = field(default_factory=list)


def canonical(element: Any) -> str:
    return str(etree.tostring(element, encoding="unicode"))


def _rpr_key(rpr: Any) -> str:
    if rpr is None:
        return ""
    stripped = copy.deepcopy(rpr)
    for lang in stripped.findall(W_LANG):
        stripped.remove(lang)
    return canonical(stripped) if len(stripped) or stripped.attrib else ""


def _on(rpr: Any, name: str) -> bool:
    found = rpr.find(qn(f"w:{name}")) if rpr is not None else None
    if found is None:
        return False
    value = found.get(qn("w:val"), "")
    return value not in _OFF and not (name == "u" and value == "none")


class _Reader:
    """Collects one paragraph's items."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.markers: list[tuple[int, Any]] = []
        self.rprs: dict[Key, Any] = {}
        self.links: dict[str, Any] = {}

    def add_object(self, element: Any, in_run: bool, rpr: Any, link: str) -> None:
        last = self.items[-1] if self.items else None
        if not isinstance(last, Object):
            last = Object()
            self.items.append(last)
        last.parts.append((element, in_run, rpr, link))

    def run(self, run: Any, link: str) -> None:
        rpr = run.find(W_RPR)
        key = Key(_rpr_key(rpr), link)
        self.rprs.setdefault(key, rpr)
        for child in run:
            if child.tag in _DROPPED:
                continue
            if child.tag == W_T:
                self.items.extend((char, key) for char in child.text or "")
            elif child.tag in _TEXT_LIKE:
                self.items.append((_TEXT_LIKE[child.tag], key))
            elif child.tag == qn("w:br") and child.get(qn("w:type"), "textWrapping") == (
                "textWrapping"
            ):
                self.items.append(("\n", key))
            else:
                self.add_object(child, True, rpr, link)

    def children(self, parent: Any, link: str) -> None:
        for child in parent:
            if child.tag == W_PPR or not isinstance(child.tag, str):
                continue
            if child.tag == W_R:
                self.run(child, link)
            elif child.tag == W_HYPERLINK and not link:
                key = canonical(etree.Element(W_HYPERLINK, dict(child.attrib)))
                self.links.setdefault(key, child)
                self.children(child, key)
            elif child.tag in _MARKERS:
                self.markers.append((len(self.items), child))
            else:
                self.add_object(child, False, None, link)


def read_paragraph(
    element: Any,
    number: int,
    kind: str,
    level: int | None,
    cell: tuple[int, int, int] | None,
    hrefs: dict[str, str],
) -> Paragraph:
    reader = _Reader()
    reader.children(element, "")
    weights: Counter[Key] = Counter(
        item[1] for item in reader.items if not isinstance(item, Object) and not item[0].isspace()
    )
    base = weights.most_common(1)[0][0] if weights else Key("")
    base_rpr = reader.rprs.get(base)
    looks: dict[Key, Look] = {}
    for key, rpr in reader.rprs.items():
        link = reader.links.get(key.link)
        href = ""
        if link is not None:
            anchor = link.get(qn("w:anchor"))
            href = hrefs.get(link.get(qn("r:id"), ""), "") or (f"#{anchor}" if anchor else "#")
        flags = {n: _on(rpr, n) and not _on(base_rpr, n) for n in ("b", "i", "u")}
        other = key.rpr != base.rpr and not any(flags.values())
        looks[key] = Look(flags["b"], flags["i"], flags["u"], href, other)
    return Paragraph(
        element, number, kind, level, cell, reader.items, reader.markers, base, reader.rprs,
        reader.links, looks,
    )  # fmt: skip


def _plain(paragraph: Paragraph) -> str:
    return "".join(
        _OBJECT_MARK if isinstance(item, Object) else item[0] for item in paragraph.items
    )


def _trimmed(paragraph: Paragraph, start: int, end: int) -> tuple[int, int]:
    items = paragraph.items

    def blank(index: int) -> bool:
        item = items[index]
        return isinstance(item, Object) or item[0].isspace()

    while start < end and blank(start):
        start += 1
    while end > start and blank(end - 1):
        end -= 1
    return start, end


def tag_names(paragraph: Paragraph, start: int, end: int) -> dict[Key, str]:
    """The tag of each formatting other than the paragraph's own in items[start:end], named after
    what it adds (a link is a1, a2, …), numbered when two formattings would share a name."""
    names: dict[Key, str] = {}
    taken: set[str] = set()
    links = 0
    for item in paragraph.items[start:end]:
        if isinstance(item, Object) or item[1] == paragraph.base or item[1] in names:
            continue
        key = item[1]
        look = paragraph.looks[key]
        if key.link:
            links += 1
            name = f"a{links}"
        else:
            stem = "".join(
                letter
                for letter, on in (("b", look.bold), ("i", look.italic), ("u", look.underline))
                if on
            )
            stem = stem if stem and not look.other else "s"
            name, count = stem, 1
            while name in taken:
                count += 1
                name = f"{stem}{count}"
        taken.add(name)
        names[key] = name
    return names


def make_span(paragraph: Paragraph, start: int, end: int, where: str) -> Span:
    names = tag_names(paragraph, start, end)
    out: list[tuple[bool, str]] = []  # (is a tag, text)
    text: list[str] = []
    objects: dict[str, Object] = {}
    current: Key = paragraph.base
    for item in paragraph.items[start:end]:
        if isinstance(item, Object):
            name = f"x{len(objects) + 1}"
            objects[name] = item
            out.append((True, f"<{name}/>"))
            continue
        char, key = item
        if key != current:
            if current != paragraph.base:
                out.append((True, f"</{names[current]}>"))
            if key != paragraph.base:
                out.append((True, f"<{names[key]}>"))
            current = key
        out.append((True, f"<{inline.BREAK}/>") if char == "\n" else (False, char))
        text.append(char)
    if current != paragraph.base:
        out.append((True, f"</{names[current]}>"))
    links = [f"{name}: {paragraph.looks[key].href}" for key, name in names.items() if key.link]
    if links:
        where += "; " + ", ".join(links)
    msgid = _join_escaped(out)
    tags = {name: key for key, name in names.items()}
    return Span(start, end, msgid, "".join(text), where, tags, objects)


def _join_escaped(pieces: list[tuple[bool, str]]) -> str:
    """Tags as they are, the text between them escaped as a whole (characters that read as a
    tag only together)."""
    out: list[str] = []
    text: list[str] = []
    for is_tag, piece in pieces:
        if is_tag:
            out += [inline.escape("".join(text)), piece]
            text = []
        else:
            text.append(piece)
    out.append(inline.escape("".join(text)))
    return "".join(out)


def find_spans(paragraph: Paragraph, whole: bool, where: str) -> None:
    """The paragraph's units: its sentences, or the whole of it for a heading, a table cell or
    ``unit = "paragraph"``."""
    plain = _plain(paragraph)
    if not plain.replace(_OBJECT_MARK, "").strip():
        return
    pieces = [(0, len(plain))] if whole else sentence_spans(plain.replace(_OBJECT_MARK, " "))
    trimmed = [_trimmed(paragraph, start, end) for start, end in pieces]
    trimmed = [(start, end) for start, end in trimmed if start < end]
    for count, (start, end) in enumerate(trimmed, start=1):
        place = where if whole or len(trimmed) == 1 else f"{where}, sentence {count}"
        span = make_span(paragraph, start, end, place)
        if span.text.strip():
            paragraph.spans.append(span)
