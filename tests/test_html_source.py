"""HTML sources: the three 18F posts rendered to web pages go through extract, update, translate
(tiny Argos models), check and build as real subprocesses; the editions are compared with their
sources as trees parsed by html5lib.

- With empty catalogs the edition's tree is the source's (``lang`` on ``<html>`` aside).
- With the upper-casing model only text changes: every element, attribute and URL is the same,
  and ``<script>`` never becomes a unit and stays byte-identical.
- A page that is neither UTF-8 nor declares its charset is one line and exit 4.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

import html5lib
import pytest
import yaml
from argos_fixtures import ArgosModels
from helpers import run_process

from pipeline.assemble import Edition
from pipeline.catalog import read_catalog
from pipeline.model import State, Translation
from pipeline.source_formats import SegmentOptions, for_path
from pipeline.source_formats.html import HtmlFormat
from pipeline.source_formats.markdown.render import render_markdown_html

REPO = Path(__file__).resolve().parent.parent
ENGLISH = Path(__file__).resolve().parent / "fixtures" / "english"
POSTS = sorted(ENGLISH.glob("*.md"))
LANGS = ("cs", "ru", "uk", "sk")
SCRIPT = '<script>var note = "<p>Not a unit.</p>"; if (a < b && c) { go("{{ x }}"); }</script>'


def _page(post: Path) -> str:
    """A post as a web page: its front matter as <title> and description, its body rendered by
    the pipeline's own CommonMark renderer, a script, a style and a figure with alt and title."""
    _, front, body = post.read_text(encoding="utf-8").split("---", 2)
    meta = yaml.safe_load(front)
    title = escape(str(meta["title"]))
    description = escape(str(meta.get("description") or meta.get("excerpt") or meta["title"]))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{title}</title>\n<meta name="description" content="{description}">\n'
        f"{SCRIPT}\n<style>p > a {{ color: #036; }}</style>\n</head>\n<body>\n"
        f"{render_markdown_html(body)}"
        '<figure><img src="https://18f.gsa.gov/assets/img/logo.png" alt="The 18F logo" '
        'title="Logo of 18F"><figcaption>Published by 18F. Reused with thanks.</figcaption>'
        "</figure>\n<!-- generated from the 18F post -->\n</body>\n</html>\n"
    )


@pytest.fixture
def html_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "source").mkdir(parents=True)
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    config = config.replace(
        'unit = "sentence"\n', 'unit = "sentence"\neditions = ["html", "md", "txt"]\n', 1
    )
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    for post in POSTS:
        (root / "source" / f"{post.stem}.html").write_text(_page(post), encoding="utf-8")
    return root


def _tree(html: str | bytes) -> ET.Element:
    builder = html5lib.getTreeBuilder("etree", fullTree=True)
    root: ET.Element = html5lib.HTMLParser(tree=builder, namespaceHTMLElements=False).parse(html)
    return root


_TEXT_ATTRIBUTES = ("alt", "title")


def _shape(root: ET.Element, texts: bool) -> list[tuple[object, ...]]:
    """Every node in document order: tag and attributes (html's lang, alt, title and the
    description aside when texts are set aside), and each text and tail when they are kept."""
    shape: list[tuple[object, ...]] = []
    for node in root.iter():
        attributes = dict(node.attrib)
        if node.tag == "html":
            attributes.pop("lang", None)
        if not texts:
            for name in _TEXT_ATTRIBUTES:
                attributes.pop(name, None)
            if node.tag == "meta" and attributes.get("name") == "description":
                attributes.pop("content", None)
        entry: tuple[object, ...] = (str(node.tag), sorted(attributes.items()))
        if texts or node.tag in ("script", "style", "pre", "code") or callable(node.tag):
            entry += (node.text, node.tail if texts else None)
        shape.append(entry)
    return shape


def _text_nodes(root: ET.Element) -> list[str]:
    found: list[str] = []
    for node in root.iter():
        if callable(node.tag) or node.tag in ("script", "style", "code", "pre", "<!DOCTYPE>"):
            continue
        for text in (node.text, node.tail):
            if text and text.strip():
                found.append(text)
    return found


def test_empty_catalogs_give_the_source_tree_back(html_project: Path, tmp_path: Path) -> None:
    env = {"ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}
    for command in ("extract", "update", "build"):
        result = run_process(html_project, command, env=env)
        assert result.returncode == 0, result.stderr
    for post in POSTS:
        source = _tree(_page(post))
        for lang in LANGS:
            edition_bytes = (html_project / "output" / lang / f"{post.stem}.html").read_bytes()
            edition = _tree(edition_bytes)
            assert _shape(edition, texts=True) == _shape(source, texts=True), (lang, post.name)
            html = next(node for node in edition.iter() if node.tag == "html")
            assert html.get("lang") == lang
            assert SCRIPT.encode() in edition_bytes


def test_posts_go_through_every_step_and_only_text_changes(
    html_project: Path, argos_models: ArgosModels
) -> None:
    result = run_process(html_project, "extract")
    assert result.returncode == 0, result.stderr
    for post in POSTS:
        pot = read_catalog(html_project / "locales" / f"{post.stem}.pot")
        msgids = [entry.msgid for entry in pot.entries]
        assert not any("Not a unit" in msgid or "color" in msgid for msgid in msgids)
        assert "The 18F logo" in msgids and "Logo of 18F" in msgids
        assert "Published by 18F." in msgids and "Reused with thanks." in msgids
        title = yaml.safe_load(post.read_text(encoding="utf-8").split("---", 2)[1])["title"]
        assert str(title) in msgids
        assert all(
            ref.startswith(f"source/{post.stem}.html:") for e in pot.entries for ref in e.references
        )
    for command in ("update", "translate"):
        result = run_process(html_project, command)
        assert result.returncode == 0, result.stderr
    result = run_process(html_project, "check", "--json")
    findings = json.loads(result.stdout)
    assert [f for f in findings if f["check"] == "markup"] == []
    result = run_process(html_project, "build")
    assert result.returncode == 0, result.stderr
    for post in POSTS:
        source = _tree(_page(post))
        for lang in LANGS:
            edition_bytes = (html_project / "output" / lang / f"{post.stem}.html").read_bytes()
            edition = _tree(edition_bytes)
            # Tags, attributes, URLs, scripts, styles and code: the same, text set aside.
            assert _shape(edition, texts=False) == _shape(source, texts=False), (lang, post.name)
            assert SCRIPT.encode() in edition_bytes
            assert _text_nodes(edition) != _text_nodes(source)
            if lang in ("cs", "sk"):  # the upper-casing model
                expected = [_without_templates(t).upper() for t in _text_nodes(source)]
                assert [_without_templates(t) for t in _text_nodes(edition)] == expected
                image = next(node for node in edition.iter() if node.tag == "img")
                assert image.get("alt") == "THE 18F LOGO"
                assert image.get("title") == "LOGO OF 18F"
            markdown = (html_project / "output" / lang / f"{post.stem}.md").read_text("utf-8")
            assert markdown.startswith("# ")


def _without_templates(text: str) -> str:
    return " ".join(re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text).split())


