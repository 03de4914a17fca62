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

KILLS = 20
MAX_ROUNDS = 40
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


def _update_and_review(project: Path) -> None:
    """A first update, then a reviewer approves one Czech translation."""
    subprocess.run(
        [sys.executable, "-m", "pipeline", "update", "--quiet"],
        cwd=project, env=_env(), check=True,
    )  # fmt: skip
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
    # Two languages keep each build short; the other two go through the very same code.
    pyproject = repo_copy / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace(
            'target_languages = ["cs", "ru", "uk", "sk"]', 'target_languages = ["cs", "ru"]'
        ),
        encoding="utf-8",
    )
    reference = _fresh(repo_copy, "reference", tmp_path)
    _update_and_review(reference)
    started = time.monotonic()
    _complete(reference)
    duration = time.monotonic() - started
    expected = contents(reference)
    assert expected["locales/cs/kras-interview.po"].count(b"# mt: argos-batch") > 100

    # Kill builds at random moments; a round ends when a build gets to finish on its own, and
    # then one more build must leave the project exactly like the reference.
    rng = random.Random(20261125)
    kills = rounds = 0
    while kills < KILLS and rounds < MAX_ROUNDS:
        project = _fresh(repo_copy, f"interrupted-{rounds}", tmp_path)
        rounds += 1
        _update_and_review(project)
        while True:
            process = _start(project)
            time.sleep(rng.uniform(0.05, duration))
            if process.poll() is not None:
                assert process.wait() in (0, 1)
                break
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=600)
            kills += 1
            _every_file_is_whole(project)
        _complete(project)
        assert contents(project) == expected, f"round {rounds} differs"
    assert kills >= KILLS
