"""The HTML source format (``.html``, ``.htm``): web pages parsed with html5lib.

One module per job: `decode` (UTF-8 or the declared charset), `tree` (html5lib parsing and the
serializer), `walk` (where the translatable text is), `inline` (a run's msgid and sentences),
`segment` (the document), `page` (translations placed; the page, its body, a Markdown reading) and
`markup` (placeholders for machine translation and the markup check). See docs/html.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import markup, page
from .segment import FORMAT, segment_html

if TYPE_CHECKING:
    from ...assemble import Edition
    from ...model import Document, Severity
    from .. import SegmentOptions


class HtmlFormat:
    """Web pages; the HTML edition is the source page itself with the translations placed."""

    name = FORMAT
    suffixes = (".html", ".htm")

    def segment(
        self, raw: bytes, *, name: str, source_path: str, options: SegmentOptions
    ) -> Document:
        return segment_html(raw, name=name, source_path=source_path, unit=options.unit)

    def place(self, kind: str, text: str) -> str:
        return text

    def protect(self, msgid: str) -> tuple[str, list[str]]:
        return markup.protect(msgid)

    def restore(self, translated: str, tokens: Sequence[str]) -> str:
        return markup.restore(translated, tokens)

    def markup_findings(self, source: str, translation: str) -> list[tuple[Severity, str]]:
        return markup.findings(source, translation)

    def html_page(self, edition: Edition) -> str:
        """The source page with the translations placed and the edition's ``lang``."""
        return page.page(edition)

    def html_body(self, edition: Edition) -> list[str]:
        """The translated ``<body>`` content (for editions that wrap it: EPUB, PDF)."""
        return page.body_lines(edition)

    def markdown_body(self, edition: Edition) -> str:
        return page.markdown_text(edition)
