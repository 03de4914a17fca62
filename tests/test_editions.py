"""Editions on disk: golden files per format, language and catalog state; publish policy; index;
the pipeline's own message catalogs; reproducibility.

Set PIPELINE_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then read the
diff before committing it.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from edition_catalogs import (
    GOLDEN,
    LANGS,
    STATES,
    sample_catalog,
    sample_config,
    sample_document,
)

from pipeline import edition_formats
from pipeline.assemble import render_html, render_markdown, render_text
from pipeline.catalog import read_catalog, save_catalog
from pipeline.config import Config
from pipeline.editions import (
    LOCALE_DIR,
    assemble_edition,
    edition_date,
    formats_for,
    machine_sources,
    messages,
    write_editions,
    write_index,
)
from pipeline.errors import ConfigError
from pipeline.model import Catalog
from pipeline.stages import RunLog

UPDATE = os.environ.get("PIPELINE_UPDATE_GOLDEN") == "1"
SUFFIXES = (".txt", ".md", ".html")


def compare_golden(actual: bytes, golden: Path) -> None:
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
    assert golden.is_file(), f"no golden file {golden}; run with PIPELINE_UPDATE_GOLDEN=1"
    assert actual.decode() == golden.read_text(encoding="utf-8")


def on_disk(config: Config, catalog: Catalog, language: str) -> Catalog:
    """Save with gettext's layout and read back, as a build would find the catalog."""
    path = config.locales_dir / language / "sample.po"
    save_catalog(catalog, path)
    return read_catalog(path)


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


# --- golden files --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("state", list(STATES))
def test_golden_editions(tmp_path: Path, state: str, language: str) -> None:
    config = sample_config(tmp_path)
    catalog = on_disk(config, sample_catalog(language, state), language)
    log = RunLog()
    outcome = write_editions(config, sample_document(), language, catalog, log)
    assert outcome.published and outcome.status == "published"
    assert sorted(log.written) == sorted(f"output/{language}/sample{s}" for s in SUFFIXES)
    for suffix in SUFFIXES:
        written = (tmp_path / "output" / language / f"sample{suffix}").read_bytes()
        compare_golden(written, GOLDEN / state / language / f"sample{suffix}")


@pytest.mark.parametrize("language", LANGS)
def test_golden_editions_under_reviewed_policy(tmp_path: Path, language: str) -> None:
    config = sample_config(tmp_path, policy="reviewed")
    catalog = on_disk(config, sample_catalog(language, "half"), language)
    outcome = write_editions(config, sample_document(), language, catalog, RunLog())
    assert outcome.published
    assert outcome.shares.reviewed == 4 and outcome.shares.machine == 0
    html = (tmp_path / "output" / language / "sample.html").read_text(encoding="utf-8")
    assert 'class="machine"' not in html and 'class="unreviewed"' not in html
    for suffix in SUFFIXES:
        written = (tmp_path / "output" / language / f"sample{suffix}").read_bytes()
        compare_golden(written, GOLDEN / "half-reviewed-policy" / language / f"sample{suffix}")


def test_golden_index(tmp_path: Path) -> None:
    config = sample_config(tmp_path, minimum_share={"sk": 0.9})
    outcomes = [
        write_editions(config, sample_document(), lang, sample_catalog(lang, "half"), RunLog())
        for lang in LANGS
    ]
    assert [o.published for o in outcomes] == [True, True, True, False]
    assert write_index(config, outcomes, RunLog())
    index = (tmp_path / "output" / "index.html").read_bytes()
    compare_golden(index, GOLDEN / "index.html")
    text = index.decode()
    assert '<a href="cs/sample.html">HTML</a>' in text
    assert 'lang="uk">українська</span>' in text
    assert "nothing published yet" in text  # Slovak was withheld, no earlier edition
    assert "sk/sample.html" not in text


# --- edition formats through the registry ------------------------------------------------------


def test_built_in_edition_formats_render_the_assembled_edition(tmp_path: Path) -> None:
    config = sample_config(tmp_path)
    document = sample_document()
    catalog = on_disk(config, sample_catalog("cs", "half"), "cs")
    _, edition = assemble_edition(config, document, "cs", catalog)
    renderers = {"txt": render_text, "md": render_markdown, "html": render_html}
    formats = {found.name: found for found in formats_for(document.format)}
    assert set(renderers) <= set(formats)
    assert {formats[name].suffix for name in renderers} == set(SUFFIXES)
    for name, render in renderers.items():
        found = formats[name]
        assert isinstance(found, edition_formats.EditionFormat)
        assert found is edition_formats.named(name)
        expected = render(
            document, edition.translations, config.policy, edition.colophon, edition.gettext
        )
        assert found.render(edition) == expected.encode("utf-8")
        assert found.media_type.split(";")[0] in ("text/plain", "text/markdown", "text/html")


