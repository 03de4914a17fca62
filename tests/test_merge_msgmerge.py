"""Agreement with GNU msgmerge: `msgmerge --previous` and merge_catalog on the same real inputs.

The old catalogs are real ones (tests/fixtures/po); the templates are derived from them with
sentences edited, removed, added and brought back, the way a changing source does. Each case
compares the two results entry by entry. The few deliberate differences are tested by name at the
end of the file.
"""

from __future__ import annotations

import itertools
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import merge
from pipeline.catalog import dump_catalog, parse_catalog, read_catalog
from pipeline.merge import FUZZY_THRESHOLD, merge_catalog, similarity
from pipeline.model import Catalog, Entry

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "po"
CATALOGS = sorted(path.name for path in FIXTURES.glob("*.po"))
NOW = "2030-01-02 03:04+0000"
POT_DATE = "2030-01-01 00:00+0000"


@dataclass(frozen=True)
class View:
    """What a translator sees of an entry after a merge."""

    msgstr: str
    plural: tuple[tuple[int, str], ...]
    fuzzy: bool
    previous: tuple[str | None, str | None, str | None]
    comments: tuple[str, ...]
    flags: tuple[str, ...]
    references: tuple[str, ...]
    extracted: tuple[str, ...]


def views(catalog: Catalog) -> dict[tuple[bool, str | None, str], View]:
    return {
        (entry.obsolete, entry.msgctxt, entry.msgid): View(
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
            entry.fuzzy,
            (entry.previous_msgctxt, entry.previous_msgid, entry.previous_msgid_plural),
            tuple(entry.translator_comments),
            tuple(sorted(entry.flags)),
            tuple(entry.references),
            tuple(entry.extracted_comments),
        )
        for entry in catalog.entries
    }


