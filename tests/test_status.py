"""`pipeline status`: counts per review state, the table, JSON, fast start, post-editing effort."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_review import (
    EDITED_MT,
    EDITED_SOURCE,
    EDITED_TEXT,
    MACHINE_SOURCE,
    MACHINE_TEXT,
    MODEL,
    write_project,
)

from pipeline.catalog import read_catalog, save_catalog, set_machine_output
from pipeline.cli import main
from pipeline.model import Catalog, Entry, State
from pipeline.review.effort import (
    OriginalLookup,
    PostEdit,
    chrf,
    chrf_statistics,
    effort_by_language,
    levenshtein,
    post_edits,
    summarise_effort,
)
from pipeline.review.session import approve_entry
from pipeline.review.status import (
    catalog_status,
    collect_status,
    count_words,
    format_status,
    progress_bar,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "po"
HEAVY = {"argostranslate", "torch", "stanza", "ctranslate2", "spacy", "sentencepiece"}


def test_count_words() -> None:
    assert count_words("The war has lasted 1,000 days.") == 6
    assert count_words("KRAS-IWA, the group's paper: 34%!") == 5
    assert count_words("") == 0


def test_catalog_status_counts_units_and_words(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    catalog = read_catalog(config.locales_dir / "cs" / "doc.po")
    status = catalog_status(catalog, "doc", "cs", "locales/cs/doc.po")
    assert status.units == dict.fromkeys(State, 1)
    assert status.words == {
        State.UNTRANSLATED: 2,
        State.MACHINE: 7,
        State.EDITED: 6,
        State.STALE: 5,
        State.REVIEWED: 2,
    }
    assert status.total_units == 5
    assert status.reviewed_share == pytest.approx(0.2)
    assert status.reviewed_word_share == pytest.approx(2 / 22)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.po")))
def test_counts_agree_with_msgfmt_statistics(name: str) -> None:
    """On the real catalogs: reviewed = msgfmt's translated, the three fuzzy states = its fuzzy."""
    path = FIXTURES / name
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
        check=True,
    )
    numbers = {
        kind: int(count)
        for count, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", result.stderr)
    }
    status = catalog_status(read_catalog(path), name, "xx", name)
    fuzzy = status.units[State.MACHINE] + status.units[State.EDITED] + status.units[State.STALE]
    assert status.units[State.REVIEWED] == numbers.get("translated", 0)
    assert fuzzy == numbers.get("fuzzy", 0)
    assert status.units[State.UNTRANSLATED] == numbers.get("untranslated", 0)


def test_stale_entries_in_a_real_catalog() -> None:
    """po4a's Russian catalog before review: three fuzzy entries, all with a previous msgid."""
    catalog = read_catalog(FIXTURES / "po4a-bin.ru.before-review-ac8606ae.po")
    status = catalog_status(catalog, "po4a", "ru", "x")
    assert (status.units[State.STALE], status.units[State.REVIEWED]) == (3, 270)


def test_progress_bar() -> None:
    assert progress_bar(0.0, 10) == "░" * 10
    assert progress_bar(1.0, 10) == "█" * 10
    assert progress_bar(0.5, 10) == "█" * 5 + "░" * 5
    assert progress_bar(0.001, 10) == "█" + "░" * 9  # some progress is visible
    assert progress_bar(0.999, 10) == "█" * 9 + "░"  # not done is never a full bar


def _two_language_project(tmp_path: Path) -> Path:
    config = write_project(tmp_path, languages=("cs", "sk"))
    # A second document with only a template: its catalogs do not exist yet.
    save_catalog(
        Catalog({"Content-Type": "text/plain; charset=UTF-8"}, [Entry("One two three.")]),
        config.locales_dir / "notes.pot",
    )
    return tmp_path


