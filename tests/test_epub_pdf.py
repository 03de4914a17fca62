"""EPUB and PDF editions: epubcheck, pdftotext, pdffonts and pdfinfo judge the real files.

The editions are assembled from real catalogs (tests/edition_catalogs.py) and rendered by the real
ebooklib and WeasyPrint; the build tests run `python -m pipeline build` in a child process, with
WeasyPrint shadowed by a module that fails to import, or with fontconfig pointed at no fonts.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from edition_catalogs import (
    FIXTURES,
    LANGS,
    TITLE,
    catalog_for,
    header,
    sample_config,
    sample_document,
    sample_translations,
)
from helpers import REPO, run_process

from pipeline.assemble import Edition
from pipeline.catalog import template_from_document
from pipeline.config import DocumentInfo
from pipeline.edition_formats.epub import EpubEdition
from pipeline.edition_formats.pdf import PdfEdition, draft_label
from pipeline.editions import assemble_edition
from pipeline.errors import ConfigError
from pipeline.model import Document, State, Translation
from pipeline.segment import segment_text

INTERVIEW = REPO / "tests" / "fixtures" / "kras-interview.txt"
# Letters pdftotext must give back, and a sentence of each language that has them.
LETTERS = {"cs": "řů", "sk": "ľô", "uk": "їґє", "ru": "ы"}
SENTENCES = {
    "cs": "Přišli jsme na dvůr k řece.",
    "sk": "Ľudia sem chodia vôbec radi.",
    "uk": "Їжак знайшов ґудзик, і це є диво.",
    "ru": "Мы были рады новым книгам.",
}
A4 = (595.276, 841.89)
A5 = (419.528, 595.276)


def tool(name: str) -> str:
    found = shutil.which(name)
    # The README's install command brings these tools: a missing one is a failed install, not a
    # reason to pass without checking.
    assert found is not None, f"{name} is not installed (see the README's apt-get command)"
    return found


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def epubcheck(path: Path) -> subprocess.CompletedProcess[str]:
    """Debian's epubcheck is the jar itself (run through binfmt where that is set up)."""
    target = Path(tool("epubcheck")).resolve()
    command = ["java", "-jar", str(target)] if target.suffix == ".jar" else [str(target)]
    return run([*command, "--quiet", str(path)])


def pdf_text(path: Path) -> str:
    result = run([tool("pdftotext"), "-enc", "UTF-8", str(path), "-"])
    assert result.returncode == 0, result.stderr
    return result.stdout


def pdf_fonts(path: Path) -> list[list[str]]:
    """The rows of `pdffonts` after its header: name, type, encoding, emb, sub, uni, …"""
    result = run([tool("pdffonts"), str(path)])
    assert result.returncode == 0, result.stderr
    return [line.split() for line in result.stdout.splitlines()[2:] if line.strip()]


def page_size(path: Path) -> tuple[float, float]:
    result = run([tool("pdfinfo"), str(path)])
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", result.stdout)
    assert found, result.stdout
    return float(found.group(1)), float(found.group(2))


def sample_edition(tmp_path: Path, language: str, texts: dict[str, str] | None = None) -> Edition:
    """The sample document, every unit reviewed, in a language."""
    document = sample_document()
    texts = texts or sample_translations(language)
    catalog = catalog_for(document, language, states_for(document, language, texts), texts)
    return assemble_edition(sample_config(tmp_path), document, language, catalog)[1]


def states_for(
    document: Document, language: str, texts: dict[str, str], state: State = State.REVIEWED
) -> tuple[State, ...]:
    """``state`` for every entry of the document's template that has a text, else untranslated."""
    entries = template_from_document(document, header(language)).entries
    return tuple(state if texts.get(entry.msgid) else State.UNTRANSLATED for entry in entries)


def interview_document() -> Document:
    text = INTERVIEW.read_text(encoding="utf-8")
    return segment_text(text, name="kras-interview", source_path="source/kras-interview.txt")