def template_of(catalog: Catalog) -> Catalog:
    """A POT as xgettext would have written it for the catalog's active entries."""
    entries = [
        Entry(
            msgid=entry.msgid,
            msgctxt=entry.msgctxt,
            msgid_plural=entry.msgid_plural,
            msgstr_plural={0: "", 1: ""} if entry.msgid_plural is not None else {},
            flags=[flag for flag in entry.flags if flag != "fuzzy"],
            extracted_comments=list(entry.extracted_comments),
            references=list(entry.references),
        )
        for entry in catalog.entries
        if not entry.obsolete
    ]
    header = {
        "Project-Id-Version": "PACKAGE VERSION",
        "Report-Msgid-Bugs-To": "bugs@example.org",
        "POT-Creation-Date": POT_DATE,
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    return Catalog(header=header, entries=entries, header_flags=["fuzzy"])


def edit_text(text: str, rnd: random.Random) -> str:
    """A small change to an English sentence, of the kinds authors make."""
    words = text.split(" ")
    kind = rnd.randrange(6)
    if kind == 0 and len(words) > 2:
        del words[rnd.randrange(len(words))]
    elif kind == 1:
        words.insert(rnd.randrange(len(words) + 1), rnd.choice(["really", "new", "the", "all"]))
    elif kind == 2:
        position = rnd.randrange(len(words))
        words[position] = words[position].upper() if len(words[position]) > 1 else "X"
    elif kind == 3:
        return text.rstrip(".") + ("!" if not text.endswith("!") else ".")
    elif kind == 4 and len(words) > 3:
        first, second = rnd.sample(range(len(words)), 2)
        words[first], words[second] = words[second], words[first]
    else:
        return text + " Please try again."
    changed = " ".join(words)
    return changed if changed != text else text + "…"


def changed_template(catalog: Catalog, seed: int, *, newcomers: list[str]) -> Catalog:
    """The catalog's template after a round of source changes: edits, removals, additions, and
    sentences that had been removed coming back (old obsolete msgids)."""
    rnd = random.Random(seed)
    template = template_of(catalog)
    kept: list[Entry] = []
    taken = {(entry.msgctxt, entry.msgid) for entry in template.entries}
    for entry in template.entries:
        roll = rnd.random()
        if roll < 0.1:
            continue  # removed from the source
        if roll < 0.3 and entry.msgid:
            edited = edit_text(entry.msgid, rnd)
            if (entry.msgctxt, edited) not in taken:
                taken.add((entry.msgctxt, edited))
                entry.msgid = edited
        kept.append(entry)
        if rnd.random() < 0.05 and newcomers:
            text = newcomers.pop(rnd.randrange(len(newcomers)))
            if (None, text) not in taken:
                taken.add((None, text))
                kept.append(Entry(msgid=text, references=["new.c:1"]))
    for entry in catalog.entries:
        if entry.obsolete and rnd.random() < 0.5 and (entry.msgctxt, entry.msgid) not in taken:
            taken.add((entry.msgctxt, entry.msgid))
            plural = {0: "", 1: ""} if entry.msgid_plural is not None else {}
            kept.append(
                Entry(
                    msgid=entry.msgid,
                    msgctxt=entry.msgctxt,
                    msgid_plural=entry.msgid_plural,
                    msgstr_plural=plural,
                    references=["back.c:7"],
                )
            )
    template.entries = kept
    return template


def msgmerge(old: Path, pot: Path) -> Catalog:
    result = subprocess.run(
        ["msgmerge", "--previous", "--quiet", "-o", "-", str(old), str(pot)],
        capture_output=True,
        check=True,
    )
    return parse_catalog(result.stdout, display="msgmerge output")


def ours(old: Path, pot: Path, language: str) -> Catalog:
    """Read, merge and write as `pipeline update` does, then read the written bytes back."""
    merged = merge_catalog(read_catalog(pot), read_catalog(old), language=language, now=NOW)
    return parse_catalog(dump_catalog(merged), display="merge_catalog output")


def compare(old: Path, pot: Path) -> tuple[Catalog, Catalog]:
    language = read_catalog(old).language or "ru"
    theirs, mine = msgmerge(old, pot), ours(old, pot, language)
    expected, got = views(theirs), views(mine)
    missing = sorted(set(expected) - set(got), key=repr)[:3]
    extra = sorted(set(got) - set(expected), key=repr)[:3]
    assert not missing and not extra, f"only msgmerge: {missing}; only ours: {extra}"
    differing = [(key, expected[key], got[key]) for key in expected if expected[key] != got[key]]
    assert not differing, differing[:3]
    assert [e.msgid for e in theirs.entries] == [e.msgid for e in mine.entries]  # same order
    header_theirs = {k: v for k, v in theirs.header.items() if k != "PO-Revision-Date"}
    header_mine = {k: v for k, v in mine.header.items() if k != "PO-Revision-Date"}
    assert header_mine == header_theirs
    assert list(header_mine) == list(header_theirs)
    assert mine.header_comment == theirs.header_comment
    return theirs, mine


def newcomer_sentences() -> list[str]:
    """English sentences from another catalog: new source text with no translation yet."""
    help_catalog = read_catalog(FIXTURES / "gnome-clocks-help.ru.po")
    return [entry.msgid for entry in help_catalog.entries if 10 < len(entry.msgid) < 200]


def write(catalog: Catalog, path: Path) -> Path:
    path.write_bytes(dump_catalog(catalog))
    return path


# --- the cases -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CATALOGS)
def test_unchanged_template_keeps_everything_like_msgmerge(name: str, tmp_path: Path) -> None:
    old = FIXTURES / name
    pot = write(template_of(read_catalog(old)), tmp_path / "t.pot")
    theirs, mine = compare(old, pot)
    assert sum(e.obsolete for e in mine.entries) == sum(e.obsolete for e in theirs.entries)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", CATALOGS)
def test_changed_template_merges_like_msgmerge(name: str, seed: int, tmp_path: Path) -> None:
    old = FIXTURES / name
    catalog = read_catalog(old)
    pot = write(changed_template(catalog, seed, newcomers=newcomer_sentences()), tmp_path / "t.pot")
    theirs, _ = compare(old, pot)
    # The case is not trivial: msgmerge proposed fuzzy translations and made entries obsolete.
    assert any(e.fuzzy and e.previous_msgid for e in theirs.entries if not e.obsolete)
    assert any(e.obsolete for e in theirs.entries)


@pytest.mark.parametrize("name", ["gnome-clocks.sk.po", "po4a-bin.ru.po", "gettext-runtime.ru.po"])
def test_three_rounds_of_changes_stay_in_step_with_msgmerge(name: str, tmp_path: Path) -> None:
    """Each round merges into the previous round's result (msgmerge's and ours agree, so one
    file serves both), including entries that are already fuzzy with a previous msgid."""
    current = tmp_path / "round0.po"
    current.write_bytes((FIXTURES / name).read_bytes())
    newcomers = newcomer_sentences()
    for round_number in range(1, 4):
        catalog = read_catalog(current)
        pot = write(
            changed_template(catalog, 10 + round_number, newcomers=newcomers),
            tmp_path / f"round{round_number}.pot",
        )
        theirs, _ = compare(current, pot)
        current = write(theirs, tmp_path / f"round{round_number}.po")
    fuzzy_twice = [e for e in read_catalog(current).entries if e.fuzzy and e.previous_msgid]
    assert fuzzy_twice


def test_review_pair_fuzzy_entries_keep_their_previous_msgid(tmp_path: Path) -> None:
    """The real po4a catalog before review: three fuzzy entries with multi-line `#| msgid`."""
    old = FIXTURES / "po4a-bin.ru.before-review-ac8606ae.po"
    pot = write(template_of(read_catalog(old)), tmp_path / "t.pot")
    _, mine = compare(old, pot)
    stale = [e for e in mine.entries if e.fuzzy and e.previous_msgid and not e.obsolete]
    assert len(stale) == 3
    assert all("with with" in (e.previous_msgid or "") for e in stale)


def test_context_and_plural_changes_match_msgmerge(tmp_path: Path) -> None:
    """msgctxt renamed, a singular becoming plural, a plural becoming singular, msgid_plural
    edited: every case msgmerge marks fuzzy, with one translation copied to each plural form."""
    old = FIXTURES / "gnome-clocks.cs.po"
    template = template_of(read_catalog(old))
    contexts = [e for e in template.entries if e.msgctxt]
    plurals = [e for e in template.entries if e.msgid_plural is not None]
    singulars = [e for e in template.entries if e.msgid_plural is None and e.msgctxt is None]
    contexts[0].msgctxt = contexts[0].msgctxt + " renamed"  # type: ignore[operator]
    contexts[1].msgctxt = None
    plurals[0].msgid_plural = plurals[0].msgid_plural + "s"  # type: ignore[operator]
    plurals[1].msgid_plural = None
    plurals[1].msgstr_plural = {}
    singulars[5].msgid_plural = singulars[5].msgid + " (many)"
    singulars[5].msgstr_plural = {0: "", 1: ""}
    pot = write(template, tmp_path / "t.pot")
    _, mine = compare(old, pot)
    became_plural = next(e for e in mine.entries if e.msgid == singulars[5].msgid)
    assert became_plural.fuzzy and len(became_plural.msgstr_plural) == 3


def test_removed_sentence_comes_back_as_translation(tmp_path: Path) -> None:
    old = FIXTURES / "gnome-clocks.ru.po"
    catalog = read_catalog(old)
    template = template_of(catalog)
    removed = template.entries.pop(3)
    first = tmp_path / "first.po"
    write(msgmerge(old, write(template, tmp_path / "a.pot")), first)
    template.entries.insert(3, removed)
    _theirs, mine = compare(first, write(template, tmp_path / "b.pot"))
    back = mine.find(removed.msgid, removed.msgctxt)
    assert back is not None and back.msgstr and not back.fuzzy
    assert back.msgstr == catalog.find(removed.msgid, removed.msgctxt).msgstr  # type: ignore[union-attr]


def generated_sentences(count: int, seed: int) -> list[str]:
    """English-like sentences: a word-bigram chain over the interview text, all different."""
    words = (FIXTURES.parent / "kras-interview.txt").read_text(encoding="utf-8").split()
    following: dict[str, list[str]] = {}
    for first, second in itertools.pairwise(words):
        following.setdefault(first, []).append(second)
    starts = [word for word in words if word[:1].isupper()]
    rnd = random.Random(seed)
    seen: set[str] = set()
    sentences: list[str] = []
    while len(sentences) < count:
        word = rnd.choice(starts)
        chain = [word]
        for _ in range(rnd.randint(4, 30)):
            word = rnd.choice(following.get(word) or starts)
            chain.append(word)
        text = " ".join(chain)
        if text not in seen:
            seen.add(text)
            sentences.append(text)
    return sentences


def generated_case(tmp_path: Path, count: int) -> tuple[Path, Path]:
    entries = [
        Entry(msgid=text, msgstr=text[::-1], references=[f"s.txt:{line}"])
        for line, text in enumerate(generated_sentences(count, 7), start=1)
    ]
    header = {"Language": "cs", "Content-Type": "text/plain; charset=UTF-8"}
    old = write(Catalog(header=header, entries=entries), tmp_path / "old.po")
    newcomers = generated_sentences(count + count // 10, 8)[count:]
    template = changed_template(read_catalog(old), 5, newcomers=newcomers)
    return old, write(template, tmp_path / "t.pot")


def test_generated_catalog_of_1500_sentences_matches_msgmerge(tmp_path: Path) -> None:
    """1,500 generated sentences with a fifth edited: within the size where every old entry is
    compared, the choice is msgmerge's own, entry for entry."""
    old, pot = generated_case(tmp_path, 1500)
    theirs, _ = compare(old, pot)
    assert sum(e.fuzzy for e in theirs.entries) > 150


def test_bounded_search_of_large_catalogs_agrees_on_every_real_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deliberate difference: above 200 kB of old msgids, a query compares only the few old
    entries that share most of its rarest 4-grams (bounded work per sentence; msgmerge compares
    all, which makes it quadratic). Every edited sentence still gets msgmerge's choice; the only
    differences allowed are coincidental resemblances just above the 0.6 threshold."""
    monkeypatch.setattr(merge, "_EXHAUSTIVE_BYTES", 0)  # the large-catalog search, on 1,500
    old, pot = generated_case(tmp_path, 1500)
    theirs, mine = msgmerge(old, pot), ours(old, pot, "cs")
    mine_active = {e.key: e for e in mine.entries if not e.obsolete}
    coincidences = 0
    for entry in theirs.entries:
        if entry.obsolete:
            continue
        other = mine_active[entry.key]
        if views(Catalog({}, [entry])) == views(Catalog({}, [other])):
            continue
        assert entry.previous_msgid is not None, entry.msgid  # we proposed one, msgmerge none
        assert similarity(entry.msgid, entry.previous_msgid) < 0.7, entry.msgid
        if other.previous_msgid is not None:
            assert similarity(entry.msgid, other.previous_msgid) > FUZZY_THRESHOLD
        coincidences += 1
    assert coincidences <= len(mine_active) // 100


# --- deliberate differences, by name -------------------------------------------------------------

DIFFERENCES_OLD = """\
msgid ""
msgstr ""
"Language: cs\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "%d files"
msgstr "soubory"

# mt: argos translate-en_cs 1.9 0123456789ab
#, fuzzy
msgid "The meeting starts at noon."
msgstr "Schůze začíná v poledne."

msgid "Removed."
msgstr "Odstraněno."
"""
DIFFERENCES_POT = """\
msgid ""
msgstr ""
"POT-Creation-Date: 2030-01-01 00:00+0000\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

#, c-format
msgid "%d files"
msgstr ""

msgid "The meeting starts at one."
msgstr ""
"""


def _difference_case(tmp_path: Path) -> tuple[Catalog, Catalog]:
    old = tmp_path / "old.po"
    old.write_text(DIFFERENCES_OLD, encoding="utf-8")
    pot = tmp_path / "t.pot"
    pot.write_text(DIFFERENCES_POT, encoding="utf-8")
    return msgmerge(old, pot), ours(old, pot, "cs")


def test_difference_fuzzy_entry_without_previous_msgid_records_its_msgid(tmp_path: Path) -> None:
    """A fuzzy entry with no `#|` (machine output, or a translator's doubt) matched to a changed
    sentence: msgmerge writes no previous msgid, so the reviewer cannot see the English changed
    (and a machine translation would still look current). We record the old msgid."""
    theirs, mine = _difference_case(tmp_path)
    theirs_entry = theirs.find("The meeting starts at one.")
    mine_entry = mine.find("The meeting starts at one.")
    assert theirs_entry is not None and mine_entry is not None
    assert theirs_entry.fuzzy and theirs_entry.previous_msgid is None
    assert mine_entry.fuzzy and mine_entry.previous_msgid == "The meeting starts at noon."
    assert mine_entry.msgstr == theirs_entry.msgstr


def test_difference_no_format_check_when_the_template_adds_a_format_flag(tmp_path: Path) -> None:
    """msgmerge marks an entry fuzzy when the template newly flags it c-format and the old
    translation would fail `msgfmt -c`. Our templates carry no format flags (prose, not
    code); placeholder mismatches are reported by `pipeline check` instead."""
    theirs, mine = _difference_case(tmp_path)
    theirs_entry, mine_entry = theirs.find("%d files"), mine.find("%d files")
    assert theirs_entry is not None and mine_entry is not None
    assert theirs_entry.fuzzy and not mine_entry.fuzzy
    assert theirs_entry.msgstr == mine_entry.msgstr == "soubory"
    assert "c-format" in mine_entry.flags


def test_difference_po_revision_date_moves_when_a_translation_changed(tmp_path: Path) -> None:
    """msgmerge never touches PO-Revision-Date; we set it when the update changed some
    translation (here: a fuzzy proposal), so the header says when the file last changed."""
    theirs, mine = _difference_case(tmp_path)
    assert "PO-Revision-Date" not in theirs.header
    assert mine.header["PO-Revision-Date"] == NOW
    assert list(mine.header)[:2] == ["POT-Creation-Date", "PO-Revision-Date"]
