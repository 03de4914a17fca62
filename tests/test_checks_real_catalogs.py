"""The checks on nine real, human-translated catalogs: each finding is a real problem (read by eye).

The catalogs are GNOME Clocks (cs, ru, sk, help in ru), po4a (ru, three versions) and GNU gettext
(ru); tests/fixtures/SOURCES.md says where each came from. They use c-format and perl-format
placeholders, GTK mnemonics, XML markup and column-aligned `--help` text, none of which may raise
a false alarm. The same data gives the length-ratio constants, measured again here.
"""

from __future__ import annotations

import math
import re
import statistics
from pathlib import Path

import pytest

from pipeline.catalog import read_catalog
from pipeline.checks.catalog import check_catalog
from pipeline.checks.damage import (
    LENGTH_MEDIAN,
    LENGTH_MIN_SOURCE,
    LENGTH_SIGMA,
    length_band,
    length_ratio,
)
from pipeline.checks.glossary import load_glossary
from pipeline.checks.msgfmt import msgfmt_findings
from pipeline.checks.translation import check_translation
from pipeline.model import Catalog, Severity

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "po"
GLOSSARY = load_glossary(Path(__file__).resolve().parent.parent / "locales" / "glossary.csv")
CATALOGS = sorted(path.name for path in FIXTURES.glob("*.po"))

FREE_SOFTWARE = (
    "English left in the Russian: 'is free software see source code for copying conditions'"
)
# Every finding on the nine catalogs, each checked by eye. The po4a problems appear three times,
# once in each version of the catalog (the review between them did not touch these entries).
EXPECTED = [
    # The version notice keeps two English sentences, "This is free software; see source code for
    # copying conditions. There is NO warranty; ...", in the Russian text (the gettext catalog
    # translates the same boilerplate: "Это свободная программа; ...").
    ("po4a-bin.ru.after-review-9f9668d0.po", 198, "english", FREE_SOFTWARE),
    # "... в качестве кодировки мастер-файла указана %s . Приведите ...": a space before the
    # full stop; the longer message below it has the same slip.
    ("po4a-bin.ru.after-review-9f9668d0.po", 651, "punctuation", "space before '.'"),
    ("po4a-bin.ru.after-review-9f9668d0.po", 1121, "punctuation", "space before '.'"),
    ("po4a-bin.ru.before-review-ac8606ae.po", 198, "english", FREE_SOFTWARE),
    ("po4a-bin.ru.before-review-ac8606ae.po", 651, "punctuation", "space before '.'"),
    ("po4a-bin.ru.before-review-ac8606ae.po", 1134, "punctuation", "space before '.'"),
    ("po4a-bin.ru.po", 203, "english", FREE_SOFTWARE),
    ("po4a-bin.ru.po", 656, "punctuation", "space before '.'"),
    ("po4a-bin.ru.po", 1146, "punctuation", "space before '.'"),
]


def _catalog(name: str) -> Catalog:
    return read_catalog(FIXTURES / name, display=name)


def test_the_nine_catalogs_are_there() -> None:
    assert len(CATALOGS) == 9
    assert {_catalog(name).language[:2] for name in CATALOGS} == {"cs", "ru", "sk"}


def test_every_finding_on_the_real_catalogs_is_a_known_real_problem() -> None:
    found = []
    for name in CATALOGS:
        catalog = _catalog(name)
        for finding in check_catalog(
            catalog, catalog.language[:2], glossary=GLOSSARY, display=name
        ):
            found.append((finding.file, finding.line, finding.check, finding.message))
            assert finding.severity is Severity.WARNING  # style slips, not broken output
            assert finding.msgid == next(e.msgid for e in catalog.entries if e.line == finding.line)
    assert found == EXPECTED


@pytest.mark.parametrize("name", CATALOGS)
def test_msgfmt_passes_on_the_real_catalogs(name: str) -> None:
    assert msgfmt_findings(FIXTURES / name, name) == []


