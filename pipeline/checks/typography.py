"""The `punctuation` and `quotes` checks: brackets, final marks, the language's quotation marks."""

from __future__ import annotations

import re

from ..model import Severity
from .languages import _Language
from .text import _Issue, _words

_BRACKETS = (("(", ")"), ("[", "]"), ("{", "}"))
_TRAILING = " \t\r\n\u00a0\"'”“„«»’‘)]*"
_SPACE_BEFORE = re.compile(r"(?<=[^\s.…])[ \u00a0]+([,.;:!?])(?=\s|$)")


def _final(text: str) -> str:
    return text.rstrip(_TRAILING)


def _check_punctuation(src: str, tgt: str, raw_source: str, raw_translation: str) -> list[_Issue]:
    """Brackets, a question stays a question, a final ellipsis stays, no space before a comma."""
    issues: list[_Issue] = []
    for opened, closed in _BRACKETS:
        source_balance = src.count(opened) - src.count(closed)
        target_balance = tgt.count(opened) - tgt.count(closed)
        if target_balance != source_balance and target_balance != 0:
            issues.append(_Issue("punctuation", Severity.ERROR, f"unbalanced {opened}{closed}"))
    if _final(src).endswith("?") and not _final(tgt).endswith("?"):
        issues.append(
            _Issue("punctuation", Severity.WARNING, "the source is a question; this is not")
        )
    if _final(src).endswith(("…", "...")) and not _final(tgt).endswith(("…", "...")):
        issues.append(_Issue("punctuation", Severity.WARNING, "the final ellipsis is missing"))
    spaced = _SPACE_BEFORE.findall(raw_translation)
    if len(spaced) > len(_SPACE_BEFORE.findall(raw_source)):
        issues.append(_Issue("punctuation", Severity.WARNING, f"space before {spaced[0]!r}"))
    return issues


_ENGLISH_DOUBLE = re.compile(r"“[^“”„]*”")
_ENGLISH_SINGLE = re.compile(r"(?<![^\W\d_])‘[^‘’]*’(?![^\W\d_])")
_STRAIGHT = re.compile(r"\"[^\"]*\"")


def _check_quotes(src: str, tgt: str, info: _Language) -> list[_Issue]:
    """The target language's quotation marks, and as many closing ones as opening ones."""
    source_words = {word.lower() for word in _words(src)}
    wanted = " or ".join(f"{pair[0]}…{pair[1]}" for pair in info.quotes)
    english = _ENGLISH_DOUBLE.search(tgt) or _ENGLISH_SINGLE.search(tgt)
    if english is None:
        for match in _STRAIGHT.finditer(tgt):
            # Straight quotes around copied text are usually code ("%s", "msgid"); around
            # translated words they are prose quotation marks.
            if any(word.lower() not in source_words for word in _words(match.group(0))):
                english = match
                break
    if english is not None:
        shown = f"{english.group(0)[0]}…{english.group(0)[-1]}"
        message = f"quotation marks {shown}: {info.name} uses {wanted}"
        return [_Issue("quotes", Severity.WARNING, message)]
    issues: list[_Issue] = []
    if src.count("“") == src.count("”") and src.count("«") == src.count("»"):
        for pair in info.quotes:
            opening, closing = pair[0], pair[1]
            if tgt.count(opening) != tgt.count(closing):
                message = f"unbalanced quotation marks {opening}…{closing}"
                issues.append(_Issue("quotes", Severity.WARNING, message))
        if src.count('"') % 2 == 0 and tgt.count('"') % 2 == 1:
            issues.append(_Issue("quotes", Severity.WARNING, 'unbalanced quotation marks "…"'))
    return issues
