"""The glossary (`locales/glossary.csv`) and the `terms` check: each English term as listed."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..model import Severity
from .text import _TOKEN, _Issue

TERM_MAX_ENDING = 4  # letters an inflected name may add to its stem (Dezerter → Dezerterovi)
KEEP_COLUMN = "keep"  # optional column: `yes` marks a name kept through machine translation


@dataclass(frozen=True)
class Term:
    """An English name or term and how each language writes it (no entry: keep it as is)."""

    english: str
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keep: bool = False  # never translated or inflected: protected through MT (keep_terms.py)

    def expected(self, language: str) -> tuple[str, ...]:
        return self.targets.get(language) or (self.english,)


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()


def parse_glossary(text: str, *, display: str) -> Glossary:
    """Read glossary CSV text: header `en,<lang>...`, then one term per row; `a|b` = either.

    An optional `keep` column (anywhere after `en`) holds `yes` for a row to keep through
    machine translation, or nothing.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header: list[str] | None = None
    terms: list[Term] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if header is None:
                if cells[0] != "en" or len(cells) < 2 or not all(cells[1:]):
                    raise ConfigError(
                        "glossary header must be `en,` then language codes", path=display, line=line
                    )
                header = cells
                continue
            if len(cells) != len(header):
                raise ConfigError(
                    f"row has {len(cells)} cells, the header has {len(header)}",
                    path=display,
                    line=line,
                )
            english = cells[0]
            if not english:
                raise ConfigError("empty English term", path=display, line=line)
            if english in seen:
                raise ConfigError(
                    f"duplicate term {english!r} (first at line {seen[english]})",
                    path=display,
                    line=line,
                )
            seen[english] = line
            by_column = dict(zip(header[1:], cells[1:], strict=True))
            keep = by_column.pop(KEEP_COLUMN, "")
            if keep not in ("", "yes"):
                raise ConfigError(
                    f"{KEEP_COLUMN} must be `yes` or empty, not {keep!r}", path=display, line=line
                )
            targets = {
                language: tuple(part.strip() for part in cell.split("|") if part.strip())
                for language, cell in by_column.items()
                if cell
            }
            terms.append(Term(english, targets, keep=keep == "yes"))
    except csv.Error as error:
        raise ConfigError(f"bad CSV: {error}", path=display, line=reader.line_num) from None
    if header is None:
        raise ConfigError("glossary is empty (no header row)", path=display, line=1)
    return Glossary(tuple(terms))


def load_glossary(path: Path) -> Glossary:
    """Read `locales/glossary.csv`; a missing or bad file is a `ConfigError` with file:line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("glossary file does not exist", path=str(path)) from None
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise ConfigError("glossary is not UTF-8", path=str(path), line=line) from None
    except OSError as error:
        raise ConfigError(f"cannot read glossary: {error.strerror}", path=str(path)) from None
    return parse_glossary(text, display=str(path))


# names and terms ---------------------------------------------------------------------------------

_ENDING = re.compile(r"[aeiouyáéíóúýěůаеёиоуыэюяйьіїє]{1,2}$", re.IGNORECASE)


def _word_matches(expected: str, word: str) -> bool:
    """`word` is `expected` or an inflected form of it (rule in docs/checks.md, "Terms").

    The stem is the expected word without a final vowel or two (`Friedrich` stays, `Явлинский`
    → `Явлинск`), if 3 letters remain; the word must start with the stem, case-insensitively, and be
    at most TERM_MAX_ENDING letters longer than the expected word. A word in capitals (an acronym)
    keeps its capitals and may only add lowercase letters: `KRASu` matches, `Krasu` does not.
    """
    stem = expected
    if len(expected) > 4 and not expected.isupper():
        cut = _ENDING.sub("", expected)
        if len(cut) >= 3:
            stem = cut
    if len(word) < len(stem) or len(word) - len(expected) > TERM_MAX_ENDING:
        return False
    if expected.isupper() and len(expected) > 1:
        rest = word[len(stem) :]
        return word.startswith(stem) and (rest == "" or rest.islower())
    return word.lower().startswith(stem.lower())


def _contains_term(text: str, term: str) -> bool:
    expected = _TOKEN.findall(term)
    tokens = _TOKEN.findall(text)
    for start in range(len(tokens) - len(expected) + 1):
        if all(_word_matches(e, t) for e, t in zip(expected, tokens[start:], strict=False)):
            return True
    return not expected


def _source_has(source: str, english: str) -> bool:
    """The term is in the source: case-insensitive, but a capital must stay a capital.

    So `Idite lesom` finds `Idite Lesom`, and `Connection` (a name) does not find `connection`.
    """
    pattern = r"(?<![\w-])" + re.escape(english) + r"(?![\w-])"
    return any(
        match.group(0)[:1] == english[:1] for match in re.finditer(pattern, source, re.IGNORECASE)
    )


def _check_terms(src: str, tgt: str, language: str, terms: Iterable[Term]) -> list[_Issue]:
    issues: list[_Issue] = []
    for term in terms:
        if not _source_has(src, term.english):
            continue
        expected = term.expected(language)
        if any(_contains_term(tgt, form) for form in expected):
            continue
        wanted = " or ".join(repr(form) for form in expected)
        issues.append(_Issue("terms", Severity.WARNING, f"{term.english!r} should be {wanted}"))
    return issues
