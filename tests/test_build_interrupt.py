"""A build killed with SIGKILL at random moments, then run again, ends exactly like one that was
never interrupted: same catalogs, same editions, byte for byte."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
from argos_fixtures import ArgosModels
from helpers import REPO, contents

KILLS_PER_ROUND = 7
ROUNDS = 3  # 21 kills in all
EPOCH = "1764000000"  # fixed dates in headers and colophons, so two builds can be compared


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["SOURCE_DATE_EPOCH"] = EPOCH
    return env


def _start(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "--quiet"],
        cwd=project,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _complete(project: Path) -> None:
    process = _start(project)
    assert process.wait(timeout=600) in (0, 1)  # 1: the quality gate, not a failure to build


def _fresh(repo_copy: Path, name: str, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / name
    shutil.copytree(repo_copy, target)
    shutil.rmtree(target / "locales", ignore_errors=True)
    shutil.rmtree(target / "output", ignore_errors=True)
    shutil.rmtree(target / ".pipeline", ignore_errors=True)
    # A person's work that must survive every interruption.
    target.joinpath("locales", "cs").mkdir(parents=True)
    return target


def _seed_reviewed_entry(project: Path) -> None:
    """After a first update, a reviewer approves one Czech translation."""
    po_file = project / "locales" / "cs" / "kras-interview.po"
    po = polib.pofile(str(po_file))
    entry = po.find("Greetings to Russia.")
    assert entry is not None
    entry.msgstr = "Pozdrav do Ruska."
    entry.flags = []
    po.save(str(po_file))


def _every_file_is_whole(project: Path) -> None:
    for po in project.glob("locales/**/*.po"):
        polib.pofile(str(po))  # raises on a cut file
    for html in project.glob("output/**/*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")


@pytest.mark.slow
def test_killed_builds_finish_like_an_uninterrupted_one(
    argos_models: ArgosModels, repo_copy: Path, tmp_path: Path
) -> None:
    reference = _fresh(repo_copy, "reference", tmp_path)
    subprocess.run(
        [sys.executable, "-m", "pipeline", "update", "--quiet"],
        cwd=reference, env=_env(), check=True,
    )  # fmt: skip
    _seed_reviewed_entry(reference)
    started = time.monotonic()
    _complete(reference)
    duration = time.monotonic() - started
    expected = contents(reference)
    assert expected["locales/cs/kras-interview.po"].count(b"# mt: argos-batch") > 100

    rng = random.Random(20261125)
    kills = 0
    for round_number in range(ROUNDS):
        project = _fresh(repo_copy, f"interrupted-{round_number}", tmp_path)
        subprocess.run(
            [sys.executable, "-m", "pipeline", "update", "--quiet"],
            cwd=project, env=_env(), check=True,
        )  # fmt: skip
        _seed_reviewed_entry(project)
        for _ in range(KILLS_PER_ROUND):
            process = _start(project)
            time.sleep(rng.uniform(0.05, duration))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(timeout=600)
            _every_file_is_whole(project)
        _complete(project)
        assert contents(project) == expected, f"round {round_number} differs"
    assert kills >= 20
