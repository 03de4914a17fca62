"""New units machine-translated first: the engine starts before any catalog is read and merged.

`pipeline build` reads, merges and writes every catalog of a changed document; at 10,000
sentences that takes seconds before a single unit is translated. `translate_new_units` takes the
units new in a document's template (not in the POT on disk), leaves out those the translation
memory fills exactly and those already in the MT cache, and puts the engine's output for the rest
into the MT cache, exactly as `machine.translate_catalog` would (same protection of markup and
`keep` terms, same cache key). The catalogs' own `translate_catalog` then finds them there and
counts them as engine calls (its ``fresh``), not as units from the cache. A new unit that the
merge gives a person's fuzzy translation is translated for nothing: the machine never writes
over a person's work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import engines
from .catalog import read_catalog
from .config import Config
from .engines import EngineFactory
from .layout import glossary_path, pot_path, translation_cache_path
from .memory import ProjectMemory
from .model import Catalog
from .run_report import ProgressFactory

if TYPE_CHECKING:
    from .keep_terms import KeepTerms
    from .source_formats import SourceFormat


def open_engine(config: Config, factory: EngineFactory, language: str) -> engines.Engine:
    """The engine for a language, with its ``[tool.pipeline.engines.<name>]`` table and the unit."""
    settings = {**config.engine_settings.get(factory.name, {}), engines.UNIT: config.unit}
    return factory.open(config.source_language, language, settings)


def keep_terms(config: Config, language: str) -> KeepTerms | None:
    """The glossary's `keep` terms of a language (`keep_terms.KeepTerms`), or None."""
    from .checks.glossary import load_glossary
    from .keep_terms import KeepTerms

    glossary_file = glossary_path(config)
    glossary = load_glossary(glossary_file) if glossary_file.exists() else None
    return KeepTerms.of(glossary, language)


@dataclass
class Ahead:
    """An engine opened before the merges, and what it translated then (`translate_ahead`)."""

    engine: engines.Engine
    fresh: dict[str, frozenset[str]] = field(default_factory=dict)  # by document


def translate_new_units(
    config: Config,
    plan: tuple[str, Catalog, SourceFormat],
    languages: list[str],
    factory: EngineFactory,
    memory: ProjectMemory,
    progress: ProgressFactory | None,
    warnings: list[str],
    opened: dict[str, Ahead],
) -> None:
    """Machine-translate into the MT cache, before any catalog is read and merged, the units
    new in a document's template (not in the POT on disk) that are not cached yet and that the
    translation memory would not fill; the engines stay open in ``opened`` for the catalogs.
    So the engine starts within a second of the build's start, even on large catalogs."""
    from .machine import translate_ahead
    from .mt_cache import TranslationCache

    name, template, source_format = plan
    path = pot_path(config, name)
    before = read_catalog(path, display=config.relative(path)) if path.exists() else None
    known = {entry.key for entry in before.entries} if before is not None else set()
    new = [
        entry
        for entry in template.entries
        if entry.msgid and entry.msgid_plural is None and entry.key not in known
    ]
    for language in languages if new else []:
        exact = memory.of(language).exact
        msgids = [entry.msgid for entry in new if exact(entry.msgid, entry.msgctxt) is None]
        if not msgids:
            continue
        ahead = opened.get(language)
        if ahead is None:
            ahead = opened[language] = Ahead(open_engine(config, factory, language))
        cache = TranslationCache(translation_cache_path(config), warnings)
        bar = (progress or ProgressFactory()).start(f"{name}/{language}: new", len(msgids))
        try:
            ahead.fresh[name] = translate_ahead(
                msgids,
                ahead.engine,
                cache,
                source_format=source_format,
                keep=keep_terms(config, language),
                progress=bar.advance,
            )
        finally:
            bar.close()
            cache.close()
