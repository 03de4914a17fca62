"""HTML source → document: one block per translatable place, sentences as units. Pure.

The skeleton of an HTML document is not literal text (html5lib builds a tree, and the edition is
that tree with translations placed, written out again): each block holds its units and the text
between them, and `Document.source_bytes` keeps the page for `page`, which walks the same tree
the same way. Lines in references are found by searching the source for each unit's first word,
in document order (html5lib's tree has no positions).
"""

from __future__ import annotations

import bisect
import re

from ...model import Block, Document, Unit
from .decode import decode_html
from .inline import TOKEN, has_text, run_msgid, sentence_ranges
from .tree import collapse, local, parse
from .walk import BLOCKS, Run, Slot, Title, slots

FORMAT = "html"
_WORD = re.compile(r"[^\W_]+")
_ATTRIBUTE_WHERE = {"alt": "image alt", "title": "title attribute", "content": "meta description"}


def slot_msgid(slot: Slot) -> str:
    """The whole text of a slot as a msgid ("" when it has nothing to translate)."""
    if isinstance(slot, Run):
        msgid = run_msgid(slot)
        return msgid if has_text(msgid) else ""
    if isinstance(slot, Title):
        text = collapse(slot.element.text or "").strip(" ")
    else:
        text = collapse(slot.element.get(slot.name) or "").strip(" ")
    return text if has_text(text) else ""  # a template tag alone is not a unit


class _Lines:
    """Line numbers found by searching the source for words, never going backwards."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        self.cursor = 0

    def find(self, msgid: str) -> int:
        words = _WORD.findall(TOKEN.sub(" ", msgid))
        if words:
            found = re.search(rf"(?<![^\W_]){re.escape(words[0])}", self.text[self.cursor :])
            if found:
                self.cursor += found.start()
        return bisect.bisect_right(self.starts, self.cursor)


def segment_html(raw: bytes, *, name: str, source_path: str, unit: str) -> Document:
    text, _ = decode_html(raw, source_path)
    lines = _Lines(text)
    counts: dict[str, int] = {}
    blocks: list[Block] = []
    title = ""
    run_start = 0
    for slot in slots(parse(text)):
        msgid = slot_msgid(slot)
        if not msgid:
            continue
        if isinstance(slot, Run):
            label = BLOCKS[slot.block]
            counts[label] = counts.get(label, 0) + 1
            where = f"{label} {counts[label]}"
            run_start = lines.cursor
            blocks.append(_run_block(msgid, slot.block, counts[label], where, unit, lines))
            continue
        if isinstance(slot, Title):
            kind, where = "title", "page title"
            title = title or msgid
        else:
            kind = where = _ATTRIBUTE_WHERE[slot.name]
            if slot.name != "content":
                where = f"{where} of <{local(slot.element.tag)}>"
                lines.cursor = min(lines.cursor, run_start)  # it may sit inside the last run
        line = lines.find(msgid)
        blocks.append(Block(kind, None, "", (Unit(msgid, line, where),), "\n\n", line))
    return Document(name, source_path, FORMAT, tuple(blocks), title=title, source_bytes=raw)


def _run_block(msgid: str, tag: str, number: int, where: str, unit: str, lines: _Lines) -> Block:
    ranges = sentence_ranges(msgid) if unit == "sentence" else [(0, len(msgid))]
    parts: list[str | Unit] = []
    cursor = 0
    first_line = 0
    for count, (start, end) in enumerate(ranges, 1):
        if start > cursor:
            parts.append(msgid[cursor:start])
        piece = msgid[start:end]
        line = lines.find(piece)
        first_line = first_line or line
        label = f"{where}, sentence {count}" if len(ranges) > 1 else where
        parts.append(Unit(piece, line, label))
        cursor = end
    if cursor < len(msgid):
        parts.append(msgid[cursor:])
    return Block(tag, number, "", tuple(parts), "\n\n", first_line)
