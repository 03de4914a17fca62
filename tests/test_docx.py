"""DOCX sources and DOCX editions: a Word file made here with python-docx goes through the whole
pipeline; formatting lands on the translated words; bad packages are one line and exit 4."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from argos_fixtures import ArgosModels
from argos_models import MAPPINGS
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from helpers import REPO, run_process
from lxml import etree

from pipeline.assemble import Edition
from pipeline.model import Document, Severity, State, Translation
from pipeline.source_formats import SegmentOptions, for_path
from pipeline.source_formats.docx import DocxEdition, DocxFormat, inline

W_LANG = qn("w:lang")
LINK = "https://example.org/licence?kind=open&year=2024"


def _link(paragraph: docx.text.paragraph.Paragraph, url: str, text: str) -> None:
    rel_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    run.append(properties)
    words = OxmlElement("w:t")
    words.text = text
    run.append(words)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


def make_docx() -> docx.document.Document:
    """Headings, a table, bold, italic and linked words inside sentences, a core title."""
    document = docx.Document()
    document.core_properties.title = "A report on open data"
    document.add_heading("Open data in practice", level=1)
    paragraph = document.add_paragraph("The team publishes ")
    paragraph.add_run("every dataset").bold = True
    paragraph.add_run(" under an open licence. Read the ")
    _link(paragraph, LINK, "licence text")
    paragraph.add_run(" before you start. Some words are ")
    paragraph.add_run("in italics").italic = True
    paragraph.add_run(".")
    document.add_heading("Results", level=2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Name"
    table.cell(0, 1).text = "Count"
    table.cell(1, 0).text = "Open datasets"
    cell = table.cell(1, 1).paragraphs[0]
    cell.add_run("Forty ")
    cell.add_run("two").bold = True
    document.add_paragraph("A last sentence, with a literal <b> in it.")
    return document


def docx_bytes(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def segment(raw: bytes, unit: str = "sentence") -> Document:
    return DocxFormat().segment(
        raw, name="report", source_path="source/report.docx", options=SegmentOptions(unit)
    )


def _formatting(raw: bytes) -> list[list[tuple[str, bytes, str]]]:
    """Per paragraph (tables included): (text, run properties without w:lang, link target) of
    each stretch of one formatting, adjacent runs of the same formatting merged."""
    document = docx.Document(io.BytesIO(raw))
    targets = {key: rel.target_ref for key, rel in document.part.rels.items() if rel.is_external}
    out: list[list[tuple[str, bytes, str]]] = []
    for paragraph in document.element.body.iter(qn("w:p")):
        runs: list[tuple[str, bytes, str]] = []
        for run in paragraph.iter(qn("w:r")):
            text = "".join(t.text or "" for t in run.iter(qn("w:t")))
            if not text:
                continue
            properties = run.find(qn("w:rPr"))
            shape = b""
            if properties is not None:
                properties = etree.fromstring(etree.tostring(properties))
                for lang in properties.findall(W_LANG):
                    properties.remove(lang)
                shape = etree.tostring(properties)
            parent = run.getparent()
            target = targets.get(parent.get(qn("r:id"), ""), "") if parent is not paragraph else ""
            if runs and runs[-1][1:] == (shape, target):
                runs[-1] = (runs[-1][0] + text, shape, target)
            else:
                runs.append((text, shape, target))
        out.append(runs)
    return out


def _languages(raw: bytes) -> set[str]:
    """Every w:lang value in the document and its styles."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        found: set[str] = set()
        for part in ("word/document.xml", "word/styles.xml"):
            root = etree.fromstring(archive.read(part))
            found |= {lang.get(qn("w:val")) for lang in root.iter(W_LANG)}
    return found


# --- units ---------------------------------------------------------------------------------------


def test_units_are_sentences_headings_cells_and_the_title_with_readable_tags() -> None:
    document = segment(docx_bytes(make_docx()))
    found = [(unit.msgid, unit.where) for unit in document.units]
    assert found == [
        ("A report on open data", "core property title"),
        ("Open data in practice", "heading 1"),
        (
            "The team publishes <b>every dataset</b> under an open licence.",
            "paragraph 1, sentence 1",
        ),
        (
            "Read the <a1>licence text</a1> before you start.",
            f"paragraph 1, sentence 2; a1: {LINK}",
        ),
        ("Some words are <i>in italics</i>.", "paragraph 1, sentence 3"),
        ("Results", "heading 2"),
        ("Name", "table 1, cell 1:1"),
        ("Count", "table 1, cell 1:2"),
        ("Open datasets", "table 1, cell 2:1"),
        ("Forty <b>two</b>", "table 1, cell 2:2"),
        ("A last sentence, with a literal &lt;b> in it.", "paragraph 2"),
    ]
    assert document.title == "A report on open data"
    assert document.source_bytes
    assert for_path(Path("x.docx")) is not None and for_path(Path("x.docx")).name == "docx"


