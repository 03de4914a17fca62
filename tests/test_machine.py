"""translate_catalog: what machine translation may write, the cache, the guards, crash safety."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import polib
import pytest
from argos_fixtures import ArgosModels, open_engine

from pipeline import source_formats
from pipeline.catalog import (
    machine_mark,
    output_hash,
    read_catalog,
    save_catalog,
    set_machine_output,
    state_of,
)
from pipeline.engines import EngineOutput
from pipeline.machine import MachineReport, rejection, translate_catalog
from pipeline.model import Catalog, Entry, State
from pipeline.mt_cache import TranslationCache

LANGS = ("cs", "ru", "uk", "sk")
HEADER = {
    "Project-Id-Version": "test",
    "Language": "cs",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
}


class FakeEngine:
    """An engine for tests of the orchestration: upper-cases, records every call."""

    def __init__(self, version: str = "1.0", name: str = "argos-batch") -> None:
        self.name = name
        self.model = "translate-en_cs"
        self.version = version
        self.fingerprint = f"fake v{version}"
        self.calls: list[list[str]] = []
        self.fail_on_call: int | None = None
        self.special: dict[str, EngineOutput] = {}

    def translate(self, texts: list[str]) -> list[EngineOutput]:
        self.calls.append(list(texts))
        if self.fail_on_call is not None and len(self.calls) == self.fail_on_call:
            raise KeyboardInterrupt  # what a killed run looks like from inside
        return [self.special.get(text, EngineOutput(text.upper())) for text in texts]

    def close(self) -> None:
        pass

    @property
    def units_sent(self) -> int:
        return sum(len(call) for call in self.calls)


def _catalog(msgids: list[str]) -> Catalog:
    entries = [Entry(msgid=m, references=[f"source/doc.txt:{i + 1}"]) for i, m in enumerate(msgids)]
    return Catalog(header=dict(HEADER), entries=entries, path="locales/cs/doc.po")


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[TranslationCache]:
    with TranslationCache(tmp_path / "cache" / "translations.sqlite3") as opened:
        yield opened


# --- filling and marking -------------------------------------------------------------------------


def test_fills_empty_entries_as_fuzzy_machine_output(cache: TranslationCache) -> None:
    catalog = _catalog(["Hello world.", "Second sentence here."])
    engine = FakeEngine()
    report = translate_catalog(catalog, engine, cache)
    assert report == MachineReport(filled=2, engine_calls=2)
    entry = catalog.entries[0]
    assert entry.msgstr == "HELLO WORLD."
    assert entry.flags == ["fuzzy"]
    assert entry.translator_comments == [
        f"mt: argos-batch translate-en_cs 1.0 {output_hash('HELLO WORLD.')}"
    ]
    assert state_of(entry) is State.MACHINE


def test_rerun_makes_no_engine_call_and_cache_fills_a_fresh_catalog(
    cache: TranslationCache,
) -> None:
    engine = FakeEngine()
    catalog = _catalog(["One.", "Two.", "Three."])
    translate_catalog(catalog, engine, cache)
    again = translate_catalog(catalog, engine, cache)
    assert again == MachineReport()
    fresh = _catalog(["One.", "Two.", "Three.", "Four."])
    report = translate_catalog(fresh, engine, cache)
    assert (report.from_cache, report.engine_calls, report.filled) == (3, 1, 4)
    assert engine.calls == [["One.", "Two.", "Three."], ["Four."]]
    assert [e.msgstr for e in fresh.entries] == ["ONE.", "TWO.", "THREE.", "FOUR."]


def test_identical_msgids_in_contexts_are_translated_once(cache: TranslationCache) -> None:
    catalog = _catalog(["Yes."])
    catalog.entries.append(Entry(msgid="Yes.", msgctxt="answer 2"))
    engine = FakeEngine()
    report = translate_catalog(catalog, engine, cache)
    assert (report.filled, report.engine_calls) == (2, 1)


# --- what is never touched, what is refreshed ----------------------------------------------------


def _states_catalog() -> Catalog:
    catalog = _catalog(
        [
            "Reviewed one.",
            "Edited one.",
            "Human fuzzy one.",
            "Machine one.",
            "Stale machine one.",
            "Stale edited one.",
            "Empty one.",
        ]
    )
    e = {entry.msgid: entry for entry in catalog.entries}
    set_machine_output(e["Reviewed one."], "Schváleno.", "argos-batch", "translate-en_cs", "1.0")
    e["Reviewed one."].flags.remove("fuzzy")
    set_machine_output(e["Edited one."], "STROJ.", "argos-batch", "translate-en_cs", "1.0")
    e["Edited one."].msgstr = "Upraveno člověkem."
    e["Human fuzzy one."].msgstr = "Návrh člověka."
    e["Human fuzzy one."].flags = ["fuzzy"]
    set_machine_output(e["Machine one."], "MACHINE ONE.", "argos-batch", "translate-en_cs", "1.0")
    set_machine_output(e["Stale machine one."], "OLD.", "argos-batch", "translate-en_cs", "1.0")
    e["Stale machine one."].previous_msgid = "Old machine one."
    set_machine_output(e["Stale edited one."], "OLD.", "argos-batch", "translate-en_cs", "1.0")
    e["Stale edited one."].msgstr = "Stará verze upravená."
    e["Stale edited one."].previous_msgid = "Old edited one."
    catalog.entries.append(
        Entry(msgid="%d file", msgid_plural="%d files", msgstr_plural={0: "", 1: "", 2: ""})
    )
    return catalog


def test_people_s_work_is_never_touched_and_own_output_is_refreshed(
    cache: TranslationCache,
) -> None:
    catalog = _states_catalog()
    snapshot = {entry.msgid: repr(entry) for entry in catalog.entries}
    engine = FakeEngine()  # same engine, package and version as the marks
    report = translate_catalog(catalog, engine, cache)
    assert (report.filled, report.refreshed, report.plural_skipped) == (1, 1, 1)
    assert engine.calls == [["Stale machine one.", "Empty one."]]
    e = {entry.msgid: entry for entry in catalog.entries}
    assert e["Stale machine one."].msgstr == "STALE MACHINE ONE."
    assert e["Stale machine one."].previous_msgid is None
    assert state_of(e["Stale machine one."]) is State.MACHINE
    unchanged = ["Reviewed one.", "Edited one.", "Human fuzzy one.", "Machine one."]
    unchanged += ["Stale edited one.", "%d file"]
    for msgid in unchanged:
        assert repr(e[msgid]) == snapshot[msgid], msgid


def test_new_model_version_refreshes_only_untouched_machine_output(
    cache: TranslationCache,
) -> None:
    catalog = _states_catalog()
    translate_catalog(catalog, FakeEngine("1.0"), cache)
    snapshot = {entry.msgid: repr(entry) for entry in catalog.entries}
    newer = FakeEngine("2.0")
    report = translate_catalog(catalog, newer, cache)
    assert report.refreshed == 3  # Machine one, Stale machine one, Empty one (filled by 1.0)
    assert sorted(newer.calls[0]) == ["Empty one.", "Machine one.", "Stale machine one."]
    for entry in catalog.entries:
        if entry.msgid in ("Machine one.", "Stale machine one.", "Empty one."):
            mark = machine_mark(entry)
            assert mark is not None and mark[2] == "2.0"
        else:
            assert repr(entry) == snapshot[entry.msgid], entry.msgid
    # Switching engine kind is a change of provenance too.
    assert translate_catalog(catalog, FakeEngine("2.0", name="argos"), cache).refreshed == 3


# --- quality guards ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "output", "reason"),
    [
        ("A long answer.", EngineOutput("DLOUHÁ ODPOVĚĎ", cut_short=True), "cut_short"),
        ("Hello.", EngineOutput("   "), "empty"),
        ("Hello there.", EngineOutput("Hello there."), "unchanged"),
        ("Hello.", EngineOutput("Ahoj. Ahoj. Ahoj."), "repeated"),
        ("No. No.", EngineOutput("Ne. Ne."), None),
        ("42", EngineOutput("42"), None),
        ("1)", EngineOutput("1)"), None),
        ("KRAS-IWA", EngineOutput("KRAS-IWA"), None),
        ("Hello.", EngineOutput("Ahoj."), None),
    ],
)
def test_rejection_reasons(source: str, output: EngineOutput, reason: str | None) -> None:
    assert rejection(source, output) == reason


def test_rejected_outputs_are_counted_not_written(cache: TranslationCache) -> None:
    catalog = _catalog(["Cut.", "Empty.", "Same words.", "Loop.", "Fine.", "2024"])
    engine = FakeEngine()
    engine.special = {
        "Cut.": EngineOutput("CU", cut_short=True),
        "Empty.": EngineOutput(""),
        "Same words.": EngineOutput("Same words."),
        "Loop.": EngineOutput("LOOP. LOOP."),
        "2024": EngineOutput("2024"),
    }
    report = translate_catalog(catalog, engine, cache)
    assert report.rejected == {"cut_short": 1, "empty": 1, "unchanged": 1, "repeated": 1}
    assert report.filled == 2
    assert [e.msgstr for e in catalog.entries] == ["", "", "", "", "FINE.", "2024"]
    # Rejected outputs are cached too: a rerun repeats the verdict without calling the engine.
    again = translate_catalog(catalog, engine, cache)
    assert (again.engine_calls, again.from_cache, again.rejected["cut_short"]) == (0, 4, 1)


# --- batches, progress and a killed run ----------------------------------------------------------


def test_progress_adds_up_and_batches_commit_as_they_finish(
    cache: TranslationCache, tmp_path: Path
) -> None:
    msgids = [f"Sentence number {i}." for i in range(10)]
    catalog = _catalog(msgids)
    catalog.entries.append(Entry(msgid="Old.", msgstr="Staré.", obsolete=True))
    engine = FakeEngine()
    engine.fail_on_call = 3
    seen: list[int] = []
    rows_after_batch: list[int] = []
    path = tmp_path / "cache" / "translations.sqlite3"

    def batch_done() -> None:
        with closing(sqlite3.connect(path)) as db:
            rows_after_batch.append(db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    with pytest.raises(KeyboardInterrupt):
        translate_catalog(
            catalog, engine, cache, batch_size=4, progress=seen.append, on_batch_done=batch_done
        )
    assert rows_after_batch == [4, 8]  # committed, visible to another connection
    assert seen == [1, 4, 4]
    # The next run goes on from there: only the batch that was in flight is sent again.
    resumed = FakeEngine()
    fresh = _catalog(msgids)
    progress: list[int] = []
    report = translate_catalog(fresh, resumed, cache, batch_size=4, progress=progress.append)
    assert resumed.calls == [msgids[8:]]
    assert (report.from_cache, report.engine_calls, report.filled) == (8, 2, 10)
    assert sum(progress) == len(fresh.entries)


# --- with a real Argos engine and a person editing the file with polib ---------------------------


def test_real_engine_run_then_edit_and_approve_then_rerun(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    path = tmp_path / "cs.po"
    save_catalog(_catalog(["Hello world.", "What happened next?", "Thank you."]), path)
    with TranslationCache(tmp_path / "translations.sqlite3") as cache:
        catalog = read_catalog(path)
        report = translate_catalog(catalog, open_engine("argos-batch", "en", "cs"), cache)
        assert report.filled == 3
        save_catalog(catalog, path)
        # A person edits one entry and approves another in their PO editor.
        po = polib.pofile(str(path))
        po.find("Hello world.").msgstr = "Ahoj světe."
        approved = po.find("What happened next?")
        approved.flags.remove("fuzzy")
        po.save(str(path))
        edited_before = read_catalog(path)
        before = {e.msgid: repr(e) for e in edited_before.entries}
        # A new run, even with the other engine (new provenance), leaves both exactly as they are.
        catalog = read_catalog(path)
        rerun = translate_catalog(catalog, open_engine("argos", "en", "cs"), cache)
        assert rerun.refreshed == 1  # only "Thank you.", still untouched machine output
        after = {e.msgid: repr(e) for e in catalog.entries}
        assert after["Hello world."] == before["Hello world."]
        assert after["What happened next?"] == before["What happened next?"]
        assert state_of(catalog.find("Hello world.") or Entry("")) is State.EDITED
        assert state_of(catalog.find("What happened next?") or Entry("")) is State.REVIEWED


# --- `pipeline translate` on a copy of the repository (the "done when") -------------------


def _summary(err: str) -> str:
    return [line for line in err.splitlines() if line.startswith("translate:")][-1]


def _entry_text(path: Path, msgid: str) -> str:
    found = polib.pofile(str(path)).find(msgid)
    assert found is not None
    return str(found)


def test_pipeline_translate_fills_all_four_then_uses_cache_and_spares_people(
    argos_models: ArgosModels, repo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpers import run_cli

    assert run_cli(repo_copy, "translate") == 0
    first = _summary(capsys.readouterr().err)
    assert first.startswith("translate: 4 catalog(s), ")
    assert " 0 units from the cache, " in first
    catalogs = {lang: repo_copy / "locales" / lang / "kras-interview.po" for lang in LANGS}
    for lang, path in catalogs.items():
        catalog = read_catalog(path)
        states = [state_of(e) for e in catalog.active() if e.msgid]
        assert states and all(s is State.MACHINE for s in states), lang
    cs = read_catalog(catalogs["cs"])
    sample = cs.active()[0]
    assert sample.msgstr == sample.msgid.upper()
    ru_sample = read_catalog(catalogs["ru"]).active()[0]
    assert any("\u0400" <= char <= "\u04ff" for char in ru_sample.msgstr)

    # A second run makes no engine call.
    assert run_cli(repo_copy, "translate") == 0
    assert " 0 sent to the engine," in _summary(capsys.readouterr().err)
    # A lost catalog comes back from the cache alone.
    catalogs["cs"].unlink()
    assert run_cli(repo_copy, "translate", "--lang", "cs") == 0
    again = _summary(capsys.readouterr().err)
    assert f" {len(cs.active())} units from the cache, 0 sent to the engine," in again

    # A person edits one entry and approves another, with polib as their editor would.
    edited_id, approved_id = cs.active()[1].msgid, cs.active()[2].msgid
    po = polib.pofile(str(catalogs["cs"]))
    po.find(edited_id).msgstr = "Upraveno člověkem."
    po.find(approved_id).flags.remove("fuzzy")
    po.save(str(catalogs["cs"]))
    before = {m: _entry_text(catalogs["cs"], m) for m in (edited_id, approved_id)}
    # Switching engines refreshes every untouched machine entry, and only those.
    assert run_cli(repo_copy, "translate", "--engine", "argos", "--lang", "cs") == 0
    refreshed = _summary(capsys.readouterr().err)
    assert f" {len(cs.active()) - 2} refreshed," in refreshed
    for msgid, text in before.items():
        assert _entry_text(catalogs["cs"], msgid) == text
    after = read_catalog(catalogs["cs"])
    assert state_of(after.find(edited_id) or Entry("")) is State.EDITED
    assert state_of(after.find(approved_id) or Entry("")) is State.REVIEWED


def test_pipeline_translate_skips_a_language_without_model_with_one_warning(
    argos_models: ArgosModels,
    repo_copy: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from helpers import run_cli

    pyproject = repo_copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('["cs", "ru", "uk", "sk"]', '["cs", "pl"]'), "utf-8")
    assert run_cli(repo_copy, "translate", "--quiet") == 0
    err = capsys.readouterr().err.splitlines()
    warnings = [line for line in err if line.startswith("pipeline: warning:")]
    assert warnings == [
        "pipeline: warning: no Argos model for en→pl: machine translation skipped; run "
        "`pipeline models install --online pl` (or `pipeline models install FILE.argosmodel`)"
    ]
    assert not any(line.startswith("wrote ") for line in err)  # --quiet
    assert _summary("\n".join(err)).startswith("translate: 1 catalog(s), ")
    pl = read_catalog(repo_copy / "locales" / "pl" / "kras-interview.po")
    assert all(not e.msgstr for e in pl.active())


def test_the_catalogs_source_format_hides_its_markup_from_the_engine(tmp_path: Path) -> None:
    """Placeholders come from the source format the caller names, never from `#:` references
    (this entry's reference says `.txt`)."""
    msgid = "Read [the guide](https://a.example/a_guide) and run `make it` now."
    markdown, text = source_formats.named("markdown"), source_formats.named("text")
    sent: dict[str, str] = {}
    written: dict[str, str] = {}
    for source_format in (markdown, text):
        catalog = _catalog([msgid])
        engine = FakeEngine()
        with TranslationCache(tmp_path / source_format.name / "mt.sqlite3") as cache:
            report = translate_catalog(catalog, engine, cache, source_format=source_format)
        assert report.filled == 1
        sent[source_format.name] = engine.calls[0][0]
        written[source_format.name] = catalog.entries[0].msgstr
    assert "a.example" not in sent["markdown"] and "make it" not in sent["markdown"]
    assert markdown.markup_findings(msgid, written["markdown"]) == []
    assert written["markdown"].startswith("READ [THE GUIDE](")
    # Plain text has no markup: the engine gets the msgid as it is.
    assert sent["text"] == msgid and written["text"] == msgid.upper()
