"""Quality checks on (English source, translation, language) that catch machine-translation damage.

Pure: values in, `Finding` values out. The two edges are `load_glossary` (reads the CSV) and
`msgfmt_findings` (runs gettext's own format check); docs/checks.md explains every rule.
"""

from __future__ import annotations

import csv
import gettext
import html
import io
import math
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from .controls import control_characters, picture
from .errors import ConfigError
from .model import Catalog, Entry, Finding, Severity

if TYPE_CHECKING:
    from .source_formats import SourceFormat

LANGUAGES = ("cs", "ru", "uk", "sk")

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
UNTRANSLATED_RUN = 4  # this many lowercase source words in a row, unchanged, in the translation
TERM_MAX_ENDING = 4  # letters an inflected name may add to its stem (Dezerter → Dezerterovi)


def length_band(language: str) -> tuple[float, float]:
    """The accepted (lowest, highest) length ratio for a target language."""
    factor = math.exp(LENGTH_SIGMAS * LENGTH_SIGMA)
    median = LENGTH_MEDIAN[language]
    return median / factor, median * factor


@dataclass(frozen=True)
class _Language:
    name: str
    cyrillic: bool
    quotes: tuple[str, ...]  # accepted double quotation marks, open+close
    foreign: str  # letters a neighbour language has and this one does not
    foreign_name: str
    own: str  # letters this language has and the neighbour does not
    numbers: dict[int, str]  # number words (regex of the forms) for 0-10


_LANGUAGE = {
    "cs": _Language(
        "Czech",
        False,
        ("„“", "»«"),
        "äôĺŕľ",
        "Slovak",
        "řůě",
        {
            0: r"nul\w{0,3}",
            1: r"jed(?:en|n\w{0,4})",
            2: r"dv(?:a|ě|ou|ěma)",
            3: r"tř(?:i|í|em|emi)",
            4: r"čtyř(?:i|ech|em|mi)",
            5: r"pět|pěti",
            6: r"šest|šesti",
            7: r"sedm|sedmi",
            8: r"osm|osmi",
            9: r"devět|devíti",
            10: r"deset|deseti",
        },
    ),
    "sk": _Language(
        "Slovak",
        False,
        ("„“", "»«"),
        "řůě",
        "Czech",
        "äôĺŕľ",
        {
            0: r"nul\w{0,3}",
            1: r"jed(?:en|n\w{0,4})",
            2: r"dv(?:a|e|och|om|oma|aja)",
            3: r"tr(?:i|och|om|omi)",
            4: r"štyr(?:i|och|om|mi)",
            5: r"päť|piat(?:i|ich|im|imi)",
            6: r"šesť|šiest(?:i|ich|im|imi)",
            7: r"sedem|siedm(?:i|ich|im|imi)",
            8: r"osem|ôsm(?:i|ich|im|imi)",
            9: r"deväť|deviat(?:i|ich|im|imi)",
            10: r"desať|desiat(?:i|ich|im|imi)",
        },
    ),
    "ru": _Language(
        "Russian",
        True,
        ("«»", "„“"),
        "іїєґ",
        "Ukrainian",
        "ыэъё",
        {
            0: r"нол\w{0,3}|нул\w{0,3}",
            1: r"од(?:ин|на|но|ного|ной|ному|ним|ною|ну|ни|них)",
            2: r"дв(?:а|е|ух|ум|умя|ое)",
            3: r"тр(?:и|ех|ёх|ем|ём|емя|ое)",
            4: r"четыр(?:е|ех|ёх|ем|ём|ьмя)",
            5: r"пят(?:ь|и|ью)",
            6: r"шест(?:ь|и|ью)",
            7: r"сем(?:ь|и|ью)",
            8: r"вос(?:емь|ьми|емью|ьмью)",
            9: r"девят(?:ь|и|ью)",
            10: r"десят(?:ь|и|ью)",
        },
    ),
    "uk": _Language(
        "Ukrainian",
        True,
        ("«»", "„“"),
        "ыэъё",
        "Russian",
        "іїєґ",
        {
            0: r"нул\w{0,3}",
            1: r"од(?:ин|на|но|не|ного|ній|ному|ним|ною|ну|ні|них)",
            2: r"дв(?:а|і|ох|ом|ома|оє)",
            3: r"тр(?:и|ьох|ьом|ьома|оє)",
            4: r"чотир(?:и|ьох|ьом|ма)",
            5: r"п['’ʼ]?ят(?:ь|и|ьох|ьом|ьма)",
            6: r"шість|шест(?:и|ьох|ьом|ьма)",
            7: r"сім|сем(?:и|ох|ом|ома)",
            8: r"вісім|восьм(?:и|ох|ом|ома)",
            9: r"дев['’ʼ]?ят(?:ь|и|ьох|ьом|ьма)",
            10: r"десят(?:ь|и|ьох|ьом|ьма)",
        },
    ),
}