def test_paragraph_unit_keeps_a_paragraph_whole() -> None:
    document = segment(docx_bytes(make_docx()), unit="paragraph")
    msgids = [unit.msgid for unit in document.units]
    assert (
        "The team publishes <b>every dataset</b> under an open licence. Read the "
        "<a1>licence text</a1> before you start. Some words are <i>in italics</i>."
    ) in msgids


@pytest.mark.parametrize(
    "msgid",
    [
        "The team publishes <b>every dataset</b> under an open licence.",
        "Read the <a1>licence text</a1> before you start.",
        "A literal &lt;b> stays text, <x1/> is an object.",
        "Seven thousand and one: 7001, <i>7002</i>.",
    ],
)
@pytest.mark.parametrize("mode", ["upper", "cyrillic"])
def test_tags_survive_what_argos_does_to_text(msgid: str, mode: str) -> None:
    protected, tokens = inline.protect(msgid)
    assert "<" not in protected and "&" not in protected
    restored = inline.restore(MAPPINGS[mode](protected), tokens)
    assert inline.findings(msgid, restored) == []
    assert inline.plain(restored) == MAPPINGS[mode](inline.plain(msgid))


def test_escaping_is_reversible_and_plain_text_loses_only_tags() -> None:
    for text in ["a <b> c", "&lt;", "&amp;lt;", "x < y & z", "<br/> and </i>"]:
        assert inline.unescape(inline.escape(text)) == text
        assert inline.plain(inline.escape(text)) == text
    assert inline.plain("A <b>bold</b><br/>line") == "A bold\nline"


def test_markup_findings_make_a_lost_link_an_error_and_lost_emphasis_a_warning() -> None:
    source = "Read the <a1>licence</a1> and <b>this</b>."
    found = inline.findings(source, "Přečtěte si licenci a <b>toto</b>.")
    assert [severity for severity, _ in found] == [Severity.ERROR]
    assert "<a1>" in found[0][1]
    found = inline.findings(source, "Přečtěte si <a1>licenci</a1> a toto.")
    assert [severity for severity, _ in found] == [Severity.WARNING]
    found = inline.findings(source, "<a1>licenci</b> <b>x</a1>")
    assert any("unbalanced" in message for _, message in found)
    assert inline.findings(source, "Přečtěte si <a1>licenci</a1> a <b>toto</b>.") == []


# --- the edition, in process ---------------------------------------------------------------------


def _edition(document: Document, translate: object, state: State = State.REVIEWED) -> Edition:
    assert callable(translate)
    translations = {u.msgid: Translation(translate(u.msgid), state) for u in document.units}
    return Edition(document, "cs", translations)


def test_translating_every_unit_into_itself_rebuilds_the_same_text_and_formatting() -> None:
    raw = docx_bytes(make_docx())
    document = segment(raw)
    edition = DocxEdition().render(_edition(document, lambda msgid: msgid))
    assert _formatting(edition) == _formatting(raw)
    assert _languages(edition) == {"cs"}


def test_the_docx_edition_is_deterministic_with_fixed_zip_times() -> None:
    document = segment(docx_bytes(make_docx()))
    edition = _edition(document, lambda msgid: msgid.upper(), State.MACHINE)
    first, second = DocxEdition().render(edition), DocxEdition().render(edition)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        with zipfile.ZipFile(io.BytesIO(document.source_bytes)) as source:
            assert archive.namelist() == source.namelist()


def test_a_lost_object_is_put_back_and_an_unknown_tag_stays_text() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Before the mark")
    paragraph.add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    paragraph.add_run(" and after it.")
    raw = docx_bytes(document)
    unit = segment(raw).units[0]
    assert unit.msgid == "Before the mark<x1/> and after it."
    edition = Edition(
        segment(raw),
        "cs",
        {unit.msgid: Translation("Před <q>značkou</q> a po ní.", State.REVIEWED)},
    )
    out = docx.Document(io.BytesIO(DocxEdition().render(edition)))
    assert out.paragraphs[0].text.startswith("Před <q>značkou</q> a po ní.")
    assert len(out.element.body.findall(f".//{qn('w:br')}")) == 1


def test_html_and_markdown_bodies_show_headings_tables_and_inline_formatting() -> None:
    from pipeline.assemble import render_html, render_markdown

    document = segment(docx_bytes(make_docx()))
    translations = {
        u.msgid: Translation(
            u.msgid.upper().replace("A1>", "a1>").replace("B>", "b>"), State.REVIEWED
        )
        for u in document.units
    }
    html = render_html(document, translations)
    assert "<h1>OPEN DATA IN PRACTICE</h1>" in html
    assert f'<a href="{LINK.replace("&", "&amp;")}">LICENCE TEXT</a>' in html
    assert "<strong>EVERY DATASET</strong>" in html
    assert "<td>FORTY <strong>TWO</strong></td>" in html
    markdown = render_markdown(document, translations)
    assert "## RESULTS" in markdown and "| NAME | COUNT |" in markdown
    assert f"[LICENCE TEXT](<{LINK}>)" in markdown and "**EVERY DATASET**" in markdown