def interview_edition(
    tmp_path: Path, state: State | None = None, policy: str = "draft", **settings: str
) -> Edition:
    """The interview in Czech from the demo catalog (its own states, or all in ``state``)."""
    demo = json.loads((FIXTURES / "kras-interview.cs.demo.json").read_text(encoding="utf-8"))
    texts = {item["msgid"]: item["msgstr"] for item in demo}
    demo_states = {item["msgid"]: State(item["state"]) for item in demo}
    document = interview_document()
    states = tuple(
        (state or demo_states[entry.msgid]) if entry.msgid in texts else State.UNTRANSLATED
        for entry in template_from_document(document, header("cs")).entries
    )
    catalog = catalog_for(document, "cs", states, texts)
    config = sample_config(
        tmp_path,
        policy=policy,
        documents={"kras-interview": DocumentInfo(title="Interview with KRAS-IWA")},
    )
    edition = assemble_edition(config, document, "cs", catalog)[1]
    return dataclasses.replace(edition, settings=settings)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- EPUB ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGS)
def test_epub_passes_epubcheck_with_language_title_and_fixed_dates(
    tmp_path: Path, language: str
) -> None:
    translated = SENTENCES[language].rstrip(".")
    edition = sample_edition(tmp_path, language)
    edition = dataclasses.replace(
        edition,
        translations={**edition.translations, TITLE: Translation(translated, State.REVIEWED)},
    )
    data = EpubEdition().render(edition)
    assert data == EpubEdition().render(edition)  # the same edition, the same bytes
    path = write(tmp_path, f"sample.{language}.epub", data)
    checked = epubcheck(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ERROR" not in checked.stdout + checked.stderr

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        infos = book.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert {info.date_time for info in infos} == {(2025, 10, 20, 0, 0, 0)}  # the colophon's
        opf = book.read("EPUB/content.opf").decode()
        text = book.read("EPUB/text.xhtml").decode()
    assert f"<dc:language>{language}</dc:language>" in opf
    assert f"<dc:title>{translated}</dc:title>" in opf
    assert '<meta property="dcterms:modified">2025-10-20T00:00:00Z</meta>' in opf
    assert edition.gettext("Colophon") in text  # the colophon, in the edition's language
    assert sample_translations(language)[sample_document().units[0].msgid] in text


def test_epub_navigation_lists_the_interview_questions(tmp_path: Path) -> None:
    edition = interview_edition(tmp_path)
    path = write(tmp_path, "kras-interview.cs.epub", EpubEdition().render(edition))
    checked = epubcheck(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with zipfile.ZipFile(path) as book:
        nav = book.read("EPUB/nav.xhtml").decode()
        text = book.read("EPUB/text.xhtml").decode()
    links = re.findall(r'<a href="text\.xhtml#([^"]+)">([^<]*)</a>', nav)
    questions = [block for block in edition.document.blocks if block.kind == "question"]
    assert len(questions) > 5
    labels = [label for _, label in links]
    for block in questions:
        assert any(label.startswith(f"{block.number})") for label in labels), (block, labels)
    for anchor, _ in links:
        assert f'id="{anchor}"' in text  # every entry points at a heading that is there


# --- PDF -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGS)
def test_pdf_text_keeps_every_letter_and_fonts_are_embedded(tmp_path: Path, language: str) -> None:
    texts = sample_translations(language)
    first = sample_document().units[0].msgid
    texts[first] = SENTENCES[language] + " " + texts[first]
    edition = sample_edition(tmp_path, language, texts)
    data = PdfEdition().render(edition)
    assert data == PdfEdition().render(edition)
    path = write(tmp_path, f"sample.{language}.pdf", data)
    text = pdf_text(path)
    assert SENTENCES[language] in " ".join(text.split())
    for letter in LETTERS[language]:
        assert letter in text
    fonts = pdf_fonts(path)
    assert fonts
    for row in fonts:
        assert row[-5] == "yes", row  # the "emb" column
        assert "DejaVu" in row[0], row  # the family the print stylesheet names
    assert page_size(path) == A4
    assert draft_label(edition) not in text  # everything reviewed: no draft marking


def test_draft_pdf_says_draft_on_every_page_in_its_language(tmp_path: Path) -> None:
    edition = interview_edition(tmp_path, State.MACHINE, page_size="A5")
    path = write(tmp_path, "draft.pdf", PdfEdition().render(edition))
    pages = [page for page in pdf_text(path).split("\f") if page.strip()]
    label = draft_label(edition)
    assert label != "draft: unreviewed machine translation is included"  # Czech, not English
    assert len(pages) > 2
    for page in pages:
        assert label in " ".join(page.split())
    assert page_size(path) == A5


def test_reviewed_pdf_has_no_draft_marking(tmp_path: Path) -> None:
    edition = interview_edition(tmp_path, State.REVIEWED, policy="reviewed")
    path = write(tmp_path, "reviewed.pdf", PdfEdition().render(edition))
    text = " ".join(pdf_text(path).split())
    assert draft_label(edition) not in text
    assert edition.translations  # reviewed text is shown
    shown = next(t.text for t in edition.translations.values() if t.state is State.REVIEWED)
    assert " ".join(shown.split()) in text


def test_unknown_page_size_is_one_config_line(tmp_path: Path) -> None:
    edition = interview_edition(tmp_path, page_size="Letter")
    with pytest.raises(ConfigError) as raised:
        PdfEdition().render(edition)
    line = raised.value.one_line()
    assert "\n" not in line
    assert "page_size" in line and "'Letter'" in line and "A5" in line


# --- the build -----------------------------------------------------------------------------------


def _warnings(stderr: str, needle: str) -> list[str]:
    return [line for line in stderr.splitlines() if needle in line]


def test_build_writes_epub_and_pdf_that_pass_the_tools(project: Path) -> None:
    built = run_process(project, "build")
    assert built.returncode == 0, built.stderr
    for language in LANGS:
        pdf = project / "output" / language / "kras-interview.pdf"
        assert all(row[-5] == "yes" for row in pdf_fonts(pdf))
        assert "KRAS" in pdf_text(pdf)
    checked = epubcheck(project / "output" / "uk" / "kras-interview.epub")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_missing_weasyprint_is_one_warning_and_other_editions_are_built(
    project: Path, tmp_path: Path
) -> None:
    shadow = tmp_path / "shadow" / "weasyprint"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        "raise ImportError(\"No module named 'weasyprint'\")\n", encoding="utf-8"
    )
    env = {"PYTHONPATH": os.pathsep.join([str(shadow.parent), str(REPO)])}
    built = run_process(project, "build", env=env)
    assert built.returncode == 0, built.stderr
    warned = _warnings(built.stderr, "WeasyPrint")
    assert len(warned) == 1, built.stderr
    assert "pip install weasyprint" in warned[0] and "apt-get install" in warned[0]
    assert "Traceback" not in built.stderr
    for language in LANGS:
        folder = project / "output" / language
        assert not (folder / "kras-interview.pdf").exists()
        for suffix in (".txt", ".md", ".html", ".epub"):
            assert (folder / f"kras-interview{suffix}").is_file()
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert 'kras-interview.epub"' in index
    assert ".pdf" not in index  # no dead link to the PDF that was skipped


def test_missing_font_is_one_line_per_language(project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        f"<?xml version='1.0'?>\n<fontconfig><dir>{empty}</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    built = run_process(project, "build", env={"FONTCONFIG_FILE": str(config)})
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    for language in LANGS:
        warned = _warnings(built.stderr, f"`fc-list :lang={language}` lists none")
        assert len(warned) == 1, built.stderr
        assert "fonts-dejavu-core" in warned[0]
        folder = project / "output" / language
        assert not (folder / "kras-interview.pdf").exists()
        assert (folder / "kras-interview.epub").is_file()
