"""Review actions and the review loop: what approve and edit do to a PO entry and to the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.catalog import (
    machine_mark,
    output_hash,
    read_catalog,
    save_catalog,
    set_machine_output,
    state_of,
)
from pipeline.config import Config, load_config
from pipeline.errors import LockError
from pipeline.files import project_lock
from pipeline.model import Catalog, Entry, State
from pipeline.review.display import diff_ops, word_diff
from pipeline.review.session import (
    ReviewConflictError,
    ReviewItem,
    apply_change,
    approve_entry,
    edit_entry,
    review_queue,
)
from pipeline.review.terminal import EDITOR_MARKER, editor_file_text, parse_editor_text, run_review

REPO = Path(__file__).resolve().parent.parent
MODEL = ("argos", "translate-en_cs", "1.9")

HEADER = {
    "Project-Id-Version": "doc",
    "PO-Revision-Date": "2025-01-01 00:00+0000",
    "Last-Translator": "Test <test@example.org>",
    "Language-Team": "Czech",
    "Language": "cs",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
}

# (msgid, state, translation, previous msgid) of the sample catalog, in file order.
MACHINE_SOURCE = "We publish below an interview with KRAS."
MACHINE_TEXT = "Níže zveřejňujeme rozhovor s KRAS."
EDITED_SOURCE = "The war has lasted 1,000 days."
EDITED_MT = "Válka trvá 1.000 dní."
EDITED_TEXT = "Válka trvá již 1 000 dní."
STALE_SOURCE = "The group has 25 members."
STALE_OLD_SOURCE = "The group has 20 members."
STALE_TEXT = "Skupina má 20 členů."
REVIEWED_SOURCE = "Greetings, comrades!"
REVIEWED_TEXT = "Zdravím, soudruzi!"
UNTRANSLATED_SOURCE = "Thank you."


def sample_entries() -> list[Entry]:
    """One entry in each review state."""
    machine = Entry(MACHINE_SOURCE, references=["source/doc.txt:1"], extracted_comments=["p 1"])
    set_machine_output(machine, MACHINE_TEXT, *MODEL)
    edited = Entry(EDITED_SOURCE, references=["source/doc.txt:2"])
    set_machine_output(edited, EDITED_MT, *MODEL)
    edited.msgstr = EDITED_TEXT
    stale = Entry(
        STALE_SOURCE,
        msgstr=STALE_TEXT,
        flags=["fuzzy"],
        previous_msgid=STALE_OLD_SOURCE,
        references=["source/doc.txt:3"],
    )
    reviewed = Entry(REVIEWED_SOURCE, msgstr=REVIEWED_TEXT, references=["source/doc.txt:4"])
    untranslated = Entry(UNTRANSLATED_SOURCE, references=["source/doc.txt:5"])
    return [machine, edited, stale, reviewed, untranslated]


def write_project(root: Path, languages: tuple[str, ...] = ("cs",)) -> Config:
    """A project folder with a pyproject and locales/cs/doc.po holding one entry per state."""
    root.mkdir(parents=True, exist_ok=True)
    targets = ", ".join(f'"{language}"' for language in languages)
    (root / "pyproject.toml").write_text(
        f"[tool.pipeline]\ntarget_languages = [{targets}]\n", encoding="utf-8"
    )
    save_catalog(Catalog(dict(HEADER), sample_entries()), root / "locales" / "cs" / "doc.po")
    return load_config(root)


def entry_in(path: Path, msgid: str) -> Entry:
    found = read_catalog(path).find(msgid)
    assert found is not None, msgid
    return found


def test_sample_catalog_has_every_state(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    catalog = read_catalog(config.locales_dir / "cs" / "doc.po")
    assert [state_of(entry) for entry in catalog.active()] == [
        State.MACHINE,
        State.EDITED,
        State.STALE,
        State.REVIEWED,
        State.UNTRANSLATED,
    ]


# --- pure actions ---------------------------------------------------------------------------------


def test_approve_machine_entry_keeps_provenance() -> None:
    machine = sample_entries()[0]
    approve_entry(machine)
    assert state_of(machine) is State.REVIEWED
    assert "fuzzy" not in machine.flags
    assert machine_mark(machine) == (*MODEL, output_hash(MACHINE_TEXT))
    assert machine.msgstr == MACHINE_TEXT


def test_approve_stale_entry_drops_previous_msgid() -> None:
    stale = sample_entries()[2]
    assert state_of(stale) is State.STALE
    approve_entry(stale)
    assert stale.previous_msgid is None
    assert state_of(stale) is State.REVIEWED


def test_approve_keeps_other_flags() -> None:
    entry = Entry("%d files", msgstr="%d souborů", flags=["fuzzy", "c-format"])
    approve_entry(entry)
    assert entry.flags == ["c-format"]


def test_edit_turns_machine_into_edited_but_leaves_reviewed_reviewed() -> None:
    machine, _, _, reviewed, _ = sample_entries()
    edit_entry(machine, "Níže otiskujeme rozhovor s KRAS.")
    assert state_of(machine) is State.EDITED
    edit_entry(reviewed, "Zdravíme, soudruzi!")
    assert state_of(reviewed) is State.REVIEWED
    assert reviewed.msgstr == "Zdravíme, soudruzi!"


def test_edit_plural_entry_changes_first_form() -> None:
    entry = Entry("%d file", msgid_plural="%d files", msgstr_plural={0: "a", 1: "b", 2: "c"})
    edit_entry(entry, "%d soubor")
    assert entry.msgstr_plural == {0: "%d soubor", 1: "b", 2: "c"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (STALE_OLD_SOURCE, STALE_SOURCE, "The group has [-20-]{+25+} members."),
        ("We met in May.", "We met in May and June.", "We met in [-May.-]{+May and June.+}"),
        ("Hello, world.", "Hello, world.", "Hello, world."),
        ("A quite long sentence.", "A sentence.", "A [-quite long -]sentence."),
        ("", "New.", "{+New.+}"),
    ],
)
def test_word_diff(old: str, new: str, expected: str) -> None:
    assert word_diff(old, new) == expected


def test_diff_ops_rebuild_both_texts() -> None:
    old, new = (
        "The KRAS group, founded 1995, has members.",
        "KRAS, founded in 1995, has 30 members.",
    )
    ops = diff_ops(old, new)
    assert "".join(text for kind, text in ops if kind != "insert") == old
    assert "".join(text for kind, text in ops if kind != "delete") == new


def test_editor_text_round_trip() -> None:
    text = editor_file_text("Skupina má 20 členů.", "English:\nThe group has 25 members.")
    assert text.startswith("Skupina má 20 členů.\n")
    assert f"\n{EDITOR_MARKER}\n# English:\n# The group has 25 members.\n" in text
    assert parse_editor_text(text, multiline=False) == "Skupina má 20 členů."
    changed = text.replace("20", "25", 1)
    assert parse_editor_text(changed, multiline=False) == "Skupina má 25 členů."
    # A single-line translation wrapped by the editor comes back as one line.
    assert parse_editor_text("Skupina má\n25 členů.\n", multiline=False) == "Skupina má 25 členů."
    assert parse_editor_text("řádek 1\nřádek 2\n\n", multiline=True) == "řádek 1\nřádek 2"
    assert parse_editor_text(f"\n\n{EDITOR_MARKER}\n# x\n", multiline=False) is None


# --- saving ---------------------------------------------------------------------------------------


def _item(config: Config, msgid: str) -> ReviewItem:
    path = config.locales_dir / "cs" / "doc.po"
    return ReviewItem("doc", path, "locales/cs/doc.po", None, msgid)


def test_review_queue_lists_machine_edited_stale_in_file_order(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    queue = review_queue(config, "cs")
    assert [item.msgid for item in queue] == [MACHINE_SOURCE, EDITED_SOURCE, STALE_SOURCE]
    assert {item.display for item in queue} == {"locales/cs/doc.po"}


def test_apply_change_saves_canonical_file_and_revision_date(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    shown = entry_in(path, MACHINE_SOURCE)
    apply_change(
        config, _item(config, MACHINE_SOURCE), shown, approve_entry, now="2026-01-02 03:04+0000"
    )
    catalog = read_catalog(path)
    assert state_of(entry_in(path, MACHINE_SOURCE)) is State.REVIEWED
    assert catalog.header["PO-Revision-Date"] == "2026-01-02 03:04+0000"
    # The file is in gettext's own layout (msgcat gives the same bytes back) and compiles.
    data = path.read_bytes()
    assert subprocess.run(["msgcat", str(path)], capture_output=True, check=True).stdout == data
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], check=True)
    # Nothing else moved.
    assert state_of(entry_in(path, EDITED_SOURCE)) is State.EDITED
    assert state_of(entry_in(path, STALE_SOURCE)) is State.STALE


def test_apply_change_refuses_when_entry_changed_on_disk(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    shown = entry_in(path, MACHINE_SOURCE)
    # Someone (a PO editor, a translate run) changes the entry after it was shown.
    catalog = read_catalog(path)
    changed = catalog.find(MACHINE_SOURCE)
    assert changed is not None
    changed.msgstr = "Jiný překlad."
    save_catalog(catalog, path)
    before = path.read_bytes()
    with pytest.raises(ReviewConflictError, match="changed on disk"):
        apply_change(config, _item(config, MACHINE_SOURCE), shown, approve_entry)
    assert path.read_bytes() == before


def test_apply_change_waits_for_lock_then_gives_up(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    before = path.read_bytes()
    shown = entry_in(path, MACHINE_SOURCE)
    with project_lock(config.state_dir), pytest.raises(LockError):
        apply_change(config, _item(config, MACHINE_SOURCE), shown, approve_entry, lock_timeout=0.3)
    assert path.read_bytes() == before


# --- the loop -------------------------------------------------------------------------------------


class ScriptedTerminal:
    """A terminal that plays back keys and edits and keeps every screen it was shown."""

    def __init__(self, keys: str, edits: list[str | None] | None = None) -> None:
        self.keys = list(keys)
        self.edits = list(edits or [])
        self.screens: list[str] = []
        self.contexts: list[str] = []

    def show(self, screen: str) -> None:
        self.screens.append(screen)

    def key(self) -> str:
        return self.keys.pop(0) if self.keys else ""

    def edit_text(self, current: str, context: str) -> str | None:
        self.contexts.append(context)
        return self.edits.pop(0)

    def width(self) -> int:
        return 80


def test_loop_approve_skip_edit_back_quit(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    terminal = ScriptedTerminal("asebaq", edits=["Skupina má 25 členů."])
    summary = run_review(config, "cs", review_queue(config, "cs"), terminal)
    # a: machine approved; s: edited skipped; e: stale edited (stays); b: back to edited; a; q.
    assert state_of(entry_in(path, MACHINE_SOURCE)) is State.REVIEWED
    assert state_of(entry_in(path, EDITED_SOURCE)) is State.REVIEWED
    stale = entry_in(path, STALE_SOURCE)
    assert stale.msgstr == "Skupina má 25 členů."
    assert state_of(stale) is State.STALE  # edited, not yet approved
    assert (len(summary.approved), len(summary.edited), summary.finished) == (2, 1, False)
    assert summary.line().startswith("stopped: 2 approved, 1 edited, 0 skipped of 3 entries")
    first, second, third = terminal.screens[:3]
    assert "entry 1/3  [machine]" in first and MACHINE_TEXT in first
    assert "entry 2/3  [edited]" in second and "Findings: none" in second
    assert "[-20-]{+25+}" in third and "error: numbers:" in third
    assert "The group has 25 members." in terminal.contexts[0]
    # After the edit the same entry is shown again, with the number finding gone.
    assert "saved; press a to approve" in terminal.screens[3]
    assert "Findings: none" in terminal.screens[3]


def test_loop_runs_to_the_end_and_reports_finished(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    summary = run_review(config, "cs", review_queue(config, "cs"), ScriptedTerminal("aaa"))
    assert summary.finished
    assert review_queue(config, "cs") == []
    assert summary.line().startswith("end of the queue: 3 approved")


def test_loop_cancelled_edit_changes_nothing(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    before = path.read_bytes()
    terminal = ScriptedTerminal("eq", edits=[None])
    run_review(config, "cs", review_queue(config, "cs"), terminal)
    assert path.read_bytes() == before
    assert "edit cancelled" in terminal.screens[1]


def test_loop_shows_conflict_and_new_version(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"

    class ChangingTerminal(ScriptedTerminal):
        def key(self) -> str:
            if len(self.screens) == 1:  # change the file while the first entry is on screen
                catalog = read_catalog(path)
                entry = catalog.find(MACHINE_SOURCE)
                assert entry is not None
                set_machine_output(entry, "Nový strojový překlad.", *MODEL)
                save_catalog(catalog, path)
            return super().key()

    terminal = ChangingTerminal("aaq")
    run_review(config, "cs", review_queue(config, "cs"), terminal)
    assert "not saved: the entry changed on disk" in terminal.screens[1]
    assert "Nový strojový překlad." in terminal.screens[1]
    assert entry_in(path, MACHINE_SOURCE).msgstr == "Nový strojový překlad."
    assert state_of(entry_in(path, MACHINE_SOURCE)) is State.REVIEWED


def test_review_from_a_pipe(tmp_path: Path) -> None:
    """Without a terminal the CLI reads one key per line, so a script can drive it."""
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(tmp_path), "review", "cs"],
        input="a\ns\n",
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "EDITOR": "", "VISUAL": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "entry 1/3  [machine]" in result.stdout
    assert "stopped: 1 approved, 0 edited, 1 skipped of 3 entries" in result.stderr
    assert state_of(entry_in(path, MACHINE_SOURCE)) is State.REVIEWED
    assert state_of(entry_in(path, EDITED_SOURCE)) is State.EDITED


def test_review_rejects_unknown_language_and_document(tmp_path: Path) -> None:
    write_project(tmp_path)
    base = [sys.executable, "-m", "pipeline", "--project", str(tmp_path), "review"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([*base, "de"], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == ("pipeline: error: de: not a configured target language (cs)")
    result = subprocess.run(
        [*base, "cs", "nope"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 5
    assert "no catalog for document 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_review_with_nothing_to_do(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    run_review(config, "cs", review_queue(config, "cs"), ScriptedTerminal("aaa"))
    terminal = ScriptedTerminal("")
    summary = run_review(config, "cs", review_queue(config, "cs"), terminal)
    assert terminal.screens == []
    assert summary.line() == "nothing to review: no machine, edited or stale entries"


# --- approved entries stay approved ---------------------------------------------------------------


def _approved(path: Path) -> dict[str, tuple[object, ...]]:
    """Every reviewed entry with everything a later run could change, line numbers aside."""
    return {
        entry.msgid: (
            entry.msgstr,
            tuple(entry.flags),
            tuple(entry.translator_comments),
            tuple(entry.extracted_comments),
            tuple(entry.references),
            entry.previous_msgid,
        )
        for entry in read_catalog(path).active()
        if state_of(entry) is State.REVIEWED
    }


def _review_by_pipe(project: Path, keys: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "review", "cs"],
        cwd=project,
        input=keys,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "EDITOR": "", "VISUAL": ""},
        check=False,
    )


def test_approved_entries_survive_update_translate_and_build(
    repo_copy: Path, argos_models: object
) -> None:
    """Approve in the review tool, then run every later step, twice over and with a new engine
    and a changed source: the approved entries keep every byte (the rest does move)."""
    import shutil

    from pipeline.cli import main

    project = repo_copy
    shutil.rmtree(project / "locales", ignore_errors=True)
    po = project / "locales" / "cs" / "kras-interview.po"
    assert main(["--project", str(project), "build", "-q", "--lang", "cs"]) == 0
    machine = [e for e in read_catalog(po).active() if state_of(e) is State.MACHINE]
    assert len(machine) > 20

    # In the review tool: approve, edit at the prompt then approve, skip, approve, quit.
    result = _review_by_pipe(project, "a\ne\nOpraveno recenzentem.\na\ns\na\nq\n")
    assert result.returncode == 0, result.stderr
    assert "3 approved, 1 edited, 1 skipped" in result.stderr
    approved = _approved(po)
    assert sorted(approved) == sorted([machine[0].msgid, machine[1].msgid, machine[3].msgid])
    assert approved[machine[1].msgid][0] == "Opraveno recenzentem."
    assert all(fields[2] and str(fields[2][0]).startswith("mt: ") for fields in approved.values())
    untouched = machine[2].msgid

    steps: list[list[str]] = [
        ["update", "--lang", "cs"],
        ["translate", "--lang", "cs"],
        ["build", "--lang", "cs"],
        ["translate", "--lang", "cs", "--engine", "argos"],  # another engine: MT output redone
        ["update", "--lang", "cs"],
        ["translate", "--lang", "cs"],
        ["build", "--lang", "cs"],
    ]
    source = project / "source" / "kras-interview.txt"
    for number, step in enumerate(steps):
        if number == 4:  # and the English grows by a paragraph
            source.write_text(
                source.read_text(encoding="utf-8") + "\nThis paragraph was added later.\n",
                encoding="utf-8",
            )
        assert main(["--project", str(project), *step, "-q"]) == 0, step
        assert _approved(po) == approved, step
        if number == 3:  # the machine entries were in reach: the engine change redid them
            redone = read_catalog(po).find(untouched)
            assert redone is not None and state_of(redone) is State.MACHINE
            assert (machine_mark(redone) or ("",))[0] == "argos"

    catalog = read_catalog(po)
    added = catalog.find("This paragraph was added later.")
    assert added is not None and state_of(added) is State.MACHINE
    edition = (project / "output" / "cs" / "kras-interview.txt").read_text(encoding="utf-8")
    assert "Opraveno recenzentem." in edition
