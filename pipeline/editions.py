"""Writing the editions and the index: the publish policy, the colophon's facts, the files.

The I/O edge around `pipeline.assemble`: it reads the pipeline's own message catalogs and the
environment (SOURCE_DATE_EPOCH), decides whether an edition may replace the last one, and writes
through the run log so `--check` and unchanged inputs write nothing.
"""

from __future__ import annotations

import datetime
import functools
import io
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import edition_formats
from .assemble import (
    Colophon,
    Edition,
    Shares,
    chosen_text,
    edition_shares,
)
from .catalog import machine_mark, translations_of
from .config import Config
from .edition_formats import EditionFormat
from .errors import ConfigError, EditionUnavailable
from .index_page import IndexRow, render_index
from .layout import edition_path, index_path
from .model import Catalog, Document, Unit

if TYPE_CHECKING:
    from babel.support import NullTranslations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "pipeline"
PUBLISHED = "published"
_HEADER_DATES = ("PO-Revision-Date", "POT-Creation-Date")
_DATE_PATTERNS = ("%Y-%m-%d %H:%M%z", "%Y-%m-%d %H:%M:%S%z")


class Writer(Protocol):
    """What the editions need of `pipeline.build.RunLog`: an atomic, recorded, skippable write."""

    warnings: list[str]  # an edition format that cannot run here says so once, as a warning

    def write(self, config: Config, path: Path, data: bytes) -> bool: ...


@dataclass(frozen=True)
class EditionOutcome:
    """What became of one document's editions in one language, and why."""

    document: str
    language: str
    title: str
    policy: str
    shares: Shares
    minimum: float = 0.0
    published: bool = True
    reason: str = ""  # one line for the user when withheld
    source_format: str = ""  # the document's format: which edition formats apply

    @property
    def status(self) -> str:
        """ "published", or the reason the previous edition was kept (kept in the run report)."""
        return PUBLISHED if self.published else self.reason


# --- messages ------------------------------------------------------------------------------------


