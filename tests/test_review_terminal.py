"""`pipeline review LANG` in a real terminal: tmux runs it, sends keys and reads the screen."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from helpers import REVIEW, Tmux
from test_review import (
    EDITED_SOURCE,
    MACHINE_SOURCE,
    MACHINE_TEXT,
    STALE_SOURCE,
    STALE_TEXT,
    entry_in,
    write_project,
)

from pipeline.catalog import read_catalog, state_of
from pipeline.model import State


def test_keys_approve_skip_back_quit(tmp_path: Path, tmux: Tmux) -> None:
    config = write_project(tmp_path / "project")
    po = config.locales_dir / "cs" / "doc.po"
    tmux.start(config.root, *REVIEW)
    screen = tmux.wait_for("entry 1/3  [machine]")
    assert "pipeline review cs (Czech)" in screen
    assert MACHINE_SOURCE in screen and MACHINE_TEXT in screen
    assert "[a]pprove  [e]dit  [s]kip  [b]ack  [q]uit" in screen

    tmux.send("a")
    screen = tmux.wait_for("entry 2/3  [edited]")
    # Saved at once, before the session ends.
    assert state_of(entry_in(po, MACHINE_SOURCE)) is State.REVIEWED
    assert "fuzzy" not in entry_in(po, MACHINE_SOURCE).flags

    tmux.send("s")
    screen = tmux.wait_for("entry 3/3  [stale]")
    assert "The group has [-20-]{+25+} members." in screen
    assert "error: numbers: 25 is missing" in screen
    assert STALE_TEXT in screen

    tmux.send("b")
    tmux.wait_for("entry 2/3  [edited]")
    tmux.send("q")
    assert tmux.wait_exit() == 0
    assert "stopped: 1 approved, 0 edited, 1 skipped of 3 entries" in tmux.screen()
    assert state_of(entry_in(po, EDITED_SOURCE)) is State.EDITED
    assert state_of(entry_in(po, STALE_SOURCE)) is State.STALE


def test_edit_in_editor_then_approve(tmp_path: Path, tmux: Tmux) -> None:
    config = write_project(tmp_path / "project")
    po = config.locales_dir / "cs" / "doc.po"
    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.sh"
    # A scripted editor: keeps a copy of what it was given, then rewrites the first line.
    editor.write_text(
        f'#!/bin/sh\ncp "$1" "{seen}"\nsed -i "1s/.*/Skupina má 25 členů./" "$1"\n',
        encoding="utf-8",
    )
    editor.chmod(0o755)
    tmux.start(config.root, *REVIEW, editor=str(editor))
    tmux.wait_for("entry 1/3")
    tmux.send("s")
    tmux.wait_for("entry 2/3")
    tmux.send("s")
    tmux.wait_for("entry 3/3  [stale]")
    tmux.send("e")
    screen = tmux.wait_for("saved; press a to approve")
    assert "Skupina má 25 členů." in screen
    assert "Findings: none" in screen
    given = seen.read_text(encoding="utf-8")
    assert given.startswith(f"{STALE_TEXT}\n")
    assert "# The group has 25 members." in given and "# The group has 20 members." in given
    edited = entry_in(po, STALE_SOURCE)
    assert edited.msgstr == "Skupina má 25 členů."
    assert state_of(edited) is State.STALE  # edited, not yet approved

    tmux.send("a")
    assert tmux.wait_exit() == 0
    assert "end of the queue: 1 approved, 1 edited, 2 skipped of 3 entries" in tmux.screen()
    approved = entry_in(po, STALE_SOURCE)
    assert state_of(approved) is State.REVIEWED
    assert approved.previous_msgid is None
    assert approved.msgstr == "Skupina má 25 členů."


def test_edit_at_the_prompt_without_editor(tmp_path: Path, tmux: Tmux) -> None:
    config = write_project(tmp_path / "project")
    po = config.locales_dir / "cs" / "doc.po"
    tmux.start(config.root, *REVIEW)
    tmux.wait_for("entry 1/3")
    tmux.send("e")
    screen = tmux.wait_for("edit the translation and press Enter")
    assert f"> {MACHINE_TEXT}" in screen  # the line starts with the current translation
    tmux.send("C-u")
    tmux.type("Níže otiskujeme rozhovor s KRAS.")
    tmux.send("Enter")
    tmux.wait_for("saved; press a to approve")
    entry = entry_in(po, MACHINE_SOURCE)
    assert entry.msgstr == "Níže otiskujeme rozhovor s KRAS."
    assert state_of(entry) is State.EDITED
    tmux.send("q")
    assert tmux.wait_exit() == 0


def review_pid(tmux: Tmux) -> int:
    """The pid of `python -m pipeline review`, the child of the pane's bash."""
    shell = tmux.pane("pane_pid")
    children = Path(f"/proc/{shell}/task/{shell}/children").read_text(encoding="ascii").split()
    assert len(children) == 1, children
    return int(children[0])


def test_killed_session_loses_no_saved_action(tmp_path: Path, tmux: Tmux) -> None:
    config = write_project(tmp_path / "project")
    po = config.locales_dir / "cs" / "doc.po"
    tmux.start(config.root, *REVIEW)
    tmux.wait_for("entry 1/3")
    tmux.send("a")
    tmux.wait_for("entry 2/3")
    os.kill(review_pid(tmux), signal.SIGKILL)
    assert tmux.wait_exit() == 128 + signal.SIGKILL
    assert state_of(entry_in(po, MACHINE_SOURCE)) is State.REVIEWED
    assert state_of(entry_in(po, EDITED_SOURCE)) is State.EDITED
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po)], check=True)
    assert sorted(p.name for p in po.parent.iterdir()) == ["doc.po"]  # no temporary file left


def test_ctrl_c_ends_with_one_line(tmp_path: Path, tmux: Tmux) -> None:
    config = write_project(tmp_path / "project")
    po = config.locales_dir / "cs" / "doc.po"
    tmux.start(config.root, *REVIEW)
    tmux.wait_for("entry 1/3")
    tmux.send("a")
    tmux.wait_for("entry 2/3")
    tmux.send("C-c")
    assert tmux.wait_exit() == 130
    screen = tmux.screen()
    assert "interrupted; files are either as before or fully written" in screen
    assert "Traceback" not in screen
    assert [state_of(e) for e in read_catalog(po).active()][:2] == [State.REVIEWED, State.EDITED]
