"""One inline text of a Markdown block cut into runs, sentences and units (for the segmenter)."""

from __future__ import annotations

import re

from ...sentences import sentence_spans
from ..placeholders import merged_ranges
from .markup import (
    _ALNUM,
    _HARD_BREAK,
    _MASK,
    _NON_TEXT,
    _OPAQUE,
    _WHITESPACE,
    _Markup,
)


class _Inline:
    """One inline text and its markup: cut into runs, sentences and units."""

    def __init__(self, content: str, markup: _Markup) -> None:
        self.content = content
        self.markup = markup
        self.cells: dict[int, str] = {}
        holes = [(s.start, s.end) for s in markup.spans if s.kind in _NON_TEXT]
        self._holes = merged_ranges(holes)
        self._holes_and_images = merged_ranges(holes + [(i.start, i.end) for i in markup.images])

    def has_text(self, start: int, end: int, without_images: bool = False) -> bool:
        """Whether the range has a letter or digit outside markup (and outside images)."""
        cursor = start
        for hole_start, hole_end in self._holes_and_images if without_images else self._holes:
            if hole_end <= cursor:
                continue
            if hole_start >= end:
                break
            if hole_start > cursor and _ALNUM.search(self.content, cursor, hole_start):
                return True
            cursor = max(cursor, hole_end)
        return cursor < end and _ALNUM.search(self.content, cursor, end) is not None

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """Shrink a range past whitespace, template tags and standalone HTML tags at its edges."""
        content = self.content
        changed = True
        while changed and start < end:
            changed = False
            while start < end and content[start].isspace():
                start += 1
            while end > start and content[end - 1].isspace():
                end -= 1
            for span in self.markup.spans:
                if span.kind in ("template", "break") and span.start == start and span.end <= end:
                    start = span.end
                    changed = True
                if span.kind in ("template", "break") and span.end == end and span.start >= start:
                    end = span.start
                    changed = True
        return start, end

    def unwrap(self, start: int, end: int) -> tuple[int, int]:
        """Move emphasis or a link that wraps the whole range out of it, into the skeleton."""
        while True:
            start, end = self.trim(start, end)
            for pair_start, pair_end, kind, inner in self.markup.pairs:
                if pair_start == start and pair_end == end and kind in ("emphasis", "link"):
                    if kind == "emphasis":
                        start, end = inner, pair_end - (inner - pair_start)
                    else:
                        start, end = pair_start + 1, inner  # the label of [label](url)
                    break
            else:
                return start, end

    def runs(self, table_like: bool) -> list[tuple[int, int]]:
        """Pieces between hard line breaks; in a table-like paragraph, between pipes too.

        A break inside emphasis or a link does not cut: the pair stays whole in one unit (and
        a translation of that unit, being one line, loses the break).
        """
        pairs = self.markup.pairs
        cuts = [
            (a, b)
            for a, b in self.markup.breaks
            if not any(p < a and b < q for p, q, _, _ in pairs)
        ]
        if table_like:
            opaque = [(s.start, s.end) for s in self.markup.spans if s.kind in _OPAQUE]
            for match in re.finditer(r"\n|(?<!\\)\|", self.content):
                if not any(a <= match.start() < b for a, b in opaque):
                    cuts.append((match.start(), match.end()))
            cuts.sort()
        result = []
        cursor = 0
        row, column = 1, 0
        for a, b in cuts:
            result.append((cursor, a))
            if self.content[a:b] == "\n":
                row, column = row + 1, 0
            elif self.content[a:b] == "|":
                column += 1
            self.cells[b] = f"{row}:{column}"
            cursor = b
        result.append((cursor, len(self.content)))
        return result

    def pieces(self, sentences: bool, table_like: bool) -> list[tuple[int, int, str]]:
        """The units of this inline text: (start, end, label) with label '' or 'image alt' etc."""
        found: list[tuple[int, int, str]] = []
        for run_start, run_end in self.runs(table_like):
            start, end = self.unwrap(run_start, run_end)
            if start >= end or not self.has_text(start, end):
                continue
            if not self.has_text(start, end, without_images=True):
                found.extend(self.image_pieces(*self.trim(run_start, run_end)))
                continue
            if table_like:
                self.cells[start] = self.cells.get(run_start, "?")
            if not sentences or table_like:
                found.append((start, end, ""))
                continue
            for sentence_start, sentence_end in self.sentences(start, end):
                a, b = self.unwrap(sentence_start, sentence_end)
                if a < b and self.has_text(a, b):
                    found.append((a, b, ""))
        return found

    def image_pieces(self, start: int, end: int) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        ranges: list[tuple[int, int, str]] = []
        images = self.markup.images
        for image in images:
            nested = any(o.start < image.start and image.end <= o.end for o in images)
            if start <= image.start and image.end <= end and not nested:
                ranges.append((*image.alt, "image alt"))
                if image.title:
                    ranges.append((*image.title, "image title"))
        for title_start, title_end in self.markup.link_titles:
            in_alt = any(i.alt[0] <= title_start < i.alt[1] for i in images)
            if start <= title_start and title_end <= end and not in_alt:
                ranges.append((title_start, title_end, "link title"))
        for a, b, label in sorted(ranges):
            a, b = self.trim(a, b)
            if a < b and _ALNUM.search(self.content[a:b]):
                found.append((a, b, label))
        return found

    def sentences(self, start: int, end: int) -> list[tuple[int, int]]:
        view = self.splitter_view(start, end)
        spans = [(a + start, b + start) for a, b in sentence_spans(view)]
        merged: list[tuple[int, int]] = []
        for span in spans:
            if merged and self.inside_pair(merged[-1][1], span[0], start, end):
                merged[-1] = (merged[-1][0], span[1])
            else:
                merged.append(span)
        return merged or [(start, end)]

    def inside_pair(self, gap_start: int, gap_end: int, start: int, end: int) -> bool:
        """Whether a gap between sentences falls inside emphasis or a link within [start, end)."""
        return any(
            start <= a < gap_start and gap_end < b <= end for a, b, _, _ in self.markup.pairs
        )

    def splitter_view(self, start: int, end: int) -> str:
        """The range as the sentence splitter should see it: markup masked, same length."""
        chars = list(self.content[start:end])
        for span in self.markup.spans:
            a, b = max(span.start, start), min(span.end, end)
            if a >= b:
                continue
            if span.kind in _OPAQUE:
                fill = "X" + "x" * (b - a - 1)
            elif span.kind in ("link_tail", "image_tail"):
                fill = "]" + "x" * (b - a - 1)
            elif span.kind == "image_open":
                fill = " ["[: b - a]
            elif span.kind == "break":
                fill = " " * (b - a)
            else:
                continue
            chars[a - start : b - start] = fill[: b - a].ljust(b - a, "x")
        return "".join(chars).replace("\n", " ")

    def msgid(self, start: int, end: int, original: str, offsets: list[int]) -> str:
        """Readable msgid: the source text (template tags unmasked), whitespace normalised outside
        inline code so code keeps its exact spacing; a hard line break is written `\\` + newline."""
        text = self.content[start:end]
        if _MASK.search(text):
            text = "".join(
                original[offsets[index]] if "\ue000" <= char <= "\uf8ff" else char
                for index, char in enumerate(text, start=start)
            )
        pieces = []
        cursor = start
        for span in self.markup.spans:
            if span.kind not in ("code", "break") or span.end <= start or span.start >= end:
                continue
            pieces.append(_WHITESPACE.sub(" ", text[cursor - start : span.start - start]))
            if span.kind == "break":
                pieces[-1] = pieces[-1].rstrip(" ")
                pieces.append(_HARD_BREAK)
            else:
                pieces.append(text[span.start - start : span.end - start].replace("\n", " "))
            cursor = span.end
        pieces.append(_WHITESPACE.sub(" ", text[cursor - start :]))
        return "".join(pieces).strip()