def test_the_index_names_each_file_by_its_format(tmp_path: Path) -> None:
    config = sample_config(tmp_path, editions=None)  # every installed format
    catalog = on_disk(config, sample_catalog("cs", "half"), "cs")
    outcome = write_editions(config, sample_document(), "cs", catalog, RunLog())
    write_index(config, [outcome], RunLog())
    index = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    for found in formats_for(outcome.source_format):
        label = getattr(found, "label", found.name)
        assert f'<a href="cs/sample{found.suffix}">{label}</a>' in index
        assert (tmp_path / "output" / "cs" / f"sample{found.suffix}").is_file()


# --- publish policy ------------------------------------------------------------------------------


def test_default_policy_publishes_an_empty_catalog(tmp_path: Path) -> None:
    config = sample_config(tmp_path)
    outcome = write_editions(
        config, sample_document(), "cs", sample_catalog("cs", "empty"), RunLog()
    )
    assert outcome.published and outcome.shares.translated == 0
    text = (tmp_path / "output" / "cs" / "sample.txt").read_text(encoding="utf-8")
    assert text.startswith(
        (GOLDEN.parent.parent / "fixtures" / "editions" / "sample.txt").read_text()
    )


def test_below_minimum_keeps_previous_edition_byte_for_byte(tmp_path: Path) -> None:
    document = sample_document()
    draft = sample_config(tmp_path)
    write_editions(draft, document, "cs", sample_catalog("cs", "machine"), RunLog())
    paths = [tmp_path / "output" / "cs" / f"sample{s}" for s in SUFFIXES]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}

    strict = sample_config(tmp_path, policy="reviewed", minimum_share={"*": 0.6})
    log = RunLog()
    outcome = write_editions(strict, document, "cs", sample_catalog("cs", "half"), log)
    assert not outcome.published
    assert outcome.shares.translated_share == 0.5
    assert outcome.reason == (
        "output/cs/sample.*: edition withheld: 50.0% reviewed under the 'reviewed' publish "
        "policy, below the minimum of 60.0% for cs; the previous edition stays unchanged"
    )
    assert outcome.status == outcome.reason
    assert log.written == [] and log.unchanged == []
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths} == before


def test_minimum_is_per_language(tmp_path: Path) -> None:
    config = sample_config(tmp_path, minimum_share={"ru": 0.9, "*": 0.4})
    results = {
        lang: write_editions(
            config, sample_document(), lang, sample_catalog(lang, "half"), RunLog()
        )
        for lang in LANGS
    }
    assert {lang: o.published for lang, o in results.items()} == {
        "cs": True,
        "ru": False,
        "uk": True,
        "sk": True,
    }
    assert "no edition published yet" in results["ru"].reason
    assert not (tmp_path / "output" / "ru").exists()


def test_unchanged_inputs_rewrite_nothing(tmp_path: Path) -> None:
    config = sample_config(tmp_path)
    catalog = sample_catalog("uk", "half")
    first = RunLog()
    outcomes = [write_editions(config, sample_document(), "uk", catalog, first)]
    write_index(config, outcomes, first)
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "output").rglob("*")}
    second = RunLog()
    outcomes = [
        write_editions(config, sample_document(), "uk", sample_catalog("uk", "half"), second)
    ]
    assert not write_index(config, outcomes, second)
    assert second.written == [] and len(second.unchanged) == 4
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "output").rglob("*")} == stamps


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    config = sample_config(tmp_path)
    log = RunLog(dry_run=True)
    write_editions(config, sample_document(), "sk", sample_catalog("sk", "reviewed"), log)
    assert len(log.written) == 3
    assert not (tmp_path / "output").exists()


# --- colophon facts ------------------------------------------------------------------------------


def test_edition_date_is_the_newest_header_date_in_utc() -> None:
    catalog = sample_catalog("cs", "half")
    assert edition_date(catalog) == datetime.date(2025, 10, 20)
    catalog.header["PO-Revision-Date"] = "2025-12-31 23:30-0200"  # 2026-01-01 01:30 UTC
    assert edition_date(catalog) == datetime.date(2026, 1, 1)


def test_edition_date_falls_back_to_source_date_epoch_never_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog = sample_catalog("cs", "half")
    catalog.header["PO-Revision-Date"] = "YEAR-MO-DA HO:MI+ZONE"
    catalog.header["POT-Creation-Date"] = ""
    assert edition_date(catalog) is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert edition_date(catalog) == datetime.date(2023, 11, 14)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        edition_date(catalog)


