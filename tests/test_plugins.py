"""Plugins through entry points: the built-ins are registered as a third party's would be, and a
toy distribution that is not part of the package (a `.lines` source format, a JSON edition and an
engine that reverses the words) is used by `pipeline build` with no change to `pipeline/`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parent.parent

TOY_MODULE = '''
"""A toy plugin distribution: one line is one unit; a JSON edition; an engine reversing words."""

import json
from html import escape

from pipeline.assemble import chosen_text
from pipeline.engines import EngineOutput
from pipeline.model import Block, Document, Unit


class LinesFormat:
    name = "lines"
    suffixes = (".lines",)

    def segment(self, raw, *, name, source_path, options):
        blocks = []
        for number, line in enumerate(raw.decode("utf-8").splitlines(keepends=True), 1):
            body = line.rstrip("\\r\\n")
            if body.strip():
                unit = Unit(body.strip(), number, f"line {number}")
                blocks.append(Block("line", None, "", (unit,), line[len(body):], number))
            else:
                blocks.append(Block("blank", None, line, (), "", number))
        return Document(name, source_path, self.name, tuple(blocks))

    def place(self, kind, text):
        return text

    def protect(self, msgid):
        return msgid, []

    def restore(self, translated, tokens):
        return translated

    def markup_findings(self, source, translation):
        return []

    def _shown(self, edition, unit):
        text = chosen_text(unit, edition.translations, edition.policy)
        return unit.source_text if text is None else text

    def html_body(self, edition):
        return [f"<p>{escape(self._shown(edition, u))}</p>" for u in edition.document.units]

    def markdown_body(self, edition):
        return "\\n\\n".join(self._shown(edition, u) for u in edition.document.units) + "\\n"


class JsonEdition:
    name = "json"
    suffix = ".json"
    media_type = "application/json"

    def fits(self, source_format):
        return True

    def render(self, edition):
        units = []
        for unit in edition.document.units:
            text = chosen_text(unit, edition.translations, edition.policy)
            units.append({"source": unit.msgid, "text": unit.source_text if text is None else text})
        page = {"document": edition.document.name, "language": edition.language, "units": units}
        return (json.dumps(page, ensure_ascii=False, indent=1) + "\\n").encode("utf-8")


class ReverseEngine:
    name = "reverse"
    model = "reverse-words"
    version = "1"
    fingerprint = "reverse-words-1"

    def translate(self, texts):
        return [EngineOutput(" ".join(reversed(text.split()))) for text in texts]

    def close(self):
        pass


class ReverseFactory:
    name = "reverse"

    def serves(self, source, target):
        return True

    def fingerprint(self, source, target):
        return "reverse-words-1"

    def open(self, source, target, settings):
        return ReverseEngine()
'''

ENTRY_POINTS = """\
[pipeline.source_formats]
lines = toy_pipeline_plugin:LinesFormat

[pipeline.edition_formats]
json = toy_pipeline_plugin:JsonEdition

[pipeline.engines]
reverse = toy_pipeline_plugin:ReverseFactory
"""

POEM = "The quick brown fox jumps\nover the lazy dog today\n\nAnd then it runs away\n"


def _distribution(folder: Path, module: str = TOY_MODULE, points: str = ENTRY_POINTS) -> Path:
    """A distribution as pip would install it: the module and its .dist-info beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "toy_pipeline_plugin.py").write_text(module, encoding="utf-8")
    info = folder / "toy_pipeline_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: toy-pipeline-plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(points, encoding="utf-8")
    return folder


def _project(folder: Path, engine: str = "reverse") -> Path:
    (folder / "source").mkdir(parents=True)
    (folder / "source" / "poem.lines").write_text(POEM, encoding="utf-8")
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [tool.pipeline]
            target_languages = ["cs"]
            engine = "{engine}"
            """
        ),
        encoding="utf-8",
    )
    return folder


def _pipeline(
    project: Path, *args: str, plugin: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (plugin, REPO) if p is not None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(project), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_built_ins_are_registered_through_entry_points() -> None:
    def names(group: str) -> set[str]:
        return {point.name for point in entry_points(group=group)}

    assert {"text", "markdown"} <= names("pipeline.source_formats")
    assert {"txt", "md", "html"} <= names("pipeline.edition_formats")
    assert {"argos", "argos-batch"} <= names("pipeline.engines")
    for group in ("pipeline.source_formats", "pipeline.edition_formats", "pipeline.engines"):
        for point in entry_points(group=group):
            if point.value.startswith("pipeline."):
                assert point.load() is not None


def test_a_third_party_distribution_adds_a_format_an_edition_and_an_engine(
    tmp_path: Path,
) -> None:
    plugin = _distribution(tmp_path / "site")
    project = _project(tmp_path / "project")
    done = _pipeline(project, "build", plugin=plugin)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr

    catalog = polib.pofile(str(project / "locales" / "cs" / "poem.po"))
    translated = {entry.msgid: entry for entry in catalog}
    assert set(translated) == {
        "The quick brown fox jumps",
        "over the lazy dog today",
        "And then it runs away",
    }
    fox = translated["The quick brown fox jumps"]
    assert fox.msgstr == "jumps fox brown quick The"
    assert "fuzzy" in fox.flags
    assert fox.tcomment.startswith("mt: reverse reverse-words 1 ")

    edition = json.loads((project / "output" / "cs" / "poem.json").read_text(encoding="utf-8"))
    assert edition["language"] == "cs"
    assert [unit["text"] for unit in edition["units"]] == [
        "jumps fox brown quick The",
        "today dog lazy the over",
        "away runs it then And",
    ]
    # The built-in edition formats serve the new source format too.
    text_edition = (project / "output" / "cs" / "poem.txt").read_text(encoding="utf-8")
    assert text_edition.startswith("jumps fox brown quick The\ntoday dog lazy the over\n\n")
    html_edition = (project / "output" / "cs" / "poem.html").read_text(encoding="utf-8")
    assert "<p>away runs it then And</p>" in html_edition

    again = _pipeline(project, "build", plugin=plugin)
    assert again.returncode == 0, again.stderr
    assert "0 units machine-translated" in again.stderr + again.stdout


def test_without_the_distribution_the_engine_is_one_line(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    (project / "source" / "notes.txt").write_text("A plain note.\n", encoding="utf-8")
    done = _pipeline(project, "build")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "reverse" in lines[0] and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "broken",
    [
        "raise ImportError('a dependency of the plugin is missing')\n",
        "import json\n",  # the module loads, but the class it names is not there
    ],
)
def test_a_broken_plugin_is_one_line(tmp_path: Path, broken: str) -> None:
    plugin = _distribution(tmp_path / "site", module=broken)
    project = _project(tmp_path / "project")
    done = _pipeline(project, "build", plugin=plugin)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "toy_pipeline_plugin" in lines[0]
    assert "Traceback" not in done.stderr
    assert not (project / "locales").exists()