# --- glossary ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """An English name or term and how each language writes it (no entry: keep it as is)."""

    english: str
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def expected(self, language: str) -> tuple[str, ...]:
        return self.targets.get(language) or (self.english,)


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()


def parse_glossary(text: str, *, display: str) -> Glossary:
    """Read glossary CSV text: header `en,<lang>...`, then one term per row; `a|b` = either."""
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
            targets = {
                language: tuple(part.strip() for part in cell.split("|") if part.strip())
                for language, cell in zip(header[1:], cells[1:], strict=True)
                if cell
            }
            terms.append(Term(english, targets))
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


# --- preparing text ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"%(?:\d+\$)?[-+ #0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|j|z|t|q|I64)?"
    r"[diouxXeEfFgGaAcspnCS%]"
    r"|%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]"
    r"|%<PRI\w+>"
    r"|\{[\w.]*(?:![rsa])?(?::[^{}]*)?\}"
    r"|\$\{?[A-Za-z_]\w*\}?"
    r"|%\d+"
    r"|~[A-Za-z]"
)
_TAG = re.compile(r"</?[A-Za-z_][\w:.-]*(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")
_MNEMONIC = re.compile(r"(?<![\w])_(?=[^\W_])")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_TOKEN = re.compile(r"[^\W_]+")
_CREDITS = ("translator-credits", "translator_credits", "_: translator-credits")


def _plain(text: str, flags: Collection[str], placeholder: Callable[[re.Match[str]], str]) -> str:
    """Text as a reader sees it: no format placeholders, markup or mnemonic underscores."""
    if any(flag.endswith("-format") and not flag.startswith("no-") for flag in flags):
        text = _PLACEHOLDER.sub(placeholder, text)
    if _TAG.search(text):
        text = html.unescape(_TAG.sub(" ", text))
    return _MNEMONIC.sub("", text)


def _blank(_match: re.Match[str]) -> str:
    return " "