def test_status_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _two_language_project(tmp_path)
    assert main(["--project", str(root), "status"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "document", "lang", "untranslated", "machine", "edited", "stale", "reviewed", "total",
        "reviewed",
    ]  # fmt: skip
    assert lines[1].split() == [
        "doc", "cs", "1", "(2)", "1", "(7)", "1", "(6)", "1", "(5)", "1", "(2)", "5", "(22)", "20%",
    ]  # fmt: skip
    # Aligned: every row of the table ends its columns at the same places.
    table = lines[:4]
    assert len({len(line) for line in table}) == 1
    assert "notes (no PO)  cs" in out and "notes (no PO)  sk" in out
    assert re.search(r"^  cs    ███░{17}  16%  1/6 units, 8% of words$", out, re.M)
    assert re.search(r"^  sk    ░{20}   0%  0/1 units, 0% of words$", out, re.M)


def test_status_lang_filter_and_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _two_language_project(tmp_path)
    assert main(["--project", str(root), "status", "--lang", "sk", "notes"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[:2] for line in out.splitlines()[1:2]] == [["notes", "(no"]]
    assert " cs " not in out
    assert main(["--project", str(root), "status", "--lang", "de"]) == 2
    assert "--lang de: not a configured target language" in capsys.readouterr().err


def test_status_without_catalogs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pipeline]\n", encoding="utf-8")
    assert main(["--project", str(tmp_path), "status"]) == 0
    assert capsys.readouterr().out.strip() == "no catalogs yet: run `pipeline update` first"


def test_status_bad_catalog_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "x"\nmsgstr\n', encoding="utf-8")
    assert main(["--project", str(tmp_path), "status"]) == 5
    err = capsys.readouterr().err
    assert err.startswith("pipeline: error: locales/cs/doc.po:")
    assert len(err.strip().splitlines()) == 1


def test_status_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _two_language_project(tmp_path)
    assert main(["--project", str(root), "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    doc_cs = data["catalogs"][0]
    assert (doc_cs["document"], doc_cs["language"], doc_cs["path"]) == (
        "doc",
        "cs",
        "locales/cs/doc.po",
    )
    assert doc_cs["units"] == {s.value: 1 for s in State}
    assert doc_cs["reviewed_share"] == 0.2
    assert [(c["document"], c["language"], c["exists"]) for c in data["catalogs"][1:]] == [
        ("notes", "cs", False),
        ("notes", "sk", False),
    ]
    cs = data["languages"]["cs"]
    assert cs["total_units"] == 6 and cs["units"]["untranslated"] == 2
    # Nothing approved that came from MT yet: no post-editing measured.
    assert cs["post_editing"]["entries"] == 0 and cs["post_editing"]["chrf"] is None


def test_status_imports_no_machine_translation(tmp_path: Path) -> None:
    """`status` (and `status --json`) read PO files only: Argos, torch and stanza stay unloaded."""
    root = _two_language_project(tmp_path)
    for extra in ([], ["--json"]):
        argv = ["--project", str(root), "status", *extra]
        code = (
            f"import sys; from pipeline.cli import main; rc = main({argv!r}); "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})); print(rc)"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=True,
        )
        *_, loaded, rc = result.stdout.strip().splitlines()
        assert (loaded, rc) == ("[]", "0"), result.stderr
        assert "doc" in result.stdout


# --- post-editing effort --------------------------------------------------------------------------


def test_levenshtein() -> None:
    assert levenshtein("", "") == 0
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("Válka trvá 1.000 dní.", "Válka trvá již 1 000 dní.") == 5
    assert levenshtein("abc", "") == 3
    assert levenshtein("flaw", "lawn") == 2
    assert levenshtein("ёжик", "ежик") == 1


def test_chrf_matches_sacrebleu_reference_values() -> None:
    """Values sacreBLEU 2 (chrF2, char order 6, whitespace ignored) gives for these pairs, as
    published in the `chrf` metric card of huggingface/datasets (metrics/chrf/README.md)."""
    hyp = "The relationship between Obama and Netanyahu is not exactly friendly."
    ref = "The ties between Obama and Netanyahu are not particularly friendly."
    assert chrf([hyp], [ref]) == pytest.approx(61.576379378113785, abs=1e-9)
    hyps = [
        "The relationship between cats and dogs is not exactly friendly.",
        "a good bookshop is just a genteel black hole that knows how to read.",
    ]
    refs = [
        "The relationship between dogs and cats is not exactly friendly.",
        "A good bookshop is just a genteel Black Hole that knows how to read.",
    ]
    assert chrf(hyps, refs) == pytest.approx(84.64214891738334, abs=1e-9)


