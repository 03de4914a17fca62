"""Inline markup swapped for placeholders on the way to machine translation, and back. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .markup import _inline_markup, _merged

_PLACEHOLDER_BASE = 7000
_MOST_PLACEHOLDERS = 999
_SPACED_DIGITS = "[ \u00a0\u202f]?"  # MT may group digits: "7 001"


def protect_markup(msgid: str) -> tuple[str, list[str]]:
    """Replace inline markup, code, URLs and template tags with numeric placeholders.

    Placeholders are 7001, 7002, …: digits survive what Argos does to text (upper-casing,
    transliteration, `_` and brackets). Adjacent markup becomes one placeholder (`**[` is one
    token); a number of the text that contains a placeholder is itself protected, so
    `restore_markup` never mistakes it for one.
    """
    markup = _inline_markup(msgid)
    ranges = _merged([(s.start, s.end) for s in markup.spans])
    while True:
        names = [str(_PLACEHOLDER_BASE + n) for n in range(1, len(ranges) + 1)]
        clashes = [
            (m.start(), m.end())
            for m in re.finditer(r"\d+", msgid)
            if not any(a <= m.start() < b for a, b in ranges) and any(n in m.group() for n in names)
        ]
        if not clashes:
            break
        ranges = _merged(ranges + clashes)
    if not ranges or len(ranges) > _MOST_PLACEHOLDERS:
        return msgid, []
    tokens: list[str] = []
    out: list[str] = []
    cursor = 0
    for number, (start, end) in enumerate(ranges, start=1):
        out.append(msgid[cursor:start])
        out.append(str(_PLACEHOLDER_BASE + number))
        tokens.append(msgid[start:end])
        cursor = end
    out.append(msgid[cursor:])
    return "".join(out), tokens


def restore_markup(translated: str, tokens: Sequence[str]) -> str:
    """Put the markup back in place of its placeholders (each used where the engine left it)."""
    if not tokens:
        return translated
    names = {str(_PLACEHOLDER_BASE + n): token for n, token in enumerate(tokens, start=1)}
    pattern = re.compile(
        "|".join(
            re.escape(name[0]) + _SPACED_DIGITS + re.escape(name[1:])
            for name in sorted(names, reverse=True)
        )
    )

    def back(match: re.Match[str]) -> str:
        return names.get(re.sub(r"\D", "", match.group(0)), match.group(0))

    return pattern.sub(back, translated)
