"""merge_catalog on values: what a translator keeps, what changes, and the header."""

from __future__ import annotations

import copy
import gettext
import random
import subprocess
from pathlib import Path

import pytest

from pipeline import __version__, merge
from pipeline.catalog import ordered_header, set_machine_output, state_of
from pipeline.errors import ConfigError
from pipeline.merge import (
    FUZZY_THRESHOLD,
    FuzzyIndex,
    merge_catalog,
    new_header,
    plural_forms,
    similarity,
)
from pipeline.model import Catalog, Entry, State

NOW = "2030-05-06 07:08+0200"
OLD_HEADER = {
    "Project-Id-Version": "kras-interview",
    "Report-Msgid-Bugs-To": "",
    "POT-Creation-Date": "2029-01-01 00:00+0000",
    "PO-Revision-Date": "2029-02-02 10:00+0100",
    "Last-Translator": "Jana Nováková <jana@example.org>",
    "Language-Team": "Czech <cs@li.org>",
    "Language": "cs",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
    "X-Generator": "Poedit 3.4",
}
TEMPLATE_HEADER = {
    "Project-Id-Version": "kras-interview",
    "Report-Msgid-Bugs-To": "bugs@example.org",
    "POT-Creation-Date": "2030-05-01 00:00+0000",
    "Content-Type": "text/plain; charset=UTF-8",
}


def template(*msgids: str, **extra: list[str]) -> Catalog:
    entries = [
        Entry(msgid=text, references=[f"source/a.txt:{n}"], extracted_comments=[f"paragraph {n}"])
        for n, text in enumerate(msgids, start=1)
    ]
    return Catalog(header=dict(TEMPLATE_HEADER), entries=entries)


def catalog(*entries: Entry) -> Catalog:
    return Catalog(header=dict(OLD_HEADER), entries=list(entries), header_comment="Czech.")


def update(tmpl: Catalog, old: Catalog | None, **options: object) -> Catalog:
    return merge_catalog(tmpl, old, language="cs", now=NOW, **options)  # type: ignore[arg-type]


def by_msgid(result: Catalog) -> dict[str, Entry]:
    return {entry.msgid: entry for entry in result.entries}


# --- entries -------------------------------------------------------------------------------------


def test_same_msgid_keeps_translation_comments_and_fuzziness() -> None:
    old = catalog(
        Entry(
            msgid="Hello there.",
            msgstr="Ahoj.",
            translator_comments=["checked by Petr"],
            extracted_comments=["paragraph 9"],
            references=["source/a.txt:99"],
            flags=["fuzzy", "c-format"],
        ),
        Entry(msgid="Good bye.", msgstr="Sbohem."),
    )
    result = by_msgid(update(template("Hello there.", "Good bye."), old))
    hello = result["Hello there."]
    assert (hello.msgstr, hello.translator_comments) == ("Ahoj.", ["checked by Petr"])
    assert hello.references == ["source/a.txt:1"]  # refreshed from the template
    assert hello.extracted_comments == ["paragraph 1"]
    assert hello.flags == ["fuzzy"]  # fuzziness kept; format flags come from the template
    assert hello.previous_msgid is None  # fuzzy without a previous msgid stays so
    assert result["Good bye."].flags == [] and result["Good bye."].msgstr == "Sbohem."


def test_format_flags_come_from_the_template() -> None:
    tmpl = template("Hello %s.")
    tmpl.entries[0].flags = ["python-format"]
    old = catalog(Entry(msgid="Hello %s.", msgstr="Ahoj %s.", flags=["c-format"]))
    assert update(tmpl, old).entries[0].flags == ["python-format"]


def test_changed_sentence_takes_similar_translation_as_fuzzy_with_previous_msgid() -> None:
    old = catalog(
        Entry(msgid="We publish below an interview with KRAS.", msgstr="Níže zveřejňujeme."),
        Entry(msgid="Something else entirely.", msgstr="Něco jiného."),
    )
    result = by_msgid(update(template("We publish below an interview with the KRAS.", "x"), old))
    changed = result["We publish below an interview with the KRAS."]
    assert changed.msgstr == "Níže zveřejňujeme."
    assert changed.fuzzy
    assert changed.previous_msgid == "We publish below an interview with KRAS."
    assert state_of(changed) is State.STALE
    # The old entry gave its translation away, so (as in msgmerge) it is not kept as obsolete.
    obsolete = [
        e.msgid
        for e in update(template("We publish below an interview with the KRAS."), old).entries
        if e.obsolete
    ]
    assert obsolete == ["Something else entirely."]


