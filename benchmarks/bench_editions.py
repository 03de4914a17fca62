"""Time a build of all five edition formats of the interview in four languages, against a
reference measured in the same run.

In a fresh copy of the repository's project (pyproject.toml, source/, locales/) with no Argos model
(so the catalogs are used as they are and nothing is machine-translated), it measures with
`python -m pipeline build` in a child process, imports included, the median of --repeat runs of:

  reference   editions = txt, md, html    output/ and .pipeline/ deleted before each run
  all five    editions = txt, md, html, epub, pdf, the same way
  no change   all five, a build right after a build (must render nothing)

and prints seconds and the ratios all five / reference and no change / reference.

    python3 benchmarks/bench_editions.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = ("txt", "md", "html")
ALL_FIVE = ("txt", "md", "html", "epub", "pdf")


def project(folder: Path, formats: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True)
    shutil.copytree(REPO / "source", folder / "source")
    if (REPO / "locales").exists():
        shutil.copytree(REPO / "locales", folder / "locales")
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    chosen = ", ".join(f'"{name}"' for name in formats)
    text = text.replace(
        "purge_obsolete = false\n", f"purge_obsolete = false\neditions = [{chosen}]\n"
    )
    (folder / "pyproject.toml").write_text(text, encoding="utf-8")
    return folder


def build(folder: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "build"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"build failed in {folder}: {done.stderr.strip()}")
    return seconds


def fresh(folder: Path) -> None:
    shutil.rmtree(folder / "output", ignore_errors=True)
    shutil.rmtree(folder / ".pipeline", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "no-models").mkdir()
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO)
        env["ARGOS_PACKAGES_DIR"] = str(root / "no-models")
        env["SOURCE_DATE_EPOCH"] = "1760000000"
        times: dict[str, list[float]] = {"reference": [], "all five": [], "no change": []}
        reference = project(root / "reference", REFERENCE)
        five = project(root / "five", ALL_FIVE)
        for _ in range(args.repeat):  # interleaved, so a busy machine slows both alike
            fresh(reference)
            times["reference"].append(build(reference, env))
            fresh(five)
            times["all five"].append(build(five, env))
            times["no change"].append(build(five, env))
        written = sorted(p.name for p in (five / "output" / "cs").iterdir())
        median = {name: statistics.median(values) for name, values in times.items()}
    print(f"interview, 4 languages, {args.repeat} runs each, median seconds (child process)")
    print(f"  files per language (all five): {', '.join(written)}")
    for name, seconds in median.items():
        print(f"  {name:<10} {seconds:7.2f} s   runs: {', '.join(f'{t:.2f}' for t in times[name])}")
    print(f"  all five / reference:  {median['all five'] / median['reference']:.2f}x")
    print(f"  no change / reference: {median['no change'] / median['reference']:.2f}x")


if __name__ == "__main__":
    main()
