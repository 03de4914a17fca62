"""Small helpers shared by tests: run the CLI in-process or as a real subprocess, snapshot trees."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
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
