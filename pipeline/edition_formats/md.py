"""The Markdown edition: the source's text as Markdown, then the colophon."""

from __future__ import annotations

from ..assemble import Edition, render_markdown


class MarkdownEdition:
    """``output/<lang>/<doc>.md``, for every source format."""

    name = "md"
    suffix = ".md"
    media_type = "text/markdown; charset=utf-8"
    label = "Markdown"

    def fits(self, source_format: str) -> bool:
        return True

    def render(self, edition: Edition) -> bytes:
        text = render_markdown(
            edition.document,
            edition.translations,
            edition.policy,
            edition.colophon,
            edition.gettext,
        )
        return text.encode("utf-8")
