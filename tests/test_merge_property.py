"""Property: whatever the source and the translators do, an update never loses a translation.

Random catalogs, random human edits and random source changes (sentences edited, removed, added,
brought back), in sequences of updates: every translation present before an update is present
after it, as an active, fuzzy or obsolete entry, and the update invents none.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalog import dump_catalog, parse_catalog
from pipeline.merge import merge_catalog
from pipeline.model import Catalog, Entry

WORDS = ["war", "peace", "the", "strike", "union", "workers", "army", "of", "front", "law"]
HEADER = {"Language": "uk", "Content-Type": "text/plain; charset=UTF-8"}
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(
    lambda words: " ".join(words).capitalize() + "."
)


def translations(catalog: Catalog) -> set[str]:
    return {entry.msgstr for entry in catalog.entries if entry.msgstr}


def template_of(msgids: list[str]) -> Catalog:
    unique = list(dict.fromkeys(msgids))
    entries = [Entry(msgid=text, references=[f"source/d.txt:{n}"]) for n, text in enumerate(unique)]
    return Catalog(header={"POT-Creation-Date": "2030-01-01 00:00+0000"}, entries=entries)


@st.composite
def source_change(draw: st.DrawFn, msgids: list[str], seen: list[str]) -> list[str]:
    """One author's round: some sentences edited, removed, added or brought back."""
    changed: list[str] = []
    for text in msgids:
        action = draw(st.sampled_from(["keep", "keep", "keep", "edit", "remove"]))
        if action == "edit":
            words = text.rstrip(".").lower().split()
            position = draw(st.integers(0, len(words) - 1))
            how = draw(st.sampled_from(["replace", "insert", "delete"]))
            if how == "replace":
                words[position] = draw(st.sampled_from(WORDS))
            elif how == "insert":
                words.insert(position, draw(st.sampled_from(WORDS)))
            elif len(words) > 1:
                del words[position]
            changed.append(" ".join(words).capitalize() + ".")
        elif action == "keep":
            changed.append(text)
    changed += draw(st.lists(sentences, max_size=3))
    if seen:
        changed += draw(st.lists(st.sampled_from(seen), max_size=2))
    return changed


@st.composite
def human_edits(draw: st.DrawFn, catalog: Catalog, counter: itertools.count[int]) -> None:
    """Translators at work: translate, revise, confirm fuzzy entries (clearing `#|`)."""
    for entry in catalog.entries:
        action = draw(st.sampled_from(["none", "none", "translate", "confirm", "doubt"]))
        if action == "translate":
            entry.msgstr = f"T{next(counter)}"
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
        elif action == "confirm" and entry.msgstr and not entry.obsolete:
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
        elif action == "doubt" and entry.msgstr and "fuzzy" not in entry.flags:
            entry.flags.insert(0, "fuzzy")  # a fuzzy entry with no `#|`


def check_update(before: Catalog, tmpl: Catalog, after: Catalog) -> None:
    kept = translations(before)
    assert kept <= translations(after), kept - translations(after)  # nothing lost
    active = [entry for entry in after.entries if not entry.obsolete]
    assert [entry.msgid for entry in active] == [entry.msgid for entry in tmpl.entries]
    for entry in active:
        assert not entry.msgstr or entry.msgstr in kept  # nothing invented
        if entry.previous_msgid is not None:
            assert entry.fuzzy and entry.msgstr
    keys = [entry.key for entry in after.entries]
    assert len(keys) == len(set(keys))


@SETTINGS
@given(st.data())
def test_sequences_of_updates_never_lose_a_translation(data: st.DataObject) -> None:
    counter = itertools.count()
    msgids = data.draw(st.lists(sentences, min_size=1, max_size=12, unique=True))
    seen = list(msgids)
    catalog = merge_catalog(template_of(msgids), None, language="uk", now="t0")
    for step in range(data.draw(st.integers(1, 5))):
        data.draw(human_edits(catalog, counter))
        msgids = data.draw(source_change(msgids, seen))
        seen += msgids
        tmpl = template_of(msgids)
        updated = merge_catalog(tmpl, catalog, language="uk", now=f"t{step + 1}")
        check_update(catalog, tmpl, updated)
        again = merge_catalog(tmpl, updated, language="uk", now="later")
        assert again == updated  # a second update changes nothing, header included
        catalog = updated


@SETTINGS
@given(st.data())
def test_purging_obsolete_entries_keeps_every_active_translation(data: st.DataObject) -> None:
    counter = itertools.count()
    msgids = data.draw(st.lists(sentences, min_size=1, max_size=10, unique=True))
    catalog = merge_catalog(template_of(msgids), None, language="uk", now="t0")
    data.draw(human_edits(catalog, counter))
    tmpl = template_of(data.draw(source_change(msgids, [])))
    purged = merge_catalog(tmpl, catalog, language="uk", now="t1", purge_obsolete=True)
    kept = merge_catalog(tmpl, catalog, language="uk", now="t1")
    assert not any(entry.obsolete for entry in purged.entries)
    assert purged.entries == [entry for entry in kept.entries if not entry.obsolete]


@settings(max_examples=15, deadline=None, database=None)
@given(st.data())
def test_written_catalog_reads_back_as_merged(data: st.DataObject) -> None:
    """Through the real writer (polib + msgcat) and reader: what the merge decided is what the
    file says, `#|` and obsolete entries included."""
    counter = itertools.count()
    msgids = data.draw(st.lists(sentences, min_size=1, max_size=8, unique=True))
    catalog = merge_catalog(template_of(msgids), None, language="uk", now="t0")
    data.draw(human_edits(catalog, counter))
    merged = merge_catalog(
        template_of(data.draw(source_change(msgids, []))), catalog, language="uk", now="t1"
    )
    written = dump_catalog(merged)
    back = parse_catalog(written, display="written")
    assert [_view(entry) for entry in back.entries] == [_view(entry) for entry in merged.entries]
    assert back.header == merged.header
    assert dump_catalog(back) == written


def _view(entry: Entry) -> tuple[object, ...]:
    return (
        entry.msgid,
        entry.msgstr,
        entry.obsolete,
        entry.fuzzy,
        entry.previous_msgid,
        entry.references,
        entry.translator_comments,
    )
