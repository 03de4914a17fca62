"""Small helpers shared by tests: run the CLI in-process or as a real subprocess, snapshot trees."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from pipeline.cli import main

REPO = Path(__file__).resolve().parent.parent


def run_cli(project: Path, *args: str) -> int:
    """`pipeline --project DIR ARGS...` in this process; returns the exit code."""
    return main(["--project", str(project), *args])


def run_process(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m pipeline ARGS...` in a real child process, run from inside the project."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def snapshot(root: Path, *, skip_state: bool = True) -> dict[str, tuple[str, int]]:
    """Every file under root: relative path → (sha256, mtime_ns)."""
    files: dict[str, tuple[str, int]] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or (skip_state and relative.startswith(".pipeline")):
            continue
        files[relative] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return files


def contents(root: Path) -> dict[str, bytes]:
    """Every project file's bytes (state folder and caches aside), for comparing two builds."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.relative_to(root).as_posix().startswith(".pipeline")
    }


REVIEW = (sys.executable, "-m", "pipeline", "review", "cs")
"""`pipeline review cs`, as a terminal session runs it."""


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


CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no name lookups, whatever a page asks for
)
"""Debian's chromium, run headless, with no network and a throw-away profile."""


def chromium(profile: Path, *args: str, timeout: float = 120) -> str:
    """Run headless Chromium with its own throw-away profile; returns what it printed."""
    result = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
