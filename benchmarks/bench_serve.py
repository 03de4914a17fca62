"""Time saves through `pipeline serve`: p50 and p95 latency of 1,000 saves by 20 reviewers.

Three runs on the same kind of project (one document, 36 sentences, three languages):

- reference: `saving.save_entry` called directly, one save after another (no HTTP, no build):
  what one locked compare-and-swap save of a catalog costs;
- HTTP: the reviewers' saves through a real uvicorn on 127.0.0.1, no build running;
- HTTP + builds: the same while `pipeline build` runs in a loop (a pause of --build-pause
  seconds between builds), as tests/test_serve_load.py does; saves answered "try again" (503,
  the build held the lock longer than 2 s) are retried and counted.

Ratios are against the reference's p50. Every run checks that no save was lost.

    python3 benchmarks/bench_serve.py [--saves 1000] [--reviewers 20] [--build-pause 1.5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def direct(root: Path, count: int) -> list[float]:
    from serve_load import load_project, load_text

    from pipeline.catalog import read_catalog
    from pipeline.model import Entry
    from pipeline.serve.saving import Save, entry_key, entry_version, find_by_key, save_entry

    config = load_project(root)
    path = config.locales_dir / "cs" / "doc.po"
    sources = [e.msgid for e in read_catalog(path).active() if e.msgid]
    latencies = []
    for n in range(count):
        source = sources[n % len(sources)]
        key = entry_key(Entry(source))
        entry = find_by_key(read_catalog(path), key)
        assert entry is not None
        text = load_text("cs", int(source.split()[2]), 0, n)
        save = Save("cs", "doc", key, entry_version(entry), "edit", text, "bench")
        started = time.perf_counter()
        save_entry(config, save)
        latencies.append(time.perf_counter() - started)
    return latencies


def over_http(root: Path, saves: int, reviewers: int, builds: bool, pause: float) -> object:
    from serve_helpers import entries_of
    from serve_load import load_project, run_load

    config = load_project(root)
    started = time.perf_counter()
    result = run_load(config, reviewers=reviewers, saves=saves, builds=builds, build_pause=pause)
    seconds = time.perf_counter() - started
    assert result.errors == [] and len(result.latencies) == saves, result.errors
    for (language, source), text in result.expected.items():
        found = entries_of(config.locales_dir / language / "doc.po")[(None, source)]
        assert found.msgstr == text, (language, source)
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--build-pause", type=float, default=1.5)
    parser.add_argument("--reference-saves", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        base = Path(folder)
        reference = direct(base / "direct" / "project", args.reference_saves)
        plain, plain_seconds = over_http(
            base / "http" / "project", args.saves, args.reviewers, False, args.build_pause
        )
        loaded, loaded_seconds = over_http(
            base / "builds" / "project", args.saves, args.reviewers, True, args.build_pause
        )
    p50 = percentile(reference, 0.5)
    print(f"reference: {len(reference)} direct save_entry calls, one after another")
    print(f"  p50 {p50 * 1000:7.1f} ms   p95 {percentile(reference, 0.95) * 1000:7.1f} ms")
    for label, result, seconds in (
        ("HTTP, no build", plain, plain_seconds),
        ("HTTP while `pipeline build` loops", loaded, loaded_seconds),
    ):
        latencies = result.latencies  # type: ignore[attr-defined]
        q50, q95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        print(
            f"{label}: {len(latencies)} saves by {args.reviewers} reviewers in {seconds:.1f} s, "
            f"{result.busy} answered 'try again' and retried, "  # type: ignore[attr-defined]
            f"{result.builds} builds"  # type: ignore[attr-defined]
        )
        print(
            f"  p50 {q50 * 1000:7.1f} ms ({q50 / p50:.1f}x reference)   "
            f"p95 {q95 * 1000:7.1f} ms ({q95 / p50:.1f}x reference p50)"
        )
    print("no save lost in either run; every entry holds its reviewer's last save")


if __name__ == "__main__":
    main()