def test_chrf_edges() -> None:
    assert chrf(["Skupina má 25 členů."], ["Skupina má 25 členů."]) == 100.0
    assert chrf(["abc"], ["xyz"]) == 0.0
    assert chrf([""], ["abc"]) == 0.0
    # Whitespace does not count: chrF compares characters of words, not spacing.
    assert chrf(["a b  c"], ["abc"]) == 100.0
    assert chrf_statistics("ab", "abc", order=2) == [2, 3, 2, 1, 2, 1]


def test_summarise_effort() -> None:
    edits = [
        PostEdit("cs", "m1", "Válka trvá 1.000 dní.", "Válka trvá již 1 000 dní."),
        PostEdit("cs", "m1", "Zdravím, soudruzi!", "Zdravím, soudruzi!"),
    ]
    summary = summarise_effort(edits, missing=1)
    assert summary["entries"] == 2
    assert (summary["changed"], summary["unchanged"], summary["original_unknown"]) == (1, 1, 1)
    assert summary["edit_distance"] == 5
    assert summary["final_chars"] == 25 + 18
    assert summary["char_edit_rate"] == round(5 / 43, 4)
    assert 0 < summary["chrf"] < 100


class DictLookup:
    """Original machine output by (language, msgid), like the translation cache keeps it."""

    def __init__(self, outputs: dict[tuple[str, str], str]) -> None:
        self.outputs = outputs

    def __call__(self, language: str, entry: Entry, mark: tuple[str, str, str, str]) -> str | None:
        return self.outputs.get((language, entry.msgid))


def _approve_all(path: Path) -> None:
    catalog = read_catalog(path)
    for entry in catalog.active():
        if entry.msgstr:
            approve_entry(entry)
    save_catalog(catalog, path)