def _numbered() -> Callable[[re.Match[str]], str]:
    """Each placeholder a distinct word, so `ни в %s, ни в %s` is not one phrase repeated."""
    count = 0

    def replace(_match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f" placeholder{count} "

    return replace


def _collapsed(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\S+@\S+\.\w+")
_CODE = re.compile(r"[^\s\"'«»“”„‘’()\[\]]*(?:\w[./\\]\w|_)[^\s\"'«»“”„‘’()\[\]]*")
_QUOTED = re.compile(r"([\"'‘“«„‚])([^\"'‘’“”«»„‚\n]{1,80}?)([\"'’”»“‘])")
# A run of this many characters without a space is no prose (a URL, a hash, a hostile line): it is
# set aside whole, which also bounds the work of the two patterns above to linear time.
_LONG_RUN = re.compile(r"\S{100,}")


def _prose(text: str, source: str) -> str:
    """Text without URLs, file names, identifiers and quoted material copied from the source.

    What is left is what a translator translates; `«verbatim»` or `po4atemp.master.po` is code.
    """
    text = _CODE.sub(" ", _URL.sub(" ", _LONG_RUN.sub(" ", text)))
    return _QUOTED.sub(lambda m: " " if m.group(2).strip() in source else m.group(0), text)


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u052f"


def _is_latin(char: str) -> bool:
    return char.isalpha() and (char < "\u0250" or "\u1e00" <= char <= "\u1eff")


def _is_name(word: str) -> bool:
    """Capitalised, all capitals or camel case: a name or identifier, kept across languages."""
    return any(char.isupper() for char in word)


# --- the checks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Issue:
    check: str
    severity: Severity
    message: str


def check_translation(
    source: str,
    translation: str,
    language: str,
    *,
    glossary: Glossary | None = None,
    flags: Collection[str] = (),
) -> list[Finding]:
    """All checks on one translation; the caller fills in file, line and msgid."""
    controls = [
        Finding("control", Severity.ERROR, message, language=language)
        for message in _control_messages(translation)
    ]
    return controls + _check_text(source, translation, language, glossary=glossary, flags=flags)


def _control_messages(translation: str) -> list[str]:
    """A control character other than tab and newline in a translation is an error: it would
    reach terminals (ESC sequences retitle windows and hide text), HTML and readers' files."""
    found = control_characters(translation)
    if not found:
        return []
    shown = ", ".join(f"{picture(c)} (U+{ord(c):04X})" for c in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return [f"control character {shown}{more} in the translation"]


def _check_text(
    source: str,
    translation: str,
    language: str,
    *,
    glossary: Glossary | None = None,
    flags: Collection[str] = (),
) -> list[Finding]:
    """The checks of `check_translation` apart from control characters.

    ``flags`` are the PO entry's flags: with a `*-format` flag, placeholders are set aside first.
    """
    if not translation.strip():
        return []
    info = _LANGUAGE.get(language)
    src = _plain(source, flags, _blank)
    tgt = _plain(translation, flags, _blank)
    terms = glossary.terms if glossary is not None else ()
    issues: list[_Issue] = []
    same = _collapsed(src) == _collapsed(tgt)
    if same:
        issues += _check_unchanged(src, terms)
        if issues:  # left in English: the other findings would only restate that
            return [Finding(i.check, i.severity, i.message, language=language) for i in issues]
    issues += _check_numbers(src, tgt, language)
    issues += _check_terms(src, tgt, language, terms)
    if info is not None:
        if not same:
            src_prose = _prose(src, src)
            tgt_prose = _prose(tgt, src)
            issues += _check_script(src_prose, tgt_prose, info, terms, language)
            issues += _check_english(src_prose, tgt_prose, info)
        issues += _check_quotes(src, tgt, info)
        issues += _check_length(src, tgt, language)
    issues += _check_punctuation(src, tgt, source, translation)
    issues += _check_repetition(
        _plain(source, flags, _numbered()), _plain(translation, flags, _numbered())
    )
    return [Finding(i.check, i.severity, i.message, language=language) for i in issues]


# unchanged ---------------------------------------------------------------------------------------


def _check_unchanged(src: str, terms: Iterable[Term]) -> list[_Issue]:
    """Output equal to the source, when the source has two ordinary words.

    Ordinary: in lowercase, or capitalised in a sentence (`Press Alarms.`). Names (`Michael Hill`),
    title-case labels, identifiers (`DocBook`, `XML`) and glossary terms are often rightly kept.
    """
    kept = {word.lower() for term in terms for word in _words(term.english)}
    sentence = _final(src).endswith((".", "!", "?", "…"))

    def ordinary(word: str) -> bool:
        if len(word) < 2 or word.lower() in kept:
            return False
        return word.islower() or (sentence and word[0].isupper() and word[1:].islower())

    ordinary_words = [word for word in _words(src) if ordinary(word)]
    if len(ordinary_words) < 2:
        return []
    return [_Issue("unchanged", Severity.ERROR, "translation is the English source unchanged")]


# numbers -----------------------------------------------------------------------------------------

_EN_NUMBER = re.compile(
    r"(?<![^\W\d_])(?<![\d.,])"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)+|\d+)"
    r"(?P<decade>s\b)?(?!\d)"
)
_TARGET_NUMBER = re.compile(
    r"(?<![^\W\d_])(?<![\d.,])"
    r"(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)*)(?!\d)"
)
_GROUP_SPACES = " \u00a0\u202f\u2009"
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_VERSION_WORDS = ("version", "v", "release")


@dataclass(frozen=True)
class _Number:
    written: str
    value: Decimal | None  # None for versions like 1.2.3: they must be copied as they are
    decade: bool  # 1990s: 1990 or 90 in the translation
    before: str  # the word just before it, for `ShareAlike 3.0`


def _english_numbers(text: str) -> list[_Number]:
    found: list[_Number] = []
    words = _WORD.finditer(text)
    word = next(words, None)
    before = ""  # the last word that ends before the number (one sweep: linear in the text)
    for match in _EN_NUMBER.finditer(text):
        while word is not None and word.end() <= match.start():
            before = word.group()
            word = next(words, None)
        token = match.group("num")
        value = None if token.count(".") > 1 else Decimal(token.replace(",", ""))
        found.append(_Number(token, value, bool(match.group("decade")), before))
    return found


def _local_value(token: str, decimal_symbol: str, group_symbol: str) -> Decimal | None:
    """The value of a number written in the target language's format, or None if it is not one.

    Groups may be split by any space (NBSP, narrow NBSP, thin or plain) or the language's own
    group symbol; the decimal separator must be the language's own.
    """
    plain = token
    for space in _GROUP_SPACES:
        plain = plain.replace(space, "")
    whole = plain.split(decimal_symbol)[0]
    if group_symbol in ".," and group_symbol in whole:
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group_symbol)}\d{{3}})+", whole):
            return None
        plain = plain.replace(group_symbol, "", whole.count(group_symbol))
    if plain.count(decimal_symbol) > 1 or any(c in plain for c in ".," if c != decimal_symbol):
        return None
    try:
        return Decimal(plain.replace(decimal_symbol, "."))
    except InvalidOperation:
        return None


