"""Every check on one translation, in order; the caller fills in file, line and msgid."""

from __future__ import annotations

from collections.abc import Collection

from ..model import Finding, Severity
from .controls import _control_messages
from .damage import _check_length, _check_repetition
from .glossary import Glossary, _check_terms
from .language import _check_english, _check_script, _check_unchanged
from .languages import _LANGUAGE
from .numbers import _check_numbers
from .placeholders import check_placeholders
from .text import _blank, _collapsed, _Issue, _numbered, _plain, _prose
from .typography import _check_punctuation, _check_quotes


def check_translation(
    source: str,
    translation: str,
    language: str,
    *,
    glossary: Glossary | None = None,
    flags: Collection[str] = (),
    placeholder_source: str | None = None,
    may_drop_placeholders: bool = False,
) -> list[Finding]:
    """All checks on one translation; the caller fills in file, line and msgid.

    Placeholders are compared with ``placeholder_source`` when given (a plural form with the
    `msgid_plural`, as msgfmt does); ``may_drop_placeholders`` is msgfmt's rule for a form used
    for a single n (see `placeholders.check_placeholders`).
    """
    controls = [
        Finding("control", Severity.ERROR, message, language=language)
        for message in _control_messages(translation)
    ]
    placeholders = [
        Finding(issue.check, issue.severity, issue.message, language=language)
        for issue in check_placeholders(
            source if placeholder_source is None else placeholder_source,
            translation,
            flags,
            may_drop=may_drop_placeholders,
        )
    ]
    return (
        controls
        + placeholders
        + _check_text(source, translation, language, glossary=glossary, flags=flags)
    )


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