def test_machine_sources_come_from_the_mt_comments() -> None:
    document = sample_document()
    assert machine_sources(document, sample_catalog("ru", "empty"), "draft") == ()
    half = sample_catalog("ru", "half")
    assert machine_sources(document, half, "draft") == (("argos", "translate-en_ru", "1.9"),)
    # Under the reviewed policy only reviewed entries are shown; these came from Argos too.
    assert machine_sources(document, half, "reviewed") == (("argos", "translate-en_ru", "1.9"),)


# --- the pipeline's own messages -----------------------------------------------------------------


def _msgids(po_text: str) -> list[str]:
    return [m for m in re.findall(r'^msgid "(.*)"$', po_text, flags=re.MULTILINE) if m]


def test_message_template_matches_the_code() -> None:
    """pipeline.pot holds exactly the N_() messages of assemble.py (xgettext is the judge)."""
    extracted = subprocess.run(
        ["xgettext", "-LPython", "-k", "-kN_", "--no-location", "--omit-header", "-o", "-",
         str(LOCALE_DIR.parent / "assemble.py")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    template = (LOCALE_DIR / "pipeline.pot").read_text(encoding="utf-8")
    assert _msgids(template) == _msgids(extracted)
    assert len(_msgids(template)) >= 15


@pytest.mark.parametrize("language", LANGS)
def test_message_catalogs_are_complete_and_match_msgfmt(tmp_path: Path, language: str) -> None:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "pipeline.po"
    checked = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "pipeline.mo"), str(po)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert re.fullmatch(r"\d+ translated messages\.", checked.stderr.strip()), checked.stderr
    from babel.support import Translations

    with (tmp_path / "pipeline.mo").open("rb") as handle:
        by_msgfmt = Translations(handle, domain="pipeline")
    by_babel = messages(language)
    template = (LOCALE_DIR / "pipeline.pot").read_text(encoding="utf-8")
    for msgid in _msgids(template):
        msgid = msgid.replace('\\"', '"')
        assert by_babel.gettext(msgid) == by_msgfmt.gettext(msgid) != msgid


def test_language_without_catalog_gets_english() -> None:
    assert messages("de").gettext("Colophon") == "Colophon"


# --- through the command line --------------------------------------------------------------------


def _project(tmp_path: Path, publish: str) -> Path:
    from conftest import REPO

    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    shutil.copy(GOLDEN.parent.parent / "fixtures" / "editions" / "sample.txt", project / "source")
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = re.sub(r"\[tool\.pipeline\.publish\][^\[]*", publish + "\n\n", pyproject)
    (project / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return project


def test_cli_withholds_below_minimum_and_exits_7(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpers import run_cli

    project = _project(tmp_path, '[tool.pipeline.publish]\npolicy = "draft"\nminimum_share = 0.0')
    assert run_cli(project, "build") == 0
    editions = sorted((project / "output").rglob("sample.*"))
    assert len(editions) == 4 * len(formats_for("text"))  # every installed format that fits
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in editions}
    index_before = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert "Withheld" not in index_before
    capsys.readouterr()

    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml")
        .read_text(encoding="utf-8")
        .replace(
            'policy = "draft"\nminimum_share = 0.0', 'policy = "reviewed"\nminimum_share = 0.5'
        ),
        encoding="utf-8",
    )
    assert run_cli(project, "build") == 7
    err = capsys.readouterr().err
    for lang in LANGS:
        assert (
            f"output/{lang}/sample.*: edition withheld: 0.0% reviewed under the 'reviewed' "
            f"publish policy, below the minimum of 50.0% for {lang}; the previous edition stays "
            "unchanged"
        ) in err
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in editions} == before
    assert "Withheld by the reviewed publish policy" in (
        project / "output" / "index.html"
    ).read_text(encoding="utf-8")
    # Nothing changed since: the build still says the editions are withheld.
    assert run_cli(project, "build") == 7
    assert "edition withheld" in capsys.readouterr().err


def test_two_fresh_builds_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpers import run_cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")
    trees = []
    for name in ("first", "second"):
        project = _project(tmp_path / name, '[tool.pipeline.publish]\npolicy = "draft"')
        assert run_cli(project, "build") == 0
        output = project / "output"
        trees.append({p.relative_to(output): p.read_bytes() for p in output.rglob("*.*")})
    assert trees[0] == trees[1] and len(trees[0]) == 4 * len(formats_for("text")) + 1
    colophon = trees[0][Path("ru/sample.txt")].decode()
    assert "Дата этого издания: 9 октября 2025" in colophon  # from SOURCE_DATE_EPOCH via the PO