def test_fuzzy_match_of_a_fuzzy_entry_keeps_its_original_previous_msgid() -> None:
    old = catalog(
        Entry(
            msgid="The war began in February.",
            msgstr="Válka začala v únoru.",
            flags=["fuzzy"],
            previous_msgid="The war started in February.",
        )
    )
    entry = update(template("The war began in late February."), old).entries[0]
    assert entry.previous_msgid == "The war started in February."  # what the translation says


def test_machine_translation_keeps_its_mark_and_becomes_stale() -> None:
    entry = Entry(msgid="Greetings to Russia from Prague.")
    set_machine_output(entry, "Pozdravy do Ruska z Prahy.", "argos", "translate-en_cs", "1.0")
    assert state_of(entry) is State.MACHINE
    merged = update(template("Greetings to Russia from Brno."), catalog(entry)).entries[0]
    assert merged.translator_comments == entry.translator_comments
    assert merged.previous_msgid == "Greetings to Russia from Prague."
    assert state_of(merged) is State.STALE


def test_nothing_similar_gives_an_untranslated_entry() -> None:
    old = catalog(Entry(msgid="The quick brown fox.", msgstr="Rychlá liška."))
    result = by_msgid(update(template("Totally unrelated words here."), old))
    entry = result["Totally unrelated words here."]
    assert (entry.msgstr, entry.flags, entry.previous_msgid) == ("", [], None)
    assert result["The quick brown fox."].obsolete


def test_removed_sentence_becomes_obsolete_and_comes_back_translated() -> None:
    old = catalog(
        Entry(msgid="First sentence.", msgstr="První věta."),
        Entry(
            msgid="Second sentence goes away.",
            msgstr="Druhá věta odchází.",
            translator_comments=["keep"],
            references=["source/a.txt:2"],
            extracted_comments=["paragraph 2"],
        ),
    )
    removed = update(template("First sentence."), old)
    gone = by_msgid(removed)["Second sentence goes away."]
    assert gone.obsolete and gone.msgstr == "Druhá věta odchází."
    assert gone.references == [] and gone.extracted_comments == []
    assert gone.translator_comments == ["keep"]
    back = by_msgid(update(template("First sentence.", "Second sentence goes away."), removed))
    entry = back["Second sentence goes away."]
    assert not entry.obsolete and not entry.fuzzy and entry.msgstr == "Druhá věta odchází."
    assert entry.references == ["source/a.txt:2"]
    assert not any(e.obsolete for e in back.values())


def test_obsolete_translation_is_also_offered_for_a_similar_sentence() -> None:
    old = catalog(Entry(msgid="The strike lasted three days.", msgstr="Stávka.", obsolete=True))
    entry = update(template("The strike lasted four days."), old).entries[0]
    assert entry.fuzzy and entry.msgstr == "Stávka."
    assert entry.previous_msgid == "The strike lasted three days."


def test_purge_obsolete_drops_old_and_new_obsolete_entries() -> None:
    old = catalog(
        Entry(msgid="Kept.", msgstr="Ponecháno."),
        Entry(msgid="Already obsolete.", msgstr="Zastaralé.", obsolete=True),
        Entry(msgid="Removed now and for good.", msgstr="Odstraněno."),
    )
    result = update(template("Kept."), old, purge_obsolete=True)
    assert [e.msgid for e in result.entries] == ["Kept."]
    kept = update(template("Kept."), old)
    assert [e.msgid for e in kept.entries if e.obsolete] == [
        "Already obsolete.",
        "Removed now and for good.",
    ]


def test_order_is_template_order_then_obsolete_in_old_order() -> None:
    old = catalog(
        Entry(msgid="Zeta goes first in the old file.", msgstr="Z."),
        Entry(msgid="Beta.", msgstr="B."),
        Entry(msgid="Alpha.", msgstr="A."),
    )
    result = update(template("Alpha.", "Beta.", "Gamma is new here."), old)
    assert [(e.msgid, e.obsolete) for e in result.entries] == [
        ("Alpha.", False),
        ("Beta.", False),
        ("Gamma is new here.", False),
        ("Zeta goes first in the old file.", True),
    ]