def _pairs(names: list[str]) -> set[tuple[str, str, tuple[str, ...]]]:
    """(English, translation, flags) of every active translated entry and plural form, once."""
    pairs = set()
    for name in names:
        for entry in _catalog(name).active():
            if not entry.is_translated:
                continue
            if entry.msgid_plural is None:
                pairs.add((entry.msgid, entry.msgstr, tuple(entry.flags)))
            else:
                for text in entry.msgstr_plural.values():
                    pairs.add((entry.msgid_plural, text, tuple(entry.flags)))
    return pairs


def test_length_constants_are_the_measured_ones() -> None:
    """How the figures in checks/damage.py and docs/checks.md were measured; they must not drift."""
    by_pair = {
        "cs": ["gnome-clocks.cs.po"],
        "sk": ["gnome-clocks.sk.po"],
        "ru": [name for name in CATALOGS if ".ru." in name],
    }
    deviations = []
    for language, names in by_pair.items():
        ratios = [
            ratio
            for source, text, flags in _pairs(names)
            if (ratio := length_ratio(source, text, flags)) is not None
        ]
        median = statistics.median(ratios)
        assert round(median, 3) == LENGTH_MEDIAN[language]
        assert {"cs": 27, "sk": 27, "ru": 424}[language] == len(ratios)
        deviations += [math.log(ratio / median) for ratio in ratios]
        low, high = length_band(language)
        assert low < min(ratios) and max(ratios) < high  # no human translation is flagged
    sigma = math.sqrt(sum(d * d for d in deviations) / (len(deviations) - 1))
    assert round(sigma, 3) == LENGTH_SIGMA
    assert LENGTH_MEDIAN["uk"] == LENGTH_MEDIAN["ru"]  # no Ukrainian catalog: Russian stands in
    assert LENGTH_MIN_SOURCE == 20


def _entries() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(language, English, translation, flags) of the plain entries of the distinct catalogs."""
    rows = []
    for name in CATALOGS:
        if "review" in name:
            continue  # the same catalog as po4a-bin.ru.po, a few commits earlier
        catalog = _catalog(name)
        for entry in catalog.active():
            if entry.msgid_plural is None and entry.msgstr and entry.msgid != "translator-credits":
                rows.append((catalog.language[:2], entry.msgid, entry.msgstr, tuple(entry.flags)))
    return rows


def _checks(language: str, source: str, text: str, flags: tuple[str, ...]) -> set[str]:
    return {f.check for f in check_translation(source, text, language, flags=flags)}


def test_damage_done_to_real_entries_is_caught() -> None:
    """Machine-translation damage put into the real entries: every case is flagged."""
    counts = {"unchanged": 0, "repeated": 0, "length": 0, "numbers": 0}
    for language, source, text, flags in _entries():
        words = re.findall(r"[^\W\d_]{2,}", re.sub(r"<[^>]*>", " ", source))
        if sum(1 for word in words if word.islower()) >= 2:
            assert "unchanged" in _checks(language, source, source, flags), source
            counts["unchanged"] += 1
        last = re.findall(r"[^\W\d_]+", text)[-1:]
        if last:
            damaged = text + (" " + last[0]) * 4
            assert "repeated" in _checks(language, source, damaged, flags), damaged
            counts["repeated"] += 1
        if "<" not in source and len(source) >= 60:
            cut = " ".join(text.split()[: max(1, len(text.split()) // 4)])
            assert "length" in _checks(language, source, cut, flags), cut
            counts["length"] += 1
        numbers = re.findall(r"(?<![%\w$])\d+", re.sub(r"%\S|\{\d*\}", " ", source))
        if numbers and "<" not in source and all(number in text for number in numbers):
            damaged = re.sub(r"\d", "", text)
            if not damaged.strip():
                continue  # `2013` → ``: an empty translation is untranslated, not damaged
            assert "numbers" in _checks(language, source, damaged, flags), damaged
            counts["numbers"] += 1
    assert counts == {"unchanged": 494, "repeated": 1004, "length": 152, "numbers": 61}
