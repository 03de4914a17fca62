"""The fast paths of `pipeline build` (issue 15, "Fast start"): catalogs the build wrote or read
before are not parsed again (a cache by the sha256 of their bytes that never weakens the strict
reading), the fuzzy index is shared by the languages of a document, and units new in a template
go to the engine before any catalog is merged, counted as engine calls."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
from argos_fixtures import ArgosModels
from helpers import run_cli

from pipeline import catalog_cache
from pipeline.catalog import parse_catalog, read_catalog, state_of
from pipeline.errors import CatalogError
from pipeline.merge import merge_catalog
from pipeline.model import Catalog, Entry, State

FIRST = "The union meets every Sunday in the old library."
SECOND = "Nobody wants this war."
CHANGED = "Nobody wants this long war."


def _project(root: Path) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs", "ru"]\n', encoding="utf-8"
    )
    (root / "source" / "a.txt").write_text(f"{FIRST}\n\n{SECOND}\n", encoding="utf-8")
    return root


def _pairs(root: Path) -> dict[str, dict[str, object]]:
    report = json.loads((root / ".pipeline" / "last-build.json").read_text(encoding="utf-8"))
    return {pair["language"]: pair for pair in report["pairs"]}


def _cached(root: Path, path: Path) -> Catalog | None:
    cache = catalog_cache.CatalogCache(root / ".pipeline" / "cache" / "catalogs.sqlite3")
    try:
        return cache.catalog(catalog_cache.digest(path.read_bytes()), str(path))
    finally:
        cache.close()


def test_catalogs_the_build_wrote_are_kept_exactly_as_a_strict_parse_reads_them(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    root = _project(tmp_path / "p")
    assert run_cli(root, "build") == 0
    source = root / "source" / "a.txt"
    source.write_text(source.read_text(encoding="utf-8").replace(SECOND, CHANGED), "utf-8")
    assert run_cli(root, "build") == 0
    files = [root / "locales" / "a.pot", *sorted((root / "locales").glob("*/a.po"))]
    assert len(files) == 3
    for path in files:
        kept = _cached(root, path)
        strict = parse_catalog(path.read_bytes(), display=str(path))  # no cache active here
        assert kept is not None, path
        assert list(kept.header.items()) == list(strict.header.items())
        assert (kept.header_comment, kept.header_flags) == (strict.header_comment, [])
        assert [dataclasses.asdict(e) for e in kept.entries] == [
            dataclasses.asdict(e) for e in strict.entries
        ]
        assert all(entry.line > 0 for entry in kept.entries)  # the lines findings point at
    # One row per file: the bytes of the first build were dropped when the second stored its own.
    database = root / ".pipeline" / "cache" / "catalogs.sqlite3"
    with sqlite3.connect(database) as connection:
        paths = [
            row[0] for row in connection.execute("SELECT path FROM parsed_catalogs ORDER BY path")
        ]
    assert paths == ["locales/a.pot", "locales/cs/a.po", "locales/ru/a.po"]


def test_new_units_reach_the_engine_first_and_count_as_engine_calls(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    root = _project(tmp_path / "p")
    assert run_cli(root, "build") == 0
    source = root / "source" / "a.txt"
    source.write_text(source.read_text(encoding="utf-8").replace(SECOND, CHANGED), "utf-8")
    assert run_cli(root, "build") == 0
    for language, pair in _pairs(root).items():
        machine = pair["machine"]
        assert isinstance(machine, dict)
        # CHANGED went to the engine in this run (ahead of the merge, into the MT cache); the
        # catalog then took it from there, and the report says what really happened.
        assert (machine["engine_calls"], machine["from_cache"]) == (1, 0), language
        catalog = read_catalog(root / "locales" / language / "a.po")
        entry = catalog.find(CHANGED)
        assert entry is not None and state_of(entry) is State.MACHINE
        assert entry.previous_msgid is None
    # The same change again, from scratch: now the output is in the cache.
    source.write_text(f"{FIRST}\n\n{SECOND}\n", encoding="utf-8")
    assert run_cli(root, "build") == 0
    source.write_text(f"{FIRST}\n\n{CHANGED}\n", encoding="utf-8")
    assert run_cli(root, "build") == 0
    for language, pair in _pairs(root).items():
        machine = pair["machine"]
        assert isinstance(machine, dict)
        assert (machine["engine_calls"], machine["from_cache"]) == (0, 1), language


def test_the_cache_never_weakens_the_strict_reading(tmp_path: Path) -> None:
    good = (
        b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        b'msgid "a"\nmsgstr "b"\n'
    )
    broken = good.replace(b'msgstr "b"', b'msgstr "b')
    with catalog_cache.using(tmp_path / "catalogs.sqlite3") as cache:
        assert cache is not None
        first = parse_catalog(good, display="x.po")
        again = parse_catalog(good, display="x.po")  # from the cache: an equal, separate value
        assert again == first and again is not first
        assert cache.has_catalog(catalog_cache.digest(good))
        with pytest.raises(CatalogError) as raised:
            parse_catalog(broken, display="x.po")
        assert raised.value.line == 6
        assert not cache.has_catalog(catalog_cache.digest(broken))  # a refusal is not kept


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "catalogs.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    warnings: list[str] = []
    with catalog_cache.using(path, warnings) as cache:
        assert cache is not None
    assert len(warnings) == 1 and "damaged cache" in warnings[0]
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"parsed_catalogs", "reviewed_units"} <= tables


def test_languages_share_a_fuzzy_index_but_keep_their_own_translations() -> None:
    header = {"Language": "cs", "Content-Type": "text/plain; charset=UTF-8"}
    template = Catalog(header={}, entries=[Entry("The old library opens every Sunday.")])
    olds = {
        language: Catalog(
            header={**header, "Language": language},
            entries=[
                Entry(f"The old library opens every Monday {n}.", f"{language} {n}")
                for n in range(3000)
            ],
        )
        for language in ("cs", "sk")
    }
    merged = {
        language: merge_catalog(template, old, language=language, now="2026-01-01 00:00+0000")
        for language, old in olds.items()
    }
    for language, catalog in merged.items():
        entry = catalog.entries[0]
        assert entry.fuzzy and entry.msgstr.startswith(f"{language} ")
        assert entry.previous_msgid is not None
        number = entry.msgstr.split()[1]
        assert entry.previous_msgid == f"The old library opens every Monday {number}."
    assert merged["cs"].entries[0].msgstr.split()[1] == merged["sk"].entries[0].msgstr.split()[1]
