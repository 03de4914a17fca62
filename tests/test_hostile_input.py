"""Hostile sources (issue 12, items 5 and 6): Markdown at any depth, and very long lines.

Deep Markdown either keeps every block as a unit in the POT and the HTML edition, or stops the
build with one line naming the source line. Long lines complete and give the right units; the
per-unit work (splitting, checks, engine pieces) stays linear. No wall-clock assertions here:
benchmarks/bench_hostile.py measures the times.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from helpers import run_cli

from pipeline.checks.translation import check_translation
from pipeline.segment import segment_text
from pipeline.sentences import bounded_pieces, sentence_spans
from pipeline.source_formats.markdown.markup import MAX_NESTING
from pipeline.source_formats.markdown.segment import segment_markdown

PYPROJECT = """\
[project]
name = "hostile"
version = "0"

[tool.pipeline]
target_languages = ["cs"]
"""


def _project(tmp_path: Path, name: str, text: str) -> Path:
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (project / "source" / name).write_text(text, encoding="utf-8")
    return project


def _msgids(project: Path, document: str) -> list[str]:
    return [entry.msgid for entry in polib.pofile(str(project / "locales" / f"{document}.pot"))]


def _deep_list(levels: int) -> str:
    return "".join("  " * level + f"- item {level} words here.\n" for level in range(levels))


# --- Markdown at depth ----------------------------------------------------------------------------

DEEP_CASES = {
    "twelve nested lists": (_deep_list(12), [f"item {n} words here." for n in range(12)]),
    "dashes on one line": ("- " * 20 + "dashed item.\n", ["dashed item."]),
    "25 quote markers": (">" * 25 + " quoted text here.\n", ["quoted text here."]),
    "numbered on one line": ("1. " * 30 + "numbered item.\n", ["numbered item."]),
}


@pytest.mark.parametrize("case", list(DEEP_CASES))
def test_deep_markdown_keeps_every_block_in_pot_and_html(tmp_path: Path, case: str) -> None:
    body, expected = DEEP_CASES[case]
    text = f"# Title\n\nFirst paragraph.\n\n{body}\nLast paragraph.\n"
    project = _project(tmp_path, "deep.md", text)
    assert run_cli(project, "build") == 0
    msgids = _msgids(project, "deep")
    wanted = ["Title", "First paragraph.", *expected, "Last paragraph."]
    assert [m for m in msgids if m] == wanted
    html = (project / "output" / "cs" / "deep.html").read_text(encoding="utf-8")
    for msgid in wanted:
        assert msgid in html
    # No model: everything is shown in English, and the colophon says so.
    edition = (project / "output" / "cs" / "deep.md").read_text(encoding="utf-8")
    assert re.search(r"nepřeloženo[^\n]*\b100\s%", edition)


def test_quotes_at_the_nesting_bound_are_kept() -> None:
    depth = MAX_NESTING - 1
    text = "Intro.\n\n" + ">" * depth + " deepest words.\n\n" + "- " * (depth // 2) + "listed.\n"
    document = segment_markdown(text, name="d", source_path="source/d.md")
    msgids = [unit.msgid for block in document.blocks for unit in block.units]
    assert msgids == ["Intro.", "deepest words.", "listed."]


@pytest.mark.parametrize(
    "body",
    [">" * 5000 + " lost words.\n", "- " * 5000 + "lost item.\n", _deep_list(MAX_NESTING)],
    ids=["5000 quote markers", "5000 dashes", "lists past the bound"],
)
def test_markdown_beyond_the_bound_stops_with_one_line(
    tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, "deep.md", "# Title\n\nFirst paragraph.\n\n" + body)
    assert run_cli(project, "build") == 4
    error = capsys.readouterr().err.strip()
    assert "\n" not in error
    assert error.startswith("pipeline: error: source/deep.md:")
    line = int(error.split(":")[3])
    assert line >= 5  # the deep block starts on line 5; a list passes the bound further down
    assert f"nested more than {MAX_NESTING} levels" in error
    assert not (project / "output" / "cs" / "deep.html").exists()


# --- long lines --------------------------------------------------------------------------------


def _words(size: int) -> str:
    words = ("the", "workers", "met", "in", "the", "hall", "and", "talked", "about", "war")
    words += ("prisons", "and", "solidarity")
    out: list[str] = []
    length = 0
    index = 0
    while length < size:
        out.append(words[index % len(words)])
        length += len(out[-1]) + 1
        index += 1
    return " ".join(out)[:size].rstrip()


def test_long_text_line_builds_to_one_unit(tmp_path: Path) -> None:
    line = _words(200_000)
    project = _project(tmp_path, "long.txt", line + "\n")
    assert run_cli(project, "build") == 0
    assert [m for m in _msgids(project, "long") if m] == [line]
    assert (project / "output" / "cs" / "long.txt").read_text(encoding="utf-8").startswith(line)


def test_line_of_mister_builds_to_one_unit(tmp_path: Path) -> None:
    line = ("Mr. " * 50_000).rstrip()
    project = _project(tmp_path, "mister.md", line + "\n")
    assert run_cli(project, "build") == 0
    assert [m for m in _msgids(project, "mister") if m] == [line]
    html = (project / "output" / "cs" / "mister.html").read_text(encoding="utf-8")
    assert html.count("Mr.") == 50_000


def test_long_line_of_sentences_splits_into_every_sentence() -> None:
    sentence = "The workers met in the hall. "
    text = sentence * 7_000
    spans = sentence_spans(text)
    assert len(spans) == 7_000
    assert {text[a:b] for a, b in spans} == {sentence.strip()}
    document = segment_text(text + "\n", name="s", source_path="source/s.txt")
    units = [unit for block in document.blocks for unit in block.units]
    assert len(units) == 7_000
    assert units[-1].where == "paragraph 1, sentence 7000; introduction"


def test_lines_joined_across_many_breaks_keep_their_line_numbers() -> None:
    # Each line ends mid-sentence and the next starts in lower case: one paragraph of 3,000 lines.
    text = "".join(f"it ends {n}. Then it goes on\n" for n in range(3_000))
    document = segment_text(text, name="j", source_path="source/j.txt")
    units = [unit for block in document.blocks for unit in block.units]
    assert len(units) == 3_001
    assert (units[0].msgid, units[0].line) == ("it ends 0.", 1)
    assert (units[1].msgid, units[1].line) == ("Then it goes on it ends 1.", 1)
    assert (units[2_000].msgid, units[2_000].line) == ("Then it goes on it ends 2000.", 2_000)
    assert (units[-1].msgid, units[-1].line) == ("Then it goes on", 3_000)


# --- checks on a long unit ----------------------------------------------------------------------


def test_checks_find_english_left_in_a_long_unit() -> None:
    source = _words(200_000)
    translation = source.upper()[:100_000] + " " + "talked about war prisons and solidarity"
    findings = check_translation(source, translation, "cs")
    english = [f for f in findings if f.check == "english"]
    assert len(english) == 1
    assert "talked about war prisons and solidarity" in english[0].message


def test_checks_on_long_hostile_units_complete() -> None:
    numbers = "1. " * 30_000
    assert [f.check for f in check_translation(numbers, numbers, "cs")] == []
    glued = "a" * 200_000
    findings = check_translation(glued, glued.upper() + ".", "cs")
    assert all(f.check != "english" for f in findings)


# --- pieces for the engine ------------------------------------------------------------------------


def test_bounded_pieces_keep_a_short_text_whole() -> None:
    text = "One sentence. Another one, much like it."
    assert bounded_pieces(text) == [text]


@pytest.mark.parametrize(
    "text",
    [_words(50_000), ("Mr. " * 20_000).rstrip(), "a" * 50_000, "One. Two three! " * 3_000],
    ids=["words", "mister", "no space", "sentences"],
)
def test_bounded_pieces_are_bounded_and_lose_nothing(text: str) -> None:
    pieces = bounded_pieces(text, 2000)
    assert all(0 < len(piece) <= 2000 for piece in pieces)
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())
    if "." in text:  # a cut after a stop where there is one
        assert all(piece.rstrip().endswith((".", "!")) for piece in pieces[:-1])
