"""Extracting a large Markdown file: the pipeline's segmenter against mdpo's md2po.

The three 18F posts of tests/fixtures/english, front matter kept on the first copy only, are
repeated until the file has about 10,000 paragraphs. Both sides run in this process on the same
file, best of --repeat runs:

- pipeline: `segment_markdown` (parse, units, skeleton) + the POT (`template_from_document`,
  `dump_catalog`, which ends in msgcat as `pipeline extract` does);
- pipeline, segmentation only (no POT);
- md2po: `mdpo.md2po.markdown_to_pofile` (md4c parser in C) + the PO text (`str(pofile)`).

    python benchmarks/bench_markdown.py [--paragraphs 10000] [--repeat 3]

Prints the sizes, unit counts, seconds and the ratio pipeline / md2po.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.catalog import dump_catalog, template_from_document  # noqa: E402
from pipeline.source_formats.markdown.front_matter import strip_front_matter  # noqa: E402
from pipeline.source_formats.markdown.segment import segment_markdown  # noqa: E402

ENGLISH = REPO / "tests" / "fixtures" / "english"


def large_markdown(paragraphs: int) -> str:
    """The three posts repeated (front matter on the first copy only) to about `paragraphs`."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(ENGLISH.glob("*.md"))]
    bodies = [strip_front_matter(text).strip("\n") + "\n" for text in texts]
    per_round = sum(body.count("\n\n") + 1 for body in bodies)
    rounds = max(1, round(paragraphs / per_round))
    return texts[0] + "\n" + "\n".join(bodies[1:] + bodies * (rounds - 1))


def best_of(repeat: int, run: Callable[[], int]) -> tuple[float, int]:
    best = float("inf")
    result = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from mdpo.md2po import markdown_to_pofile

    text = large_markdown(args.paragraphs)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.md"
        path.write_text(text, encoding="utf-8")

        def ours_segment() -> int:
            document = segment_markdown(text, name="large", source_path="source/large.md")
            return len(document.units)

        def ours_extract() -> int:
            document = segment_markdown(text, name="large", source_path="source/large.md")
            template = template_from_document(
                document, {"Content-Type": "text/plain; charset=UTF-8"}
            )
            dump_catalog(template)
            return len(template.entries)

        def md2po() -> int:
            pofile = markdown_to_pofile(str(path))
            str(pofile)
            return len(pofile)

        segment_seconds, units = best_of(args.repeat, ours_segment)
        extract_seconds, entries = best_of(args.repeat, ours_extract)
        md2po_seconds, md2po_entries = best_of(args.repeat, md2po)

    blocks = text.count("\n\n") + 1
    size = len(text.encode("utf-8"))
    print(f"file: {size:,} bytes, {text.count(chr(10)):,} lines, ~{blocks:,} blocks")
    print(f"pipeline segment_markdown : {segment_seconds:7.2f} s  {units:,} units")
    print(f"pipeline extract (+POT)   : {extract_seconds:7.2f} s  {entries:,} entries (distinct)")
    print(
        f"md2po (mdpo, md4c)        : {md2po_seconds:7.2f} s  {md2po_entries:,} entries (distinct)"
    )
    print(f"ratio extract / md2po     : {extract_seconds / md2po_seconds:7.2f}")
    print(f"ratio segment / md2po     : {segment_seconds / md2po_seconds:7.2f}")


if __name__ == "__main__":
    main()
