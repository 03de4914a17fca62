"""A person saving a catalog in a PO editor while `pipeline update`, `translate` or `build` runs
never loses an edit (compare-and-swap saves, pipeline/rebase.py).

Real processes: the pipeline runs as a child process, and a second long-lived process plays the
editor, saving edits at random moments the way Poedit does (write a temporary, ``os.replace``).
PO editors do not take the pipeline's lock, so only the compare-and-swap can keep their work.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from argos_fixtures import ArgosModels
from helpers import REPO

from pipeline.catalog import read_catalog, save_catalog
from pipeline.model import Catalog, Entry
from pipeline.rebase import rebase

ROUNDS = 50
SEED = 20260112
PO = Path("locales/cs/story.po")
SENTENCES = [f"The {word} sentence stays in the story." for word in (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth",
)]  # fmt: skip

# The editor: on "go SEED COUNT SPREAD" it makes COUNT saves at random moments within SPREAD
# seconds, each one reading the file, changing one entry and replacing the file atomically, and
# prints the edits it made as JSON.
EDITOR = r"""
import json, os, random, sys, time
import polib
path = sys.argv[1]
editable = json.loads(sys.argv[2])
print("ready", flush=True)
for line in sys.stdin:
    _, seed, count, spread = line.split()
    rng = random.Random(int(seed))
    moments = sorted(rng.uniform(0, float(spread)) for _ in range(int(count)))
    start = time.monotonic()
    edits = []
    for n, moment in enumerate(moments):
        time.sleep(max(0.0, start + moment - time.monotonic()))
        po = polib.pofile(path)
        msgid = rng.choice(editable)
        entry = po.find(msgid)
        text = f"Úprava {seed}.{n} od redaktorky."
        entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        tmp = path + ".editor-save"
        po.save(tmp)
        os.replace(tmp, path)
        edits.append([msgid, text])
    print(json.dumps(edits), flush=True)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["SOURCE_DATE_EPOCH"] = "1764000000"
    env["ARGOS_INTRA_THREADS"] = "1"
    return env


def _project(repo_copy: Path) -> Path:
    """A one-document, one-language project with a small source."""
    shutil.rmtree(repo_copy / "locales", ignore_errors=True)
    for path in (repo_copy / "source").iterdir():
        path.unlink()
    pyproject = repo_copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = text.replace('target_languages = ["cs", "ru", "uk", "sk"]', 'target_languages = ["cs"]')
    text = text.replace("[tool.pipeline.documents.kras-interview]", "[tool.pipeline.documents.x]")
    pyproject.write_text(text, encoding="utf-8")
    _write_source(repo_copy, 0)
    return repo_copy


def _write_source(project: Path, round_number: int) -> None:
    """The stable sentences and one that changes every round, so every run rewrites the PO."""
    moving = f"Round {round_number} moves this sentence."
    body = " ".join(SENTENCES[:6]) + f" {moving}\n\n" + " ".join(SENTENCES[6:]) + "\n"
    (project / "source" / "story.txt").write_text(body, encoding="utf-8")


