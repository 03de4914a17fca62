"""The HTML edition: one self-contained HTML5 page with the colophon."""

from __future__ import annotations

from ..assemble import Edition, render_html


class HtmlEdition:
    """``output/<lang>/<doc>.html``, for every source format."""

    name = "html"
    suffix = ".html"
    media_type = "text/html; charset=utf-8"
    label = "HTML"

    def fits(self, source_format: str) -> bool:
        return True

    def render(self, edition: Edition) -> bytes:
        text = render_html(
            edition.document,
            edition.translations,
            edition.policy,
            edition.colophon,
            edition.gettext,
        )
        return text.encode("utf-8")
