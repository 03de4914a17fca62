"""Paragraph context in review: a sentence unit is shown with the sentences around it, in
English and as translated now, in the terminal review and in the HTML report."""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli
from test_review import ScriptedTerminal
from test_review_report import Page

from pipeline.catalog import read_catalog, save_catalog, set_machine_output, translations_of
from pipeline.config import Config, load_config
from pipeline.layout import review_report_path
from pipeline.model import State
from pipeline.review.context import (
    ParagraphFinder,
    paragraph_context,
    paragraph_index,
    paragraph_lines,
)
from pipeline.review.session import review_queue
from pipeline.review.terminal import run_review
from pipeline.stages import load_document

FIRST, MIDDLE, LAST = "First sentence here.", "The middle sentence.", "The last one."
ALONE = "Another paragraph alone."
FIRST_CS = "První věta zde."
MIDDLE_CS = "Prostřední věta."
MODEL = ("argos-batch", "translate-en_cs", "1.0")


def write_project(root: Path) -> Config:
    """A source with a paragraph of three sentences and one of one; its Czech catalog has the
    first sentence reviewed, the middle one machine output and the last one untranslated."""
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs"]\n', encoding="utf-8"
    )
    (root / "source" / "doc.txt").write_text(
        f"{FIRST} {MIDDLE} {LAST}\n\n{ALONE}\n", encoding="utf-8"
    )
    assert run_cli(root, "update") == 0
    config = load_config(root)
    path = config.locales_dir / "cs" / "doc.po"
    catalog = read_catalog(path)
    first, middle, alone = (catalog.find(text) for text in (FIRST, MIDDLE, ALONE))
    assert first is not None and middle is not None and alone is not None
    first.msgstr = FIRST_CS
    set_machine_output(middle, MIDDLE_CS, *MODEL)
    set_machine_output(alone, "Jiný odstavec sám.", *MODEL)
    save_catalog(catalog, path)
    return config


def screen_text(screen: str) -> str:
    """A screen with its wrapped lines joined, so a test can look for whole sentences."""
    return " ".join(screen.split())


