"""Inline markup swapped for numeric placeholders on the way to machine translation, and back.

Shared by every source format with inline markup (Markdown, HTML, DOCX); each finds its own
markup ranges, this module does the rest. Placeholders are 7001, 7002, …: digits survive what
Argos does to text (upper-casing, transliteration, `_` and brackets). Adjacent markup becomes one
placeholder (`**[` is one token); a number of the text that contains a placeholder's digits is
itself protected, so `restore` never mistakes it for one. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PLACEHOLDER_BASE = 7000
MOST_PLACEHOLDERS = 999
_SPACED_DIGITS = "[ \u00a0\u202f]?"  # MT may group digits: "7 001"


def merged_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges with touching or overlapping ones joined."""
    result: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def protect(msgid: str, markup: list[tuple[int, int]]) -> tuple[str, list[str]]:
    """``msgid`` with each range of ``markup`` (merged) replaced by a placeholder, and the
    replaced texts in order; unchanged, with no tokens, when there is nothing (or too much) to
    hide."""
    ranges = merged_ranges(markup)
    while True:
        names = [str(PLACEHOLDER_BASE + n) for n in range(1, len(ranges) + 1)]
        clashes = [
            (m.start(), m.end())
            for m in re.finditer(r"\d+", msgid)
            if not any(a <= m.start() < b for a, b in ranges) and any(n in m.group() for n in names)
        ]
        if not clashes:
            break
        ranges = merged_ranges(ranges + clashes)
    if not ranges or len(ranges) > MOST_PLACEHOLDERS:
        return msgid, []
    tokens: list[str] = []
    out: list[str] = []
    cursor = 0
    for number, (start, end) in enumerate(ranges, start=1):
        out.append(msgid[cursor:start])
        out.append(str(PLACEHOLDER_BASE + number))
        tokens.append(msgid[start:end])
        cursor = end
    out.append(msgid[cursor:])
    return "".join(out), tokens


def restore(translated: str, tokens: Sequence[str]) -> str:
    """Put the markup back in place of its placeholders (each used where the engine left it)."""
    if not tokens:
        return translated
    names = {str(PLACEHOLDER_BASE + n): token for n, token in enumerate(tokens, start=1)}
    pattern = re.compile(
        "|".join(
            re.escape(name[0]) + _SPACED_DIGITS + re.escape(name[1:])
            for name in sorted(names, reverse=True)
        )
    )

    def back(match: re.Match[str]) -> str:
        return names.get(re.sub(r"\D", "", match.group(0)), match.group(0))

    return pattern.sub(back, translated)
