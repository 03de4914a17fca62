"""Time `pipeline build` on large generated documents, with a warm MT cache and incrementally.

Generates documents of 10,000 and 20,000 sentences from source/kras-interview.txt (sentences
varied with a counter so they are distinct), installs tiny real Argos models (tests/argos_models.py)
into a private folder, and for each size measures, in a fresh project:

  cold        first build: segmentation, catalogs, machine translation of every unit
  warm full   catalogs and editions deleted, MT cache kept: the full build with a warm cache
  no change   a build right after a build
  one para    one paragraph of the source edited, then build
  first call  in that one-paragraph build, seconds from starting `python -m pipeline build` to
              the engine's first `translate` call (the child wraps `ArgosBatchEngine.translate`
              to note the time; nothing else changes)
  startup     `python -m pipeline --version`: the interpreter and CLI start, the reference

It prints seconds and the ratios the build issues ask for: warm full at 10,000 (aim < 10 s), the
20,000/10,000 growth (aim ≤ 2.2×), warm full / one paragraph (aim ≥ 5×) and the first engine call
of a warm one-paragraph build (aim < 1 s) against the start-up measured in the same run.

The editions are txt, md and html unless --editions names others (`--editions txt md html epub
pdf`): a PDF or EPUB of the whole document is rendered again after any change to it, and
`benchmarks/bench_editions.py` times those.

    python3 benchmarks/bench_build.py [--sizes 10000 20000] [--editions txt md html]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def generate(sentences: int) -> str:
    """A text source with questions and answers, `sentences` sentences long, all distinct."""
    from pipeline.segment import segment_text

    base = segment_text(
        (REPO / "source" / "kras-interview.txt").read_text(encoding="utf-8"),
        name="kras",
        source_path="source/kras.txt",
    )
    paragraphs = [[unit.msgid for unit in block.units] for block in base.blocks if block.units]
    lines = ["An introduction to a long generated interview."]
    count, round_number, question = 1, 0, 0
    while count < sentences:
        round_number += 1
        for paragraph in paragraphs:
            if count >= sentences:
                break
            varied = [f"{s[:-1]} ({round_number}){s[-1]}" for s in paragraph]
            varied = varied[: sentences - count]
            if len(varied) <= 2 and round_number % 2:
                question += 1
                lines.append(f"{question}) " + " ".join(varied))
            else:
                lines.append(" ".join(varied))
            count += len(varied)
    return "\n".join(lines) + "\n"


# Run as the child of a timed build: notes when the engine is first asked to translate.
FIRST_CALL = """
import sys, time
from pathlib import Path
from pipeline.engines import argos_batch
marker, project = Path(sys.argv[1]), sys.argv[2]
translate = argos_batch.ArgosBatchEngine.translate
def noted(self, texts):
    if not marker.exists():
        marker.write_text(repr(time.time()))
    return translate(self, texts)
argos_batch.ArgosBatchEngine.translate = noted
from pipeline.cli import main
sys.exit(main(["--project", project, "build", "--quiet"]))
"""


def run(project: Path, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(project), "build", "--quiet", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"build failed ({result.returncode}): {result.stderr}")
    return elapsed


def run_noting_first_call(project: Path, env: dict[str, str], marker: Path) -> tuple[float, float]:
    """(seconds of the whole build, seconds from its start to the first engine call)."""
    marker.unlink(missing_ok=True)
    wall, started = time.time(), time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", FIRST_CALL, str(marker), str(project)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"build failed ({result.returncode}): {result.stderr}")
    if not marker.exists():
        raise SystemExit("the build never called the engine")
    return elapsed, float(marker.read_text()) - wall


def startup(env: dict[str, str]) -> float:
    """The fastest of three `python -m pipeline --version` runs."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        command = [sys.executable, "-m", "pipeline", "--version"]
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def measure(size: int, env: dict[str, str], work: Path, editions: list[str]) -> dict[str, float]:
    project = work / f"project-{size}"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        "[tool.pipeline]\n"
        'target_languages = ["cs", "ru", "uk", "sk"]\n'
        f"editions = {json.dumps(editions)}\n",
        encoding="utf-8",
    )
    (project / "source").mkdir()
    text = generate(size)
    (project / "source" / "big.txt").write_text(text, encoding="utf-8")
    times = {"cold": run(project, env)}
    shutil.rmtree(project / "locales")
    shutil.rmtree(project / "output")
    (project / ".pipeline" / "state.json").unlink()
    times["warm full"] = run(project, env)
    times["no change"] = run(project, env)
    lines = text.splitlines()
    middle = len(lines) // 2
    lines[middle] = "This paragraph was rewritten by an editor. " + lines[middle]
    (project / "source" / "big.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    times["one para"], times["first call"] = run_noting_first_call(
        project, env, work / "first-call"
    )
    times["startup"] = startup(env)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--editions", nargs="+", default=["txt", "md", "html"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
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
        import argos_models

        models = work / "models"
        for target, mode in (
            ("cs", "upper"),
            ("sk", "upper"),
            ("ru", "cyrillic"),
            ("uk", "cyrillic"),
        ):
            path = argos_models.build_package(models, "en", target, mode)
            subprocess.run(
                [sys.executable, "-m", "pipeline", "--project", str(REPO), "models", "install",
                 str(path)],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        results = {size: measure(size, env, work, args.editions) for size in args.sizes}
    print(f"editions: {', '.join(args.editions)}")
    print(
        f"{'sentences':>10} {'cold':>8} {'warm full':>10} {'no change':>10} {'one para':>9} "
        f"{'first call':>11} {'startup':>8}"
    )
    for size, times in results.items():
        print(
            f"{size:>10} {times['cold']:>8.2f} {times['warm full']:>10.2f} "
            f"{times['no change']:>10.2f} {times['one para']:>9.2f} {times['first call']:>11.2f} "
            f"{times['startup']:>8.2f}"
        )
    sizes = list(results)
    first = results[sizes[0]]
    print(f"warm full build of {sizes[0]} sentences × 4 languages: {first['warm full']:.2f} s")
    if len(sizes) > 1:
        growth = results[sizes[1]]["warm full"] / first["warm full"]
        print(f"growth {sizes[1]}/{sizes[0]} (warm full): {growth:.2f}× (aim ≤ 2.2×)")
    for size, times in results.items():
        print(
            f"{size}: warm full / one paragraph: {times['warm full'] / times['one para']:.1f}× "
            "(aim ≥ 5×)"
        )
        call, start = times["first call"], times["startup"]
        print(
            f"{size}: first engine call of the one-paragraph build after {call:.2f} s (aim < 1 s)"
            f" = {call / start:.1f}× the start-up ({start:.2f} s), "
            f"{call / times['one para']:.0%} of that build"
        )


if __name__ == "__main__":
    main()
