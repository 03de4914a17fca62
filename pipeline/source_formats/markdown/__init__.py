"""The Markdown source format (``.md``): CommonMark + GFM tables, YAML front matter, template tags.

One module per job: `segment` (source → skeleton + units, with `inline` for the units of one
inline text and `front_matter` for the YAML), `place` (translations back into the skeleton),
`placeholders` (inline markup hidden from machine translation), `check` (markup differences for
`pipeline check`) and `render` (the HTML edition); `markup` holds the parser they share. See
docs/markdown.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError
from ...sources import decode_source
from .. import placeholders as shared_placeholders
from . import check, placeholders
from .place import place_translation
from .render import render_markdown_html
from .segment import FORMAT, segment_markdown

if TYPE_CHECKING:
    from ...assemble import Edition
    from ...model import Document, Severity
    from .. import SegmentOptions

DEFAULT_FRONT_MATTER_KEYS = ("title", "description", "excerpt")


def front_matter_keys(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The front matter keys whose values are units, from ``[tool.pipeline.markdown]``."""
    keys = settings.get("front_matter_keys", list(DEFAULT_FRONT_MATTER_KEYS))
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise ConfigError(
            "[tool.pipeline.markdown] front_matter_keys: expected a list of strings",
            path="pyproject.toml",
        )
    return tuple(keys)


class MarkdownFormat:
    """Markdown posts as static-site generators read them; the edition keeps the source's markup."""

    name = FORMAT
    suffixes = (".md",)

    def segment(
        self, raw: bytes, *, name: str, source_path: str, options: SegmentOptions
    ) -> Document:
        keys = front_matter_keys(options.settings)
        text = decode_source(raw, source_path)
        return segment_markdown(
            text, name=name, source_path=source_path, unit=options.unit, front_matter_keys=keys
        )

    def place(self, kind: str, text: str) -> str:
        return place_translation(kind, text)

    def protect(self, msgid: str) -> tuple[str, list[str]]:
        return placeholders.protect_markup(msgid)

    def restore(self, translated: str, tokens: Sequence[str]) -> str:
        return shared_placeholders.restore(translated, tokens)

    def markup_findings(self, source: str, translation: str) -> list[tuple[Severity, str]]:
        return check.markup_findings(source, translation)

    def html_body(self, edition: Edition) -> list[str]:
        """The Markdown edition rendered by the same CommonMark parser that segments the source
        (raw HTML escaped, see `render.render_markdown_html`)."""
        return [render_markdown_html(self.markdown_body(edition)).strip("\n")]

    def markdown_body(self, edition: Edition) -> str:
        """The source's own Markdown with each unit replaced: the skeleton holds the markup."""
        from ...assemble import render_text

        return render_text(edition.document, edition.translations, edition.policy)