def test_singular_becoming_plural_copies_the_translation_into_every_form() -> None:
    tmpl = template("%d file")
    tmpl.entries[0].msgid_plural = "%d files"
    tmpl.entries[0].msgstr_plural = {0: "", 1: ""}
    old = catalog(Entry(msgid="%d file", msgstr="%d soubor"))
    entry = update(tmpl, old).entries[0]
    assert entry.msgstr_plural == {0: "%d soubor", 1: "%d soubor", 2: "%d soubor"}
    assert entry.fuzzy and entry.previous_msgid == "%d file"


def test_plural_becoming_singular_keeps_the_first_form_fuzzy() -> None:
    old = catalog(
        Entry(
            msgid="%d file",
            msgid_plural="%d files",
            msgstr_plural={0: "%d soubor", 1: "%d soubory", 2: "%d souborů"},
        )
    )
    entry = update(template("%d file"), old).entries[0]
    assert (entry.msgstr, entry.msgstr_plural, entry.fuzzy) == ("%d soubor", {}, True)
    assert entry.previous_msgid_plural == "%d files"


def test_new_plural_entry_gets_one_empty_form_per_plural_of_the_language() -> None:
    tmpl = template("%d day")
    tmpl.entries[0].msgid_plural = "%d days"
    tmpl.entries[0].msgstr_plural = {0: "", 1: ""}
    for old in (None, catalog()):
        assert update(tmpl, old).entries[0].msgstr_plural == {0: "", 1: "", 2: ""}


def test_context_change_is_a_fuzzy_match_and_same_context_wins_a_tie() -> None:
    old = catalog(
        Entry(msgid="Open the file now.", msgctxt="menu", msgstr="Otevřít (menu)"),
        Entry(msgid="Open the file now.", msgctxt="button", msgstr="Otevřít (tlačítko)"),
    )
    tmpl = template("Open the file now!")
    tmpl.entries[0].msgctxt = "button"
    entry = update(tmpl, old).entries[0]
    assert entry.msgstr == "Otevřít (tlačítko)" and entry.previous_msgctxt == "button"


def test_inputs_are_not_modified_and_output_shares_no_lists() -> None:
    old = catalog(
        Entry(msgid="One sentence here.", msgstr="Jedna.", translator_comments=["c"]),
        Entry(msgid="Gone.", msgstr="Pryč.", references=["a:1"]),
    )
    tmpl = template("One sentence here!", "New.")
    old_copy, tmpl_copy = copy.deepcopy(old), copy.deepcopy(tmpl)
    result = update(tmpl, old)
    assert old == old_copy and tmpl == tmpl_copy
    for entry in result.entries:
        entry.translator_comments.append("x")
        entry.references.append("x")
        entry.flags.append("x")
    assert old == old_copy and tmpl == tmpl_copy


def test_second_update_changes_nothing() -> None:
    old = catalog(
        Entry(msgid="Alpha beta gamma delta.", msgstr="A."),
        Entry(msgid="Removed sentence.", msgstr="R."),
    )
    tmpl = template("Alpha beta gamma delta!", "Brand new.")
    once = update(tmpl, old)
    twice = merge_catalog(tmpl, once, language="cs", now="2031-01-01 00:00+0000")
    assert twice == once  # PO-Revision-Date included: no translation changed the second time


# --- header --------------------------------------------------------------------------------------


def test_header_keeps_translator_fields_and_takes_template_dates() -> None:
    old = catalog(Entry(msgid="Same.", msgstr="Stejné."))
    result = update(template("Same."), old)
    header = result.header
    assert header["Last-Translator"] == OLD_HEADER["Last-Translator"]
    assert header["Language-Team"] == OLD_HEADER["Language-Team"]
    assert header["X-Generator"] == "Poedit 3.4"
    assert header["POT-Creation-Date"] == TEMPLATE_HEADER["POT-Creation-Date"]
    assert header["Report-Msgid-Bugs-To"] == "bugs@example.org"
    assert header["PO-Revision-Date"] == OLD_HEADER["PO-Revision-Date"]  # nothing translated
    assert list(header) == list(OLD_HEADER)
    assert result.header_comment == "Czech."


