"""The first steps of a run: sources into documents and templates (extract), templates merged into
each language's catalog (update), and the `RunLog` through which every file of a run is written.
`pipeline.build` orders these with the rest (translate, check, editions)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import source_formats
from .catalog import dump_catalog, read_catalog, template_from_document
from .catalog_written import remember_written
from .config import Config
from .errors import ConfigError, SourceError
from .files import write_atomic
from .layout import (
    po_path,
    pot_path,
    source_paths,
)
from .merge import template_header
from .model import Catalog, Document, Entry
from .rebase import Snapshot

TITLE_UNIT = "document title"
"""The `#.` comment of the template entry holding `[tool.pipeline.documents.<name>] title`."""


@dataclass
class RunLog:
    """What a run wrote (or, with ``dry_run``, would write), for the CLI and the run report.

    Every file the pipeline produces goes through `write`, so `pipeline build --check` is the same
    code path as a real build with the last step left out.
    """

    dry_run: bool = False
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    snapshots: dict[Path, Snapshot] = field(default_factory=dict)  # catalogs as read, by path

    def write(self, config: Config, path: Path, data: bytes) -> bool:
        """Write atomically unless unchanged; in a dry run only note whether it would change."""
        if self.dry_run:
            try:
                changed = path.read_bytes() != data
            except OSError:
                changed = True
        else:
            changed = write_atomic(path, data)
        self.record(config, path, changed)
        return changed

    def write_catalog(self, config: Config, path: Path, catalog: Catalog) -> Catalog:
        """Save a catalog read by `read_po`, compare-and-swap: a person's save made since the read
        is kept (see rebase.py). Returns the catalog as written, which editions must use."""
        from .rebase import save_rebased

        base = self.snapshots.get(path)
        if self.dry_run or base is None:
            like = base.raw if base is not None else None
            data = dump_catalog(catalog, like=like, wrap=config.po_wrap)
            self.write(config, path, data)
            remember_written(data, catalog)  # the next build need not parse it (not in --check)
            return catalog
        written, self.snapshots[path], changed = save_rebased(
            path, catalog, base, display=config.relative(path), wrap=config.po_wrap
        )
        self.record(config, path, changed)
        raw = self.snapshots[path].raw
        if raw is not None:
            remember_written(raw, written)
        return written

    def record(self, config: Config, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(config.relative(path))


def timestamp() -> str:
    """gettext's date format for now, or for SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return time.strftime("%Y-%m-%d %H:%M+0000", time.gmtime(int(epoch)))
        except ValueError:
            raise ConfigError(f"SOURCE_DATE_EPOCH: not a number: {epoch!r}") from None
    return time.strftime("%Y-%m-%d %H:%M%z", time.localtime())


# --- reading sources -----------------------------------------------------------------------------


def read_source_bytes(config: Config, path: Path) -> bytes:
    """A source's bytes; a missing one is a source error, an unreadable one a file-system error."""
    from .errors import FileSystemError

    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError("source file not found", path=config.relative(path)) from None
    except OSError as error:
        raise FileSystemError.from_os_error(error, "read", config.relative(path)) from None


def load_document(config: Config, path: Path) -> Document:
    """Read and segment one source document, by the source format that claims its suffix."""
    return document_from_bytes(config, path, read_source_bytes(config, path))


def document_from_bytes(config: Config, path: Path, raw: bytes) -> Document:
    """Segment a source from its bytes (the bytes the build hashed, so stamps match them).

    The format's options are the unit and its own ``[tool.pipeline.<format name>]`` table.
    """
    shown = config.relative(path)
    source_format = source_formats.for_path(path)
    if source_format is None:
        raise SourceError(f"no source format reads {path.suffix or 'suffixless'} files", path=shown)
    settings = config.format_settings.get(source_format.name, {})
    options = source_formats.SegmentOptions(config.unit, settings)
    return source_format.segment(raw, name=path.stem, source_path=shown, options=options)


