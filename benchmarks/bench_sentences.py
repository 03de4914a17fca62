"""Sentence splitter: golden-rule share and speed, ours (pipeline.sentences) against pySBD.

Run from the repository root:

    python3 benchmarks/bench_sentences.py           # everything (pySBD speed takes ~60 s)
    python3 benchmarks/bench_sentences.py --quick   # pySBD speed on a tenth of the document

Golden rules: the (text, expected sentences) pairs of tests/fixtures/segmentation/ (pySBD's
benchmark list and English tests, pragmatic_segmenter's English spec), read by
tests/golden_rules.py. Each splitter is scored two ways, in the same run:

- exact text: the list of sentences, each stripped, is exactly the expected list;
- cut positions: each sentence is first tidied with `sentence_clean.clean` and its whitespace
  collapsed (the expected ones too). A span of the source cannot equal a rewritten sentence
  (`<em>Yes.</em>` for `Yes.`), but it can be cut where the golden rule cuts.

Splitters: "ours, .txt units" is what translators get: the units of `segment.segment_text` (a
line broken inside a sentence joined, other lines one paragraph each), split by
`sentence_spans`. "ours clean" is `sentences.clean_sentences` (tidied sentences, not spans), as
pySBD's clean=True. pySBD gets the whole text.

Speed: the paragraphs of source/kras-interview.txt repeated until the document has at least
20,000 sentences, as they are and with each paragraph wrapped in `<p>…</p>` (the tidying path);
sentences per second is the best of several runs. Ours must stay 20 times faster than pySBD
under the same contract, in the same run.
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

from pipeline.sentences import clean_sentences, sentence_spans  # noqa: E402

TARGET_SENTENCES = 20_000
REQUIRED_RATE = 20_000  # sentences per second: scheduled builds segment 20,000-sentence documents
REQUIRED_RATIO = 20  # times pySBD's speed under the same contract (issue 16)


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
    rows: list[tuple[str, list[golden_rules.Case]]] = [
        *by_file.items(),
        ("all distinct cases", unique),
        ("  of which one line", [c for c in unique if not c.multiline]),
        ("  of which several lines", [c for c in unique if c.multiline]),
    ]
    splitters: list[tuple[str, golden_rules.Splitter]] = [
        ("ours, .txt units", golden_rules.as_text_source),
        ("ours clean", clean_sentences),
        ("pySBD clean=True", pysbd_clean.segment),
        ("pySBD clean=False", pysbd_plain.segment),
    ]
    scores: dict[tuple[bool, str, str], golden_rules.Score] = {}
    for tidied, title in ((False, "exact text"), (True, "cut positions (each sentence tidied)")):
        print(f"Golden rules, {title}: share of cases whose sentence list is right")
        print(f"{'cases':<46}" + "".join(f"{name:>21}" for name, _ in splitters))
        for label, cases in rows:
            cells = []
            for name, split in splitters:
                found = golden_rules.score(split, cases, tidied=tidied)
                scores[tidied, label, name] = found
                cells.append(str(found))
            print(f"{label:<46}" + "".join(f"{cell:>21}" for cell in cells))
        print()
    failed = False
    for ours_name, ours_tidied, rival_name, rival_tidied, required in (
        ("ours, .txt units", True, "pySBD clean=True", False, True),  # issue 16's figures
        ("ours, .txt units", True, "pySBD clean=True", True, False),  # the same tidying
        ("ours, .txt units", False, "pySBD clean=False", False, True),
        ("ours clean", False, "pySBD clean=True", False, True),
    ):
        for label in ("all distinct cases", "  of which one line"):
            mine = scores[ours_tidied, label, ours_name]
            theirs = scores[rival_tidied, label, rival_name]
            below = mine.passed < theirs.passed
            verdict = "ok" if not below else "BELOW pySBD" if required else "below pySBD"
            print(
                f"{ours_name} ({_metric(ours_tidied)}): {mine}; {rival_name} "
                f"({_metric(rival_tidied)}): {theirs} [{label.strip()}] {verdict}"
            )
            failed |= below and required
    for name, tidied in (("ours, .txt units", True), ("ours clean", False)):
        failures = scores[tidied, "all distinct cases", name].failed
        print(f"{name} fails ({_metric(tidied)}):", "; ".join(c.name for c in failures))

    paragraphs, sentences = document(TARGET_SENTENCES)
    marked_up = [f"<p>{paragraph}</p>" for paragraph in paragraphs]
    print(f"\nSpeed on {sentences} sentences ({len(paragraphs)} paragraphs of kras-interview.txt)")
    for ours_name, mine_split, text, rival_name, rival_split in (
        ("spans", sentence_spans, paragraphs, "pySBD clean=False", pysbd_plain.segment),
        ("spans", sentence_spans, paragraphs, "pySBD clean=True", pysbd_clean.segment),
        ("spans of <p>", sentence_spans, marked_up, "pySBD clean=True", pysbd_clean.segment),
        ("clean", clean_sentences, paragraphs, "pySBD clean=True", pysbd_clean.segment),
    ):
        sample = text[: len(text) // 10] if args.quick else text
        sample_sentences = sum(len(sentence_spans(p)) for p in sample)
        ours_rate = rate(mine_split, text, sentences, runs=5)
        pysbd_rate = rate(rival_split, sample, sample_sentences, runs=1)
        ratio = ours_rate / pysbd_rate
        print(
            f"ours {ours_name}: {ours_rate:,.0f} sentences/s; {rival_name}: {pysbd_rate:,.0f}"
            f" sentences/s; ours is {ratio:.0f}x faster"
        )
        if ours_rate < REQUIRED_RATE:
            print(f"TOO SLOW: below {REQUIRED_RATE} sentences/s")
            failed = True
        if ratio < REQUIRED_RATIO:
            print(f"TOO SLOW: less than {REQUIRED_RATIO}x pySBD")
            failed = True
    return 1 if failed else 0


def _metric(tidied: bool) -> str:
    return "cut positions" if tidied else "exact text"


if __name__ == "__main__":
    raise SystemExit(main())
