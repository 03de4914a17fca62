"""The checks on every active translated entry of a catalog, each plural form on its own."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..model import Catalog, Entry, Finding
from .glossary import Glossary
from .placeholders import often_forms
from .translation import check_translation

if TYPE_CHECKING:
    from ..source_formats import SourceFormat

_CREDITS = ("translator-credits", "translator_credits", "_: translator-credits")


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
    plural_forms = catalog.header.get("Plural-Forms", "")
    findings: list[Finding] = []
    for entry in catalog.active():
        if not entry.is_translated or entry.msgid in _CREDITS:
            continue
        seen: set[tuple[str, str]] = set()
        forms = sorted(entry.msgstr_plural) or [0]
        often = often_forms(plural_forms, len(forms))
        for form, (label, source, text) in zip(forms, _forms(entry, singular), strict=True):
            # msgfmt's rule: every form against msgid_plural; one used for a single n (Czech
            # msgstr[0]) may leave a placeholder out, when the entry has more than one form
            found = check_translation(
                source,
                text,
                language,
                glossary=glossary,
                flags=entry.flags,
                placeholder_source=entry.msgid_plural,
                may_drop_placeholders=len(forms) > 1 and form not in often,
            )
            tags = {f.message for f in found if f.check == "placeholders"}
            for finding in found + _markup_findings(source_format, source, text, language):
                if (finding.check, finding.message) in seen:
                    continue
                if finding.check == "markup" and finding.message in tags:
                    continue  # a template tag the placeholders check reported already
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
