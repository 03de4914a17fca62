"""Glossary rows marked `keep`: hidden from the engine behind placeholders and put back in the
glossary's form (tiny real Argos models: the Russian one turns Latin letters Cyrillic), other
terms untouched; the MT cache never hands an unprotected output to a protected text."""

from __future__ import annotations

from pathlib import Path

import pytest
from argos_fixtures import ArgosModels, open_engine, texts
from helpers import REPO, run_cli

from pipeline.checks.glossary import load_glossary, parse_glossary
from pipeline.errors import ConfigError
from pipeline.keep_terms import KeepTerms
from pipeline.machine import translate_catalog
from pipeline.model import Catalog, Entry
from pipeline.mt_cache import TranslationCache

GLOSSARY = load_glossary(REPO / "locales" / "glossary.csv")
KEPT = "The IWA wrote to Connection and to KRAS."
OTHER = "Rudi Friedrich wrote to Dezerter."  # glossary terms, not marked keep
PLAIN = "Solidarity means that nobody is left alone."


def _catalog(msgids: list[str]) -> Catalog:
    return Catalog(
        header={"Language": "ru"}, entries=[Entry(msgid=m) for m in msgids], path="ru/doc.po"
    )


def test_the_keep_column_is_optional_and_checked() -> None:
    old = parse_glossary("en,cs,ru\nKRAS,,КРАС\n", display="g.csv")
    assert [(t.english, t.keep) for t in old.terms] == [("KRAS", False)]
    new = parse_glossary("en,cs,ru,keep\nKRAS,,КРАС,yes\nPutin,,Путин,\n", display="g.csv")
    assert [(t.english, t.keep, t.targets) for t in new.terms] == [
        ("KRAS", True, {"ru": ("КРАС",)}),
        ("Putin", False, {"ru": ("Путин",)}),
    ]
    with pytest.raises(ConfigError) as error:
        parse_glossary("en,ru,keep\nKRAS,КРАС,no\n", display="g.csv")
    assert str(error.value) == "g.csv:2: keep must be `yes` or empty, not 'no'"
    assert error.value.exit_code == 2
    assert {t.english for t in GLOSSARY.terms if t.keep} == {
        "KRAS",
        "IWA-AIT",
        "IWA",
        "Idite Lesom",
        "Connection",
    }


def test_protection_is_whole_word_and_case_sensitive() -> None:
    keep = KeepTerms.of(GLOSSARY, "ru")
    text = "KRAS-IWA, the IWA-AIT, Kras, KRASNY, kras and 7001 things."
    protected, tokens = keep.protect(text)
    assert protected == "7001-7002, the 7003, Kras, KRASNY, kras and 7004 things."
    assert tokens == ["КРАС", "МАТ", "МАТ", "7001"]  # a number that looks like one comes back
    assert keep.restore(protected, tokens) == (
        "КРАС-МАТ, the МАТ, Kras, KRASNY, kras and 7001 things."
    )
    assert keep.protect(PLAIN) == (PLAIN, [])
    # a language without a form of its own keeps the English
    assert KeepTerms.of(GLOSSARY, "cs").protect("KRAS")[1] == ["KRAS"]
    assert KeepTerms.of(None, "ru").protect(KEPT) == (KEPT, [])


def test_keep_terms_come_back_in_the_target_form_other_terms_untouched(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    engine = open_engine("argos-batch", "en", "ru")
    catalog = _catalog([KEPT, OTHER, PLAIN])
    with TranslationCache(tmp_path / "cache.sqlite3") as cache:
        report = translate_catalog(catalog, engine, cache, keep=KeepTerms.of(GLOSSARY, "ru"))
    assert report.filled == 3
    kept, other, plain = (entry.msgstr for entry in catalog.entries)
    assert kept == "Тхе МАТ шроте то Connection анд то КРАС."
    # without protection the model turns the names Cyrillic, letter by letter
    assert texts(engine.translate([KEPT])) == ["Тхе ИША шроте то Цоннецтион анд то КРАС."]
    assert [other, plain] == texts(engine.translate([OTHER, PLAIN]))


def test_the_cache_never_reuses_an_unprotected_output_for_a_protected_text(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    engine = open_engine("argos-batch", "en", "ru")
    with TranslationCache(tmp_path / "cache.sqlite3") as cache:
        before = _catalog([KEPT, PLAIN])
        translate_catalog(before, engine, cache)
        assert "Цоннецтион" in before.entries[0].msgstr
        after = _catalog([KEPT, PLAIN])
        report = translate_catalog(after, engine, cache, keep=KeepTerms.of(GLOSSARY, "ru"))
        # the protected text is new to the cache; the text without keep terms is not
        assert (report.engine_calls, report.from_cache) == (1, 1)
        assert "Connection" in after.entries[0].msgstr
        again = _catalog([KEPT])
        assert translate_catalog(again, engine, cache, keep=KeepTerms.of(GLOSSARY, "ru")) == (
            type(report)(filled=1, from_cache=1)
        )
        assert again.entries[0].msgstr == after.entries[0].msgstr
        # a new target form goes in after the cache: no engine call
        renamed = KeepTerms({**KeepTerms.of(GLOSSARY, "ru").forms, "Connection": "Коннекшн"})
        last = _catalog([KEPT])
        report = translate_catalog(last, engine, cache, keep=renamed)
        assert (report.engine_calls, report.from_cache) == (0, 1)
        assert last.entries[0].msgstr == "Тхе МАТ шроте то Коннекшн анд то КРАС."


def test_pipeline_translate_protects_the_projects_keep_terms(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "locales").mkdir()
    (project / "source" / "note.txt").write_text(f"{KEPT}\n\n{OTHER}\n", encoding="utf-8")
    (project / "locales" / "glossary.csv").write_bytes(
        (REPO / "locales" / "glossary.csv").read_bytes()
    )
    (project / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["ru"]\n', encoding="utf-8"
    )
    assert run_cli(project, "translate") == 0
    catalog = (project / "locales" / "ru" / "note.po").read_text(encoding="utf-8")
    assert 'msgstr "Тхе МАТ шроте то Connection анд то КРАС."' in catalog
    assert "Дезертер" in catalog  # not a keep row: the model's own output
