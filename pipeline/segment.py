"""Plain-text source → document skeleton + translatable units. Pure: no I/O, no polib, no Argos.

The shape of a text source (see source/SOURCE notes in the README): one line is one paragraph; the
first line introduces; lines starting ``N)`` are questions; the lines after a question are its
answer. A line broken in the middle of a sentence is joined to the next one.
"""

from __future__ import annotations

import bisect
import re

from .errors import SourceError
from .model import Block, Document, Unit
from .sentences import sentence_spans

_QUESTION = re.compile(r"(\d+)\)[ \t]*")
_WHITESPACE = re.compile(r"\s+")
# A line ends a paragraph when its last visible character closes a sentence (or a heading-like
# colon); otherwise, if the next line starts in lower case (or with `(` after a trailing space),
# the sentence was broken across lines.
_SENTENCE_END = re.compile(r"[.!?…:;”»\"')\]]\s*$")


def normalise(text: str) -> str:
    """The msgid form of a text: whitespace runs become one space, no space at either end."""
    return _WHITESPACE.sub(" ", text).strip()


def _is_broken_line(line: str, next_line: str | None) -> bool:
    if next_line is None or not line.strip() or not next_line.strip():
        return False
    if _QUESTION.match(next_line):
        return False
    first = next_line.lstrip()[:1]
    # A line that ends in a space before "(" was wrapped there too: "400 yd \n( 365.8 m )."
    wrapped = first == "(" and line.rstrip("\r")[-1:] in (" ", "\t")
    return not _SENTENCE_END.search(line) and (first.islower() or wrapped)


def segment_text(text: str, *, name: str, source_path: str, unit: str = "sentence") -> Document:
    """Split a plain-text source into blocks of literal text and units.

    Joining `a` / `b` lines keeps `a b` in the skeleton, so the edition has the paragraph on one
    line; every other byte of the source survives untouched when no unit is translated.
    """
    if not text.strip():
        raise SourceError("source is empty", path=source_path)
    lines = text.split("\n")
    final_newline = text.endswith("\n")
    if final_newline:
        lines.pop()
    blocks: list[Block] = []
    section_kind = "introduction"
    section_number: int | None = None
    paragraph_index = 0
    seen_text = False
    index = 0
    while index < len(lines):
        start_line = index + 1
        line = lines[index]
        # Each joined piece remembers its first line so references point at the real line.
        pieces = [(start_line, line)]
        while _is_broken_line(pieces[-1][1], lines[index + 1] if index + 1 < len(lines) else None):
            index += 1
            pieces.append((index + 1, lines[index]))
        index += 1
        is_last = index == len(lines)
        suffix = "" if is_last and not final_newline else "\n"
        if not line.strip() and len(pieces) == 1:
            blocks.append(Block("blank", None, "", (line,) if line else (), suffix, start_line))
            continue
        content = " ".join(piece.rstrip("\r") for _, piece in pieces) if len(pieces) > 1 else line
        if len(pieces) > 1 and line.endswith("\r"):
            suffix = "\r" + suffix
        elif line.endswith("\r"):
            content, suffix = content[:-1], "\r" + suffix
        prefix = ""
        question = _QUESTION.match(content)
        if question and seen_text:
            prefix = question.group(0)
            content = content[len(prefix) :]
            section_kind = "question"
            section_number = int(question.group(1))
            kind = "question"
        elif not seen_text:
            kind = "introduction"
        else:
            kind = "answer" if section_kind in ("question", "answer") else "paragraph"
            section_kind = kind
        seen_text = True
        paragraph_index += 1
        line_starts = _line_starts(pieces, len(prefix))
        parts = _unit_parts(
            content, unit, paragraph_index, kind, section_number, line_starts, start_line
        )
        blocks.append(Block(kind, section_number, prefix, parts, suffix, start_line))
    return Document(name=name, source_path=source_path, format="text", blocks=tuple(blocks))


def _line_starts(pieces: list[tuple[int, str]], prefix_length: int) -> list[tuple[int, int]]:
    """Offsets in the joined content where each physical line starts, with its line number."""
    starts: list[tuple[int, int]] = []
    offset = -prefix_length
    for line_number, piece in pieces:
        starts.append((max(offset, 0), line_number))
        offset += len(piece.rstrip("\r")) + 1
    return starts


def _where(paragraph: int, sentence: int | None, kind: str, number: int | None) -> str:
    place = {
        "introduction": "introduction",
        "question": f"question {number}",
        "answer": f"answer {number}",
    }.get(kind, kind)
    if sentence is None:
        return f"paragraph {paragraph}; {place}"
    return f"paragraph {paragraph}, sentence {sentence}; {place}"


def _unit_parts(
    content: str,
    unit: str,
    paragraph: int,
    kind: str,
    number: int | None,
    line_starts: list[tuple[int, int]],
    first_line: int,
) -> tuple[str | Unit, ...]:
    starts = [start for start, _ in line_starts]  # ascending: one bisect per unit, not a scan

    def line_of(offset: int) -> int:
        index = bisect.bisect_right(starts, offset)
        return line_starts[index - 1][1] if index else first_line

    if unit == "paragraph":
        stripped = content.strip()
        if not stripped:
            return (content,) if content else ()
        lead = content[: len(content) - len(content.lstrip())]
        tail = content[len(content.rstrip()) :]
        text_unit = Unit(
            normalise(stripped), line_of(len(lead)), _where(paragraph, None, kind, number), stripped
        )
        return tuple(part for part in (lead, text_unit, tail) if part)
    parts: list[str | Unit] = []
    cursor = 0
    for sentence_number, (start, end) in enumerate(sentence_spans(content), start=1):
        if start > cursor:
            parts.append(content[cursor:start])
        raw = content[start:end]
        where = _where(paragraph, sentence_number, kind, number)
        parts.append(Unit(normalise(raw), line_of(start), where, raw))
        cursor = end
    if cursor < len(content):
        parts.append(content[cursor:])
    return tuple(parts)
