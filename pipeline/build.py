"""Orchestration: extract → update → translate → check → assemble, for every document and language.

Everything that touches the project's folders lives here or below; the CLI only parses arguments,
calls these functions and prints what they return.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .assemble import render_text
from .catalog import (
    ordered_header,
    read_catalog,
    save_catalog,
    template_from_document,
    translations_of,
)
from .config import Config
from .errors import ConfigError, SourceError
from .files import write_atomic
from .model import Catalog, Document
from .segment import segment_text

SOURCE_SUFFIXES = (".txt", ".md")


@dataclass
class RunLog:
    """What a run did, for the CLI to print and the run report to keep."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

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


# --- paths ---------------------------------------------------------------------------------------


def source_paths(config: Config, names: list[str] | None = None) -> list[Path]:
    """Every document in the source folder (or the named ones), sorted by name."""
    if not config.source_dir.is_dir():
        raise SourceError("source folder does not exist", path=config.relative(config.source_dir))
    found = sorted(
        path
        for path in config.source_dir.iterdir()
        if path.suffix in SOURCE_SUFFIXES and path.is_file() and not path.name.startswith(".")
    )
    stems: dict[str, Path] = {}
    for path in found:
        if path.stem in stems:
            raise SourceError(
                f"two sources share the name {path.stem!r}: {stems[path.stem].name} and {path.name}",
                path=config.relative(path),
            )
        stems[path.stem] = path
    if names:
        missing = [name for name in names if name not in stems and Path(name).stem not in stems]
        if missing:
            raise SourceError(
                "source file not found",
                path=config.relative(config.source_dir / missing[0]),
            )
        return [stems.get(name) or stems[Path(name).stem] for name in names]
    if not found:
        raise SourceError("no .txt or .md documents", path=config.relative(config.source_dir))
    return found


def pot_path(config: Config, name: str) -> Path:
    return config.locales_dir / f"{name}.pot"


def po_path(config: Config, language: str, name: str) -> Path:
    return config.locales_dir / language / f"{name}.po"


def edition_path(config: Config, language: str, name: str, suffix: str) -> Path:
    return config.output_dir / language / f"{name}{suffix}"


# --- reading sources -----------------------------------------------------------------------------


def read_source(config: Config, path: Path) -> str:
    """The text of a source file, or a `SourceError` naming the byte where UTF-8 breaks."""
    shown = config.relative(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError("source file not found", path=shown) from None
    except OSError as error:
        raise SourceError(f"cannot read source: {error.strerror}", path=shown) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SourceError(
            f"not UTF-8: byte 0x{raw[error.start]:02x} at byte offset {error.start}",
            path=shown,
            line=line,
        ) from None
    return text


def load_document(config: Config, path: Path) -> Document:
    """Read and segment one source document, choosing the segmenter by file suffix."""
    text = read_source(config, path)
    shown = config.relative(path)
    if path.suffix == ".md":
        from .markdown import segment_markdown

        return segment_markdown(
            text,
            name=path.stem,
            source_path=shown,
            unit=config.unit,
            front_matter_keys=config.front_matter_keys,
        )
    return segment_text(text, name=path.stem, source_path=shown, unit=config.unit)


def load_documents(config: Config, names: list[str] | None = None) -> list[Document]:
    return [load_document(config, path) for path in source_paths(config, names)]


# --- extract -------------------------------------------------------------------------------------


def template_header(document: Document, created: str) -> dict[str, str]:
    return ordered_header(
        {
            "Project-Id-Version": document.name,
            "Report-Msgid-Bugs-To": "",
            "POT-Creation-Date": created,
            "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
            "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
            "Language-Team": "LANGUAGE <LL@li.org>",
            "Language": "",
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "X-Generator": f"pipeline {__version__}",
        }
    )


def build_template(config: Config, document: Document) -> Catalog:
    """The POT of a document; POT-Creation-Date moves only when the entries change (no churn)."""
    path = pot_path(config, document.name)
    previous: Catalog | None = None
    if path.exists():
        previous = read_catalog(path, display=config.relative(path))
    created = previous.header.get("POT-Creation-Date", "") if previous else ""
    template = template_from_document(document, template_header(document, created or timestamp()))
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
        log.record(config, path, save_catalog(template, path))
        templates[document.name] = template
    return templates


# --- update --------------------------------------------------------------------------------------


def read_po(config: Config, language: str, name: str) -> Catalog | None:
    """The catalog of a language, checked to be for that language; None when there is none yet."""
    from .catalog import check_language

    path = po_path(config, language, name)
    if not path.exists():
        return None
    catalog = read_catalog(path, display=config.relative(path))
    check_language(catalog, language, config.relative(path))
    return catalog


def update(
    config: Config,
    templates: dict[str, Catalog],
    languages: list[str],
    log: RunLog,
) -> dict[tuple[str, str], Catalog]:
    """Merge each template into each language's catalog (msgmerge semantics) and save.

    Every catalog is read and merged before any is written, so a bad PO file stops the run with
    nothing written.
    """
    from .merge import merge_catalog

    now = timestamp()
    merged: dict[tuple[str, str], Catalog] = {}
    for name, template in templates.items():
        for language in languages:
            old = read_po(config, language, name)
            merged[(name, language)] = merge_catalog(
                template,
                old,
                language=language,
                now=now,
                purge_obsolete=config.purge_obsolete,
                project=name,
            )
    for (name, language), catalog in merged.items():
        path = po_path(config, language, name)
        catalog.path = config.relative(path)
        log.record(config, path, save_catalog(catalog, path))
    return merged


# --- assemble ------------------------------------------------------------------------------------


def assemble(
    config: Config,
    documents: list[Document],
    catalogs: dict[tuple[str, str], Catalog],
    languages: list[str],
    log: RunLog,
) -> None:
    """Write the editions of every document in every language."""
    for document in documents:
        for language in languages:
            catalog = catalogs[(document.name, language)]
            translations = translations_of(catalog)
            text = render_text(document, translations, config.policy)
            path = edition_path(config, language, document.name, ".txt")
            log.record(config, path, write_atomic(path, text.encode("utf-8")))
