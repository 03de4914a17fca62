"""Load on `pipeline serve`: 20 reviewers save over HTTP while `pipeline build` runs in a loop.

No save is lost (each entry holds its reviewer's last answered save), every catalog passes
`msgfmt --check`, and the builds succeed. Every save waits for the project lock that each build
holds for seconds, so the run is long (about a minute on two cores). `PIPELINE_SERVE_SAVES=N`
changes the count for a quick local run; benchmarks/bench_serve.py makes the same 1,000 saves and
reports p50 and p95 latency.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from serve_helpers import LANGUAGES, entries_of, po
from serve_load import load_project, run_load

pytestmark = [pytest.mark.loopback, pytest.mark.slow]

SAVES = int(os.environ.get("PIPELINE_SERVE_SAVES", "1000"))


def test_twenty_reviewers_and_a_build_loop_lose_nothing(tmp_path: Path) -> None:
    config = load_project(tmp_path / "project")
    result = run_load(config, reviewers=20, saves=SAVES, deadline=400, build_pause=1.5)
    assert result.errors == []
    assert len(result.latencies) == SAVES
    assert result.builds >= 1 and result.build_failures == []
    assert result.conflicts == 0  # each reviewer owns its entries: nothing to conflict with
    for language in LANGUAGES:
        entries = entries_of(po(config, language))
        saved = {
            source: text for (lang, source), text in result.expected.items() if lang == language
        }
        assert saved, language
        for source, text in saved.items():
            assert entries[(None, source)].msgstr == text, (language, source)
        check = subprocess.run(
            [
                shutil.which("msgfmt") or "msgfmt",
                "--check",
                "-o",
                os.devnull,
                str(po(config, language)),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stderr
