"""Paragraph context for review: the sentences around a unit, in English and as translated now.

A sentence unit is hard to judge alone. The paragraph it belongs to comes from segmenting the
source again (`stages.load_document`): each `Block` of the document is a paragraph with its units in
order, the same units the template was made from, so a unit's msgid finds its block exactly. The
translations come from the catalog being reviewed, so they are always the current ones. When the
source is gone or cannot be read, a review shows no context (never an error).

Everything here is pure except `ParagraphFinder`, which reads the sources (once per document).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from ..config import Config
from ..controls import visible
from ..errors import PipelineError
from ..model import Block, Document, State, Translation

CURRENT_START = "▶"
CURRENT_END = "◀"
UNTRANSLATED = "…"
ELIDED = "[…]"


@dataclass(frozen=True)
class ContextSentence:
    """One unit of the paragraph: its English, its translation now ("" if none) and its state."""

    source: str
    translation: str
    state: State
    current: bool


@dataclass(frozen=True)
class ParagraphContext:
    """The units of one paragraph in source order; exactly one is the unit under review."""

    sentences: tuple[ContextSentence, ...]

    @property
    def current(self) -> int:
        return next(i for i, sentence in enumerate(self.sentences) if sentence.current)


def paragraph_index(document: Document) -> dict[str, Block]:
    """msgid → the first paragraph (block) it occurs in."""
    index: dict[str, Block] = {}
    for block in document.blocks:
        for unit in block.units:
            index.setdefault(unit.msgid, block)
    return index


def paragraph_context(
    block: Block, msgid: str, translations: Mapping[str, Translation]
) -> ParagraphContext | None:
    """The paragraph around ``msgid`` with the current translations; None when the paragraph
    holds nothing but this unit (nothing to add) or the unit is not in it."""
    units = block.units
    if len(units) < 2:
        return None
    sentences: list[ContextSentence] = []
    marked = False
    for unit in units:
        current = not marked and unit.msgid == msgid
        marked = marked or current
        found = translations.get(unit.msgid)
        text = found.text if found is not None else ""
        state = found.state if found is not None else State.UNTRANSLATED
        sentences.append(ContextSentence(unit.msgid, text, state, current))
    return ParagraphContext(tuple(sentences)) if marked else None


def _joined(sentences: tuple[ContextSentence, ...], translated: bool) -> str:
    parts = []
    for sentence in sentences:
        text = sentence.source
        if translated:
            text = sentence.translation if sentence.state is not State.UNTRANSLATED else ""
            text = text or UNTRANSLATED
        text = " ".join(text.split())  # one line: a paragraph's units are joined by spaces
        parts.append(f"{CURRENT_START}{text}{CURRENT_END}" if sentence.current else text)
    return " ".join(parts)


def _wrapped(label: str, text: str, width: int) -> list[str]:
    return textwrap.wrap(
        visible(text),
        width=max(20, width),
        initial_indent=label,
        subsequent_indent=" " * len(label),
        break_on_hyphens=False,
    )


def paragraph_lines(
    context: ParagraphContext, language_name: str, width: int = 80, max_lines: int = 8
) -> list[str]:
    """The paragraph for the terminal: English, then the translation (untranslated units as
    `…`), the unit under review between ▶ and ◀, wrapped to ``width``. A paragraph too long for
    ``max_lines`` keeps the sentences nearest the current one; the cut ends show as […]. Pure."""
    size = max(len("  English: "), len(f"  {language_name}: "))
    labels = ("  English: ".ljust(size), f"  {language_name}: ".ljust(size))
    sentences = context.sentences
    first = last = context.current

    def render(start: int, end: int) -> list[str]:
        shown = sentences[start : end + 1]
        lines: list[str] = []
        for label, translated in zip(labels, (False, True), strict=True):
            text = _joined(shown, translated)
            text = (ELIDED + " " if start > 0 else "") + text
            text += " " + ELIDED if end < len(sentences) - 1 else ""
            lines.extend(_wrapped(label, text, width))
        return lines

    lines = render(first, last)
    grew = True
    while grew:  # one sentence more on each side per round, while it fits
        grew = False
        for before in (True, False):
            start, end = (first - 1, last) if before else (first, last + 1)
            if start < 0 or end >= len(sentences):
                continue
            candidate = render(start, end)
            if len(candidate) <= max_lines:
                first, last, lines, grew = start, end, candidate, True
    return [f"Paragraph ({len(sentences)} units, this one between ▶ ◀):", *lines]


class ParagraphFinder:
    """Finds a unit's paragraph by segmenting its document's source again, once per document.

    A document whose source is missing or unreadable simply has no paragraphs.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._indexes: dict[str, dict[str, Block]] = {}

    def block(self, document: str, msgid: str) -> Block | None:
        if document not in self._indexes:
            self._indexes[document] = self._load(document)
        return self._indexes[document].get(msgid)

    def context(
        self, document: str, msgid: str, translations: Mapping[str, Translation]
    ) -> ParagraphContext | None:
        """The paragraph of ``msgid`` in ``document`` with these translations, if there is one."""
        block = self.block(document, msgid)
        return None if block is None else paragraph_context(block, msgid, translations)

    def _load(self, document: str) -> dict[str, Block]:
        from ..layout import source_paths
        from ..stages import load_document

        try:
            paths = source_paths(self.config, [document])
            return paragraph_index(load_document(self.config, paths[0]))
        except (PipelineError, OSError, ValueError):
            return {}