@functools.cache
def messages(language: str) -> NullTranslations:
    """The pipeline's own sentences in a language, compiled from its .po with Babel at first use.

    Compiling in memory means no binary .mo in the repository that could drift from the .po; fuzzy
    entries are left out, as msgfmt does. A language without a catalog gets the English sentences.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    for code in dict.fromkeys([language, language.replace("-", "_").split("_")[0]]):
        path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=code, domain=DOMAIN)
            compiled = io.BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            return Translations(compiled, domain=DOMAIN)
    return NullTranslations()


# --- the colophon's facts ------------------------------------------------------------------------


def _parse_po_date(value: str) -> datetime.datetime | None:
    for form in _DATE_PATTERNS:
        try:
            return datetime.datetime.strptime(value.strip(), form)
        except ValueError:
            continue
    return None


def edition_date(catalog: Catalog) -> datetime.date | None:
    """The newest date the catalog's header records (in UTC), else SOURCE_DATE_EPOCH, else none.

    Never the clock: the edition's date moves only when its inputs do.
    """
    found = [
        parsed
        for key in _HEADER_DATES
        if (parsed := _parse_po_date(catalog.header.get(key, ""))) is not None
    ]
    if found:
        return max(found).astimezone(datetime.UTC).date()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise ConfigError(f"SOURCE_DATE_EPOCH: not a number of seconds: {epoch!r}") from None


def machine_sources(
    document: Document, catalog: Catalog, policy: str, title: str = ""
) -> tuple[tuple[str, str, str], ...]:
    """(engine, package, version) of every `# mt:` comment behind text this edition shows (its
    units and its title)."""
    translations = translations_of(catalog)
    units = [*document.units, *([Unit(title, 0, "")] if title else [])]
    shown = {unit.msgid for unit in units if chosen_text(unit, translations, policy) is not None}
    found: set[tuple[str, str, str]] = set()
    for entry in catalog.active():
        if entry.msgctxt is None and entry.msgid in shown:
            mark = machine_mark(entry)
            if mark is not None:
                found.add(mark[:3])
    return tuple(sorted(found))


def document_title(config: Config, document: Document) -> str:
    info = config.documents.get(document.name)
    return (info.title if info else "") or document.title or document.name


def colophon_for(
    config: Config, document: Document, language: str, catalog: Catalog, shares: Shares
) -> Colophon:
    info = config.documents.get(document.name)
    title = document_title(config, document)
    translated = chosen_text(Unit(title, 0, ""), translations_of(catalog), config.policy)
    return Colophon(
        language=language,
        source_language=config.source_language,
        title=title,
        origin=info.origin if info else "",
        date=edition_date(catalog),
        machine=machine_sources(document, catalog, config.policy, title),
        shares=shares,
        policy=config.policy,
        translated_title=translated or "",
    )


# --- editions ------------------------------------------------------------------------------------


def formats_for(source_format: str, chosen: Sequence[str] | None = None) -> list[EditionFormat]:
    """The edition formats a source of that format gets: every registered one that fits it, or,
    with ``chosen`` (the configuration's ``editions``), those of the chosen ones that fit it."""
    return [
        found
        for found in edition_formats.registered()
        if found.fits(source_format) and (chosen is None or found.name in chosen)
    ]


def format_label(edition_format: EditionFormat) -> str:
    """The format's name for people (the index page's link text): its ``label`` if it has one."""
    return str(getattr(edition_format, "label", "") or edition_format.name)


def assemble_edition(
    config: Config, document: Document, language: str, catalog: Catalog
) -> tuple[Shares, Edition]:
    """The shares and the assembled edition of a document in a language, for every format."""
    translations = translations_of(catalog)
    shares = edition_shares(document, translations, config.policy)
    edition = Edition(
        document=document,
        language=language,
        translations=translations,
        policy=config.policy,
        colophon=colophon_for(config, document, language, catalog, shares),
        gettext=messages(language).gettext,
        source_language=config.source_language,
    )
    return shares, edition


def render_editions(
    config: Config,
    document: Document,
    language: str,
    catalog: Catalog,
    only: Collection[str] | None = None,
    warnings: list[str] | None = None,
) -> tuple[Shares, list[tuple[EditionFormat, bytes]]]:
    """The shares and the editions (format, bytes) of a document in a language: every chosen
    format that fits, or ``only`` those named. Each format gets its own settings table.

    A format that cannot run on this machine (`EditionUnavailable`) is left out, its message
    added once to ``warnings``; without a list to warn in, the error goes up."""
    shares, edition = assemble_edition(config, document, language, catalog)
    settings = config.edition_settings
    rendered: list[tuple[EditionFormat, bytes]] = []
    for found in formats_for(document.format, config.editions):
        if only is not None and found.name not in only:
            continue
        try:
            own = replace(edition, settings=settings.get(found.name, {}))
            rendered.append((found, found.render(own)))
        except EditionUnavailable as unavailable:
            if warnings is None:
                raise
            if unavailable.one_line() not in warnings:
                warnings.append(unavailable.one_line())
    return shares, rendered


def write_editions(
    config: Config,
    document: Document,
    language: str,
    catalog: Catalog,
    log: Writer,
    only: Collection[str] | None = None,
) -> EditionOutcome:
    """Write output/<lang>/<doc><suffix> in every chosen edition format that fits the document's
    format (or ``only`` those named), unless the publish policy withholds them.

    Below the language's minimum translated share no file is touched, so the last published
    edition stays byte for byte; the outcome says why, and the caller decides the exit code.
    """
    shares, editions = render_editions(config, document, language, catalog, only, log.warnings)
    minimum = config.minimum_for(language)
    outcome = EditionOutcome(
        document=document.name,
        language=language,
        title=document_title(config, document),
        policy=config.policy,
        shares=shares,
        minimum=minimum,
        source_format=document.format,
    )
    if shares.translated_share < minimum:
        kept = any(
            edition_path(config, language, document.name, found.suffix).exists()
            for found, _ in editions
        )
        where = config.relative(edition_path(config, language, document.name, ".*"))
        counted = "reviewed" if config.policy == "reviewed" else "translated"
        return replace(
            outcome,
            published=False,
            reason=(
                f"{where}: edition withheld: {shares.translated_share:.1%} {counted} under the "
                f"{config.policy!r} publish policy, below the minimum of {minimum:.1%} for "
                f"{language}; "
                + ("the previous edition stays unchanged" if kept else "no edition published yet")
            ),
        )
    for found, data in editions:
        log.write(config, edition_path(config, language, document.name, found.suffix), data)
    return outcome


# --- index ---------------------------------------------------------------------------------------


def outcome_from_states(
    config: Config,
    name: str,
    language: str,
    states: Mapping[str, int],
    status: str,
    source_format: str,
) -> EditionOutcome:
    """An outcome rebuilt from a run report's state counts, for pairs this run did not redo."""
    info = config.documents.get(name)
    return EditionOutcome(
        document=name,
        language=language,
        title=(info.title if info else "") or name,
        policy=config.policy,
        shares=Shares.from_states(states, config.policy),
        minimum=config.minimum_for(language),
        published=status in (PUBLISHED, ""),
        reason="" if status in (PUBLISHED, "") else status,
        source_format=source_format,
    )


def write_index(config: Config, outcomes: Sequence[EditionOutcome], log: Writer) -> bool:
    """output/index.html over the given outcomes, in their order; returns whether it changed.

    Each row links the files of the edition formats that fit the document and are on disk, with
    the format's label. A withheld edition links to the files it kept, if any, and says why.
    """
    rows = []
    for outcome in outcomes:
        files = tuple(
            (f"{outcome.language}/{outcome.document}{found.suffix}", format_label(found))
            for found in formats_for(outcome.source_format, config.editions)
            # Only files that are there: a format skipped as unavailable (no WeasyPrint) gets no
            # dead link, and a withheld edition links what it kept.
            if edition_path(config, outcome.language, outcome.document, found.suffix).exists()
        )
        note = ""
        if not outcome.published:
            counted = "reviewed" if outcome.policy == "reviewed" else "translated"
            note = (
                f"Withheld by the {outcome.policy} publish policy: "
                f"{outcome.shares.translated_share:.1%} {counted}, below the minimum of "
                f"{outcome.minimum:.1%}; "
                + ("the links show the previous edition." if files else "nothing published yet.")
            )
        rows.append(
            IndexRow(
                document=outcome.document,
                title=outcome.title,
                language=outcome.language,
                shares=outcome.shares,
                files=files,
                note=note,
            )
        )
    data = render_index(rows).encode()
    return log.write(config, index_path(config), data)
