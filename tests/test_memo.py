"""The findings memo gives exactly what checking from scratch gives, and re-checks only changes."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from argos_fixtures import ArgosModels
from helpers import contents, run_process

from pipeline.catalog import parse_catalog, read_catalog
from pipeline.checks.catalog import check_catalog
from pipeline.memo import FindingsMemo, check_with_memo
from pipeline.model import Catalog, Entry

FIXTURES = Path(__file__).parent / "fixtures" / "po"
PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def test_memo_matches_check_catalog_and_sees_edits(tmp_path: Path) -> None:
    catalog = read_catalog(FIXTURES / "po4a-bin.ru.po")
    direct = check_catalog(catalog, "ru", display="ru.po")
    memo = FindingsMemo(tmp_path / "findings.sqlite3", "ru", b"")
    try:
        first = check_with_memo(catalog, "ru", memo, glossary=None, display="ru.po")
        second = check_with_memo(catalog, "ru", memo, glossary=None, display="ru.po")
        assert sorted(map(repr, first)) == sorted(map(repr, direct))
        assert second == first
        assert direct  # the real catalog has findings, so the comparison means something
        # Damage one entry: only its findings change, and the memo notices.
        entry = next(
            e
            for e in catalog.active()
            if e.msgstr and e.msgid_plural is None and len(e.msgid.split()) > 4
            and "\n" not in e.msgid and not e.flags
        )  # fmt: skip
        entry.msgstr = entry.msgid
        changed = check_with_memo(catalog, "ru", memo, glossary=None, display="ru.po")
        assert any(f.msgid == entry.msgid and f.check == "unchanged" for f in changed)
        assert sorted(map(repr, changed)) == sorted(
            map(repr, check_catalog(catalog, "ru", display="ru.po"))
        )
    finally:
        memo.close()


# --- the checks' code is part of every key ----------------------------------------------------

# Run in a copy of the package: edit each module of `pipeline.checks` in turn (found by pkgutil,
# not by the memo's own way of listing them) and print the memo's salt after each edit.
_EDIT_EACH_CHECK = """
import json, pkgutil, sys
from pathlib import Path
import pipeline.checks
from pipeline.memo import FindingsMemo

folder = Path(pipeline.checks.__path__[0])
if folder != Path(sys.argv[2]):  # never edit any package but the copy
    sys.exit(f"imported {folder}, not the copy")
names = ["__init__", *sorted(m.name for m in pkgutil.iter_modules([str(folder)]))]

def salt() -> str:
    memo = FindingsMemo(Path(sys.argv[1]), "ru", b"")
    memo.close()
    return memo.salt

salts = [salt()]
for name in names:
    path = folder / f"{name}.py"
    path.write_text(path.read_text(encoding="utf-8") + "# edited\\n", encoding="utf-8")
    salts.append(salt())
