"""Time the translation memory's fuzzy lookup (`Memory.similar`) on thousands of reviewed units.

The memory holds the interview's sentences, varied with a counter so there are `--units` distinct
ones (a real project's sentences differ in a word or a number just as often); the queries are
`--queries` of them with one word changed, so most have matches above the threshold. The
reference, measured in the same run, is the obvious loop: `fuzz.ratio` against every unit in
Python, then the best three at or above 0.75. Both must give the same suggestions.

    python3 benchmarks/bench_memory.py [--units 5000] [--queries 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def sentences() -> list[str]:
    from pipeline.segment import segment_text

    document = segment_text(
        (REPO / "source" / "kras-interview.txt").read_text(encoding="utf-8"),
        name="kras",
        source_path="source/kras.txt",
    )
    return list(dict.fromkeys(unit.msgid for unit in document.units))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    from rapidfuzz import fuzz

    from pipeline.memory import SUGGESTIONS, THRESHOLD, Memory, MemoryUnit

    base = sentences()
    units = [f"{base[i % len(base)]} ({i // len(base)})" for i in range(args.units)]
    memory = Memory(MemoryUnit(None, text, f"T{i}", "doc") for i, text in enumerate(units))
    step = max(1, len(units) // args.queries)
    queries = []
    for text in units[::step][: args.queries]:
        words = text.split()
        words[len(words) // 2] = "changed"
        queries.append(" ".join(words))

    def reference(query: str) -> list[str]:
        scored = [(fuzz.ratio(query, text), i) for i, text in enumerate(units)]
        kept = sorted((-s, i) for s, i in scored if s >= THRESHOLD * 100)[:SUGGESTIONS]
        return [units[i] for _, i in kept]

    clock = time.perf_counter()
    expected = [reference(query) for query in queries]
    loop = time.perf_counter() - clock
    clock = time.perf_counter()
    found = [[s.source for s in memory.similar(query)] for query in queries]
    fast = time.perf_counter() - clock
    assert found == expected, "Memory.similar differs from the reference loop"
    hits = sum(1 for result in found if result)
    print(f"{len(units)} units, {len(queries)} queries, {hits} with suggestions (same as the loop)")
    print(f"Python loop over fuzz.ratio: {loop / len(queries) * 1000:.2f} ms per query")
    per_query = fast / len(queries) * 1000
    print(f"Memory.similar (process.extract, score_cutoff): {per_query:.2f} ms per query")
    print(f"ratio: {loop / fast:.1f}x faster")


if __name__ == "__main__":
    main()
