"""The `numbers` check: every source number in the translation, in the target's format (Babel)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..errors import ConfigError
from ..model import Severity
from .languages import _LANGUAGE, _Language
from .text import _WORD, _is_name, _Issue

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