def _msgfmt_check(path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_editor_saves_during_runs_are_never_lost(
    argos_models: ArgosModels, repo_copy: Path
) -> None:
    project = _project(repo_copy)
    env = _env()
    clock = time.monotonic()
    first = subprocess.run(
        [sys.executable, "-m", "pipeline", "update", "--quiet"], cwd=project, env=env, check=False
    )
    assert first.returncode == 0
    # The editor's saves fall within the first 80 % of a typical run on this machine, so that
    # most of them land while a run is going, between its read and its write.
    spread = 0.8 * (time.monotonic() - clock)
    po = project / PO
    editor = subprocess.Popen(
        [sys.executable, "-c", EDITOR, str(po), json.dumps(SENTENCES)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert editor.stdin is not None and editor.stdout is not None
    assert editor.stdout.readline().strip() == "ready"
    rng = random.Random(SEED)
    expected: dict[str, str] = {}  # msgid → the editor's last edit
    overlapped = 0
    deadline = time.monotonic() + 240  # bounded even on a very slow machine
    try:
        for round_number in range(1, ROUNDS + 1):
            assert time.monotonic() < deadline, f"only {round_number - 1} rounds in time"
            _write_source(project, round_number)
            command = "translate" if round_number % 10 == 0 else "update"
            if round_number % 25 == 0:
                command = "build"
            run = subprocess.Popen(
                [sys.executable, "-m", "pipeline", command, "--quiet"],
                cwd=project,
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            window = spread * (3 if command != "update" else 1)
            editor.stdin.write(f"go {rng.randrange(10**6)} {rng.randint(1, 3)} {window}\n")
            editor.stdin.flush()
            edits = json.loads(editor.stdout.readline())
            overlapped += run.poll() is None  # the editor saved while the run was going
            _, stderr = run.communicate(timeout=120)
            assert run.returncode in (0, 1), stderr  # 1: the quality gate of `build`
            expected.update((msgid, text) for msgid, text in edits)
            _msgfmt_check(po)
            catalog = read_catalog(po)
            for msgid, text in expected.items():
                entry = catalog.find(msgid)
                assert entry is not None and entry.msgstr == text, (round_number, command, msgid)
            moving = catalog.find(f"Round {round_number} moves this sentence.")
            assert moving is not None  # the run did its own work too
    finally:
        editor.stdin.close()
        editor.wait(timeout=30)
        editor.stdout.close()
    assert len(expected) >= 6 and overlapped >= ROUNDS // 4


# --- the rebase itself, without processes -------------------------------------------------------


def _catalog(*pairs: tuple[str, str]) -> Catalog:
    return Catalog(header={"Language": "cs"}, entries=[Entry(msgid=m, msgstr=s) for m, s in pairs])


def test_rebase_keeps_their_changes_and_our_other_work() -> None:
    base = _catalog(("a", ""), ("b", ""), ("c", "C0"))
    ours = _catalog(("a", "A-machine"), ("b", "B-machine"), ("c", "C0"), ("new", "N"))
    theirs = _catalog(("a", "A-person"), ("c", "C0"), ("added", "X"))  # b deleted by them
    result = rebase(base, ours, theirs)
    assert [(e.msgid, e.msgstr) for e in result.entries] == [
        ("a", "A-person"),
        ("c", "C0"),
        ("added", "X"),
        ("new", "N"),
    ]
    theirs.header["Last-Translator"] = "Jana"
    assert rebase(base, ours, theirs).header == theirs.header
    assert rebase(base, ours, base).entries == ours.entries  # nothing changed on disk: ours


def test_save_made_between_read_and_write_is_rebased(tmp_path: Path) -> None:
    from pipeline.rebase import read_snapshot, save_rebased

    path = tmp_path / "cs.po"
    save_catalog(_catalog(("a", ""), ("b", "")), path)
    ours, snapshot = read_snapshot(path, display="cs.po")
    assert ours is not None
    ours.entries[1].msgstr = "B-machine"
    person = read_catalog(path)
    person.entries[0].msgstr = "A-person"
    save_catalog(person, path)  # lands after our read
    written, after, changed = save_rebased(path, ours, snapshot, display="cs.po")
    on_disk = read_catalog(path)
    assert changed and [e.msgstr for e in on_disk.entries] == ["A-person", "B-machine"]
    assert [e.msgstr for e in written.entries] == ["A-person", "B-machine"]
    assert after.raw == path.read_bytes()


# --- review's save -------------------------------------------------------------------------------


def _editor_save(path: Path, msgid: str, text: str) -> None:
    """What a PO editor does: read, change one entry, write a temporary, replace the file."""
    catalog = read_catalog(path)
    entry = catalog.find(msgid)
    assert entry is not None
    entry.msgstr = text
    tmp = path.with_name(path.name + ".editor-save")
    save_catalog(catalog, tmp)
    os.replace(tmp, path)


def test_review_approval_keeps_an_editor_save_that_lands_while_it_saves(tmp_path: Path) -> None:
    from test_review import EDITED_SOURCE, MACHINE_SOURCE, _item, entry_in, write_project

    from pipeline.review.session import apply_change, approve_entry

    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    shown = entry_in(path, MACHINE_SOURCE)

    def approve_while_an_editor_saves(entry: Entry) -> None:
        approve_entry(entry)  # the review read the file before this moment
        _editor_save(path, EDITED_SOURCE, "Redaktorka to opravila.")

    apply_change(config, _item(config, MACHINE_SOURCE), shown, approve_while_an_editor_saves)
    assert entry_in(path, EDITED_SOURCE).msgstr == "Redaktorka to opravila."
    assert "fuzzy" not in entry_in(path, MACHINE_SOURCE).flags  # the approval is there too


def test_review_approval_of_an_entry_an_editor_just_changed_is_a_conflict(tmp_path: Path) -> None:
    from test_review import MACHINE_SOURCE, _item, entry_in, write_project

    from pipeline.review.session import ReviewConflictError, apply_change, approve_entry

    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    shown = entry_in(path, MACHINE_SOURCE)

    def approve_while_an_editor_saves(entry: Entry) -> None:
        approve_entry(entry)
        _editor_save(path, MACHINE_SOURCE, "Redaktorčina verze.")

    with pytest.raises(ReviewConflictError, match="changed on disk"):
        apply_change(config, _item(config, MACHINE_SOURCE), shown, approve_while_an_editor_saves)
    assert entry_in(path, MACHINE_SOURCE).msgstr == "Redaktorčina verze."
