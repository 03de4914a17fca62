"""Segmentation of the plain-text source: structure, joined lines, units, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.assemble import render_text
from pipeline.errors import SourceError
from pipeline.model import Document, Unit
from pipeline.segment import normalise, segment_text

FIXTURE = Path(__file__).parent / "fixtures" / "kras-interview.txt"


@pytest.fixture(scope="module")
def kras() -> Document:
    text = FIXTURE.read_text(encoding="utf-8")
    return segment_text(text, name="kras-interview", source_path="source/kras-interview.txt")


def test_paragraphs_questions_and_answers(kras: Document) -> None:
    kinds = [block.kind for block in kras.blocks]
    assert len(kras.blocks) == 44  # 45 lines, one sentence broken across two of them
    assert kinds[0] == "introduction"
    assert kinds.count("question") == 12
    assert [b.number for b in kras.blocks if b.kind == "question"] == list(range(1, 13))
    assert kinds.count("answer") == 31
    # Every answer paragraph belongs to the question before it.
    current = None
    for block in kras.blocks[1:]:
        if block.kind == "question":
            current = block.number
        else:
            assert block.kind == "answer" and block.number == current


def test_question_number_stays_outside_the_unit(kras: Document) -> None:
    questions = [b for b in kras.blocks if b.kind == "question"]
    assert questions[0].prefix == "1) "
    assert questions[1].prefix == "2)"  # `2)Our magazine`: no space after the number
    assert questions[1].units[0].msgid.startswith("Our magazine is anti-militarist")
    assert all(not u.msgid[:1].isdigit() for q in questions for u in q.units)


def test_broken_line_is_joined(kras: Document) -> None:
    joined = next(b for b in kras.blocks if b.kind == "answer" and b.number == 6)
    first = joined.units[0]
    assert "«Connection» helps war objectors and deserters" in first.msgid
    assert first.line == 22
    # A sentence that starts on the second physical line points at that line.
    assert joined.units[-1].line == 23


def test_sentence_counts(kras: Document) -> None:
    units = kras.units
    assert len(units) == len({u.msgid for u in units})  # no sentence repeats in this source
    assert 170 <= len(units) <= 190
    first = units[0]
    assert first == Unit(
        "We publish below an interview by the Czech antimilitarist group Dezerter with the "
        "Russian group KRAS.",
        1,
        "paragraph 1, sentence 1; introduction",
        first.text,
    )
    assert units[2].where == "paragraph 2, sentence 1; question 1"


def test_figures_stay_inside_sentences(kras: Document) -> None:
    msgids = [u.msgid for u in kras.units]
    # A figure found whole inside one msgid was not cut by a sentence boundary.
    for figure in ("20,081", "$500 million", "34%", "2,022", "50,000", "2014"):
        assert any(figure in m for m in msgids), figure


def test_empty_catalog_round_trip_is_byte_exact_but_for_the_joined_line(kras: Document) -> None:
    source = FIXTURE.read_text(encoding="utf-8")
    edition = render_text(kras, {})
    expected = source.replace(
        "«Connection» helps\nwar objectors", "«Connection» helps war objectors"
    )
    assert edition == expected
    assert edition != source


def test_paragraph_units() -> None:
    text = "Intro one. Intro two.\n1) Why? Because.\nAnswer here. And more.\n"
    doc = segment_text(text, name="t", source_path="source/t.txt", unit="paragraph")
    assert [u.msgid for u in doc.units] == [
        "Intro one. Intro two.",
        "Why? Because.",
        "Answer here. And more.",
    ]
    assert doc.units[1].where == "paragraph 2; question 1"
    assert render_text(doc, {}) == text


def test_no_final_newline_and_blank_lines_survive() -> None:
    text = "Title line\n\n1) Q?\nA.\n\nB."
    doc = segment_text(text, name="t", source_path="source/t.txt")
    assert render_text(doc, {}) == text
    assert [b.kind for b in doc.blocks] == [
        "introduction", "blank", "question", "answer", "blank", "answer"
    ]  # fmt: skip


def test_crlf_source_round_trips() -> None:
    text = "Intro.\r\n1) Q?\r\nAnswer.\r\n"
    doc = segment_text(text, name="t", source_path="source/t.txt")
    assert render_text(doc, {}) == text
    assert [u.msgid for u in doc.units] == ["Intro.", "Q?", "Answer."]


@pytest.mark.parametrize("text", ["", "   \n\n  \n"])
def test_empty_source_is_an_error(text: str) -> None:
    with pytest.raises(SourceError, match="source is empty"):
        segment_text(text, name="t", source_path="source/t.txt")


def test_normalise() -> None:
    assert normalise("  a \t b\n c  ") == "a b c"
