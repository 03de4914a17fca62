"""Sentence splitter: golden-rule share and speed, ours (pipeline.sentences) against pySBD.

Run from the repository root:

    python3 benchmarks/bench_sentences.py           # everything (pySBD speed takes ~15 s)
    python3 benchmarks/bench_sentences.py --quick   # pySBD speed on a tenth of the document

Golden rules: the (text, expected sentences) pairs of tests/fixtures/segmentation/ (pySBD's
benchmark list and English tests, pragmatic_segmenter's English spec), read by
tests/golden_rules.py. A case passes when the list of sentences, each stripped, is exactly the
expected list. Text with line breaks is split into lines first (one paragraph per line, as in
our sources); pySBD is also shown on the whole text, with and without its text cleaning.

Speed: the paragraphs of source/kras-interview.txt repeated until the document has at least
20,000 sentences; sentences per second is the best of several runs.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import golden_rules  # noqa: E402

from pipeline.sentences import sentence_spans  # noqa: E402

TARGET_SENTENCES = 20_000
REQUIRED_RATE = 20_000  # sentences per second: scheduled builds segment 20,000-sentence documents


def ours(paragraph: str) -> list[str]:
    return [paragraph[a:b] for a, b in sentence_spans(paragraph)]


def document(minimum: int) -> tuple[list[str], int]:
    """Paragraphs of the interview, repeated to at least `minimum` sentences (by our count)."""
    text = (REPO / "source" / "kras-interview.txt").read_text(encoding="utf-8")
    paragraphs = [re.sub(r"^\d+\)\s*", "", line) for line in text.splitlines() if line.strip()]
    per_copy = sum(len(sentence_spans(p)) for p in paragraphs)
    copies = -(-minimum // per_copy)
    return paragraphs * copies, per_copy * copies


def rate(split: Callable[[str], object], paragraphs: list[str], sentences: int, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for paragraph in paragraphs:
            split(paragraph)
        best = min(best, time.perf_counter() - started)
    return sentences / best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time pySBD on a tenth of the text")
    args = parser.parse_args()

    import pysbd  # type: ignore[import-untyped]

    pysbd_plain = pysbd.Segmenter(language="en", clean=False)
    pysbd_clean = pysbd.Segmenter(language="en", clean=True)

    by_file = golden_rules.load_cases()
    unique = golden_rules.unique_cases(by_file)
    single = [c for c in unique if not c.multiline]
    multi = [c for c in unique if c.multiline]
    rows: list[tuple[str, list[golden_rules.Case]]] = [
        *by_file.items(),
        ("all distinct cases", unique),
        ("  of which one line", single),
        ("  of which several lines", multi),
    ]
    splitters: list[tuple[str, golden_rules.Splitter]] = [
        ("ours, by line", golden_rules.by_lines(ours)),
        ("pySBD, by line", golden_rules.by_lines(pysbd_plain.segment)),
        ("pySBD, whole text", pysbd_plain.segment),
        ("pySBD clean=True", pysbd_clean.segment),
    ]
    print("Golden rules: share of cases whose sentence list is exactly right")
    print(f"{'cases':<46}" + "".join(f"{name:>20}" for name, _ in splitters))
    for label, cases in rows:
        cells = [str(golden_rules.score(split, cases)) for _, split in splitters]
        print(f"{label:<46}" + "".join(f"{cell:>20}" for cell in cells))
    headline = golden_rules.score(splitters[0][1], unique)
    rival = golden_rules.score(splitters[1][1], unique)
    print(f"\nours: {headline}; pySBD (same policy): {rival}")
    print("ours fails:", "; ".join(f"{c.name}" for c in headline.failed))

    paragraphs, sentences = document(TARGET_SENTENCES)
    ours_rate = rate(sentence_spans, paragraphs, sentences, runs=5)
    sample = paragraphs[: len(paragraphs) // 10] if args.quick else paragraphs
    sample_sentences = sum(len(sentence_spans(p)) for p in sample)
    pysbd_rate = rate(pysbd_plain.segment, sample, sample_sentences, runs=1)
    print(f"\nSpeed on {sentences} sentences ({len(paragraphs)} paragraphs of kras-interview.txt)")
    print(f"ours : {ours_rate:>10,.0f} sentences/s")
    print(f"pySBD: {pysbd_rate:>10,.0f} sentences/s (clean=False, {sample_sentences} sentences)")
    print(f"ratio: ours is {ours_rate / pysbd_rate:.0f}x faster")
    if ours_rate < REQUIRED_RATE:
        print(f"TOO SLOW: below {REQUIRED_RATE} sentences/s")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
