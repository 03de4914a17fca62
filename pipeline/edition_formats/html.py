"""The HTML edition: one self-contained HTML5 page with the colophon, or, for a source that is
itself a web page, that page with its text translated (the source format's ``html_page``)."""

from __future__ import annotations

from .. import source_formats
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
        own_page = getattr(source_formats.named(edition.document.format), "html_page", None)
        if own_page is not None:
            page: str = own_page(edition)
            return page.encode("utf-8")
        text = render_html(
            edition.document,
            edition.translations,
            edition.policy,
            edition.colophon,
            edition.gettext,
        )
        return text.encode("utf-8")
