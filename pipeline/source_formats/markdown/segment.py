"""Markdown source → skeleton + units (the sibling of the text format's segmenter). Pure.

With no translation, the blocks give back the source byte for byte; a translation replaces exactly
the unit's source span, so markup, code, URLs and template tags stay as written.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from ...errors import SourceError
from ...model import Block, Document, Unit
from .front_matter import _front_matter
from .inline import _Inline
from .markup import (
    _LINE_BREAK,
    _MASK,
    MAX_NESTING,
    _analyse,
    _mask_templates,
    _outermost,
    _parser,
    _Span,
    _too_deep,
)

FORMAT = "markdown"

# --- segmentation --------------------------------------------------------------------------------


class _Source:
    """The source text with its line starts, for offset ↔ line arithmetic."""

    def __init__(self, text: str, masked: str) -> None:
        self.text = text
        self.masked = masked
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.ends = [m.start() for m in _LINE_BREAK.finditer(text)] + [len(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def line_start(self, index: int) -> int:
        return self.starts[index] if index < len(self.starts) else len(self.text)

    def masked_line(self, index: int) -> str:
        return self.masked[self.starts[index] : self.ends[index]]


def _place(line: str, piece: str) -> tuple[int, int] | None:
    """Where a content line sits in its source line: (leading characters the parser made up from
    a tab, position of the rest), or None."""
    if not piece:
        return (0, len(line.rstrip()))
    position = line.rfind(piece)
    if position >= 0:
        return (0, position)
    stripped = piece.lstrip()
    position = line.rfind(stripped) if stripped else -1
    if position < 0:
        return None
    return (len(piece) - len(stripped), position)


_MARKERS_ONLY = re.compile(r"[\s>*+\-.)\d]*")


def _blankish(line: str) -> bool:
    """A line with nothing but container markers (quote, list) and (Unicode) whitespace."""
    return _MARKERS_ONLY.fullmatch(line) is not None


@dataclass
class _Region:
    start: int
    end: int
    kind: str
    number: int | None
    units: list[tuple[int, int, Unit]]


class _Segmenter:
    def __init__(self, source: _Source, path: str, unit: str) -> None:
        self.source = source
        self.path = path
        self.unit = unit
        self.regions: list[_Region] = []
        self.paragraphs = 0
        self.headings = 0
        self.tables = 0

    def fail(self, message: str, line_index: int) -> SourceError:
        return SourceError(message, path=self.path, line=line_index + 1)

    # Content of an inline token → offsets in the source, one per character (and one past the end).
    def line_offsets(
        self, content: str, line_map: list[int], what: str, skip_blank: bool = True
    ) -> list[int]:
        """Offsets in the source of each character of a block's inline content (and one past it).

        Content line k is found at the end of source line map[0] + k, behind container markers;
        lines of Unicode-only whitespace the parser trimmed away are skipped.
        """
        offsets: list[int] = []
        lines = content.split("\n")
        line_index = line_map[0]
        for index, piece in enumerate(lines):
            while True:
                if line_index >= min(line_map[1], len(self.source.starts)):
                    raise self.fail(
                        f"cannot place the text of this {what} in the source", line_map[0]
                    )
                line = self.source.masked_line(line_index)
                placed = _place(line, piece)
                if placed is not None or not skip_blank or not _blankish(line):
                    break
                line_index += 1
            if placed is None:
                raise self.fail(
                    f"cannot place the text of this {what} in the source "
                    "(tabs or unusual indentation?)",
                    line_index,
                )
            base = self.source.starts[line_index]
            lead, found = placed
            offsets.extend([base + found] * lead)
            offsets.extend(range(base + found, base + found + len(piece) - lead))
            if index < len(lines) - 1:
                offsets.append(self.source.ends[line_index])
            line_index += 1
        end = offsets[-1] + 1 if offsets else self.source.line_start(line_map[0])
        offsets.append(end)
        return offsets

    def cell_offsets(self, content: str, line_index: int, cursor: int) -> tuple[list[int], int]:
        line = self.source.masked_line(line_index)
        base = self.source.starts[line_index]
        escaped = content.replace("|", "\\|")
        found = line.find(escaped, cursor) if "|" in content else -1
        if found >= 0:
            offsets = []
            position = found
            for char in content:
                if char == "|":
                    position += 1
                offsets.append(base + position)
                position += 1
            offsets.append(base + position)
            return offsets, position
        found = line.find(content, cursor)
        if found < 0:
            raise self.fail("cannot place this table cell in the source", line_index)
        offsets = list(range(base + found, base + found + len(content) + 1))
        return offsets, found + len(content)

    # --- blocks ---

    def run(self, tokens: list[Any]) -> None:
        context: list[str] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "blockquote_open":
                context.append("block quote")
            elif kind == "list_item_open":
                context.append("list item")
            elif kind in ("blockquote_close", "list_item_close"):
                context.pop()
            elif kind == "paragraph_open":
                self.paragraph(token, tokens[index + 1], context)
                index += 2
            elif kind == "heading_open":
                self.heading(token, tokens[index + 1], context)
                index += 2
            elif kind == "table_open":
                index = self.table(tokens, index, context)
            elif kind in ("fence", "code_block", "html_block", "hr") and token.map:
                leaf = {"fence": "code", "code_block": "code", "html_block": "html", "hr": "rule"}
                self.add_region(token.map, leaf[kind], None, [])
            index += 1

    def add_region(
        self, line_map: list[int], kind: str, number: int | None, units: list[tuple[int, int, Unit]]
    ) -> None:
        start = self.source.line_start(line_map[0])
        end = self.source.line_start(line_map[1])
        self.regions.append(_Region(start, end, kind, number, units))

    def paragraph(self, token: Any, inline: Any, context: list[str]) -> None:
        self.paragraphs += 1
        number = self.paragraphs
        content: str = inline.content
        offsets = self.line_offsets(content, token.map, "paragraph")
        lines = content.split("\n")
        table_like = len(lines) > 1 and all(
            line.strip().startswith("|") and line.strip().endswith("|") for line in lines
        )
        units = self.inline_units(
            content, inline.children or [], offsets, "paragraph", number, context, table_like
        )
        self.add_region(token.map, "paragraph", None, units)

    def heading(self, token: Any, inline: Any, context: list[str]) -> None:
        self.headings += 1
        content: str = inline.content
        offsets = self.line_offsets(content, token.map, "heading")
        units = self.inline_units(
            content, inline.children or [], offsets, "heading", self.headings, context, False
        )
        self.add_region(token.map, "heading", int(token.tag[1:]), units)

    def table(self, tokens: list[Any], index: int, context: list[str]) -> int:
        self.tables += 1
        table = tokens[index]
        units: list[tuple[int, int, Unit]] = []
        row = column = 0
        cursor = 0
        row_line = -1
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                row += 1
                column = 0
                cursor = 0
                row_line = token.map[0]
            elif token.type == "inline":
                column += 1
                content: str = token.content
                if content:
                    offsets, cursor = self.cell_offsets(content, row_line, cursor)
                    where = f"table {self.tables}, cell {row}:{column}"
                    units.extend(
                        self.inline_units(
                            content, token.children or [], offsets, "cell", 0, context, False, where
                        )
                    )
            index += 1
        self.add_region(table.map, "table", None, units)
        return index

    # --- inline ---

    def inline_units(
        self,
        content: str,
        children: list[Any],
        offsets: list[int],
        kind: str,
        number: int,
        context: list[str],
        table_like: bool,
        where: str = "",
    ) -> list[tuple[int, int, Unit]]:
        markup = _analyse(children, content)
        markup.spans.extend(_Span(m.start(), m.end(), "template") for m in _MASK.finditer(content))
        markup.spans = _outermost(markup.spans)
        view = _Inline(content, markup)
        pieces = view.pieces(self.unit == "sentence" and kind == "paragraph", table_like)
        units: list[tuple[int, int, Unit]] = []
        for count, (start, end, label) in enumerate(pieces, start=1):
            if where:
                place = where
            elif kind == "heading":
                place = f"heading {number}"
            elif label:
                place = f"paragraph {number}"
            elif table_like:
                place = f"paragraph {number}, cell {view.cells.get(start, '?')}"
            elif self.unit == "sentence":
                place = f"paragraph {number}, sentence {count}"
            elif len(pieces) > 1:
                place = f"paragraph {number}, line {count}"
            else:
                place = f"paragraph {number}"
            around = [*context, label] if label else context
            if around:
                place += "; " + ", ".join(around)
            source_start, source_end = offsets[start], offsets[end - 1] + 1
            raw = self.source.text[source_start:source_end]
            msgid = view.msgid(start, end, self.source.text, offsets)
            line = self.source.line_of(source_start)
            units.append((source_start, source_end, Unit(msgid, line, place, raw)))
        return units


def segment_markdown(
    text: str,
    *,
    name: str,
    source_path: str,
    unit: str = "sentence",
    front_matter_keys: tuple[str, ...] = ("title", "description", "excerpt"),
) -> Document:
    """Split a Markdown source into blocks of literal source text and units.

    With no translation, the blocks give back the source byte for byte; a translation replaces
    exactly the unit's source span, so markup, code, URLs and template tags stay as written.
    """
    if not text.strip():
        raise SourceError("source is empty", path=source_path)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SourceError("NUL character in a Markdown source", path=source_path, line=line)
    start = 1 if text.startswith("\ufeff") else 0
    front = _front_matter(text, front_matter_keys, source_path, start)
    body_start = front.end if front else start
    masked, _ = _mask_templates(text, body_start)
    # The parser sees the body only; the lines before it (front matter, BOM) become empty lines so
    # line numbers stay those of the file.
    lines_before = len(_LINE_BREAK.findall(text, 0, body_start))
    parsed = "\n" * lines_before + masked[body_start:]
    if body_start and not lines_before:
        parsed = " " * body_start + masked[body_start:]
    source = _Source(text, masked)
    segmenter = _Segmenter(source, source_path, unit)
    tokens = _parser().parse(parsed)
    deep = _too_deep(tokens)
    if deep is not None:
        raise SourceError(
            f"Markdown nested more than {MAX_NESTING} levels deep (block quotes and lists); "
            "the pipeline cannot place what is inside",
            path=source_path,
            line=deep + 1,
        )
    segmenter.run(tokens)
    regions = segmenter.regions
    if front is not None:
        regions.insert(0, _Region(0, front.end, "front matter", None, front.units))
    blocks = _blocks(source, regions, source_path)
    return Document(
        name=name,
        source_path=source_path,
        format=FORMAT,
        blocks=tuple(blocks),
        title=front.title if front else "",
    )


def _blocks(source: _Source, regions: list[_Region], path: str) -> list[Block]:
    text = source.text
    blocks: list[Block] = []
    cursor = 0
    for region in sorted(regions, key=lambda r: r.start):
        if region.start < cursor:
            raise SourceError(
                "cannot place a Markdown block: it overlaps the one before",
                path=path,
                line=source.line_of(region.start),
            )
        if region.start > cursor:
            blocks.append(_literal(text[cursor : region.start], "blank", source.line_of(cursor)))
        line = source.line_of(region.start)
        if not region.units:
            blocks.append(_literal(text[region.start : region.end], region.kind, line))
        else:
            parts: list[str | Unit] = []
            position = region.start
            for unit_start, unit_end, unit in sorted(region.units, key=lambda u: u[0]):
                if unit_start < position:
                    raise SourceError(
                        "cannot place two units that overlap",
                        path=path,
                        line=source.line_of(unit_start),
                    )
                if unit_start > position:
                    parts.append(text[position:unit_start])
                parts.append(unit)
                position = unit_end
            if position < region.end:
                parts.append(text[position : region.end])
            prefix = parts.pop(0) if isinstance(parts[0], str) else ""
            suffix = parts.pop() if isinstance(parts[-1], str) else ""
            blocks.append(
                Block(region.kind, region.number, str(prefix), tuple(parts), str(suffix), line)
            )
        cursor = region.end
    if cursor < len(text):
        blocks.append(_literal(text[cursor:], "blank", source.line_of(cursor)))
    return blocks


def _literal(text: str, kind: str, line: int) -> Block:
    return Block(kind, None, "", (text,) if text else (), "", line)