def test_a_page_neither_utf8_nor_declared_is_one_line_and_exit_4(html_project: Path) -> None:
    (html_project / "source" / "latin.html").write_bytes(
        b"<!DOCTYPE html><title>Caf\xe9</title><p>Cr\xe8me br\xfbl\xe9e.</p>"
    )
    result = run_process(html_project, "extract")
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert (
        "source/latin.html:1:" in lines[0] and "neither UTF-8 nor declares its charset" in lines[0]
    )
    assert "Traceback" not in result.stderr


def _segment(raw: bytes, unit: str = "sentence") -> list[str]:
    document = HtmlFormat().segment(
        raw, name="x", source_path="source/x.html", options=SegmentOptions(unit=unit)
    )
    return [unit.msgid for unit in document.units]


def test_a_declared_charset_is_read_and_the_edition_says_utf8() -> None:
    raw = '<meta charset="windows-1250"><title>Žluťoučký kůň</title><p>Příliš.</p>'.encode(
        "windows-1250"
    )
    assert _segment(raw) == ["Žluťoučký kůň", "Příliš."]
    document = HtmlFormat().segment(
        raw, name="x", source_path="source/x.html", options=SegmentOptions()
    )
    page = HtmlFormat().html_page(Edition(document, "cs", {}))
    assert '<meta charset="utf-8">' in page and "Příliš." in page


def test_control_characters_are_refused_with_their_line() -> None:
    from pipeline.errors import SourceError

    with pytest.raises(SourceError, match=r"source/x\.html:2: control character U\+001B"):
        _segment(b"<p>fine</p>\n<p>bad \x1b[31m</p>")


def test_units_inline_elements_and_what_is_never_a_unit() -> None:
    raw = (
        b"<p>Read <a href='https://x.org/a?b=1&amp;c=2'>the <em>guide</em></a>. Then "
        b"<code>run  it</code> &amp; rest.</p><pre>never</pre><p>{{ only.a.tag }}</p>"
        b"<ul><li><strong>Whole item.</strong></li></ul><!-- no -->"
        b'<p title="{{ t }}">Titled.</p><svg><title>Not a unit</title></svg>'
    )
    assert _segment(raw) == [
        'Read <a href="https://x.org/a?b=1&amp;c=2">the <em>guide</em></a>.',
        "Then <code>run  it</code> &amp; rest.",
        "Whole item.",
        "Titled.",
    ]
    assert _segment(raw, unit="paragraph")[0].endswith("&amp; rest.")
    assert for_path(Path("source/page.htm")) is not None


def test_placeholders_survive_upper_casing_and_the_check_names_what_changed() -> None:
    html = HtmlFormat()
    msgid = 'Use <a href="/x" class="k">this link</a> with {{ name }} &amp; <code>a()</code>.'
    protected, tokens = html.protect(msgid)
    assert "<" not in protected and "{{" not in protected
    upper = html.restore(protected.upper(), tokens)
    assert (
        upper == 'USE <a href="/x" class="k">THIS LINK</a> WITH {{ name }} &amp; <code>a()</code>.'
    )
    assert html.markup_findings(msgid, upper) == []
    broken = upper.replace('href="/x"', 'href="/y"').replace("<code>a()</code>", "a()")
    messages = [message for _, message in html.markup_findings(msgid, broken)]
    assert "changed URL: /x → /y" in messages
    assert any(message.startswith("lost element: <code>") for message in messages)
    lost_class = upper.replace(' class="k"', "")
    assert any("changed element" in m for _, m in html.markup_findings(msgid, lost_class))


def test_a_partial_translation_places_only_what_is_translated() -> None:
    raw = b'<html><body><p>One here. Two <em>there</em>.</p><img alt="A cat" src="c.png"></body>'
    document = HtmlFormat().segment(raw, name="x", source_path="x.html", options=SegmentOptions())
    translations = {
        "Two <em>there</em>.": Translation("Dva <em>tam</em>.", State.REVIEWED),
        "A cat": Translation("Kočka", State.MACHINE),
    }
    page = HtmlFormat().html_page(Edition(document, "cs", translations))
    assert '<p>One here. Dva <em>tam</em>.</p><img alt="Kočka" src="c.png">' in page
    reviewed = HtmlFormat().html_page(Edition(document, "cs", translations, policy="reviewed"))
    assert 'alt="A cat"' in reviewed and "Dva <em>tam</em>." in reviewed
