"""Edition formats: an assembled edition (`pipeline.assemble.Edition`) to the bytes of a file.

An edition format is a plugin in the entry-point group ``pipeline.edition_formats`` (see
`pipeline.plugins`); ``txt``, ``md`` and ``html`` are the built-in ones. Bytes, not text, because
EPUB and PDF are binary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .. import plugins

if TYPE_CHECKING:
    from ..assemble import Edition


@runtime_checkable
class EditionFormat(Protocol):
    """One kind of edition file: `output/<lang>/<doc><suffix>`."""

    name: str
    """The format's name, as in ``editions = [...]`` and its entry point's name."""
    suffix: str
    """The edition file's suffix, with the dot."""
    media_type: str
    """The file's media type (for the index page and web servers)."""

    def fits(self, source_format: str) -> bool:
        """Whether a source of that format gets this edition by default."""
        ...

    def render(self, edition: Edition) -> bytes:
        """The edition file's bytes. Pure: the same edition always gives the same bytes."""
        ...


def registered() -> list[EditionFormat]:
    """Every installed edition format, in name order."""
    return plugins.load_all(plugins.EDITION_FORMATS)


def named(name: str) -> EditionFormat:
    """The edition format registered under ``name`` (a `PluginError` line if there is none)."""
    found: EditionFormat = plugins.load(plugins.EDITION_FORMATS, name)
    return found
