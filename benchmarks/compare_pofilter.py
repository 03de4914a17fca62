"""Placeholder findings: our `placeholders` check against pofilter's `variables`, `printf` and
`pythonbraceformat` tests (translate-toolkit), on the real catalogs in tests/fixtures/po and on
the bugs tests/test_placeholders.py plants into copies of them.

Prints, per catalog, the entries each tool flags, then every entry only one of them flags, so
each difference can be explained (docs/checks.md, "Placeholders"). Needs `pofilter` on PATH.

    python benchmarks/compare_pofilter.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "po"
TESTS = ("variables", "printf", "pythonbraceformat")
_NOTE = re.compile(r"^# \(pofilter\) (\w+): (.*)$")


def pofilter_flags(path: Path) -> dict[str, list[str]]:
    """msgid → the pofilter notes on it, for the three tests."""
    import polib  # only a benchmark: the pipeline reads PO files through pipeline/catalog.py

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.po"
        command = ["pofilter", "--progress=none", *(f"-t{test}" for test in TESTS)]
        subprocess.run([*command, str(path), str(out)], check=True, capture_output=True)
        if not out.exists():
            return {}
        flagged: dict[str, list[str]] = {}
        for entry in polib.pofile(str(out)):
            notes = [
                f"{m.group(1)}: {m.group(2)}"
                for line in entry.tcomment.splitlines()
                if (m := _NOTE.match("# " + line))
            ]
            if notes:
                flagged[entry.msgid] = notes
        return flagged


def our_flags(path: Path) -> dict[str, list[str]]:
    """msgid → our `placeholders` findings on it."""
    from pipeline.catalog import read_catalog
    from pipeline.checks.catalog import check_catalog

    catalog = read_catalog(path, display=path.name)
    flagged: dict[str, list[str]] = {}
    for finding in check_catalog(catalog, catalog.language[:2], display=path.name):
        if finding.check == "placeholders":
            flagged.setdefault(finding.msgid, []).append(finding.message)
    return flagged


def compare(rows: list[tuple[str, Path]]) -> list[tuple[str, str, str, str]]:
    """Print one table row per catalog; return (catalog, tool, msgid, notes) of the differences."""
    print(f"| {'catalog':<52} | pofilter | ours | both |")
    print(f"| {'-' * 52} | -------: | ---: | ---: |")
    differences = []
    totals = [0, 0, 0]
    for label, path in rows:
        theirs = pofilter_flags(path)
        ours = our_flags(path)
        both = theirs.keys() & ours.keys()
        counts = (len(theirs), len(ours), len(both))
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        print(f"| {label:<52} | {counts[0]:>8} | {counts[1]:>4} | {counts[2]:>4} |")
        differences += [
            (label, "pofilter only", msgid, "; ".join(notes))
            for msgid, notes in theirs.items()
            if msgid not in ours
        ]
        differences += [
            (label, "ours only", msgid, "; ".join(notes))
            for msgid, notes in ours.items()
            if msgid not in theirs
        ]
    print(f"| {'total':<52} | {totals[0]:>8} | {totals[1]:>4} | {totals[2]:>4} |")
    return differences


def planted(folder: Path) -> list[tuple[str, Path]]:
    """Copies of the real catalogs, one per bug of tests/test_placeholders.py's PLANTED."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_placeholders import PLANTED

    rows = []
    for number, (name, old, new, message) in enumerate(PLANTED, start=1):
        copy = folder / f"{number:02d}-{name}"
        text = (FIXTURES / name).read_text(encoding="utf-8")
        copy.write_text(text.replace(old, new), encoding="utf-8")
        rows.append((f"{number:02d} {message[:48]}", copy))
    return rows


def main() -> int:
    if shutil.which("pofilter") is None:
        print("pofilter not found: pip install translate-toolkit", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO))
    print("Entries flagged on the real catalogs (tests/fixtures/po):\n")
    differences = compare([(path.name, path) for path in sorted(FIXTURES.glob("*.po"))])
    with tempfile.TemporaryDirectory() as folder:
        print("\nEntries flagged on copies with one planted bug each:\n")
        differences += compare(planted(Path(folder)))
    print("\nDifferences:")
    for label, tool, msgid, notes in differences:
        shown = msgid if len(msgid) <= 60 else msgid[:59] + "…"
        print(f"- {label}: {tool}: {shown!r}: {notes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
