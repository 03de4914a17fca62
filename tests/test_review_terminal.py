"""`pipeline review LANG` in a real terminal: tmux runs it, sends keys and reads the screen."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
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

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One private tmux server (its own socket) running one command in a 100x45 pane."""

    def __init__(self, folder: Path) -> None:
        self.socket = folder / "tmux.sock"
        self.conf = folder / "tmux.conf"
        # Keep the pane after the program ends, so its last screen and exit status can be read.
        self.conf.write_text("set -g remain-on-exit on\n", encoding="utf-8")

    def tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return result.stdout

    def start(self, cwd: Path, *command: str, editor: str = "") -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "EDITOR": editor,
            "VISUAL": "",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        # bash prints the exit status on the screen (tmux 3.3's #{pane_dead_status} is racy); bash,
        # unlike dash, goes on after a child that handled Ctrl-C and exited normally.
        wrapper = ("bash", "-c", '"$@"; echo "[exit status $?]"', "bash")
        self.tmux(
            "new-session", "-d", "-s", "review", "-x", "100", "-y", "45", "-c", str(cwd),
            *wrapper, *command,
            env=env,
        )  # fmt: skip

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "review")

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "review", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "review", "-l", text)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """Poll the screen until `text` shows (the timeout only bounds a failing test)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")
            time.sleep(0.05)

    def pane(self, field: str) -> str:
        return self.tmux("display-message", "-p", "-t", "review", f"#{{{field}}}").strip()

    def wait_exit(self, timeout: float = 30.0) -> int:
        """The exit status of the command, once it has ended."""
        screen = self.wait_for("[exit status ", timeout)
        found = re.search(r"\[exit status (\d+)\]", screen)
        assert found is not None, screen
        return int(found.group(1))

    def stop(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, check=False
        )


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    session = Tmux(tmp_path)
    yield session
    session.stop()


REVIEW = (sys.executable, "-m", "pipeline", "review", "cs")


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
