"""Which edition formats a build writes (`editions = [...]`), each format's own settings
(`[tool.pipeline.editions.<name>]`), per-format incremental builds, and the translated title."""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

import polib
from argos_fixtures import ArgosModels
from helpers import REPO, run_cli, run_process, snapshot

from pipeline import edition_formats

LANGS = ("cs", "ru", "uk", "sk")
TITLE = "Interview with KRAS-IWA"

RECORDING_EDITION = '''
"""An edition format that writes its settings and records every render in $RENDERS."""

import json
import os


class RecordingEdition:
    name = "rec"
    suffix = ".rec.json"
    media_type = "application/json"

    def fits(self, source_format):
        return True

    def render(self, edition):
        with open(os.environ["RENDERS"], "a", encoding="utf-8") as log:
            log.write(f"{edition.document.name}/{edition.language}\\n")
        page = {"language": edition.language, "settings": dict(edition.settings)}
        return (json.dumps(page, sort_keys=True) + "\\n").encode("utf-8")
'''


def _plugin(folder: Path) -> Path:
    """A distribution as pip installs one: the module and its .dist-info."""
    folder.mkdir()
    (folder / "rec_edition.py").write_text(RECORDING_EDITION, encoding="utf-8")
    info = folder / "rec_edition-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: rec-edition\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[pipeline.edition_formats]\nrec = rec_edition:RecordingEdition\n", encoding="utf-8"
    )
    return folder


def _configure(project: Path, extra: str) -> None:
    """Append to [tool.pipeline] (the tables go at the end of the file)."""
    path = project / "pyproject.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")


def _editions_written(project: Path) -> set[str]:
    return {
        path.relative_to(project / "output").as_posix()
        for path in (project / "output").rglob("*")
        if path.is_file() and path.name != "index.html"
    }


def test_editions_list_builds_only_those_formats(project: Path) -> None:
    _configure(project, '[tool.pipeline.editions]\nformats = ["txt"]\n')
    assert run_cli(project, "build") == 0
    assert _editions_written(project) == {f"{lang}/kras-interview.txt" for lang in LANGS}
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert '<a href="cs/kras-interview.txt">' in index
    assert "kras-interview.html" not in index


def test_editions_as_a_plain_list(project: Path) -> None:
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace("purge_obsolete = false\n", 'purge_obsolete = false\neditions = ["md"]\n')
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    assert run_cli(project, "build") == 0
    assert _editions_written(project) == {f"{lang}/kras-interview.md" for lang in LANGS}


def test_an_unknown_edition_format_is_one_line(project: Path) -> None:
    _configure(project, '[tool.pipeline.editions]\nformats = ["txt", "pfd"]\n')
    done = run_process(project, "build")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "pyproject.toml" in lines[0] and "'pfd'" in lines[0]
    installed = ", ".join(found.name for found in edition_formats.registered())
    assert f"installed: {installed}" in lines[0]
    assert not (project / "output").exists()
    assert "Traceback" not in done.stderr


def test_settings_reach_the_format_and_only_its_files_change(project: Path, tmp_path: Path) -> None:
    renders = tmp_path / "renders.log"
    env = {
        "PYTHONPATH": os.pathsep.join([str(_plugin(tmp_path / "site")), str(REPO)]),
        "RENDERS": str(renders),
    }
    _configure(project, '[tool.pipeline.editions.rec]\npage_size = "A4"\n')
    first = run_process(project, "build", env=env)
    assert first.returncode == 0, first.stderr
    page = json.loads((project / "output" / "cs" / "kras-interview.rec.json").read_text("utf-8"))
    assert page == {"language": "cs", "settings": {"page_size": "A4"}}
    assert sorted(renders.read_text("utf-8").splitlines()) == sorted(
        f"kras-interview/{lang}" for lang in LANGS
    )

    # A build with nothing changed renders no edition at all.
    renders.unlink()
    before = snapshot(project)
    again = run_process(project, "build", env=env)
    assert again.returncode == 0, again.stderr
    assert not renders.exists()
    assert snapshot(project) == before

    # Changing only this format's settings renders only this format, in every language.
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(text.replace('"A4"', '"A5"'), encoding="utf-8")
    before = snapshot(project)
    changed_settings = run_process(project, "build", env=env)
    assert changed_settings.returncode == 0, changed_settings.stderr
    assert len(renders.read_text("utf-8").splitlines()) == len(LANGS)
    report = json.loads((project / ".pipeline" / "last-build.json").read_text("utf-8"))
    assert [pair["rebuilt"] for pair in report["pairs"]] == [False] * len(LANGS)
    after = snapshot(project)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {f"output/{lang}/kras-interview.rec.json" for lang in LANGS}
    page = json.loads((project / "output" / "sk" / "kras-interview.rec.json").read_text("utf-8"))
    assert page["settings"] == {"page_size": "A5"}


def test_the_title_is_a_unit_and_every_edition_shows_it_translated(
    project: Path, argos_models: ArgosModels
) -> None:
    assert run_cli(project, "build") in (0, 1)  # the gate may object to toy translations
    template = polib.pofile(str(project / "locales" / "kras-interview.pot"))
    title_entry = template.find(TITLE)
    assert title_entry is not None
    assert title_entry.comment == "document title"
    expected = {"cs": TITLE.upper(), "sk": TITLE.upper()}
    for lang in LANGS:
        catalog = polib.pofile(str(project / "locales" / lang / "kras-interview.po"))
        entry = catalog.find(TITLE)
        assert entry is not None and entry.msgstr and entry.msgstr != TITLE
        translated = expected.get(lang, entry.msgstr)
        assert entry.msgstr == translated
        out = project / "output" / lang
        txt = (out / "kras-interview.txt").read_text(encoding="utf-8")
        assert f": {translated}\n" in txt  # the colophon's "title of this edition" row
        assert f": {TITLE}\n" in txt  # and the original title stays
        md = (out / "kras-interview.md").read_text(encoding="utf-8")
        assert md.startswith(f"# {translated}\n")
        page = (out / "kras-interview.html").read_text(encoding="utf-8")
        assert re.search(rf'<h1 lang="{lang}">{re.escape(translated)}</h1>', page)
        assert f"<title>{translated} – " in page
        epub = out / "kras-interview.epub"
        if epub.exists():
            with zipfile.ZipFile(epub) as book:
                opf = next(name for name in book.namelist() if name.endswith(".opf"))
                assert f">{translated}</dc:title>" in book.read(opf).decode("utf-8")
