"""Orchestration: extract → update → translate → check → assemble, for every document and language.

Only the order of the steps lives here: where files are is `pipeline.layout`, what a pair was built
from is `pipeline.stamps`, what a run reports is `pipeline.run_report`, which findings fail a build
is `pipeline.gate`, and which formats and engines there are is the registries' business. The CLI
only parses arguments, calls these functions and prints what they return.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import engines, source_formats
from .catalog import dump_catalog
from .catalog_written import remember_written
from .config import Config
from .editions import (
    EditionOutcome,
    formats_for,
    outcome_from_states,
    write_editions,
    write_index,
)
from .engines import EngineFactory
from .files import remove_stale_temporaries
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
from .memory import ProjectMemory
from .model import Catalog, Document, State
from .mt_ahead import Ahead, keep_terms, open_engine, translate_new_units
from .run_report import (
    BuildReport,
    PairReport,
    ProgressFactory,
    TranslateReport,
    pair_from_state,
    pair_summary,
    write_report,
)
from .stages import (
    TITLE_UNIT,
    RunLog,
    build_template,
    document_from_bytes,
    load_documents,
    merge_languages,
    read_po,
    read_source_bytes,
    update,
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
    offline: bool = False  # `--offline`: never fetch a missing model from Argos's index
    download_progress: ProgressFactory | None = None  # bars for model downloads, in bytes


def fetch_missing_models(
    config: Config, factory: EngineFactory, languages: list[str], options: BuildOptions
) -> tuple[list[str], list[str]]:
    """Install the models the build lacks from Argos's package index unless told not to
    (`--offline`, `PIPELINE_OFFLINE=1`, `models.auto_install = false`) or changing nothing
    (`--check`). Returns (packages installed, warnings); see `argos_install.fetch_for_build`."""
    if options.check_only or options.offline or not config.models_auto_install:
        return [], []
    source = config.source_language
    missing = [language for language in languages if not factory.serves(source, language)]
    if not missing:
        return [], []
    from .engines.argos_install import fetch_for_build

    return fetch_for_build(
        factory,
        source,
        missing,
        max_unpacked_mb=config.models_max_unpacked_mb,
        bars=options.download_progress,
    )


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
    """`_run_build` with the cache of parsed catalogs (`pipeline.catalog_cache`); not in --check."""
    from contextlib import nullcontext

    from . import catalog_cache

    path = config.cache_dir / "catalogs.sqlite3"
    opened: dict[str, Ahead] = {}  # engines opened to translate new units ahead of the merges
    warnings: list[str] = []  # a damaged cache, rebuilt
    try:
        with nullcontext() if options.check_only else catalog_cache.using(path, warnings):
            return _run_build(config, options, opened, warnings)
    finally:
        for ahead in opened.values():
            ahead.engine.close()


def _run_build(
    config: Config, options: BuildOptions, opened: dict[str, Ahead], warnings: list[str]
) -> BuildReport:
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
    report.models_installed, report.warnings = fetch_missing_models(
        config, factory, languages, options
    )
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

    memory = ProjectMemory(config)  # read before any write: a broken catalog stops it all
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
            if not options.check_only:  # the engine first: new units into the MT cache
                ahead_plan = (name, template, source_formats.named(document.format))
                served = [language for language in dirty if language in models]
                translate_new_units(
                    config,
                    ahead_plan,
                    served,
                    factory,
                    memory,
                    options.progress,
                    log.warnings,
                    opened,
                )
            merged = merge_languages(config, template, name, dirty, log)
            planned.append(_Planned(path, source, document, template, merged))

    memory.preload((lang, catalog) for plan in planned for lang, catalog in plan.merged.items())
    if not options.check_only and planned:
        remove_stale_temporaries(written_folders(config, languages))
    for plan in planned:
        name = plan.document.name
        source_format = source_formats.named(plan.document.format)
        template_bytes = dump_catalog(plan.template)
        log.write(config, pot_path(config, name), template_bytes)
        remember_written(template_bytes, plan.template)
        for language, catalog in plan.merged.items():
            pair_clock = time.perf_counter()
            pair = PairReport(name, language, rebuilt=True, model=models.get(language, ""))
            pair.source_format = plan.document.format
            from_memory = memory.fill(catalog, language)  # before MT, and without a model too
            if language in models and not options.check_only:
                pair.machine = _machine_translate(
                    config,
                    catalog,
                    language,
                    factory,
                    options,
                    log.warnings,
                    source_format,
                    ahead=opened.get(language),
                    document=name,
                )
            if from_memory:
                pair.machine["from_memory"] = from_memory
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
    report.warnings = [*warnings, *report.warnings, *log.warnings]
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


def _machine_translate(
    config: Config,
    catalog: Catalog,
    language: str,
    factory: EngineFactory,
    options: BuildOptions,
    warnings: list[str] | None = None,
    source_format: source_formats.SourceFormat | None = None,
    ahead: Ahead | None = None,
    document: str = "",
) -> dict[str, object]:
    """Fill the catalog from the MT cache and the engine; the engine's libraries load only here
    (or in `mt_ahead.translate_new_units`, whose open engine and fresh texts ``ahead`` brings).

    The engine gets its ``[tool.pipeline.engines.<name>]`` table as settings, with the kind of
    unit under `engines.UNIT`. The source format hides its inline markup from the engine
    (`SourceFormat.protect`), and the glossary's `keep` rows their terms (`keep_terms.py`).
    """
    from .machine import translate_catalog
    from .mt_cache import TranslationCache

    engine = ahead.engine if ahead is not None else open_engine(config, factory, language)
    try:
        cache = TranslationCache(translation_cache_path(config), warnings)
        bar = (options.progress or ProgressFactory()).start(f"{catalog.path}", len(catalog.entries))
        try:
            result = translate_catalog(
                catalog,
                engine,
                cache,
                progress=bar.advance,
                source_format=source_format,
                keep=keep_terms(config, language),
                fresh=ahead.fresh.get(document, frozenset()) if ahead else frozenset(),
            )
        finally:
            bar.close()
            cache.close()
    finally:
        if ahead is None:
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
    factory = engines.named(engine_kind)  # an engine that cannot run stops before any write
    models = engine_fingerprints(factory, config.source_language, languages)
    documents = load_documents(config, options.documents)
    catalogs = update(config, documents, languages, log)
    templates = {document.name: source_formats.named(document.format) for document in documents}
    memory = ProjectMemory(config)
    for language in languages:
        if language not in models:
            report.missing_models.append(language)
            report.warnings.append(unserved_warning(factory, config.source_language, language))
        for name in templates:
            catalog = catalogs[(name, language)]
            pair = PairReport(name, language, rebuilt=True, model=models.get(language, ""))
            from_memory = memory.fill(catalog, language)  # the translation memory needs no model
            if language in models:
                pair.machine = _machine_translate(
                    config, catalog, language, factory, options, report.warnings, templates[name]
                )
            if from_memory:
                pair.machine["from_memory"] = from_memory
            if language in models or from_memory:
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
