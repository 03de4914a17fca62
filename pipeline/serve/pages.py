"""What each page of `pipeline serve` shows, as plain values (the templates only lay them out).

A catalog that cannot be read (broken by hand: `CatalogError` with file and line) becomes an
``error`` on its row and its pages; every other catalog is shown as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..catalog import machine_mark, state_of, translations_of
from ..config import Config
from ..errors import PipelineError
from ..layout import po_path
from ..memory import Suggestion
from ..model import Catalog, Entry, Finding, State
from ..review.catalogs import document_names, read_language_catalog
from ..review.context import ParagraphContext
from ..review.display import confidence_text, diff_ops, language_name, sorted_findings
from ..review.session import NEEDS_REVIEW
from ..review.status import STATES, CatalogStatus, catalog_status, percent
from .saving import entry_key, entry_version

FILTERS = ("review", "all", *(state.value for state in STATES))
"""Entry filters: "review" is machine, edited and stale (what `pipeline review` shows)."""


def wanted(entry: Entry, state_filter: str) -> bool:
    if not entry.msgid:
        return False
    state = state_of(entry)
    if state_filter == "review":
        return state in NEEDS_REVIEW
    return state_filter == "all" or state.value == state_filter


@dataclass(frozen=True)
class OverviewRow:
    document: str
    language: str
    path: str
    status: CatalogStatus | None
    error: str = ""
    may_edit: bool = False

    @property
    def counts(self) -> list[tuple[str, int]]:
        if self.status is None:
            return []
        return [(state.value, self.status.units[state]) for state in STATES]

    @property
    def to_review(self) -> int:
        if self.status is None:
            return 0
        return sum(self.status.units[state] for state in NEEDS_REVIEW)

    @property
    def reviewed(self) -> str:
        return "" if self.status is None else percent(self.status.reviewed_share)


def overview(config: Config, languages: Sequence[str]) -> list[OverviewRow]:
    """Documents × languages with units per review state; a broken file is one error line."""
    rows: list[OverviewRow] = []
    for document in document_names(config, config.target_languages):
        for language in config.target_languages:
            path = po_path(config, language, document)
            shown = config.relative(path)
            if not path.exists():
                continue
            edit = language in languages
            try:
                catalog = read_language_catalog(config, language, document)
            except PipelineError as error:
                rows.append(OverviewRow(document, language, shown, None, error.one_line(), edit))
                continue
            status = catalog_status(catalog, document, language, shown)
            rows.append(OverviewRow(document, language, shown, status, "", edit))
    return rows


@dataclass(frozen=True)
class Row:
    """One entry in a document's list."""

    key: str
    line: int
    state: str
    source: str
    translation: str


def entry_rows(catalog: Catalog, state_filter: str) -> list[Row]:
    return [
        Row(entry_key(e), e.line, state_of(e).value, e.msgid, e.translated_text)
        for e in catalog.active()
        if wanted(e, state_filter)
    ]


@dataclass(frozen=True)
class EntryPage:
    """Everything the entry page shows."""

    language: str
    language_name: str
    document: str
    path: str
    key: str
    line: int
    version: str
    state: str
    where: str
    source: str
    source_diff: list[tuple[str, str]]
    """`#| msgid` → msgid as (equal/delete/insert, words), for a stale entry; else empty."""
    translation: str
    machine: str
    """The machine output the entry holds or started as ("" when unknown)."""
    confidence: str
    paragraph: ParagraphContext | None
    suggestions: tuple[Suggestion, ...]
    findings: tuple[Finding, ...]
    position: int
    total: int
    previous_key: str
    next_key: str
    reviewed_by: list[str] = field(default_factory=list)
    multiline: bool = False


@dataclass(frozen=True)
class Extras:
    """Review signals that need more than the catalog; each may be missing."""

    machine: str = ""
    score: float | None = None
    paragraph: ParagraphContext | None = None
    suggestions: tuple[Suggestion, ...] = ()
    findings: tuple[Finding, ...] = ()


def entry_page(
    language: str,
    document: str,
    path: str,
    catalog: Catalog,
    entry: Entry,
    state_filter: str,
    extras: Extras,
) -> EntryPage:
    keys = [row.key for row in entry_rows(catalog, state_filter)]
    key = entry_key(entry)
    index = keys.index(key) if key in keys else -1
    previous_key = keys[index - 1] if index > 0 else ""
    next_key = keys[index + 1] if 0 <= index < len(keys) - 1 else ""
    previous = entry.previous_msgid
    diff = (
        diff_ops(previous, entry.msgid) if previous is not None and previous != entry.msgid else []
    )
    return EntryPage(
        language=language,
        language_name=language_name(language),
        document=document,
        path=path,
        key=key,
        line=entry.line,
        version=entry_version(entry),
        state=state_of(entry).value,
        where="; ".join(entry.extracted_comments),
        source=entry.msgid,
        source_diff=diff,
        translation=entry.translated_text,
        machine=extras.machine,
        confidence="" if extras.score is None else confidence_text(extras.score),
        paragraph=extras.paragraph,
        suggestions=extras.suggestions,
        findings=tuple(sorted_findings(extras.findings)),
        position=index + 1,
        total=len(keys),
        previous_key=previous_key,
        next_key=next_key,
        reviewed_by=[c for c in entry.translator_comments if c.startswith("reviewed-by: ")],
        multiline="\n" in entry.msgid or "\n" in entry.translated_text,
    )


def gather_extras(
    config: Config, language: str, document: str, catalog: Catalog, entry: Entry
) -> Extras:
    """Machine original and score (MT cache), paragraph (source), memory, findings (checks).

    Each signal that cannot be had (no cache, no source, a broken compendium) is left out.
    """
    from ..memory import ProjectMemory
    from ..mt_cache import open_cache_for_lookup
    from ..review.context import ParagraphFinder
    from ..review.terminal import make_checker

    machine, score = "", None
    lookup = open_cache_for_lookup(config)
    if lookup is not None:
        try:
            mark = machine_mark(entry)
            found = None if mark is None else lookup.original(entry, mark)
            if found is not None:
                machine, score = found.text, found.score
        finally:
            lookup.close()
    if not machine and state_of(entry) is State.MACHINE:
        machine = entry.translated_text
    paragraph = ParagraphFinder(config).context(document, entry.msgid, translations_of(catalog))
    try:
        similar = ProjectMemory(config).of(language).similar(entry.msgid)
        own = (document, entry.msgid)  # a reviewed entry is not a suggestion for itself
        suggestions = tuple(s for s in similar if (s.origin, s.source) != own)
    except PipelineError:
        suggestions = ()
    try:
        findings = tuple(make_checker(config)(entry, language))
    except PipelineError:
        findings = ()
    return Extras(machine, score, paragraph, suggestions, findings)


def load_catalog(config: Config, language: str, document: str) -> Catalog:
    """The language's catalog of a document; `PipelineError` if it is broken or missing."""
    return read_language_catalog(config, language, document)