def _english_readings(token: str) -> set[Decimal]:
    """Values the token has if the translator kept English separators (`20.081`, `1,185`)."""
    values: set[Decimal] = set()
    for group, point in ((",", "."), (".", ",")):
        parts = token.split(point)
        if len(parts) > 2:
            continue
        whole = parts[0]
        if group in whole and not _THOUSANDS.fullmatch(whole):
            continue
        fraction = "." + parts[1] if len(parts) == 2 else ""
        try:
            values.add(Decimal(whole.replace(group, "") + fraction))
        except InvalidOperation:
            continue
    return values


def _number_word(value: Decimal, info: _Language | None, tgt: str) -> bool:
    """Small numbers may be spelled out: `more than 2` → `более двух`."""
    if info is None or value != value.to_integral_value() or int(value) not in info.numbers:
        return False
    pattern = rf"(?<![^\W\d_])(?:{info.numbers[int(value)]})(?![^\W\d_])"
    return re.search(pattern, tgt, re.IGNORECASE) is not None


def _check_numbers(src: str, tgt: str, language: str) -> list[_Issue]:
    """Every source number is in the translation, written the way the target language writes it."""
    import babel.numbers
    from babel.core import Locale, UnknownLocaleError

    try:
        decimal_symbol = babel.numbers.get_decimal_symbol(language)
        group_symbol = babel.numbers.get_group_symbol(language)
        english_name = Locale.parse(language).english_name or language
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"unknown language code {language!r}") from None
    info = _LANGUAGE.get(language)
    name = info.name if info is not None else english_name
    tokens = [match.group(1) for match in _TARGET_NUMBER.finditer(tgt)]
    local = {
        value
        for token in tokens
        if (value := _local_value(token, decimal_symbol, group_symbol)) is not None
    }
    issues: list[_Issue] = []
    reported: set[str] = set()
    for number in _english_numbers(src):
        if number.written in reported:
            continue
        value = number.value
        if value is None:
            if number.written not in tgt:
                reported.add(number.written)
                issues.append(_Issue("numbers", Severity.ERROR, f"{number.written} is missing"))
            continue
        if value in local or (number.decade and value % 100 in local):
            continue
        if number.written in tokens and (
            number.before.lower() in _VERSION_WORDS
            or (_is_name(number.before) and f"{number.before} {number.written}" in tgt)
        ):
            continue  # a version: `GPL 3.0`, `ShareAlike 3.0` keep their dot
        if _number_word(value, info, tgt):
            continue
        reported.add(number.written)
        wrong = [
            token
            for token in tokens
            if value in _english_readings(token)
            and _local_value(token, decimal_symbol, group_symbol) != value
        ]
        if wrong:
            localised = babel.numbers.format_decimal(value, locale=language)
            localised = localised.replace("\u00a0", " ").replace("\u202f", " ")
            # `20.081` or `1,185` reads as another number in these languages; `11.5` only looks odd.
            severity = Severity.ERROR if _THOUSANDS.fullmatch(wrong[0]) else Severity.WARNING
            issues.append(
                _Issue(
                    "numbers",
                    severity,
                    f"{wrong[0]} has an English separator; {name} writes {localised}",
                )
            )
        else:
            issues.append(_Issue("numbers", Severity.ERROR, f"{number.written} is missing"))
    return issues


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


# script and language -----------------------------------------------------------------------------


