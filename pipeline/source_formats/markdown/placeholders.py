"""Markdown's inline markup, code, URLs and template tags hidden from machine translation. Pure.

The placeholders themselves are `pipeline.source_formats.placeholders`, shared by every format.
"""

from __future__ import annotations

from .. import placeholders
from .markup import _inline_markup


def protect_markup(msgid: str) -> tuple[str, list[str]]:
    """Replace inline markup, code, URLs and template tags with numeric placeholders."""
    markup = _inline_markup(msgid)
    return placeholders.protect(msgid, [(span.start, span.end) for span in markup.spans])
