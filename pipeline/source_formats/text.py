"""The plain-text source format (``.txt``): the interview's question-and-answer shape.

Segmenting is `pipeline.segment` (one line is one paragraph, the first introduces, ``N)`` starts a
question, the lines after it are its answer). Text has no inline markup, so translations go into
the skeleton as they are and nothing is hidden from the engine; the editions lay the blocks out as
an introduction and numbered questions with their answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..assemble import (
    chosen_text,
    edition_title,
    edition_title_language,
    escape_html,
    escape_markdown,
    html_block_content,
    legend,
    unit_class,
)
from ..segment import segment_text
from ..sources import decode_source

if TYPE_CHECKING:
    from ..assemble import Edition
    from ..model import Block, Document, Severity, Translation
    from . import SegmentOptions

_SPACES = re.compile(r"\s+")


class TextFormat:
    """Plain text, one paragraph a line, shaped as an interview."""

    name = "text"
    suffixes = (".txt",)

    def segment(
        self, raw: bytes, *, name: str, source_path: str, options: SegmentOptions
    ) -> Document:
        text = decode_source(raw, source_path)
        return segment_text(text, name=name, source_path=source_path, unit=options.unit)

    def place(self, kind: str, text: str) -> str:
        return text

    def protect(self, msgid: str) -> tuple[str, list[str]]:
        return msgid, []

    def restore(self, translated: str, tokens: Sequence[str]) -> str:
        return translated

    def markup_findings(self, source: str, translation: str) -> list[tuple[Severity, str]]:
        return []

    def html_body(self, edition: Edition) -> list[str]:
        """The title, the legend of the marks used, the introduction and each question as a
        section with its answers."""
        document, translations, policy = edition.document, edition.translations, edition.policy
        source_language = edition.source_language
        title = edition_title(edition)
        language = edition_title_language(edition)
        body = [f'<h1 lang="{escape_html(language)}">{escape_html(title)}</h1>']
        kinds = {unit_class(unit, translations, policy) for unit in document.units} - {""}
        body += legend(kinds, edition.gettext)
        body += _text_body(document, translations, policy, source_language)
        return body

    def markdown_body(self, edition: Edition) -> str:
        """Title, introduction, each question a numbered heading, answers."""
        document, translations, policy = edition.document, edition.translations, edition.policy
        colophon = edition.colophon
        chunks: list[str] = []
        title = edition_title(edition) if colophon and colophon.title else document.title
        if title:
            chunks.append("# " + escape_markdown(title, line_start=False))
        for block in document.blocks:
            text = _block_text(block, translations, policy)
            if block.kind == "question":
                label = escape_markdown(_question_label(block), line_start=False)
                chunks.append(f"## {label} {escape_markdown(text, line_start=False)}".rstrip())
            elif text:
                chunks.append(escape_markdown(text))
        return "\n\n".join(chunks) + "\n"


def _block_text(block: Block, translations: Mapping[str, Translation], policy: str) -> str:
    pieces: list[str] = []
    for part in block.parts:
        if isinstance(part, str):
            pieces.append(part)
        else:
            text = chosen_text(part, translations, policy)
            pieces.append(part.source_text if text is None else text)
    return _SPACES.sub(" ", "".join(pieces)).strip()


def _question_label(block: Block) -> str:
    label = block.prefix.strip()
    return label or (f"{block.number})" if block.number is not None else "")


def _text_body(
    document: Document,
    translations: Mapping[str, Translation],
    policy: str,
    source_language: str,
) -> list[str]:
    body: list[str] = []
    in_section = False
    in_introduction = False
    for block in document.blocks:
        if block.kind == "blank":
            continue
        content = html_block_content(block, translations, policy, source_language)
        if not content:
            continue
        if block.kind != "introduction" and in_introduction:
            body.append("</div>")
            in_introduction = False
        if block.kind == "introduction":
            if not in_introduction:
                body.append('<div class="introduction">')
                in_introduction = True
            body.append(f"<p>{content}</p>")
        elif block.kind == "question":
            if in_section:
                body.append("</section>")
            anchor = f' id="q{block.number}"' if block.number is not None else ""
            body.append(f'<section class="qa"{anchor}>')
            in_section = True
            label = escape_html(_question_label(block))
            body.append(f'<h2 class="question"><span class="number">{label}</span> {content}</h2>')
        elif block.kind == "answer":
            body.append(f'<p class="answer">{content}</p>')
        else:
            body.append(f"<p>{content}</p>")
    if in_introduction:
        body.append("</div>")
    if in_section:
        body.append("</section>")
    return body
