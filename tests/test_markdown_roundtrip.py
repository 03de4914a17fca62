"""The three 18F Markdown posts end to end: extract, update, translate (tiny Argos models), check
and build in a private project, and the round trips of the Markdown issue.

- With empty catalogs each edition is its source byte for byte and renders to the same HTML.
- With machine "translations" from the tiny models (upper case for cs/sk, Cyrillic letters for
  ru/uk, markup protected by placeholders on the way through Argos), only text changes: the URLs,
  code and template tags of every edition are byte-identical to the source's and the HTML has the
  same elements and attributes.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from argos_fixtures import ArgosModels
from helpers import run_cli, snapshot

from pipeline.assemble import TEXT_RULE
from pipeline.catalog import read_catalog, save_catalog
from pipeline.source_formats.markdown.render import markup_inventory, render_markdown_html

REPO = Path(__file__).resolve().parent.parent
ENGLISH = Path(__file__).resolve().parent / "fixtures" / "english"
ARTICLES = sorted(path.name for path in ENGLISH.glob("*.md"))
LANGS = ("cs", "ru", "uk", "sk")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose sources are the three posts, with no catalogs or editions yet."""
    root = tmp_path / "project"
    (root / "source").mkdir(parents=True)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    for name in ARTICLES:
        shutil.copy2(ENGLISH / name, root / "source" / name)
    return root


@pytest.fixture
def no_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Argos model: `build` would otherwise machine-translate with the session's test models."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def _edition_body(path: Path) -> str:
    """A Markdown edition without the colophon the pipeline appends after a rule."""
    text = path.read_text(encoding="utf-8")
    body, rule, _ = text.rpartition("\n" + TEXT_RULE + "\n")
    assert rule, f"no colophon rule in {path}"
    return body


