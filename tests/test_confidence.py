"""Confidence: the engine's score is kept with the cached translation, `pipeline review` shows
it, and `--order confidence` (terminal and report) starts with the least confident machine output.

The tiny test models are certain of every token (their hand-set weights give margins of 60 logits,
docs/offline-argos-models.md), so every unit they translate scores 0.0. Where a test needs scores
that differ, it gives the engine's own cached outputs other scores through the cache's own API
(`TranslationCache.put_many` under the engine's key), as an unsure model would have left them.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from argos_fixtures import ArgosModels, open_engine
from helpers import Tmux, run_cli
from test_review import ScriptedTerminal
from test_review_report import Page

from pipeline.catalog import read_catalog, save_catalog, state_of
from pipeline.config import Config, load_config
from pipeline.engines import EngineOutput
from pipeline.layout import review_report_path, translation_cache_path
from pipeline.model import State
from pipeline.mt_cache import CacheKey, TranslationCache, open_cache_for_lookup
from pipeline.review.display import confidence_text
from pipeline.review.session import review_queue
from pipeline.review.terminal import run_review

SENTENCES = [
    "We publish below an interview with a small group.",
    "The war has lasted a thousand days.",
    "Solidarity means that nobody is left alone.",
    "Many comrades were arrested last year.",
    "Thank you for the conversation.",
]
PERSON = SENTENCES[3]  # a reviewer's own draft: fuzzy, no `# mt:` mark, so no score


def translated_project(root: Path) -> Config:
    """A project whose Czech catalog `pipeline translate` filled with the tiny argos-batch model."""
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs"]\n', encoding="utf-8"
    )
    text = " ".join(SENTENCES[:3]) + "\n\n" + " ".join(SENTENCES[3:]) + "\n"
    (root / "source" / "doc.txt").write_text(text, encoding="utf-8")
    assert run_cli(root, "translate") == 0
    return load_config(root)


def cached_scores(config: Config) -> dict[str, float | None]:
    """source → score, as the SQLite file holds them."""
    with closing(sqlite3.connect(translation_cache_path(config))) as db:
        return dict(db.execute("SELECT source, score FROM translations").fetchall())


def cache_key(config: Config) -> CacheKey:
    """The one key (model, version, engine fingerprint) the run cached its outputs under."""
    with closing(sqlite3.connect(translation_cache_path(config))) as db:
        (key,) = db.execute("SELECT DISTINCT package, version, options FROM translations")
    return CacheKey(*key)


def rescore(config: Config, scores: dict[str, float]) -> None:
    """Give the engine's cached outputs other scores (what a less certain model would give)."""
    key = cache_key(config)
    with TranslationCache(translation_cache_path(config)) as cache:
        outputs = cache.get_outputs(key, list(scores))
        assert set(outputs) == set(scores)
        cache.put_many(key, {s: replace(outputs[s], score=scores[s]) for s in scores})


def hand_written(config: Config, msgid: str) -> None:
    """Make one entry a person's fuzzy draft: no `# mt:` mark, so the cache knows no score."""
    path = config.locales_dir / "cs" / "doc.po"
    catalog = read_catalog(path)
    entry = catalog.find(msgid)
    assert entry is not None
    entry.translator_comments = [c for c in entry.translator_comments if not c.startswith("mt:")]
    entry.msgstr = "Mnoho soudruhů bylo loni zatčeno."
    save_catalog(catalog, path)
    assert state_of(read_catalog(path).find(msgid)) is State.EDITED  # type: ignore[arg-type]


# Scores in an order unlike the file's: the third sentence is the least sure.
SPREAD = dict(zip(SENTENCES, (-0.8, -0.35, -2.1, -0.05, -1.2), strict=True))


