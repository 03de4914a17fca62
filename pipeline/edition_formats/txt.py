"""The plain-text edition: the source's own layout with each unit replaced, then the colophon."""

from __future__ import annotations

from ..assemble import Edition, render_text


class TextEdition:
    """``output/<lang>/<doc>.txt``, for every source format."""

    name = "txt"
    suffix = ".txt"
    media_type = "text/plain; charset=utf-8"
    label = "text"

    def fits(self, source_format: str) -> bool:
        return True

    def render(self, edition: Edition) -> bytes:
        text = render_text(
            edition.document,
            edition.translations,
            edition.policy,
            edition.colophon,
            edition.gettext,
        )
        return text.encode("utf-8")