def test_paragraph_of_the_unit_from_the_segmented_source(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    catalog = read_catalog(config.locales_dir / "cs" / "doc.po")
    finder = ParagraphFinder(config)
    context = finder.context("doc", MIDDLE, translations_of(catalog))
    assert context is not None
    assert [s.source for s in context.sentences] == [FIRST, MIDDLE, LAST]
    assert [s.translation for s in context.sentences] == [FIRST_CS, MIDDLE_CS, ""]
    assert [s.state for s in context.sentences] == [
        State.REVIEWED,
        State.MACHINE,
        State.UNTRANSLATED,
    ]
    assert [s.current for s in context.sentences] == [False, True, False]
    assert context.current == 1
    # A paragraph of one unit adds nothing; a unit that is not in the source has no paragraph.
    assert finder.context("doc", ALONE, translations_of(catalog)) is None
    assert finder.context("doc", "Not in the source.", translations_of(catalog)) is None
    assert finder.context("other", MIDDLE, translations_of(catalog)) is None


def test_terminal_review_shows_the_paragraph(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    items = review_queue(config, "cs")
    assert [item.msgid for item in items] == [MIDDLE, ALONE]
    terminal = ScriptedTerminal("es", edits=[None])
    run_review(config, "cs", items, terminal)
    middle, cancelled, alone = (screen_text(screen) for screen in terminal.screens)
    assert "edit cancelled" in cancelled
    # The editor gets the paragraph too, below the translation it edits.
    (context,) = terminal.contexts
    assert f"▶{MIDDLE}◀" in context and f"▶{MIDDLE_CS}◀ …" in context
    assert "Paragraph (3 units, this one between ▶ ◀):" in middle
    assert f"English: {FIRST} ▶{MIDDLE}◀ {LAST}" in middle
    # The translation as it is now: the reviewed one, this one, and … for the untranslated one.
    assert f"Czech: {FIRST_CS} ▶{MIDDLE_CS}◀ …" in middle
    # The paragraph comes above the entry itself.
    assert middle.index("Paragraph (") < middle.index(f"English: {MIDDLE} ")
    assert "Paragraph" not in alone


def test_terminal_paragraph_follows_the_file(tmp_path: Path) -> None:
    """A neighbour translated meanwhile (another tool, another reviewer) shows at once."""
    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"

    class Translating(ScriptedTerminal):
        def key(self) -> str:
            if len(self.screens) == 1:
                catalog = read_catalog(path)
                last = catalog.find(LAST)
                assert last is not None
                last.msgstr = "Ta poslední."
                save_catalog(catalog, path)
                return "b"  # show the same entry again
            return super().key()

    terminal = Translating("")
    run_review(config, "cs", review_queue(config, "cs"), terminal)
    assert f"▶{MIDDLE_CS}◀ …" in screen_text(terminal.screens[0])
    assert f"▶{MIDDLE_CS}◀ Ta poslední." in screen_text(terminal.screens[1])


def test_without_its_source_a_review_shows_no_paragraph(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    (config.source_dir / "doc.txt").unlink()
    terminal = ScriptedTerminal("")
    run_review(config, "cs", review_queue(config, "cs"), terminal)
    assert len(terminal.screens) == 1
    assert "Paragraph" not in terminal.screens[0]
    assert MIDDLE in terminal.screens[0] and MIDDLE_CS in terminal.screens[0]
    assert run_cli(config.root, "review", "cs", "--report") == 0
    page = review_report_path(config, "cs").read_text(encoding="utf-8")
    assert "<details" not in page and MIDDLE_CS in page


def test_long_paragraph_keeps_the_sentences_nearest_the_unit(tmp_path: Path) -> None:
    """A paragraph too long for the screen keeps the current unit and its nearest neighbours."""
    config = write_project(tmp_path)
    source = [f"Sentence number {n} says a few words more." for n in range(1, 13)]
    (config.source_dir / "doc.txt").write_text(" ".join(source) + "\n", encoding="utf-8")
    assert run_cli(config.root, "update") == 0
    catalog = read_catalog(config.locales_dir / "cs" / "doc.po")
    document = load_document(config, config.source_dir / "doc.txt")
    (block,) = set(paragraph_index(document).values())
    context = paragraph_context(block, source[6], translations_of(catalog))
    assert context is not None and len(context.sentences) == 12
    lines = paragraph_lines(context, "Czech", width=60, max_lines=6)
    assert len(lines) <= 7  # the heading and at most six lines
    text = screen_text("\n".join(lines))
    assert f"▶{source[6]}◀" in text
    assert source[5] in text and source[7] in text  # its neighbours stay
    assert source[0] not in text and source[11] not in text  # the far ends are cut
    assert text.count("[…]") == 4  # both ends cut, in English and in Czech
    assert "Paragraph (12 units" in lines[0]
    # With room for all of it, nothing is cut.
    whole = screen_text("\n".join(paragraph_lines(context, "Czech", width=60, max_lines=100)))
    assert "[…]" not in whole and all(sentence in whole for sentence in source)


def test_report_shows_the_paragraph(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    assert run_cli(config.root, "review", "cs", "--report") == 0
    text = review_report_path(config, "cs").read_text(encoding="utf-8")
    page = Page(text)
    sources = [cells[2][1] for cells in page.cells]
    by_source = {
        source.split("paragraph (")[0]: cells
        for source, cells in zip(sources, page.cells, strict=True)
    }
    middle = by_source[MIDDLE]
    # The English cell holds the unit, then its paragraph folded: English, then Czech.
    assert middle[2][1] == (
        f"{MIDDLE}paragraph (3 units){FIRST} {MIDDLE} {LAST}{FIRST_CS} {MIDDLE_CS} …"
    )
    assert f"<mark>{MIDDLE}</mark>" in text and f"<mark>{MIDDLE_CS}</mark>" in text
    first = by_source[FIRST]
    assert (
        first[2][1] == f"{FIRST}paragraph (3 units){FIRST} {MIDDLE} {LAST}{FIRST_CS} {MIDDLE_CS} …"
    )
    assert by_source[ALONE][2][1] == ALONE  # a paragraph of one unit: nothing added
    assert text.count("<details") == 3 and page.scripts == 1