def load_documents(config: Config, names: list[str] | None = None) -> list[Document]:
    return [load_document(config, path) for path in source_paths(config, names)]


# --- extract -------------------------------------------------------------------------------------


def build_template(config: Config, document: Document) -> Catalog:
    """The POT of a document; POT-Creation-Date moves only when the entries change (no churn)."""
    path = pot_path(config, document.name)
    previous: Catalog | None = None
    if path.exists():
        previous = read_catalog(path, display=config.relative(path))
    created = previous.header.get("POT-Creation-Date", "") if previous else ""
    header = template_header(document.name, created or timestamp())
    template = template_from_document(document, header)
    info = config.documents.get(document.name)
    if info and info.title and template.find(info.title) is None:
        # The configured title is a unit too: every edition shows it translated.
        title = Entry(info.title, references=["pyproject.toml"], extracted_comments=[TITLE_UNIT])
        template.entries.append(title)
    template.header_comment = (
        f"Translatable units of {document.source_path}.\n"
        "Generated by `pipeline extract`: edit the PO files beside it, not this file."
    )
    template.path = config.relative(path)
    if previous is not None and created and not _same_entries(previous, template):
        template.header["POT-Creation-Date"] = timestamp()
    return template


def _same_entries(a: Catalog, b: Catalog) -> bool:
    def shape(catalog: Catalog) -> list[tuple[object, ...]]:
        return [
            (e.msgctxt, e.msgid, e.references, e.extracted_comments, e.obsolete)
            for e in catalog.entries
        ]

    return shape(a) == shape(b)


def extract(config: Config, documents: list[Document], log: RunLog) -> dict[str, Catalog]:
    """Write locales/<doc>.pot for each document; returns the templates by document name."""
    templates: dict[str, Catalog] = {}
    for document in documents:
        template = build_template(config, document)
        path = pot_path(config, document.name)
        log.write(config, path, dump_catalog(template))
        templates[document.name] = template
    return templates


# --- update --------------------------------------------------------------------------------------


def read_po(config: Config, language: str, name: str, log: RunLog | None = None) -> Catalog | None:
    """The catalog of a language, checked to be for that language; None when there is none yet.

    With a ``log``, what was read is remembered there, for `RunLog.write_catalog`.
    """
    from .catalog import check_language
    from .rebase import read_snapshot

    path = po_path(config, language, name)
    catalog, snapshot = read_snapshot(path, display=config.relative(path))
    if log is not None:
        log.snapshots[path] = snapshot
    if catalog is not None:
        check_language(catalog, language, config.relative(path))
    return catalog


def update(
    config: Config,
    documents: list[Document],
    languages: list[str],
    log: RunLog,
) -> dict[tuple[str, str], Catalog]:
    """Merge each document's template into each language's catalog (msgmerge semantics), save.

    Every template is built and every catalog read and merged before anything is written, so a
    bad PO file stops the run with nothing written.
    """
    templates = {document.name: build_template(config, document) for document in documents}
    merged = {
        (name, language): catalog
        for name, template in templates.items()
        for language, catalog in merge_languages(config, template, name, languages, log).items()
    }
    for name, template in templates.items():
        log.write(config, pot_path(config, name), dump_catalog(template))
    for (name, language), catalog in merged.items():
        merged[(name, language)] = log.write_catalog(
            config, po_path(config, language, name), catalog
        )
    return merged


def merge_languages(
    config: Config, template: Catalog, name: str, languages: list[str], log: RunLog | None = None
) -> dict[str, Catalog]:
    from .merge import merge_catalog

    now = timestamp()
    merged: dict[str, Catalog] = {}
    for language in languages:
        old = read_po(config, language, name, log)
        catalog = merge_catalog(
            template,
            old,
            language=language,
            now=now,
            purge_obsolete=config.purge_obsolete,
            project=name,
        )
        catalog.path = config.relative(po_path(config, language, name))
        merged[language] = catalog
    return merged