class _Structure(HTMLParser):
    """Elements with their attributes (alt and title aside: they are text) and text per element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, ...]] = []
        self.texts: list[str] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = tuple(f"{k}={v}" for k, v in attrs if k not in ("alt", "title"))
        self.elements.append((tag, *kept))
        self._code += tag in ("code", "pre")

    def handle_endtag(self, tag: str) -> None:
        self.elements.append(("/" + tag,))
        self._code -= tag in ("code", "pre")

    def handle_data(self, data: str) -> None:
        if not self._code and data.strip():
            self.texts.append(" ".join(data.split()))


def _structure(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    return parser


def test_empty_catalogs_give_every_post_back_byte_for_byte(project: Path, no_models: None) -> None:
    assert run_cli(project, "extract") == 0
    assert run_cli(project, "update") == 0
    assert run_cli(project, "build") == 0
    for name in ARTICLES:
        source = (ENGLISH / name).read_text(encoding="utf-8")
        expected_html = render_markdown_html(source)
        for lang in LANGS:
            edition = project / "output" / lang / name
            body = _edition_body(edition)
            assert body == source.rstrip("\n") or body == source, (lang, name)
            assert render_markdown_html(body) == expected_html
            page = edition.with_suffix(".html").read_text(encoding="utf-8")
            assert expected_html.strip("\n") in page


def test_templates_hold_every_unit_with_reference_and_place(project: Path) -> None:
    assert run_cli(project, "extract") == 0
    pot = read_catalog(project / "locales" / "18f-2016-12-14-how-to-run-an-efficient-meeting.pot")
    by_msgid = {entry.msgid: entry for entry in pot.entries}
    title = by_msgid["How to run an efficient meeting"]
    assert title.references == ["source/18f-2016-12-14-how-to-run-an-efficient-meeting.md:2"]
    assert title.extracted_comments == ["front matter: title"]
    invite = by_msgid["Will Slack leads and takes notes (notes location: \\<link\\>)"]
    assert invite.extracted_comments == ["paragraph 26, sentence 1; block quote, list item"]
    # The shortcode paragraph is a template tag only: no unit, its alt text stays in the tag.
    assert not any("workshop meeting" in msgid for msgid in by_msgid)
    assert not any("layout" in msgid or "best practices" in msgid for msgid in by_msgid)


def test_machine_translation_changes_only_text(project: Path, argos_models: ArgosModels) -> None:
    assert run_cli(project, "translate") == 0
    assert run_cli(project, "build") == 0
    for name in ARTICLES:
        source = (ENGLISH / name).read_text(encoding="utf-8")
        source_inventory = markup_inventory(source)
        source_html = _structure(render_markdown_html(source))
        for lang in LANGS:
            body = _edition_body(project / "output" / lang / name)
            assert body != source
            # URLs, fenced and inline code, template tags: the same bytes, in the same order.
            assert markup_inventory(body) == source_inventory, (lang, name)
            edition_html = _structure(render_markdown_html(body))
            assert edition_html.elements == source_html.elements, (lang, name)
            if lang in ("cs", "sk"):  # the upper-casing model: every text node is the upper case
                expected = [_without_tags(text).upper() for text in source_html.texts]
                assert [_without_tags(t) for t in edition_html.texts] == expected
            # The front matter is still YAML, with the titles translated and the rest untouched.
            front = yaml.safe_load(body.split("---", 2)[1])
            original = yaml.safe_load(source.split("---", 2)[1])
            assert front["title"] != original["title"]
            assert {
                k: v for k, v in front.items() if k not in ("title", "description", "excerpt")
            } == {k: v for k, v in original.items() if k not in ("title", "description", "excerpt")}


def _without_tags(text: str) -> str:
    return " ".join(re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text).split())


def test_machine_output_passes_the_markup_check(
    project: Path, argos_models: ArgosModels, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(project, "translate") == 0
    capsys.readouterr()
    run_cli(project, "check", "--json")
    findings = json.loads(capsys.readouterr().out)
    assert [f for f in findings if f["check"] == "markup"] == []


def test_check_reports_a_changed_url_in_a_translation(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(project, "update") == 0
    path = project / "locales" / "cs" / "18f-2015-03-13-how-to-protosketch.po"
    catalog = read_catalog(path)
    entry = next(e for e in catalog.entries if "[*app.js*](" in e.msgid)
    entry.msgstr = entry.msgid.replace("blob/master/app.js", "blob/main/app.js")
    emphasis = next(e for e in catalog.entries if "[*" in e.msgid and e is not entry)
    emphasis.msgstr = emphasis.msgid.replace("*", "", 1)  # one emphasis marker lost
    save_catalog(catalog, path)
    capsys.readouterr()
    assert run_cli(project, "check", "--json", "--lang", "cs") == 1
    findings = [f for f in json.loads(capsys.readouterr().out) if f["check"] == "markup"]
    errors = [f for f in findings if f["severity"] == "error"]
    assert [f["msgid"] for f in errors] == [entry.msgid]
    assert (
        "changed URL: https://github.com/18F/protosketch-demo/blob/master/app.js"
        in (errors[0]["message"])
    )
    assert errors[0]["file"] == "locales/cs/18f-2015-03-13-how-to-protosketch.po"
    warnings = [f for f in findings if f["severity"] == "warning"]
    assert {f["msgid"] for f in warnings} == {emphasis.msgid}
    assert any(f["message"].startswith("unbalanced emphasis") for f in warnings)


def test_update_twice_changes_no_byte(project: Path, no_models: None) -> None:
    for command in ("extract", "update", "build"):
        assert run_cli(project, command) == 0
    before = snapshot(project)  # the run state in .pipeline/ aside
    for command in ("extract", "update", "build"):
        assert run_cli(project, command) == 0
    assert snapshot(project) == before  # same bytes and same modification times


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "open.md",
            "---\ntitle: Never closed\n\nBody text.\n",
            "source/open.md:1: front matter: no closing '---' line",
        ),
        (
            "yaml.md",
            "---\ntitle: A\nauthors: [one, two\n---\nBody.\n",
            "source/yaml.md:4: front matter: invalid YAML",
        ),
        (
            "list.md",
            "---\n- a\n- b\n---\nBody.\n",
            "source/list.md:2: front matter: not a YAML mapping",
        ),
        (
            "nul.md",
            "# Title\n\nText with a \x00 in it.\n",
            "source/nul.md:3: control character U+0000 (NUL) at byte offset 21",
        ),
        ("latin1.md", b"# Title\n\nCaf\xe9.\n", "source/latin1.md:3: not UTF-8: byte 0xe9"),
    ],
)
def test_bad_markdown_is_one_line_with_file_and_line_and_writes_nothing(
    project: Path,
    no_models: None,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes,
    message: str,
) -> None:
    assert run_cli(project, "update") == 0
    before = {p: p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()}
    path = project / "source" / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    capsys.readouterr()
    for command in ("extract", "update", "build"):
        assert run_cli(project, command) == 4
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1
        assert message in lines[0]
        assert "Traceback" not in lines[0]
        if command != "build":  # extract and update read every source before writing anything
            now = {p: p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()}
            assert now == {**before, path: path.read_bytes()}
    stem = Path(name).stem
    assert not [p for p in project.rglob(f"{stem}.*") if p != path]  # nothing for the bad source


def test_the_markdown_settings_table_reaches_the_format(
    project: Path, no_models: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """`[tool.pipeline.markdown]` is the markdown format's own table (`SegmentOptions.settings`):
    its front_matter_keys decide the units, and a bad value is one configuration line."""
    (project / "source" / "post.md").write_text(
        "---\ntitle: A title\nsummary: A summary of it.\n---\nBody text.\n", encoding="utf-8"
    )
    pyproject = project / "pyproject.toml"
    base = pyproject.read_text(encoding="utf-8")
    assert "[tool.pipeline.markdown]" not in base
    pyproject.write_text(
        base + '\n[tool.pipeline.markdown]\nfront_matter_keys = ["summary"]\n', encoding="utf-8"
    )
    assert run_cli(project, "extract") == 0
    template = read_catalog(project / "locales" / "post.pot")
    assert [(e.msgid, e.extracted_comments) for e in template.entries] == [
        ("A summary of it.", ["front matter: summary"]),
        ("Body text.", ["paragraph 1, sentence 1"]),
    ]
    pyproject.write_text(
        base + '\n[tool.pipeline.markdown]\nfront_matter_keys = "summary"\n', encoding="utf-8"
    )
    capsys.readouterr()
    assert run_cli(project, "extract") == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "[tool.pipeline.markdown] front_matter_keys" in lines[0]
