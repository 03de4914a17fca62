"""DOCX sources (``.docx``, read with python-docx) and the DOCX edition. See docs/docx.md.

Units are the sentences of body paragraphs, headings and table cells (each whole), and the core
property title. Formatted runs inside a unit are readable tags in the msgid (`inline`); the
edition is the source package with each translated paragraph's runs rebuilt from the msgstr's
tags (`rebuild`) and ``w:lang`` set to the edition's language (`package`). python-docx and lxml
are imported only when a DOCX is read: the registry loads this module for its suffix alone.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...model import Block, Document, Unit
from . import inline

if TYPE_CHECKING:
    from ...assemble import Edition
    from ...model import Severity
    from .. import SegmentOptions
    from .package import Package
    from .paragraphs import Paragraph

FORMAT = "docx"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _analyse(raw: bytes, shown: str, unit: str) -> tuple[Package, list[Paragraph], str]:
    from .package import core_title, open_package, paragraphs

    package = open_package(raw, shown)
    return package, paragraphs(package, unit), core_title(package)


def _msgids(found: list[Paragraph]) -> list[str]:
    return [span.msgid for paragraph in found for span in paragraph.spans]


def _analyse_document(document: Document) -> tuple[Package, list[Paragraph], str]:
    """The source of a segmented document analysed again, in the unit it was segmented with."""
    units = [
        unit.msgid for block in document.blocks if block.kind != "title" for unit in block.units
    ]
    package, found, title = _analyse(document.source_bytes, document.source_path, "sentence")
    if _msgids(found) != units:
        package, found, title = _analyse(document.source_bytes, document.source_path, "paragraph")
    return package, found, title


@functools.lru_cache(maxsize=4)
def _read_only(document: Document) -> list[Paragraph]:
    return _analyse_document(document)[1]


def _gap(paragraph: Paragraph, start: int, end: int) -> str:
    from .paragraphs import Object

    return "".join(item[0] for item in paragraph.items[start:end] if not isinstance(item, Object))


class DocxFormat:
    """Word documents; the DOCX edition is the source with the translations placed."""

    name = FORMAT
    suffixes = (".docx",)

    def segment(
        self, raw: bytes, *, name: str, source_path: str, options: SegmentOptions
    ) -> Document:
        _, found, title = _analyse(raw, source_path, options.unit)
        blocks: list[Block] = []
        if title:
            unit = Unit(title, 1, "core property title")
            blocks.append(Block("title", None, "", (unit,), "\n\n", 1))
        for paragraph in found:
            if not paragraph.spans:
                continue
            parts: list[str | Unit] = []
            cursor = 0
            for span in paragraph.spans:
                if span.start > cursor:
                    parts.append(_gap(paragraph, cursor, span.start))
                text = span.text if span.text != span.msgid else ""
                parts.append(Unit(span.msgid, paragraph.number, span.where, text))
                cursor = span.end
            prefix = parts.pop(0) if isinstance(parts[0], str) else ""
            suffix = _gap(paragraph, cursor, len(paragraph.items)) + "\n\n"
            blocks.append(
                Block(
                    paragraph.kind, paragraph.level, str(prefix), tuple(parts), suffix,
                    paragraph.number,
                )
            )  # fmt: skip
        return Document(
            name, source_path, FORMAT, tuple(blocks), title=title, source_bytes=bytes(raw)
        )

    def place(self, kind: str, text: str) -> str:
        return inline.plain(text)

    def protect(self, msgid: str) -> tuple[str, list[str]]:
        return inline.protect(msgid)

    def restore(self, translated: str, tokens: Sequence[str]) -> str:
        return inline.restore(translated, tokens)

    def markup_findings(self, source: str, translation: str) -> list[tuple[Severity, str]]:
        return inline.findings(source, translation)

    def html_body(self, edition: Edition) -> list[str]:
        from .render import html_body

        return html_body(edition, _read_only(edition.document))

    def markdown_body(self, edition: Edition) -> str:
        from .render import markdown_body

        return markdown_body(edition, _read_only(edition.document))


class DocxEdition:
    """``output/<lang>/<doc>.docx``: the source package with the translations placed."""

    name = FORMAT
    suffix = ".docx"
    media_type = MEDIA_TYPE
    label = "Word"

    def fits(self, source_format: str) -> bool:
        return source_format == FORMAT

    def render(self, edition: Edition) -> bytes:
        from ...assemble import chosen_text
        from .package import set_language, write_package
        from .rebuild import rebuild

        package, found, title = _analyse_document(edition.document)
        translations, policy = edition.translations, edition.policy
        for paragraph in found:
            rebuild(
                paragraph,
                [
                    chosen_text(Unit(span.msgid, 0, ""), translations, policy)
                    for span in paragraph.spans
                ],
            )
        if title:
            translated = chosen_text(Unit(title, 1, ""), translations, policy)
            if translated is not None:
                package.document.core_properties.title = inline.plain(translated)
        return write_package(package, set_language(package, edition.language))
