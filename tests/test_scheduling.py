"""The examples in docs/scheduling.md really run: cron line, systemd units, CI workflow."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO

DOC = (REPO / "docs" / "scheduling.md").read_text(encoding="utf-8")


def _block(language: str, index: int = 0) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)
    return str(blocks[index])


def _localise(command: str, project: Path) -> str:
    return command.replace("/srv/translations", str(project)).replace(
        "/usr/local/bin/python3", shlex.quote(sys.executable)
    )


@pytest.fixture
def project(project: Path) -> Path:
    """The shared project without catalogs or models (conftest.py), with its state folder."""
    (project / ".pipeline").mkdir()
    return project


def _minimal_env(tmp_path: Path) -> dict[str, str]:
    """Roughly what cron and systemd give a job: no user PATH tweaks, a HOME, nothing else."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}
    for key in ("ARGOS_PACKAGES_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[key] = os.environ[key]  # keep Argos inside the test's folders
    env["PIPELINE_OFFLINE"] = "1"  # no test reaches for Argos's package index (conftest.py)
    return env


def test_cron_line_runs(project: Path, tmp_path: Path) -> None:
    line = _block("crontab").strip()
    fields = line.split(None, 5)
    assert len(fields) == 6
    for field in fields[:5]:
        assert re.fullmatch(r"[\d*/,-]+", field), field
    command = _localise(fields[5], project)
    result = subprocess.run(
        ["/bin/sh", "-c", command], env=_minimal_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 0, (result.stdout, result.stderr)
    log = (project / ".pipeline" / "cron.log").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in log]
    assert records[-1]["level"] == "summary"
    assert (project / "output" / "cs" / "kras-interview.txt").exists()


def test_systemd_units(project: Path, tmp_path: Path) -> None:
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.optionxform = str  # type: ignore[assignment,method-assign]
    service.read_string(_block("ini", 0))
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.optionxform = str  # type: ignore[assignment,method-assign]
    timer.read_string(_block("ini", 1))
    assert service["Service"]["Type"] == "oneshot"
    assert timer["Timer"]["OnUnitActiveSec"] == "30min"
    assert timer["Install"]["WantedBy"] == "timers.target"
    env = _minimal_env(tmp_path)
    key, _, value = service["Service"]["Environment"].partition("=")
    env[key] = value
    exec_start = _localise(service["Service"]["ExecStart"], project)
    workdir = _localise(service["Service"]["WorkingDirectory"], project)
    result = subprocess.run(
        shlex.split(exec_start), cwd=workdir, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.splitlines()[-1])["level"] == "summary"
    analyze = shutil.which("systemd-analyze")
    if analyze:  # where systemd is present, let it check the unit files too
        units = tmp_path / "units"
        units.mkdir()
        (units / "pipeline-build.service").write_text(_block("ini", 0))
        (units / "pipeline-build.timer").write_text(_block("ini", 1))
        subprocess.run([analyze, "verify", str(units / "pipeline-build.timer")], check=False)


def test_ci_workflow(project: Path, tmp_path: Path) -> None:
    workflow = yaml.safe_load(_block("yaml"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    build = next(run for run in runs if "pipeline build" in run)
    assert any("git add locales output" in run for run in runs)
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact") for step in steps)
    assert workflow["jobs"]["build"]["env"]["ORT_DISABLE_TELEMETRY"] == "1"
    command = build.replace("python3", shlex.quote(sys.executable))
    result = subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=project,
        env=_minimal_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((project / "build-report.json").read_text(encoding="utf-8"))
    assert len(report["pairs"]) == 4