def test_post_edits_use_mark_hash_and_lookup(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    _approve_all(path)
    catalog = read_catalog(path)
    # Unchanged MT output is known from the mark alone; the edited one needs the cache.
    assert post_edits(catalog, "cs", None) == [PostEdit("cs", MODEL[1], MACHINE_TEXT, MACHINE_TEXT)]
    lookup: OriginalLookup = DictLookup({("cs", EDITED_SOURCE): EDITED_MT})
    assert post_edits(catalog, "cs", lookup) == [
        PostEdit("cs", MODEL[1], MACHINE_TEXT, MACHINE_TEXT),
        PostEdit("cs", MODEL[1], EDITED_MT, EDITED_TEXT),
    ]
    # A cached output whose hash is not the mark's (another model's) is not used.
    wrong: OriginalLookup = DictLookup({("cs", EDITED_SOURCE): "Něco jiného."})
    assert len(post_edits(catalog, "cs", wrong)) == 1


def test_effort_by_language_and_model(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    catalog = read_catalog(path)
    other = catalog.find("Greetings, comrades!")
    assert other is not None
    set_machine_output(other, "Pozdravy, soudruzi!", "argos", "translate-en_cs-2", "2.0")
    other.msgstr = "Zdravím, soudruzi!"
    save_catalog(catalog, path)
    _approve_all(path)
    lookup = DictLookup(
        {("cs", EDITED_SOURCE): EDITED_MT, ("cs", "Greetings, comrades!"): "Pozdravy, soudruzi!"}
    )
    effort = effort_by_language(config, ["cs"], lookup=lookup)["cs"]
    assert effort["entries"] == 3 and effort["changed"] == 2 and effort["original_unknown"] == 0
    by_model = effort["by_model"]
    assert sorted(by_model) == ["translate-en_cs", "translate-en_cs-2"]
    assert by_model["translate-en_cs"]["entries"] == 2
    assert by_model["translate-en_cs-2"]["edit_distance"] == levenshtein(
        "Pozdravy, soudruzi!", "Zdravím, soudruzi!"
    )
    without_cache = effort_by_language(config, ["cs"], lookup=DictLookup({}))["cs"]
    assert (without_cache["entries"], without_cache["original_unknown"]) == (1, 2)


def test_effort_in_status_json_of_copied_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`status --json` counts an approved, unchanged MT entry without needing the cache."""
    config = write_project(tmp_path)
    _approve_all(config.locales_dir / "cs" / "doc.po")
    assert main(["--project", str(tmp_path), "status", "--json"]) == 0
    effort = json.loads(capsys.readouterr().out)["languages"]["cs"]["post_editing"]
    # The machine entry approved as is; the edited one's MT output is not in any cache here.
    assert (effort["entries"], effort["unchanged"], effort["original_unknown"]) == (1, 1, 1)
    assert effort["chrf"] == 100.0 and effort["char_edit_rate"] == 0.0


def test_collect_status_reads_every_catalog(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    target = config.locales_dir / "cs" / "clocks.po"
    shutil.copy(FIXTURES / "gnome-clocks.cs.po", target)
    rows = collect_status(config, ["cs"])
    assert [row.document for row in rows] == ["clocks", "doc"]
    assert rows[0].units[State.REVIEWED] == 187
    assert "clocks" in format_status(rows)


def test_status_json_measures_effort_from_the_translation_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The edited entry's original output comes from the SQLite MT cache."""
    from pipeline.layout import translation_cache_path
    from pipeline.mt_cache import CacheKey, TranslationCache

    config = write_project(tmp_path)
    _approve_all(config.locales_dir / "cs" / "doc.po")
    with TranslationCache(translation_cache_path(config)) as cache:
        key = CacheKey(MODEL[1], MODEL[2], "beam=4")
        cache.put_many(key, {EDITED_SOURCE: EDITED_MT, MACHINE_SOURCE: MACHINE_TEXT})
        # The same package's output of another version is not the one the entry started as.
        cache.put_many(CacheKey(MODEL[1], "0.9", "beam=4"), {EDITED_SOURCE: "Stará verze."})
    assert main(["--project", str(tmp_path), "status", "--json"]) == 0
    effort = json.loads(capsys.readouterr().out)["languages"]["cs"]["post_editing"]
    assert (effort["entries"], effort["changed"], effort["original_unknown"]) == (2, 1, 0)
    distance = levenshtein(EDITED_MT, EDITED_TEXT)
    assert effort["edit_distance"] == distance
    assert effort["char_edit_rate"] == round(distance / (len(EDITED_TEXT) + len(MACHINE_TEXT)), 4)
    expected = chrf([MACHINE_TEXT, EDITED_MT], [MACHINE_TEXT, EDITED_TEXT])
    assert effort["chrf"] == round(expected, 2)
    assert effort["by_model"][MODEL[1]]["entries"] == 2


def test_percent_rounds_down() -> None:
    from pipeline.review.status import percent

    assert [percent(x) for x in (0.0, 0.2, 0.29, 1 / 6, 0.9975, 1.0)] == [
        "0%", "20%", "29%", "16%", "99%", "100%",
    ]  # fmt: skip


def test_catalog_of_another_language_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_project(tmp_path, languages=("cs", "sk"))
    (config.locales_dir / "sk").mkdir()
    shutil.copy(FIXTURES / "gnome-clocks.cs.po", config.locales_dir / "sk" / "clocks.po")
    assert main(["--project", str(tmp_path), "status"]) == 5
    err = capsys.readouterr().err
    assert err.startswith("pipeline: error: locales/sk/clocks.po:")
    assert "header says Language: cs, but the file is the sk catalog" in err


def test_status_and_the_run_report_count_the_same_words(project: Path) -> None:
    """One word count: `pipeline status --json` and the run report agree for every catalog."""
    assert main(["--project", str(project), "build", "-q"]) == 0
    report = json.loads((project / ".pipeline" / "last-build.json").read_text(encoding="utf-8"))
    built = {(p["document"], p["language"]): p["words"] for p in report["pairs"]}
    status = subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(project), "status", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    catalogs = json.loads(status.stdout)["catalogs"]
    assert len(catalogs) == len(built) == 4
    for row in catalogs:
        assert built[(row["document"], row["language"])] == row["words"]
        assert row["total_words"] > 0
