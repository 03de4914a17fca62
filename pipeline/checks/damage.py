"""Machine-translation damage: the `repeated` check and the `length` check with its band."""

from __future__ import annotations

import math
from collections.abc import Collection

from ..model import Severity
from .text import _TOKEN, _blank, _collapsed, _Issue, _plain

# Length ratio translation/source in characters (placeholders, markup and mnemonics removed,
# whitespace collapsed), measured on the human translations in tests/fixtures/po: every active
# translated entry (each plural form) whose English has at least LENGTH_MIN_SOURCE characters,
# identical (msgid, msgstr, flags) triples counted once. `uk` has no catalog there, so it takes
# the Russian median (a close relative with similar word lengths). docs/checks.md has the table;
# tests/test_checks_real_catalogs.py measures again and fails if these numbers drift.
#   pair   entries  median  min    max
#   en-cs     27    0.962   0.613  1.655
#   en-sk     27    1.029   0.613  1.690
#   en-ru    424    1.100   0.594  2.150
# The spread is pooled (each ratio's log distance from its pair's median, 478 entries), because
# 27 UI strings are too few to estimate it per pair: sigma = 0.193. A translation is flagged
# outside median ×/÷ exp(LENGTH_SIGMAS * sigma) = 2.17, which no human translation there reaches.
LENGTH_MIN_SOURCE = 20
LENGTH_MEDIAN = {"cs": 0.962, "sk": 1.029, "ru": 1.100, "uk": 1.100}
LENGTH_SIGMA = 0.193
LENGTH_SIGMAS = 4.0

REPEAT_SHORT = 3  # a word or two-word phrase this many times in a row is damage
REPEAT_LONG = 2  # a phrase of 3 to 6 words this many times in a row is damage


def length_band(language: str) -> tuple[float, float]:
    """The accepted (lowest, highest) length ratio for a target language."""
    factor = math.exp(LENGTH_SIGMAS * LENGTH_SIGMA)
    median = LENGTH_MEDIAN[language]
    return median / factor, median * factor


def _repeats(text: str) -> list[tuple[str, int]]:
    tokens = [token.lower() for token in _TOKEN.findall(text)]
    found: list[tuple[str, int]] = []
    for size in range(1, 7):
        need = REPEAT_SHORT if size <= 2 else REPEAT_LONG
        start = 0
        while start + size * need <= len(tokens):
            unit = tokens[start : start + size]
            count = 1
            while tokens[start + size * count : start + size * (count + 1)] == unit:
                count += 1
            digits = all(token.isdigit() for token in unit)
            if count >= need and not digits:
                found.append((" ".join(unit), count))
                start += size * count
            elif digits:
                # Every phrase that starts inside this run of numbers and ends in it is numbers
                # too: go past them at once (`1. 1. 1. …` would otherwise take quadratic time).
                start += size * (count - 1) + 1
            else:
                start += 1
    return found


def _check_repetition(src: str, tgt: str) -> list[_Issue]:
    """A phrase repeated in a row, more often than anything is repeated in the source.

    The phrase itself cannot be compared across languages (`ha ha ha` → `ха-ха-ха`), its count can.
    """
    allowed = max((count for _, count in _repeats(src)), default=1)
    for phrase, count in _repeats(tgt):
        if count > allowed:
            message = f"{phrase!r} {count} times in a row"
            return [_Issue("repeated", Severity.ERROR, message)]
    return []


def length_ratio(source: str, translation: str, flags: Collection[str] = ()) -> float | None:
    """Characters of the translation per character of the source, counted as the check counts.

    None when the source is shorter than LENGTH_MIN_SOURCE (short strings vary too much).
    """
    src = _collapsed(_plain(source, flags, _blank))
    tgt = _collapsed(_plain(translation, flags, _blank))
    if len(src) < LENGTH_MIN_SOURCE or not tgt:
        return None
    return len(tgt) / len(src)


def _check_length(src: str, tgt: str, language: str) -> list[_Issue]:
    ratio = length_ratio(src, tgt)
    if ratio is None:
        return []
    low, high = length_band(language)
    if low <= ratio <= high:
        return []
    how = "short" if ratio < low else "long"
    message = (
        f"too {how}: {ratio:.2f}× the source's length "
        f"(usual {LENGTH_MEDIAN[language]:.2f}×, accepted {low:.2f}–{high:.2f})"
    )
    return [_Issue("length", Severity.WARNING, message)]