@pytest.mark.parametrize(
    ("msgids", "moves"),
    [
        (("Same.",), False),  # nothing changed
        (("Same.", "Completely new sentence."), False),  # only an untranslated entry added
        ((), False),  # only a removal: no translation changed
        (("Same!",), True),  # a fuzzy proposal is a changed translation
    ],
)
def test_po_revision_date_moves_only_when_a_translation_changed(
    msgids: tuple[str, ...], moves: bool
) -> None:
    old = catalog(Entry(msgid="Same.", msgstr="Stejné."))
    header = update(template(*msgids), old).header
    assert (header["PO-Revision-Date"] == NOW) is moves


def test_revived_obsolete_translation_moves_po_revision_date() -> None:
    old = catalog(Entry(msgid="Back again.", msgstr="Zase zpět.", obsolete=True))
    assert update(template("Back again."), old).header["PO-Revision-Date"] == NOW


def test_header_order_and_missing_language_like_msgmerge() -> None:
    old_header = {"Content-Type": "text/plain; charset=ISO-8859-2", "X-Custom": "1"}
    old_header |= {"Last-Translator": "J", "project-id-version": "p"}
    old = Catalog(header=old_header, entries=[])
    header = update(template(), old).header
    assert list(header) == [
        "Project-Id-Version",
        "Report-Msgid-Bugs-To",
        "POT-Creation-Date",
        "Last-Translator",
        "Language",
        "Content-Type",
        "X-Custom",
    ]
    assert header["Language"] == "cs"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"  # the file is written in UTF-8


def test_new_catalog_has_a_complete_header() -> None:
    tmpl = template("First.", "Second.")
    result = merge_catalog(tmpl, None, language="ru", now=NOW, project="kras-interview")
    assert result.header == ordered_header(result.header)
    assert result.header == {
        "Project-Id-Version": "kras-interview",
        "Report-Msgid-Bugs-To": "bugs@example.org",
        "POT-Creation-Date": TEMPLATE_HEADER["POT-Creation-Date"],
        "PO-Revision-Date": NOW,
        "Last-Translator": "Automatically generated",
        "Language-Team": "none",
        "Language": "ru",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms("ru"),
        "X-Generator": f"pipeline {__version__}",
    }
    assert result.header_comment == "Russian translation of kras-interview."
    assert [e.msgid for e in result.entries] == ["First.", "Second."]
    assert all(e.references for e in result.entries)
    assert result.entries[0] is not tmpl.entries[0]