print(json.dumps({"folder": str(folder), "names": names, "salts": salts}))
"""


def test_an_edit_to_any_check_module_changes_the_memo_key(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(PACKAGE, copy / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    checks = copy / "pipeline" / "checks"
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", _EDIT_EACH_CHECK, str(tmp_path / "findings.sqlite3"), str(checks)],
        cwd=tmp_path,  # `-c` puts the working directory first on sys.path
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert Path(report["folder"]) == checks  # the copy was edited, not ours
    assert len(report["names"]) > 2  # a package of several modules, each edited
    # The salt (part of every key) changed after every single edit: no check module is left out.
    assert len(set(report["salts"])) == len(report["names"]) + 1


# --- msgctxt: entries that share a msgid ---------------------------------------------------------


def _shared_msgid_pair(catalog: Catalog) -> tuple[Entry, Entry]:
    """Two translated entries of a real catalog with the same msgid and different msgctxt."""
    first: dict[str, Entry] = {}
    for entry in catalog.active():
        if entry.msgid_plural is not None or not entry.msgstr:
            continue
        other = first.setdefault(entry.msgid, entry)
        if other is not entry and other.msgctxt != entry.msgctxt and len(entry.msgid) > 5:
            return other, entry
    raise AssertionError("the fixture catalog has no msgid under two contexts")


@pytest.mark.parametrize("name", ["gnome-clocks.cs.po", "gnome-clocks.sk.po", "gnome-clocks.ru.po"])
def test_memo_matches_check_catalog_on_catalogs_with_msgctxt(name: str, tmp_path: Path) -> None:
    catalog = read_catalog(FIXTURES / name)
    language = name.split(".")[1]
    assert any(entry.msgctxt for entry in catalog.active())
    _shared_msgid_pair(catalog)  # the case the memo used to get wrong is in the file
    memo = FindingsMemo(tmp_path / "findings.sqlite3", language, b"")
    try:
        direct = sorted(map(repr, check_catalog(catalog, language, display=name)))
        for _ in range(2):  # computed, then from the memo
            found = check_with_memo(catalog, language, memo, glossary=None, display=name)
            assert sorted(map(repr, found)) == direct
    finally:
        memo.close()


def test_memo_keeps_findings_of_each_context_on_its_own_entry(tmp_path: Path) -> None:
    """Two entries share a msgid and differ in msgctxt: a finding of one must not move to the
    other, neither when computed nor when read back from the memo."""
    catalog = read_catalog(FIXTURES / "gnome-clocks.cs.po")
    first, second = _shared_msgid_pair(catalog)
    memo = FindingsMemo(tmp_path / "findings.sqlite3", "cs", b"")
    try:
        assert memo.key(catalog, first) != memo.key(catalog, second)  # keyed by (msgctxt, msgid)
        for damaged, intact in ((first, second), (second, first)):
            kept = damaged.msgstr
            damaged.msgstr = "(" + kept  # an unbalanced parenthesis: a punctuation finding
            found = check_with_memo(catalog, "cs", memo, glossary=None, display="cs.po")
            again = check_with_memo(catalog, "cs", memo, glossary=None, display="cs.po")
            direct = check_catalog(catalog, "cs", display="cs.po")
            assert sorted(map(repr, found)) == sorted(map(repr, direct)) == sorted(map(repr, again))
            lines = {f.line for f in found if f.msgid == damaged.msgid and f.check == "punctuation"}
            assert lines == {damaged.line} and damaged.line != intact.line
            damaged.msgstr = kept
    finally:
        memo.close()


# --- a damaged memo is rebuilt, never fatal -----------------------------------------------------


def _damage(path: Path, how: str) -> None:
    if how == "garbage":
        path.write_bytes(b"this is not an SQLite database\n" * 200)
    else:  # truncated, as a full disk or a killed copy leaves it
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_damaged_memo_is_rebuilt_with_one_warning(how: str, tmp_path: Path) -> None:
    catalog = read_catalog(FIXTURES / "po4a-bin.ru.po")
    path = tmp_path / "findings.sqlite3"
    memo = FindingsMemo(path, "ru", b"")
    expected = check_with_memo(catalog, "ru", memo, glossary=None, display="ru.po")
    memo.close()
    assert path.stat().st_size > 8192  # several pages, so truncating cuts into the data
    _damage(path, how)
    warnings: list[str] = []
    memo = FindingsMemo(path, "ru", b"", warnings)
    try:
        assert check_with_memo(catalog, "ru", memo, glossary=None, display="ru.po") == expected
    finally:
        memo.close()
    assert len(warnings) == 1 and str(path) in warnings[0] and "\n" not in warnings[0]
    with sqlite3.connect(path) as db:  # a sound database again, holding the fresh findings
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] > 0
    reopened: list[str] = []
    memo = FindingsMemo(path, "ru", b"", reopened)
    memo.close()
    assert reopened == []


def _warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("pipeline: warning:")]


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_build_rebuilds_a_damaged_findings_cache(
    how: str, repo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(repo_copy / "locales", ignore_errors=True)
    no_models = {"ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", no_models["ARGOS_PACKAGES_DIR"])
    first = run_process(repo_copy, "build", env=no_models)
    assert first.returncode == 0, first.stderr
    cache = repo_copy / ".pipeline" / "cache" / "findings.sqlite3"
    before = contents(repo_copy)
    normal_warnings = _warning_lines(first.stderr)  # (no model for a language, and the like)
    _damage(cache, how)
    (repo_copy / ".pipeline" / "state.json").unlink()  # every pair is checked again
    damaged = run_process(repo_copy, "build", env=no_models)
    assert damaged.returncode == 0, damaged.stderr
    assert "Traceback" not in damaged.stderr
    new = [line for line in _warning_lines(damaged.stderr) if line not in normal_warnings]
    assert len(new) == 1 and "findings.sqlite3" in new[0] and "damaged cache" in new[0]
    assert contents(repo_copy) == before  # the same catalogs and editions as with a sound cache
    (repo_copy / ".pipeline" / "state.json").unlink()
    healed = run_process(repo_copy, "build", env=no_models)
    assert healed.returncode == 0, healed.stderr
    assert _warning_lines(healed.stderr) == normal_warnings
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] > 0


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_translate_rebuilds_a_damaged_mt_cache(
    how: str, argos_models: ArgosModels, repo_copy: Path
) -> None:
    shutil.rmtree(repo_copy / "locales", ignore_errors=True)
    catalog = repo_copy / "locales" / "cs" / "kras-interview.po"
    first = run_process(repo_copy, "translate", "--lang", "cs")
    assert first.returncode == 0, first.stderr
    translated = catalog.read_bytes()
    cache = repo_copy / ".pipeline" / "cache" / "translations.sqlite3"
    assert cache.stat().st_size > 8192
    _damage(cache, how)
    catalog.unlink()  # so the run needs the cache (and the engine) again
    damaged = run_process(repo_copy, "translate", "--lang", "cs")
    assert damaged.returncode == 0, damaged.stderr
    assert "Traceback" not in damaged.stderr
    warnings = _warning_lines(damaged.stderr)
    assert len(warnings) == 1 and "translations.sqlite3" in warnings[0], damaged.stderr
    assert " 0 units from the cache" in damaged.stderr + damaged.stdout  # it started empty
    catalog.unlink()
    healed = run_process(repo_copy, "translate", "--lang", "cs")
    assert healed.returncode == 0, healed.stderr
    assert _warning_lines(healed.stderr) == []
    assert " 0 sent to the engine" in healed.stderr + healed.stdout  # all from the rebuilt cache
    # The same catalog entries as the first run made with a sound cache.
    assert read_catalog(catalog).entries == parse_catalog(translated, display="cs.po").entries
