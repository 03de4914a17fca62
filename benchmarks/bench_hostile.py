"""Time `pipeline build` on hostile sources: one very long line, in a fresh project each.

    10k       a 10,000-character line of words with no sentence end (one unit)
    100k      the same, 100,000 characters
    Mr. 200k  a 200,000-character line of `Mr. ` repeated (no sentence ends either: one unit)
    5M        a 5,000,000-character line of words

Each source goes into a temporary project with one target language (cs) and the tiny real Argos
model of tests/argos_models.py installed in a private folder, so the engine's own sentence
splitter, CTranslate2, the checks and the editions all run; `--no-models` measures without a model
(segmentation, catalogs, editions only). Each build is a child process; the time printed is the
`seconds` the build itself records in .pipeline/last-build.json (interpreter start-up aside), with
the wall time next to it. It prints the ratio of 100k to 10k: linear is 10x, the aim is <= 15x.

    python3 benchmarks/bench_hostile.py [--no-models] [--skip-5m]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

_WORDS = (
    "the", "workers", "of", "every", "country", "met", "in", "the", "small", "hall", "and",
    "talked", "about", "war", "prisons", "solidarity", "strikes", "wages", "rent", "and", "what",
    "each", "of", "them", "could", "do", "next", "to", "help", "others",
)  # fmt: skip

PYPROJECT = """\
[project]
name = "hostile"
version = "0"

[tool.pipeline]
target_languages = ["cs"]
"""


def words_line(size: int) -> str:
    """`size` characters of lower-case words and spaces: no sentence end anywhere."""
    generator = random.Random(size)
    pieces: list[str] = []
    length = 0
    while length < size:
        word = generator.choice(_WORDS)
        pieces.append(word)
        length += len(word) + 1
    return " ".join(pieces)[:size].rstrip() + "\n"


def mister_line(size: int) -> str:
    return ("Mr. " * (size // 4)).rstrip() + "\n"


CASES = (
    ("10k", lambda: words_line(10_000)),
    ("100k", lambda: words_line(100_000)),
    ("Mr. 200k", lambda: mister_line(200_000)),
    ("5M", lambda: words_line(5_000_000)),
)


def build(project: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds the build records, wall seconds) of one `pipeline build`."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(project), "build", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"build failed ({result.returncode}): {result.stderr.strip()}")
    report = json.loads((project / ".pipeline" / "last-build.json").read_text(encoding="utf-8"))
    return float(report["seconds"]), wall


def install_models(work: Path, env: dict[str, str]) -> None:
    import argos_models

    package = argos_models.build_package(work / "models", "en", "cs", "upper")
    subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(REPO), "models", "install",
         str(package)],
        env=env, check=True, capture_output=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-models", action="store_true", help="build without an Argos model")
    parser.add_argument("--skip-5m", action="store_true", help="leave out the 5 MB line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        work = Path(tmp)
        env = dict(os.environ)
        env.update(
            ORT_DISABLE_TELEMETRY="1",
            ARGOS_PACKAGES_DIR=str(work / "argos" / "packages"),
            XDG_DATA_HOME=str(work / "argos" / "data"),
            XDG_CONFIG_HOME=str(work / "argos" / "config"),
            XDG_CACHE_HOME=str(work / "argos" / "cache"),
            ARGOS_INTRA_THREADS="1",
            PYTHONPATH=str(REPO),
        )
        if not args.no_models:
            install_models(work, env)
        results: dict[str, tuple[float, float]] = {}
        for name, make in CASES:
            if name == "5M" and args.skip_5m:
                continue
            project = work / name.replace(" ", "").replace(".", "")
            (project / "source").mkdir(parents=True)
            (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
            text = make()
            (project / "source" / "long.txt").write_text(text, encoding="utf-8")
            results[name] = build(project, env)
            seconds, wall = results[name]
            print(
                f"{name:>9} {len(text) - 1:>10,} chars  build {seconds:8.2f} s  wall {wall:8.2f} s"
            )
    mode = "without a model" if args.no_models else "with the tiny en→cs Argos model"
    ratio = results["100k"][0] / results["10k"][0]
    print(f"{mode}: 100k / 10k = {ratio:.1f}x (linear is 10x, aim <= 15x)")


if __name__ == "__main__":
    main()