def _check_script(
    src: str, tgt: str, info: _Language, terms: Iterable[Term], language: str
) -> list[_Issue]:
    """Cyrillic for ru/uk, Latin for cs/sk; letters that only the neighbour language uses."""
    # Words copied from the source and glossary forms may be in any script; a run of copied
    # English is the `english` check's business.
    kept = {word.lower() for word in _words(src)}
    for term in terms:
        for form in (term.english, *term.expected(language)):
            kept.update(word.lower() for word in _words(form))
    words = [word for word in _words(tgt) if word.lower() not in kept]
    issues: list[_Issue] = []
    mixed = [w for w in words if any(map(_is_cyrillic, w)) and any(map(_is_latin, w))]
    if mixed:
        issues.append(
            _Issue("script", Severity.ERROR, f"Latin and Cyrillic letters mixed in {mixed[0]!r}")
        )
    letters = "".join(word for word in words if word not in mixed)
    cyrillic = sum(map(_is_cyrillic, letters))
    latin = sum(map(_is_latin, letters))
    if info.cyrillic and latin > cyrillic:
        issues.append(
            _Issue("script", Severity.ERROR, f"mostly Latin letters; {info.name} is Cyrillic")
        )
    elif not info.cyrillic and cyrillic:
        example = next(w for w in words if any(map(_is_cyrillic, w)))
        issues.append(
            _Issue("script", Severity.ERROR, f"Cyrillic letters in {info.name} ({example!r})")
        )
    lowered = letters.lower()
    foreign = sorted({c for c in lowered if c in info.foreign})
    if foreign:
        shown = " ".join(foreign)
        if any(c in info.own for c in lowered):
            message = f"{info.foreign_name} letters ({shown}) in {info.name}"
            issues.append(_Issue("language", Severity.WARNING, message))
        else:
            message = f"probably {info.foreign_name}, not {info.name}: it has {shown}"
            issues.append(_Issue("language", Severity.ERROR, message))
    return issues


def _check_english(src: str, tgt: str, info: _Language) -> list[_Issue]:
    """A run of ordinary English words copied into the translation (a sentence left half done)."""
    source = [w.lower() for w in _words(src)]
    target = [w.lower() for w in _words(tgt)]
    ordinary = {w.lower() for w in _words(src) if not _is_name(w) and len(w) >= 2}
    best = _longest_common_run(source, target, ordinary)
    if len(best) < UNTRANSLATED_RUN:
        return []
    fragment = " ".join(best)
    return [_Issue("english", Severity.WARNING, f"English left in the {info.name}: {fragment!r}")]


def _longest_common_run(source: list[str], target: list[str], allowed: set[str]) -> list[str]:
    """The longest run of `allowed` words that `target` and `source` share (the first in `target`
    on a tie), in time linear in their lengths: a suffix automaton of `source`, walked by
    `target`. (The plain double loop over both lists is cubic on a long unit.)"""
    ids: dict[str, int] = {}
    # Each state: outgoing transitions, suffix link, length of its longest string.
    edges: list[dict[int, int]] = [{}]
    links, lengths = [-1], [0]
    last = 0
    for position, word in enumerate(source):
        # A word outside every run gets a code of its own that the target never has.
        code = ids.setdefault(word, len(ids)) if word in allowed else -2 - position
        state = len(edges)
        edges.append({})
        links.append(0)
        lengths.append(lengths[last] + 1)
        walk = last
        while walk != -1 and code not in edges[walk]:
            edges[walk][code] = state
            walk = links[walk]
        if walk != -1:
            other = edges[walk][code]
            if lengths[walk] + 1 == lengths[other]:
                links[state] = other
            else:
                clone = len(edges)
                edges.append(dict(edges[other]))
                links.append(links[other])
                lengths.append(lengths[walk] + 1)
                while walk != -1 and edges[walk].get(code) == other:
                    edges[walk][code] = clone
                    walk = links[walk]
                links[other] = links[state] = clone
        last = state
    best_end = best_length = 0
    state = length = 0
    for index, word in enumerate(target):
        code = ids.get(word, -1) if word in allowed else -1
        while state and code not in edges[state]:
            state = links[state]
            length = lengths[state]
        if code in edges[state]:
            state = edges[state][code]
            length += 1
        else:
            state = length = 0
        if length > best_length:
            best_end, best_length = index + 1, length
    return target[best_end - best_length : best_end]