def test_translate_keeps_the_engine_score_in_the_cache(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    config = translated_project(tmp_path / "project")
    scores = cached_scores(config)
    assert set(scores) == set(SENTENCES)
    assert all(score is not None and score <= 0.0 for score in scores.values())
    # The engine gives the same scores again; get_outputs gives them back with the text.
    catalog = read_catalog(config.locales_dir / "cs" / "doc.po")
    engine = open_engine("argos-batch", "en", "cs")
    fresh = engine.translate(list(SENTENCES))
    assert [output.score for output in fresh] == [scores[s] for s in SENTENCES]
    with TranslationCache(translation_cache_path(config)) as cache:
        outputs = cache.get_outputs(cache_key(config), SENTENCES)
    for sentence in SENTENCES:
        entry = catalog.find(sentence)
        assert entry is not None
        assert outputs[sentence] == EngineOutput(entry.msgstr, False, scores[sentence])
    # The review lookup finds each entry's score by its `# mt:` mark.
    lookup = open_cache_for_lookup(config)
    assert lookup is not None
    for sentence in SENTENCES:
        entry = catalog.find(sentence)
        assert entry is not None and state_of(entry) is State.MACHINE
        assert lookup.score(entry) == scores[sentence]
    lookup.close()


def test_review_screen_shows_the_score(argos_models: ArgosModels, tmp_path: Path) -> None:
    config = translated_project(tmp_path / "project")
    rescore(config, SPREAD)
    scores = cached_scores(config)
    lookup = open_cache_for_lookup(config)
    assert lookup is not None
    terminal = ScriptedTerminal("s" * len(SENTENCES))
    items = review_queue(config, "cs", scorer=lookup.score)
    run_review(config, "cs", items, terminal, scorer=lookup.score)
    assert len(terminal.screens) == len(SENTENCES)
    for sentence, screen in zip(SENTENCES, terminal.screens, strict=True):
        score = scores[sentence]
        assert score is not None
        assert f"English:\n  {sentence}" in screen
        assert f"Confidence: {confidence_text(score)}" in screen
    lookup.close()


def test_order_confidence_starts_with_the_least_confident(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    config = translated_project(tmp_path / "project")
    rescore(config, SPREAD)
    hand_written(config, PERSON)
    scores = cached_scores(config)
    lookup = open_cache_for_lookup(config)
    assert lookup is not None
    by_file = review_queue(config, "cs", scorer=lookup.score)
    assert [item.msgid for item in by_file] == SENTENCES  # the default order is unchanged
    ordered = review_queue(config, "cs", scorer=lookup.score, order="confidence")
    machine = [s for s in SENTENCES if s != PERSON]
    expected = sorted(machine, key=lambda s: scores[s] or 0.0)
    assert [item.msgid for item in ordered] == [*expected, PERSON]
    assert [item.score for item in ordered] == [*(scores[s] for s in expected), None]
    assert expected[0] != SENTENCES[0]  # the order is not the file's
    # Ties keep file order: with the engine's own (equal) scores the queue is the file's.
    rescore(config, dict.fromkeys(machine, -0.5))
    tied = review_queue(config, "cs", scorer=lookup.score, order="confidence")
    assert [item.msgid for item in tied] == [*machine, PERSON]
    lookup.close()


def test_report_shows_and_sorts_by_score(argos_models: ArgosModels, tmp_path: Path) -> None:
    config = translated_project(tmp_path / "project")
    rescore(config, SPREAD)
    hand_written(config, PERSON)
    scores = cached_scores(config)
    path = review_report_path(config, "cs")

    def rows() -> list[tuple[str, str | None, str]]:
        page = Page(path.read_text(encoding="utf-8"))
        return [
            (cells[2][1], row.get("data-score"), cells[1][1])
            for row, cells in zip(page.rows, page.cells, strict=True)
        ]

    assert run_cli(config.root, "review", "cs", "--report") == 0
    assert [source.split("paragraph (")[0] for source, _, _ in rows()] == SENTENCES
    assert run_cli(config.root, "review", "cs", "--report", "--order", "confidence") == 0
    found = rows()
    sources = [source.split("paragraph (")[0] for source, _, _ in found]
    machine = [s for s in SENTENCES if s != PERSON]
    assert sources == [*sorted(machine, key=lambda s: scores[s] or 0.0), PERSON]
    shown = [float(score) for _, score, _ in found if score is not None]
    assert shown == sorted(shown) and len(shown) == len(machine)
    assert found[-1][1] is None  # no score: last
    for source, _, state in found[:-1]:
        score = scores[source.split("paragraph (")[0]]
        assert score is not None and state == f"machinescore {score:.2f}"
    assert "least confident machine output first" in path.read_text(encoding="utf-8")


def test_a_cache_from_before_scores_keeps_its_rows(tmp_path: Path) -> None:
    """An old cache file (no score column) is migrated in place: every row kept, score None."""
    path = tmp_path / "translations.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(
            """
            CREATE TABLE translations (
                package TEXT NOT NULL, version TEXT NOT NULL, options TEXT NOT NULL,
                source TEXT NOT NULL, output TEXT NOT NULL, output_hash TEXT NOT NULL,
                cut_short INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL,
                PRIMARY KEY (package, version, options, source)
            ) WITHOUT ROWID;
            """
        )
        db.executemany(
            "INSERT INTO translations VALUES ('m', '1', 'beam=4', ?, ?, 'hash', ?, 0)",
            [("one", "JEDNA", 0), ("two", "DVĚ", 1)],
        )
    key = CacheKey("m", "1", "beam=4")
    with TranslationCache(path) as cache:
        assert cache.count() == 2
        assert cache.get_outputs(key, ["one", "two"]) == {
            "one": EngineOutput("JEDNA"),
            "two": EngineOutput("DVĚ", cut_short=True),
        }
        cache.put_many(key, {"three": EngineOutput("TŘI", score=-0.25)})
    with TranslationCache(path) as again:  # opening a migrated file changes nothing
        assert again.count() == 3
        assert again.get_outputs(key, ["three"])["three"].score == -0.25
        assert again.lookup_original("m", "one", version="1") == "JEDNA"


def test_lookup_prefers_an_output_with_a_score(tmp_path: Path) -> None:
    """The same output cached by an engine without scores and by one with them: the score wins,
    however new the row without one."""
    with TranslationCache(tmp_path / "cache.sqlite3") as cache:
        cache.put_many(CacheKey("m", "1", "batch"), {"a": EngineOutput("A", score=-0.4)})
        cache.put_many(CacheKey("m", "1", "plain"), {"a": EngineOutput("A")})
        found = cache.lookup_machine("m", "a", version="1")
        assert found is not None and (found.text, found.score) == ("A", -0.4)
        assert cache.lookup_machine("m", "b") is None


def test_review_order_confidence_in_a_terminal(
    argos_models: ArgosModels, tmp_path: Path, tmux: Tmux
) -> None:
    """`pipeline review cs --order confidence` in tmux: least confident first, scores on screen."""
    config = translated_project(tmp_path / "project")
    rescore(config, SPREAD)
    hand_written(config, PERSON)
    scores = cached_scores(config)
    machine = sorted((s for s in SENTENCES if s != PERSON), key=lambda s: scores[s] or 0.0)
    command = (sys.executable, "-m", "pipeline", "review", "cs", "--order", "confidence")
    tmux.start(config.root, *command)
    for position, sentence in enumerate([*machine, PERSON], start=1):
        screen = tmux.wait_for(f"entry {position}/{len(SENTENCES)}")
        english = screen.split("English:\n", 1)[1]
        assert english.split("\n", 1)[0].strip() == sentence
        score = scores[sentence] if sentence != PERSON else None
        if score is None:
            assert "Confidence:" not in screen
        else:
            assert f"Confidence: {confidence_text(score)}" in screen
        tmux.send("s")
    assert tmux.wait_exit() == 0
    assert "end of the queue: 0 approved, 0 edited, 5 skipped of 5 entries" in tmux.screen()
