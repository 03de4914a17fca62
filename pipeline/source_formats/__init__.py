"""Source formats: how a kind of source file becomes units, and how translations go back into it.

A source format is a plugin in the entry-point group ``pipeline.source_formats`` (see
`pipeline.plugins`); plain text and Markdown are the built-in ones, registered exactly as a third
party's would be. Which format a source has is decided here, by the suffixes the registered formats
claim, and nowhere else.

One method is optional: a format whose sources are themselves web pages may define
``html_page(edition) -> str``, the whole translated page, which the HTML edition then is (instead
of the pipeline's own page around `html_body`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .. import plugins
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..assemble import Edition
    from ..model import Document, Severity


@dataclass(frozen=True)
class SegmentOptions:
    """What the configuration says about segmenting: the unit, and the format's own table.

    ``settings`` is the ``[tool.pipeline.<format name>]`` table, so a format's options live
    beside the pipeline's without the pipeline knowing them.
    """

    unit: str = "sentence"
    settings: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class SourceFormat(Protocol):
    """One kind of source file (`.txt`, `.md`, …), from its bytes to its units and back."""

    name: str
    """The format's name: the value of `Document.format`, and its entry point's name."""
    suffixes: tuple[str, ...]
    """File suffixes the format claims, with the dot (``(".md",)``)."""

    def segment(
        self, raw: bytes, *, name: str, source_path: str, options: SegmentOptions
    ) -> Document:
        """The bytes of a source as a document: skeleton, units and each unit's context.

        Raises `SourceError` (one line, with the line or byte offset) for what cannot be read.
        """
        ...

    def place(self, kind: str, text: str) -> str:
        """A translation as it goes into a block of that kind in the source's own format."""
        ...

    def protect(self, msgid: str) -> tuple[str, list[str]]:
        """The msgid with inline markup replaced by placeholders for machine translation."""
        ...

    def restore(self, translated: str, tokens: Sequence[str]) -> str:
        """Machine output with the placeholders of `protect` put back."""
        ...

    def markup_findings(self, source: str, translation: str) -> list[tuple[Severity, str]]:
        """How a translation's inline markup differs from its source's (for `pipeline check`)."""
        ...

    def html_body(self, edition: Edition) -> list[str]:
        """The lines of the HTML edition's ``<article>`` (escaped, units marked by state)."""
        ...

    def markdown_body(self, edition: Edition) -> str:
        """The Markdown edition's text, before the colophon."""
        ...


def registered() -> list[SourceFormat]:
    """Every installed source format."""
    return plugins.load_all(plugins.SOURCE_FORMATS)


def named(name: str) -> SourceFormat:
    """The source format registered under ``name`` (a `PluginError` line if there is none)."""
    found: SourceFormat = plugins.load(plugins.SOURCE_FORMATS, name)
    return found


def suffixes() -> dict[str, SourceFormat]:
    """suffix → format, over every installed format; two formats claiming one suffix is an error."""
    claimed: dict[str, SourceFormat] = {}
    for source_format in registered():
        for suffix in source_format.suffixes:
            other = claimed.get(suffix)
            if other is not None and other.name != source_format.name:
                raise ConfigError(
                    f"source formats {other.name!r} and {source_format.name!r} both claim "
                    f"{suffix!r} files"
                )
            claimed[suffix] = source_format
    return claimed


def for_path(path: Path) -> SourceFormat | None:
    """The format of a source file, by its suffix; None for a file no format claims."""
    return suffixes().get(path.suffix.lower())
