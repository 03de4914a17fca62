"""Catalog update: the pipeline's read + merge + write against GNU `msgmerge --previous`.

Generated catalogs of 10,000 and 20,000 translated sentences (English-like text: a word-bigram
chain over tests/fixtures/kras-interview.txt). The new template changes 10% of them: 6% edited
(a word replaced, inserted or deleted), 2% removed, 2% new sentences added. Both sides get the
same two files and write a new catalog:

- pipeline: `read_catalog` (PO and POT), `check_language`, `merge_catalog`, `dump_catalog`
  (polib, then msgcat) and `write_atomic`, as `pipeline update` does;
- msgmerge: `msgmerge --previous -o out.po old.po new.pot` (it may use several threads).

    python benchmarks/bench_merge.py [--sizes 10000 20000] [--repeat 3]

Prints seconds (best of --repeat), the ratio pipeline / msgmerge, how the pipeline's time
splits, the scaling from the first size to the others, and how many entries of the two
results differ.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.catalog import (  # noqa: E402
    check_language,
    dump_catalog,
    parse_catalog,
    read_catalog,
)
from pipeline.files import write_atomic  # noqa: E402
from pipeline.merge import merge_catalog  # noqa: E402
from pipeline.model import Catalog, Entry  # noqa: E402

TEXT = REPO / "tests" / "fixtures" / "kras-interview.txt"
HEADER = {
    "Project-Id-Version": "bench",
    "POT-Creation-Date": "2030-01-01 00:00+0000",
    "PO-Revision-Date": "2030-01-02 00:00+0000",
    "Last-Translator": "Jana Nováková <jana@example.org>",
    "Language-Team": "Czech <cs@li.org>",
    "Language": "cs",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
}


class Sentences:
    """English-like sentences, each different: a word-bigram chain over the interview
    ("chain"), or overlapping stretches of the interview itself ("fragments": very repetitive
    text, where msgmerge's similarity search can stop early)."""

    def __init__(self, seed: int, kind: str = "chain") -> None:
        self.kind = kind
        self.words = TEXT.read_text(encoding="utf-8").split()
        self.following: dict[str, list[str]] = {}
        for first, second in zip(self.words, self.words[1:], strict=False):
            self.following.setdefault(first, []).append(second)
        self.starts = [word for word in self.words if word[:1].isupper()]
        self.rnd = random.Random(seed)
        self.seen: set[str] = set()

    def next(self) -> str:
        while True:
            if self.kind == "fragments":
                start = self.rnd.randrange(len(self.words) - 30)
                text = " ".join(self.words[start : start + self.rnd.randint(5, 30)])
                if text not in self.seen:
                    self.seen.add(text)
                    return text
                continue
            word = self.rnd.choice(self.starts)
            chain = [word]
            for _ in range(self.rnd.randint(4, 30)):
                word = self.rnd.choice(self.following.get(word) or self.starts)
                chain.append(word)
            text = " ".join(chain)
            if text not in self.seen:
                self.seen.add(text)
                return text

    def edit(self, text: str) -> str:
        words = text.split()
        position = self.rnd.randrange(len(words))
        how = self.rnd.randrange(3)
        if how == 0:
            words[position] = self.rnd.choice(self.words)
        elif how == 1:
            words.insert(position, self.rnd.choice(self.words))
        elif len(words) > 2:
            del words[position]
        edited = " ".join(words)
        if edited in self.seen:
            return self.edit(text + " again")
        self.seen.add(edited)
        return edited


def generate(size: int, folder: Path, kind: str = "chain") -> tuple[Path, Path]:
    """old.po (size translated entries) and new.pot (10% of them changed)."""
    sentences = Sentences(seed=size, kind=kind)
    old_entries = []
    for n in range(size):
        text = sentences.next()
        old_entries.append(
            Entry(msgid=text, msgstr="CS " + text[::-1], references=[f"source/book.txt:{n + 1}"])
        )
    new_entries = []
    rnd = random.Random(size + 1)
    for entry in old_entries:
        roll = rnd.random()
        if roll < 0.02:
            continue  # removed
        text = sentences.edit(entry.msgid) if roll < 0.08 else entry.msgid
        new_entries.append(Entry(msgid=text, references=list(entry.references)))
        if rnd.random() < 0.02:
            new_entries.append(Entry(msgid=sentences.next(), references=["source/book.txt:0"]))
    old = folder / "old.po"
    old.write_bytes(dump_catalog(Catalog(header=dict(HEADER), entries=old_entries)))
    pot_header = {"Project-Id-Version": "bench", "POT-Creation-Date": "2030-02-01 00:00+0000"}
    pot_header["Content-Type"] = "text/plain; charset=UTF-8"
    pot = folder / "new.pot"
    pot.write_bytes(dump_catalog(Catalog(header=pot_header, entries=new_entries)))
    return old, pot


def best_of(repeat: int, run: Callable[[], dict[str, float]]) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        parts = run()
        parts["total"] = time.perf_counter() - start
        if not best or parts["total"] < best["total"]:
            best = parts
    return best


def pipeline_update(old: Path, pot: Path, out: Path) -> dict[str, float]:
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    template = read_catalog(pot)
    catalog = read_catalog(old)
    check_language(catalog, "cs", str(old))
    read = time.perf_counter()
    merged = merge_catalog(template, catalog, language="cs", now="2030-03-01 00:00+0000")
    merge = time.perf_counter()
    write_atomic(out, dump_catalog(merged))
    return {"read": read - start, "merge": merge - read, "write": time.perf_counter() - merge}


def msgmerge(old: Path, pot: Path, out: Path) -> dict[str, float]:
    subprocess.run(["msgmerge", "--previous", "--quiet", "-o", str(out), str(old), str(pot)],
                   check=True)  # fmt: skip
    return {}


def differences(ours: Path, theirs: Path) -> tuple[int, int, int]:
    """(entries, entries that differ, fuzzy entries of msgmerge)."""

    def view(path: Path) -> dict[tuple[bool, str | None, str], tuple[object, ...]]:
        catalog = parse_catalog(path.read_bytes(), display=path.name)
        return {
            (e.obsolete, e.msgctxt, e.msgid): (e.msgstr, e.fuzzy, e.previous_msgid)
            for e in catalog.entries
        }

    mine, reference = view(ours), view(theirs)
    keys = set(mine) | set(reference)
    differing = sum(1 for key in keys if mine.get(key) != reference.get(key))
    fuzzy = sum(1 for value in reference.values() if value[1])
    return len(reference), differing, fuzzy


def run_size(
    size: int, folder: Path, args: argparse.Namespace
) -> tuple[dict[str, float], dict[str, float], int, int]:
    old, pot = generate(size, folder, args.text)
    ours = best_of(args.repeat, lambda: pipeline_update(old, pot, folder / "ours.po"))
    theirs = best_of(args.repeat, lambda: msgmerge(old, pot, folder / "theirs.po"))
    _, differing, fuzzy = differences(folder / "ours.po", folder / "theirs.po")
    return ours, theirs, differing, fuzzy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text", choices=["chain", "fragments"], default="chain")
    args = parser.parse_args()
    version = subprocess.run(["msgmerge", "--version"], capture_output=True, text=True).stdout
    print(f"msgmerge: {version.splitlines()[0]}; text: {args.text}")
    print(
        f"{'entries':>8} {'pipeline s':>10} {'(read':>6} {'merge':>6} {'write)':>6} "
        f"{'msgmerge s':>10} {'ratio':>6} {'scaling':>8} {'differ':>7} {'fuzzy':>6}"
    )
    first_total = 0.0
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-merge-") as name:
            ours, theirs, differing, fuzzy = run_size(size, Path(name), args)
        first_total = first_total or ours["total"]
        print(
            f"{size:>8} {ours['total']:>10.2f} {ours['read']:>6.2f} {ours['merge']:>6.2f} "
            f"{ours['write']:>6.2f} {theirs['total']:>10.2f} "
            f"{ours['total'] / theirs['total']:>6.2f} {ours['total'] / first_total:>7.2f}x "
            f"{differing:>7} {fuzzy:>6}"
        )
    print("ratio = pipeline / msgmerge; scaling = pipeline time / first size's;")
    print("differ = entries whose translation, fuzziness or previous msgid differ from msgmerge's")


if __name__ == "__main__":
    main()