# punctuation -------------------------------------------------------------------------------------

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


# machine-translation damage: repetition and length -----------------------------------------------


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


# --- catalogs ------------------------------------------------------------------------------------


def _singular_index(catalog: Catalog) -> int:
    """Which msgstr[] form a catalog uses for n == 1 (Slovak GNOME catalogs put it at 1)."""
    match = re.search(r"plural\s*=\s*([^;]+)", catalog.header.get("Plural-Forms", ""))
    if match is None:
        return 0
    try:
        return int(gettext.c2py(match.group(1).strip())(1))
    except (ValueError, SyntaxError, RecursionError):
        return 0


def _forms(entry: Entry, singular: int) -> Iterable[tuple[str, str, str]]:
    """(label, English source, translation) for each form of an entry."""
    if entry.msgid_plural is None:
        yield "", entry.msgid, entry.msgstr
        return
    for index, text in sorted(entry.msgstr_plural.items()):
        source = entry.msgid if index == singular else entry.msgid_plural
        yield f"msgstr[{index}]: ", source, text


def _markup_findings(
    source_format: SourceFormat | None, source: str, text: str, language: str
) -> list[Finding]:
    """A unit must keep the inline markup its source format has (Markdown: links, code, template
    tags and emphasis); the format says what differs."""
    if source_format is None or not text:
        return []
    return [
        Finding("markup", severity, message, language=language)
        for severity, message in source_format.markup_findings(source, text)
    ]


def check_catalog(
    catalog: Catalog,
    language: str,
    *,
    glossary: Glossary | None = None,
    display: str = "",
    source_format: SourceFormat | None = None,
) -> list[Finding]:
    """Check every active translated entry, machine output and reviewed alike.

    Untranslated and obsolete entries and the `translator-credits` entry are skipped; each form of
    a plural entry is checked against the English singular or plural it stands for. The catalog's
    source format (its document's) compares inline markup; without one, markup is not checked.
    """
    singular = _singular_index(catalog)
    findings: list[Finding] = []
    for entry in catalog.active():
        if not entry.is_translated or entry.msgid in _CREDITS:
            continue
        seen: set[tuple[str, str]] = set()
        for label, source, text in _forms(entry, singular):
            found = check_translation(source, text, language, glossary=glossary, flags=entry.flags)
            for finding in found + _markup_findings(source_format, source, text, language):
                if (finding.check, finding.message) in seen:
                    continue
                seen.add((finding.check, finding.message))
                findings.append(
                    Finding(
                        finding.check,
                        finding.severity,
                        label + finding.message,
                        file=display or catalog.path,
                        line=entry.line,
                        msgid=entry.msgid,
                        language=language,
                        msgctxt=entry.msgctxt,
                    )
                )
    return findings


# --- msgfmt --------------------------------------------------------------------------------------

_MSGFMT_LINE = re.compile(r"^(?P<file>.*?):(?P<line>\d+)(?::\d+)?: (?P<message>.*)$")
_MSGFMT_SUMMARY = re.compile(r"^\S*msgfmt: found \d+ fatal errors?$")


def msgfmt_findings(path: Path, display: str) -> list[Finding]:
    """Run `msgfmt --check` on a PO file: each error it prints is an error finding with its line.

    Its warnings are left out: they are about header fields (`Last-Translator` still the template
    value) that every catalog fresh from `pipeline update` has, and they do not fail msgfmt.
    """
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise ConfigError("msgfmt not found: install GNU gettext")
    result = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(path)],
        capture_output=True,
        check=False,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
    )
    findings: list[Finding] = []
    for raw in result.stderr.decode("utf-8", "replace").splitlines():
        text = raw.strip()
        if not text or _MSGFMT_SUMMARY.match(text):
            continue
        match = _MSGFMT_LINE.match(text)
        line = int(match.group("line")) if match else 0
        message = match.group("message") if match else re.sub(r"^\S*msgfmt: ", "", text)
        if message.startswith("warning: "):
            continue  # header fields left at their template values: every new catalog has them
        findings.append(Finding("format", Severity.ERROR, message, file=display, line=line))
    if result.returncode != 0 and not findings:
        message = f"msgfmt --check failed with exit code {result.returncode}"
        findings.append(Finding("format", Severity.ERROR, message, file=display))
    return findings
