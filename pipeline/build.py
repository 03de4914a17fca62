"""Orchestration: extract → update → translate → check → assemble, for every document and language.

Only the order of the steps lives here: where files are is `pipeline.layout`, what a pair was built
from is `pipeline.stamps`, what a run reports is `pipeline.run_report`, which findings fail a build
is `pipeline.gate`, and which formats and engines there are is the registries' business. The CLI
only parses arguments, calls these functions and prints what they return.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import engines, source_formats
from .catalog import dump_catalog, read_catalog, template_from_document
from .config import Config
from .editions import (
    EditionOutcome,
    formats_for,
    outcome_from_states,
    write_editions,
    write_index,
)
from .engines import EngineFactory
from .errors import ConfigError, SourceError
from .files import remove_stale_temporaries, write_atomic
from .layout import (
    findings_memo_path,
    glossary_path,
    po_path,
    pot_path,
    report_path,
    source_paths,
    translation_cache_path,
    written_folders,
)
from .merge import template_header
from .model import Catalog, Document, Entry, State
from .rebase import Snapshot
from .run_report import (
    BuildReport,
    PairReport,
    ProgressFactory,
    TranslateReport,
    pair_from_state,
    pair_summary,
    write_report,
)
from .stamps import (
    config_digest,
    engine_fingerprints,
    format_stamps,
    load_state,
    outputs_intact,
    pair_inputs,
    pair_outputs,
    read_or_empty,
    save_state,
    stale_formats,
)

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
            self.write(config, path, dump_catalog(catalog))
            return catalog
        written, self.snapshots[path], changed = save_rebased(
            path, catalog, base, display=config.relative(path)
        )
        self.record(config, path, changed)
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
        for language, catalog in _merge_languages(config, template, name, languages, log).items()
    }
    for name, template in templates.items():
        log.write(config, pot_path(config, name), dump_catalog(template))
    for (name, language), catalog in merged.items():
        merged[(name, language)] = log.write_catalog(
            config, po_path(config, language, name), catalog
        )
    return merged


# --- the incremental build -----------------------------------------------------------------------


@dataclass
class BuildOptions:
    """What `pipeline build` was asked to do."""

    documents: list[str] | None = None
    languages: list[str] | None = None
    check_only: bool = False
    require_models: bool = False
    engine: str | None = None
    progress: ProgressFactory | None = None


def unserved_warning(factory: EngineFactory, source: str, language: str) -> str:
    """The warning for a language the engine cannot translate into (Argos: how to install)."""
    what, how = engines.unserved(factory, source, [language])
    return f"{what}: machine translation skipped" + (f"; run {how}" if how else "")


@dataclass
class _Planned:
    """A document with work to do: its bytes, segmentation, template and merged catalogs."""

    path: Path
    source: bytes
    document: Document
    template: Catalog
    merged: dict[str, Catalog]


def run_build(config: Config, options: BuildOptions) -> BuildReport:
    """The whole job for every document and language, skipping pairs whose inputs are unchanged.

    Inputs and outputs of a pair: see `pipeline.stamps`. Every source is segmented and every
    catalog read and merged before anything is written, so a bad input stops the build with
    nothing written. The state (stamps) is written last, after every output, so a build killed at
    any point leaves stamps that make the next build redo the unfinished work.
    """
    report = BuildReport(started=time.time(), check_only=options.check_only)
    clock = time.perf_counter()
    languages = options.languages or list(config.target_languages)
    engine_kind = options.engine or config.engine
    factory = engines.named(engine_kind)
    state = load_state(config)
    pairs_state: dict[str, Any] = state.setdefault("pairs", {})
    digest = config_digest(config)
    models = engine_fingerprints(factory, config.source_language, languages)
    log = RunLog(dry_run=options.check_only)
    report.missing_models = [language for language in languages if language not in models]
    if options.require_models and report.missing_models:
        from .errors import ModelError

        what, how = engines.unserved(factory, config.source_language, report.missing_models)
        raise ModelError(what + (f"; run {how}" if how else ""))
    report.warnings += [
        unserved_warning(factory, config.source_language, language)
        for language in report.missing_models
    ]

    def inputs_of(source: bytes, name: str, language: str) -> str:
        model = models.get(language, "none")
        return pair_inputs(config, digest, source, name, language, model, engine_kind)

    planned: list[_Planned] = []
    restamp: list[tuple[Path, bytes, str, dict[str, str], list[str]]] = []
    for path in source_paths(config, options.documents):
        name = path.stem
        source = read_source_bytes(config, path)
        stamps = _format_stamps_of(config, path)
        dirty = []
        for language in languages:
            recorded = pairs_state.get(f"{name}/{language}", {})
            if recorded.get("inputs") == inputs_of(source, name, language) and outputs_intact(
                config, recorded.get("outputs", {})
            ):
                kept = pair_from_state(name, language, pairs_state)
                report.pairs.append(kept)
                if kept.edition not in ("", "published"):
                    report.withheld.append(kept.edition)  # still withheld: the exit code says so
                stale = stale_formats(recorded, stamps)
                if stale is not None:  # only the choice or settings of edition formats changed
                    restamp.append((path, source, language, stamps, stale))
            else:
                dirty.append(language)
        if dirty:
            document = document_from_bytes(config, path, source)
            template = build_template(config, document)
            merged = _merge_languages(config, template, name, dirty, log)
            planned.append(_Planned(path, source, document, template, merged))

    if not options.check_only and planned:
        remove_stale_temporaries(written_folders(config, languages))
    for plan in planned:
        name = plan.document.name
        source_format = source_formats.named(plan.document.format)
        log.write(config, pot_path(config, name), dump_catalog(plan.template))
        for language, catalog in plan.merged.items():
            pair_clock = time.perf_counter()
            pair = PairReport(name, language, rebuilt=True, model=models.get(language, ""))
            pair.source_format = plan.document.format
            if language in models and not options.check_only:
                pair.machine = _machine_translate(
                    config, catalog, language, factory, options, log.warnings, source_format
                )
            po = po_path(config, language, name)
            catalog = log.write_catalog(config, po, catalog)  # rebased on a person's save
            on_disk = not options.check_only
            _check_pair(config, catalog, language, po, pair, on_disk, log.warnings, source_format)
            pair.edition = _write_editions(config, plan.document, language, catalog, log, report)
            _count_states(catalog, pair)
            pair.seconds = time.perf_counter() - pair_clock
            report.pairs.append(pair)
            if not options.check_only:
                formats = formats_for(plan.document.format, config.editions)
                pairs_state[f"{name}/{language}"] = {
                    "inputs": inputs_of(plan.source, name, language),
                    "outputs": pair_outputs(config, name, language, formats),
                    "formats": format_stamps(config, formats),
                    "summary": pair_summary(pair),
                }
    for path, source, language, stamps, stale in restamp:
        document = document_from_bytes(config, path, source)
        written = read_po(config, language, document.name)
        if written is None:  # outputs_intact saw it a moment ago; a person removed it since
            continue
        write_editions(config, document, language, written, log, only=stale)
        if not options.check_only:
            recorded = pairs_state[f"{document.name}/{language}"]
            formats = formats_for(document.format, config.editions)
            recorded["outputs"] = pair_outputs(config, document.name, language, formats)
            recorded["formats"] = stamps
    if planned or restamp:
        _write_index(config, report, log)
    report.written = log.written
    report.warnings = [*report.warnings, *log.warnings]
    report.seconds = time.perf_counter() - clock
    if not options.check_only:
        save_state(config, state)
        write_report(report_path(config), report)
    return report


def _format_stamps_of(config: Config, path: Path) -> dict[str, str]:
    """The edition formats' stamps for a source (none when no source format claims it: the
    build then stops on it with one line)."""
    source_format = source_formats.for_path(path)
    if source_format is None:
        return {}
    return format_stamps(config, formats_for(source_format.name, config.editions))


def _merge_languages(
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


def _machine_translate(
    config: Config,
    catalog: Catalog,
    language: str,
    factory: EngineFactory,
    options: BuildOptions,
    warnings: list[str] | None = None,
    source_format: source_formats.SourceFormat | None = None,
) -> dict[str, object]:
    """Fill the catalog from the MT cache and the engine; the engine's libraries load only here.

    The engine gets its ``[tool.pipeline.engines.<name>]`` table as settings. The source format
    hides its inline markup from the engine (`SourceFormat.protect`).
    """
    from .machine import translate_catalog
    from .mt_cache import TranslationCache

    engine = factory.open(
        config.source_language, language, config.engine_settings.get(factory.name, {})
    )
    try:
        cache = TranslationCache(translation_cache_path(config), warnings)
        bar = (options.progress or ProgressFactory()).start(f"{catalog.path}", len(catalog.entries))
        try:
            result = translate_catalog(
                catalog, engine, cache, progress=bar.advance, source_format=source_format
            )
        finally:
            bar.close()
            cache.close()
    finally:
        engine.close()
    return {
        "engine": engine.name,
        "package": f"{engine.model} {engine.version}",
        "filled": result.filled,
        "refreshed": result.refreshed,
        "from_cache": result.from_cache,
        "engine_calls": result.engine_calls,
        "rejected": dict(result.rejected),
    }


def run_translate(config: Config, options: BuildOptions) -> TranslateReport:
    """`pipeline translate`: extract and update, then machine-translate each catalog.

    A language without a model is skipped with a warning. Each catalog is written atomically as
    soon as it is done and the MT cache is committed per batch, so an interrupted run loses at
    most one batch and the next run goes on from there.
    """
    report = TranslateReport()
    languages = options.languages or list(config.target_languages)
    engine_kind = options.engine or config.engine
    log = RunLog()
    documents = load_documents(config, options.documents)
    catalogs = update(config, documents, languages, log)
    templates = {document.name: source_formats.named(document.format) for document in documents}
    factory = engines.named(engine_kind)
    models = engine_fingerprints(factory, config.source_language, languages)
    for language in languages:
        if language not in models:
            report.missing_models.append(language)
            report.warnings.append(unserved_warning(factory, config.source_language, language))
            continue
        for name in templates:
            catalog = catalogs[(name, language)]
            pair = PairReport(name, language, rebuilt=True, model=models[language])
            pair.machine = _machine_translate(
                config, catalog, language, factory, options, report.warnings, templates[name]
            )
            log.write_catalog(config, po_path(config, language, name), catalog)
            report.pairs.append(pair)
    report.written = list(dict.fromkeys(log.written))
    return report


def _check_pair(
    config: Config,
    catalog: Catalog,
    language: str,
    po: Path,
    pair: PairReport,
    on_disk: bool,
    warnings: list[str] | None = None,
    source_format: source_formats.SourceFormat | None = None,
) -> None:
    """Quality findings of the catalog, and those that fail the gate (see `pipeline.gate`); the
    source format checks the inline markup."""
    from .checks.glossary import load_glossary
    from .checks.msgfmt import msgfmt_findings
    from .gate import finding_counts, gate_failures
    from .memo import FindingsMemo, check_with_memo

    glossary_file = glossary_path(config)
    glossary = load_glossary(glossary_file) if glossary_file.exists() else None
    memo = FindingsMemo(
        findings_memo_path(config), language, read_or_empty(glossary_file), warnings, source_format
    )
    try:
        shown = config.relative(po)
        findings = check_with_memo(catalog, language, memo, glossary=glossary, display=shown)
    finally:
        memo.close()
    if on_disk:
        findings += msgfmt_findings(po, shown)  # the file as written must pass msgfmt --check
    pair.findings = finding_counts(findings)
    pair.gate_findings = len(gate_failures(catalog, findings))


def _count_states(catalog: Catalog, pair: PairReport) -> None:
    """Units (occurrences in the document) and source words per review state; the words are
    counted by `review.status.entry_words`, as `pipeline status` counts them."""
    from .catalog import state_of
    from .review.status import entry_words

    states = {state.value: 0 for state in State}
    words = {state.value: 0 for state in State}
    for entry in catalog.entries:
        if entry.obsolete:
            continue
        state = state_of(entry).value
        occurrences = max(1, len(entry.references))
        words[state] += occurrences * entry_words(entry)  # the title too: someone translates it
        if entry.extracted_comments != [TITLE_UNIT]:
            states[state] += occurrences  # the title is shown apart: shares count the text's units
    pair.states = states
    pair.words = words


def _write_editions(
    config: Config,
    document: Document,
    language: str,
    catalog: Catalog,
    log: RunLog,
    report: BuildReport,
) -> str:
    """Write the editions of one language; returns "published" or why they were withheld."""
    outcome = write_editions(config, document, language, catalog, log)
    if not outcome.published:
        report.withheld.append(outcome.reason)
    return outcome.status


def _write_index(config: Config, report: BuildReport, log: RunLog) -> None:
    """output/index.html over every document and language, rebuilt in this run or earlier."""
    this_run = {(pair.document, pair.language): pair for pair in report.pairs}
    earlier: dict[str, Any] = load_state(config).get("pairs", {})
    outcomes: list[EditionOutcome] = []
    for path in source_paths(config):
        for language in config.target_languages:
            pair = this_run.get((path.stem, language))
            if pair is None:
                if not earlier.get(f"{path.stem}/{language}", {}).get("summary"):
                    continue  # never built: nothing to list
                pair = pair_from_state(path.stem, language, earlier)
            outcomes.append(
                outcome_from_states(
                    config, path.stem, language, pair.states, pair.edition, pair.source_format
                )
            )
    write_index(config, outcomes, log)
