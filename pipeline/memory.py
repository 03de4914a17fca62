"""Translation memory: reviewed translations reused for new entries, and similar ones suggested.

A memory holds the reviewed units (translated, not fuzzy, singular) of every catalog of a language
in the project, then those of the configured compendia (``[tool.pipeline.tm] compendia``). An
exact match (same msgid and msgctxt) fills an empty entry before machine translation: fuzzy, with
``# tm: <origin>`` (the document, or the compendium as configured), so it needs review like any
text a person has not approved; with ``exact = "approve"`` it is approved at once when every
source agrees on the translation. Such an entry has no `# mt:` mark, so machine translation never
writes over it. Matches of at least `THRESHOLD` similarity are only suggestions for a reviewer;
nothing writes them into a catalog.

`Memory`, `units_of` and `fill_from_memory` are pure; `ProjectMemory` reads the catalogs (the I/O
edge), once per language per run and only when a catalog has an entry to fill (or the build has
new units to translate first). During a build, the reviewed units of each catalog are kept in the
catalog cache by the sha256 of its bytes (`pipeline.catalog_cache`): an unchanged catalog is not
parsed at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import catalog_cache
from .catalog import check_language, parse_catalog, read_catalog, state_of
from .errors import CatalogError
from .files import read_with_state
from .model import Catalog, Entry, State

if TYPE_CHECKING:
    from .config import Config

TM_PREFIX = "tm: "
"""Translator comment `# tm: <origin>` on an entry filled from the translation memory."""
THRESHOLD = 0.75
"""The least similarity (rapidfuzz's `fuzz.ratio`, the measure msgmerge uses) of a suggestion."""
SUGGESTIONS = 3
"""How many suggestions a reviewer is shown at most."""


@dataclass(frozen=True)
class MemoryUnit:
    """One reviewed translation: its key, its text and where it came from."""

    msgctxt: str | None
    msgid: str
    translation: str
    origin: str


@dataclass(frozen=True)
class Suggestion:
    """A reviewed translation of a similar English text, for the reviewer to look at."""

    score: float
    source: str
    translation: str
    origin: str


class Memory:
    """Reviewed units by key for exact matches, and their distinct English texts for fuzzy ones.

    Where sources disagree, the first unit given wins (documents by name, then compendia in the
    configured order); `agreed` tells whether they all gave the same translation.
    """

    def __init__(self, units: Iterable[MemoryUnit] = ()) -> None:
        self._exact: dict[tuple[str | None, str], list[MemoryUnit]] = {}
        self._by_source: dict[str, MemoryUnit] = {}
        for unit in units:
            self._exact.setdefault((unit.msgctxt, unit.msgid), []).append(unit)
            self._by_source.setdefault(unit.msgid, unit)
        self._sources = list(self._by_source)

    def __len__(self) -> int:
        return len(self._exact)

    def exact(self, msgid: str, msgctxt: str | None = None) -> MemoryUnit | None:
        """The reviewed unit with this msgid and msgctxt, if there is one."""
        found = self._exact.get((msgctxt, msgid))
        return found[0] if found else None

    def agreed(self, msgid: str, msgctxt: str | None = None) -> bool:
        """True when every source of this key has the same translation."""
        found = self._exact.get((msgctxt, msgid), [])
        return len({unit.translation for unit in found}) == 1

    def similar(
        self, text: str, *, limit: int = SUGGESTIONS, threshold: float = THRESHOLD
    ) -> list[Suggestion]:
        """Reviewed units whose English is at least `threshold` similar to `text`, best first.

        The score is rapidfuzz's normalised Indel similarity (2·LCS / total length, msgmerge's
        measure, on characters); `process.extract` with a cutoff skips hopeless candidates by
        length, so a query stays fast over thousands of units.
        """
        if not text or not self._sources:
            return []
        from rapidfuzz import fuzz, process

        found = process.extract(
            text,
            self._sources,
            scorer=fuzz.ratio,
            score_cutoff=threshold * 100,
            limit=limit,
        )
        suggestions = []
        for source, score, _ in sorted(found, key=lambda match: (-match[1], match[2])):
            unit = self._by_source[source]
            suggestions.append(Suggestion(score / 100, source, unit.translation, unit.origin))
        return suggestions


def units_of(catalog: Catalog, origin: str) -> list[MemoryUnit]:
    """The reviewed singular units of a catalog (the header and obsolete entries aside)."""
    return [
        MemoryUnit(entry.msgctxt, entry.msgid, entry.msgstr, origin)
        for entry in catalog.active()
        if entry.msgid and entry.msgid_plural is None and state_of(entry) is State.REVIEWED
    ]


def fillable(entry: Entry) -> bool:
    """An entry the memory may fill: active, singular and empty (what MT would fill)."""
    return (
        not entry.obsolete and bool(entry.msgid) and entry.msgid_plural is None and not entry.msgstr
    )


def memory_origin(entry: Entry) -> str | None:
    """The origin named by the entry's `# tm:` comment, if it was filled from memory."""
    for comment in entry.translator_comments:
        if comment.startswith(TM_PREFIX):
            return comment[len(TM_PREFIX) :].strip()
    return None


def fill_from_memory(catalog: Catalog, memory: Memory, *, approve: bool = False) -> int:
    """Fill empty entries from exact matches (in place); returns how many were filled.

    A filled entry is fuzzy with `# tm: <origin>`; with ``approve`` it is left approved instead
    when every source agrees (a disagreement stays fuzzy for a person to settle).
    """
    filled = 0
    for entry in catalog.entries:
        if not fillable(entry):
            continue
        unit = memory.exact(entry.msgid, entry.msgctxt)
        if unit is None:
            continue
        entry.msgstr = unit.translation
        approved = approve and memory.agreed(entry.msgid, entry.msgctxt)
        if not approved and "fuzzy" not in entry.flags:
            entry.flags.insert(0, "fuzzy")
        if approved:
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        comments = [c for c in entry.translator_comments if not c.startswith(TM_PREFIX)]
        entry.translator_comments = [*comments, f"{TM_PREFIX}{unit.origin}"]
        filled += 1
    return filled


# --- the project's memories (the I/O edge) -------------------------------------------------------


class ProjectMemory:
    """The memories of a project's languages, each read on first need and then kept for the run.

    A language's memory is every ``locales/<lang>/*.po`` (by document name), then the compendia
    whose ``Language`` header names that language. A compendium that is missing, broken or has no
    ``Language`` header is a `CatalogError` naming it.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._memories: dict[str, Memory] = {}
        self._compendia: list[tuple[str, Catalog]] | None = None

    def of(self, language: str) -> Memory:
        memory = self._memories.get(language)
        if memory is None:
            memory = Memory(self._units(language))
            self._memories[language] = memory
        return memory

    def preload(self, catalogs: Iterable[tuple[str, Catalog]]) -> None:
        """Read now the memory of every language one of these (language, catalog) pairs will
        fill from, so that a broken catalog or compendium stops a run before it writes."""
        for language, catalog in catalogs:
            if any(fillable(entry) for entry in catalog.entries):
                self.of(language)

    def fill(self, catalog: Catalog, language: str) -> int:
        """`fill_from_memory` with the language's memory and ``[tool.pipeline.tm] exact``; reads
        nothing when the catalog has no empty entry."""
        if not any(fillable(entry) for entry in catalog.entries):
            return 0
        approve = self.config.tm_exact == "approve"
        return fill_from_memory(catalog, self.of(language), approve=approve)

    def _units(self, language: str) -> list[MemoryUnit]:
        from .layout import po_path

        units: list[MemoryUnit] = []
        folder = self.config.locales_dir / language
        found = folder.glob("*.po") if folder.is_dir() else []
        for name in sorted(p.stem for p in found if p.is_file() and not p.name.startswith(".")):
            units += self._units_of_file(po_path(self.config, language, name), name, language)
        base = _base(language)
        for shown, compendium in self._read_compendia():
            if _base(compendium.language) == base:
                units += units_of(compendium, shown)
        return units

    def _units_of_file(self, path: Path, name: str, language: str) -> list[MemoryUnit]:
        """The reviewed units of one catalog; with the build's catalog cache active, kept there
        by the sha256 of the file's bytes, so an unchanged catalog is not parsed at all."""
        shown = self.config.relative(path)
        cache = catalog_cache.active()
        raw = read_with_state(path, shown)[0] if cache is not None else None
        if cache is None or raw is None:
            catalog = read_catalog(path, display=shown)
            check_language(catalog, language, shown)
            return units_of(catalog, name)
        sha = catalog_cache.digest(raw)
        kept = cache.units(sha)
        if kept is not None and _language_fits(kept["language"], language, shown):
            return [
                MemoryUnit(msgctxt, msgid, text, name) for msgctxt, msgid, text in kept["units"]
            ]
        catalog = parse_catalog(raw, display=shown)
        check_language(catalog, language, shown)
        found = units_of(catalog, name)
        rows = [[unit.msgctxt, unit.msgid, unit.translation] for unit in found]
        cache.put_units(sha, shown, {"language": catalog.language, "units": rows})
        return found

    def _read_compendia(self) -> list[tuple[str, Catalog]]:
        if self._compendia is None:
            self._compendia = []
            for path in self.config.tm_compendia:
                shown = self.config.relative(path)
                catalog = read_catalog(path, display=shown)
                if not catalog.language.strip():
                    raise CatalogError(
                        "compendium has no Language header: cannot tell which language it serves",
                        path=shown,
                    )
                self._compendia.append((shown, catalog))
        return self._compendia


def _language_fits(declared: str, language: str, shown: str) -> bool:
    """`check_language` on a kept Language header (False: parse the file for the error line)."""
    try:
        check_language(Catalog(header={"Language": declared}, entries=[]), language, shown)
    except CatalogError:
        return False
    return True


def _base(language: str) -> str:
    return language.strip().replace("-", "_").split("_")[0].lower()