def test_catalog_without_header_gets_a_complete_one() -> None:
    old = Catalog(header={}, entries=[Entry(msgid="Kept.", msgstr="Ponecháno.")])
    result = update(template("Kept."), old)
    assert result.header["Plural-Forms"] == plural_forms("cs")
    assert result.entries[0].msgstr == "Ponecháno."


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk", "de", "pl"])
def test_plural_forms_agree_with_msginit(language: str, tmp_path: Path) -> None:
    """Babel's expression and msginit's may differ in parentheses, never in a single n."""
    pot = tmp_path / "t.pot"
    pot.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8"
    )
    written = subprocess.run(
        ["msginit", "--no-translator", "-l", language, "-i", str(pot), "-o", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    unwrapped = written.replace('"\n"', "")
    theirs = unwrapped.split("Plural-Forms: ", 1)[1].split("\\n", 1)[0]
    ours = plural_forms(language)
    assert ours.split(";")[0] == theirs.split(";")[0]  # nplurals
    rule = gettext.c2py(ours.split("plural=", 1)[1].rstrip(";"))
    reference = gettext.c2py(theirs.split("plural=", 1)[1].rstrip(";"))
    assert [rule(n) for n in range(1000)] == [reference(n) for n in range(1000)]


def test_unknown_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown language code 'xx'"):
        merge_catalog(template("A."), None, language="xx", now=NOW)


def test_new_header_uses_template_project_without_a_project_name() -> None:
    header = new_header({"Project-Id-Version": "doc"}, language="sk", now=NOW)
    assert header["Project-Id-Version"] == "doc"
    assert header["POT-Creation-Date"] == NOW  # the template had none
    assert "Report-Msgid-Bugs-To" not in header


# --- similarity and search -----------------------------------------------------------------------


def _lcs(a: bytes, b: bytes) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def test_similarity_is_gettexts_fstrcmp_over_utf8_bytes() -> None:
    rnd = random.Random(3)
    alphabet = "ab cdé."
    for _ in range(300):
        a = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        b = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        x, y = a.encode(), b.encode()
        expected = 2 * _lcs(x, y) / (len(x) + len(y)) if x or y else 1.0
        assert similarity(a, b) == expected
    assert similarity("close", "closest") == 10 / 12
    assert similarity("", "") == 1.0 and similarity("a", "") == 0.0


def test_threshold_is_strict_like_msgmerge() -> None:
    # "abcde" vs "abxyz": LCS 2 of 10 bytes -> 0.4; "abcde" vs "abcxy": 0.6 is not enough.
    index = FuzzyIndex([Entry(msgid="abcxy", msgstr="t")])
    assert similarity("abcde", "abcxy") == FUZZY_THRESHOLD
    assert index.best("abcde") is None
    index = FuzzyIndex([Entry(msgid="abcdx", msgstr="t")])
    assert index.best("abcde") == 0


def test_untranslated_entries_are_no_candidates() -> None:
    index = FuzzyIndex([Entry(msgid="Hello world."), Entry(msgid="Hello world!", msgstr="t")])
    assert index.best("Hello world?") == 1


def test_short_msgids_are_compared_like_msgmerge() -> None:
    index = FuzzyIndex(
        [Entry(msgid="OK", msgstr="Dobře"), Entry(msgid="Ok.", msgstr="Ok."), Entry(msgid="No")]
    )
    assert index.best("OK!") == 0
    assert index.best("Ok") == 1  # "Ok." (0.8) beats "OK" (0.5)


@pytest.mark.parametrize("exhaustive", [True, False])
def test_equal_candidates_are_chosen_in_msgmerge_order(
    exhaustive: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not exhaustive:
        monkeypatch.setattr(merge, "_EXHAUSTIVE_BYTES", 0)
    entries = [
        Entry(msgid="Stop the clock", msgstr="1"),
        Entry(msgid="Stop the clocks", msgstr="2"),  # more shared 4-grams with the query
        Entry(msgid="Stop the clock", msgctxt="menu", msgstr="3"),
        Entry(msgid="Stop the clock", msgctxt="other", msgstr="4"),
    ]
    # Equal similarity: more 4-gram windows in common first, then the earlier entry.
    assert FuzzyIndex(entries[:2]).best("Stop the clock!!") == 0
    assert FuzzyIndex(entries[1::-1]).best("Stop the clock!!") == 1
    # The context bonus: no context, or the query's own, beats another context.
    assert FuzzyIndex(entries[2:]).best("Stop the clock!") == 0  # both lack the bonus
    assert FuzzyIndex(entries[2:]).best("Stop the clock!", "other") == 1
    assert FuzzyIndex([entries[2], entries[0]]).best("Stop the clock!", "other") == 1


def test_large_catalog_search_does_bounded_work_per_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above the exhaustive size, each query compares at most a fixed number of old entries
    exactly, however large the catalog (the reason an update is not quadratic)."""
    rnd = random.Random(11)
    words = ["war", "peace", "strike", "union", "workers", "state", "army", "front", "law"]
    entries = [
        Entry(msgid=" ".join(rnd.choice(words) for _ in range(12)) + f" {n}.", msgstr=str(n))
        for n in range(6000)
    ]
    index = FuzzyIndex(entries)
    assert not index.exhaustive  # 6,000 sentences are over the exhaustive size
    compared = 0
    original = merge._ratio

    def counting(query: bytes, other: bytes) -> float:
        nonlocal compared
        compared += 1
        return original(query, other)

    monkeypatch.setattr(merge, "_ratio", counting)
    for n in range(0, 6000, 60):
        assert index.best(entries[n].msgid.replace(" ", "  ", 1)) == n
    assert compared <= 100 * merge._VERIFIED