# --- the whole pipeline, as a user runs it -------------------------------------------------------


def _project(tmp_path: Path, raw: bytes) -> Path:
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    config = config.replace(
        'target_languages = ["cs", "ru", "uk", "sk"]', 'target_languages = ["cs", "ru"]'
    )
    assert 'target_languages = ["cs", "ru"]' in config
    (project / "pyproject.toml").write_text(config, encoding="utf-8")
    (project / "source" / "report.docx").write_bytes(raw)
    return project


def test_a_docx_goes_through_every_step_and_only_text_changes(
    tmp_path: Path, argos_models: ArgosModels
) -> None:
    raw = docx_bytes(make_docx())
    project = _project(tmp_path, raw)
    for step in ("extract", "update", "translate", "check", "build"):
        result = run_process(project, step)
        assert result.returncode == 0, (step, result.stderr)
    po = (project / "locales" / "cs" / "report.po").read_text(encoding="utf-8")
    assert 'msgstr "THE TEAM PUBLISHES <b>EVERY DATASET</b> UNDER AN OPEN LICENCE."' in po
    for language, mode in (("cs", "upper"), ("ru", "cyrillic")):
        edition = (project / "output" / language / "report.docx").read_bytes()
        source, built = _formatting(raw), _formatting(edition)
        assert [[run[1:] for run in p] for p in built] == [[run[1:] for run in p] for p in source]
        assert [[run[0] for run in p] for p in built] == [
            [MAPPINGS[mode](run[0]) for run in p] for p in source
        ]
        assert _languages(edition) == {language}
        assert docx.Document(io.BytesIO(edition)).core_properties.title == MAPPINGS[mode](
            "A report on open data"
        )
        assert (project / "output" / language / "report.html").is_file()
    first = (project / "output" / "cs" / "report.docx").read_bytes()
    (project / "output" / "cs" / "report.docx").unlink()
    rebuilt = run_process(project, "build")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (project / "output" / "cs" / "report.docx").read_bytes() == first


def test_with_empty_catalogs_the_edition_has_the_sources_text_and_formatting(
    tmp_path: Path,
) -> None:
    raw = docx_bytes(make_docx())
    project = _project(tmp_path, raw)
    result = run_process(project, "build", env={"ARGOS_PACKAGES_DIR": str(tmp_path / "none")})
    assert result.returncode == 0, result.stderr
    edition = (project / "output" / "cs" / "report.docx").read_bytes()
    assert _formatting(edition) == _formatting(raw)
    assert _languages(edition) == {"cs"}


# --- bad packages --------------------------------------------------------------------------------


def _with_part(raw: bytes, name: str, change: object) -> bytes:
    """The package with one member changed (or added) by ``change(old bytes) → new bytes``."""
    assert callable(change)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        for member in names:
            data = source.read(member)
            target.writestr(member, change(data) if member == name else data)
        if name not in names:
            target.writestr(name, change(b""))
    return out.getvalue()


def _without(raw: bytes, name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            if member != name:
                target.writestr(member, source.read(member))
    return out.getvalue()


def _tracked(raw: bytes) -> bytes:
    return _with_part(
        raw,
        "word/document.xml",
        lambda xml: xml.replace(
            b"<w:r><w:t>Results</w:t></w:r>",
            b'<w:ins w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z">'
            b"<w:r><w:t>Results</w:t></w:r></w:ins>",
        ),
    )


def _commented() -> bytes:
    document = make_docx()
    paragraph = document.add_paragraph("Checked.")
    document.add_comment(paragraph.runs, text="Is this right?", author="Reviewer")
    return docx_bytes(document)


def _embedded(raw: bytes) -> bytes:
    return _with_part(raw, "word/embeddings/oleObject1.bin", lambda _: b"\xd0\xcf\x11\xe0")


BAD = {
    "not a zip": (lambda raw: b"PK not really a zip " + raw[:40], "not a zip archive"),
    "no document part": (lambda raw: _without(raw, "word/document.xml"), "no word/document.xml"),
    "tracked changes": (_tracked, "word/document.xml, paragraph 3: tracked changes"),
    "comments": (lambda raw: _commented(), "comments; delete them"),
    "embedded object": (_embedded, "word/embeddings/oleObject1.bin: an embedded object"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_packages_are_one_line_exit_4_and_nothing_written(tmp_path: Path, case: str) -> None:
    make, expected = BAD[case]
    raw = make(docx_bytes(make_docx()))  # type: ignore[no-untyped-call]
    project = _project(tmp_path, raw)
    before = sorted(path.relative_to(project) for path in project.rglob("*"))
    result = run_process(project, "extract")
    assert result.returncode == 4, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pipeline: error: source/report.docx: "), lines[0]
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    after = sorted(path.relative_to(project) for path in project.rglob("*"))
    assert not [path for path in after if path not in before and path.parts[0] != ".pipeline"]
