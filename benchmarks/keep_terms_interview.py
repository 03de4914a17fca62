"""The `terms` findings on the interview (source/kras-interview.txt) machine-translated with and
without the glossary's `keep` protection, using the tiny Cyrillic models of tests/argos_models.py.

The tiny models turn Latin letters Cyrillic one by one, so they show the mechanics only: without
protection `IWA` comes out `ИША` and `Connection` `Цоннецтион`; with it, the glossary's forms
(`МАТ`, `Connection`). Terms not marked keep are left to the model either way. Builds the models
in a temporary folder (a few seconds) and prints one table per language, by term.

    python benchmarks/keep_terms_interview.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ("ru", "uk")


def _environment(workdir: Path) -> None:
    """Argos reads its folders once, at import: point them into the work folder first."""
    home = workdir / "argos"
    os.environ.update(
        {
            "ARGOS_PACKAGES_DIR": str(home / "packages"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "ARGOS_DEVICE_TYPE": "cpu",
            "ARGOS_INTRA_THREADS": "1",
        }
    )
    (home / "packages").mkdir(parents=True)


def _terms_findings(workdir: Path, language: str, protect: bool) -> tuple[Counter[str], int]:
    """Terms findings by English term, and the number of units, for one run."""
    from pipeline import engines
    from pipeline.checks.catalog import check_catalog
    from pipeline.checks.glossary import load_glossary
    from pipeline.keep_terms import KeepTerms
    from pipeline.machine import translate_catalog
    from pipeline.model import Catalog, Entry
    from pipeline.mt_cache import TranslationCache
    from pipeline.segment import segment_text

    glossary = load_glossary(REPO / "locales" / "glossary.csv")
    text = (REPO / "source" / "kras-interview.txt").read_text(encoding="utf-8")
    document = segment_text(text, name="kras-interview", source_path="source/kras-interview.txt")
    msgids = list(dict.fromkeys(unit.msgid for unit in document.units))
    catalog = Catalog({"Language": language}, [Entry(msgid=m) for m in msgids])
    engine = engines.named("argos-batch").open("en", language, {})
    cache_file = workdir / f"cache-{language}-{protect}.sqlite3"
    with TranslationCache(cache_file) as cache:
        keep = KeepTerms.of(glossary, language) if protect else None
        translate_catalog(catalog, engine, cache, keep=keep)
    engine.close()
    findings = Counter(
        finding.message.split("'")[1]
        for finding in check_catalog(catalog, language, glossary=glossary)
        if finding.check == "terms"
    )
    return findings, len(msgids)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        _environment(workdir)
        sys.path.insert(0, str(REPO / "tests"))
        sys.path.insert(0, str(REPO))
        import argos_models

        from pipeline.checks.glossary import load_glossary
        from pipeline.engines.argos_install import install_model_file

        for language in LANGUAGES:
            model = argos_models.build_package(workdir / "models", "en", language, "cyrillic")
            install_model_file(model, {("en", language)})
        glossary = load_glossary(REPO / "locales" / "glossary.csv")
        for language in LANGUAGES:
            without, units = _terms_findings(workdir, language, protect=False)
            with_keep, _ = _terms_findings(workdir, language, protect=True)
            print(f"\nen→{language}, tiny Cyrillic model, {units} units: `terms` findings\n")
            print("| term | keep | without protection | with protection |")
            print("| --- | --- | ---: | ---: |")
            for term in glossary.terms:
                keep = "yes" if term.keep else ""
                row = f"| {term.english} | {keep} | {without[term.english]} | "
                print(row + f"{with_keep[term.english]} |")
            total = f"| total | | {sum(without.values())} | {sum(with_keep.values())} |"
            print(total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
