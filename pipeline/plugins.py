"""The registries: source formats, edition formats and engines, found through entry points.

As Babel finds its extractors and Sphinx its builders, the pipeline finds its plugins in three
entry-point groups. The built-in ones are declared in ``pyproject.toml`` exactly as a third-party
distribution would declare its own, so a new format or engine is one module and one line::

    [project.entry-points."pipeline.source_formats"]
    lines = "toy_plugin.lines:LinesFormat"

An entry point names a class (or any callable without arguments) that returns the plugin. A name
that is not registered, or a plugin that fails to load, is one `PluginError` line naming the
entry point, never a traceback.
"""

from __future__ import annotations

import functools
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from .errors import ConfigError

SOURCE_FORMATS = "pipeline.source_formats"
EDITION_FORMATS = "pipeline.edition_formats"
ENGINES = "pipeline.engines"

_WHAT = {SOURCE_FORMATS: "source format", EDITION_FORMATS: "edition format", ENGINES: "engine"}


class PluginError(ConfigError):
    """A plugin that is not installed, or that is installed but broken (exit 2)."""


@functools.cache
def _registered(group: str) -> dict[str, EntryPoint]:
    """Entry points of a group by name; the first distribution that declares a name wins."""
    found: dict[str, EntryPoint] = {}
    for point in sorted(entry_points(group=group), key=lambda p: (p.name, p.value)):
        found.setdefault(point.name, point)
    return found


def names(group: str) -> list[str]:
    """The registered names of a group, sorted."""
    return sorted(_registered(group))


@functools.cache
def load(group: str, name: str) -> Any:
    """The plugin registered as ``name`` in ``group``, made once per process."""
    point = _registered(group).get(name)
    what = _WHAT.get(group, group)
    if point is None:
        known = ", ".join(names(group)) or "none"
        raise PluginError(f"unknown {what} {name!r}; installed: {known}")
    try:
        factory = point.load()
        plugin = factory()
    except PluginError:
        raise
    except Exception as error:  # a third party's bug must still end in one line
        raise PluginError(
            f"{what} {name!r} ({point.value}) cannot be loaded: {type(error).__name__}: {error}"
        ) from None
    return plugin


def load_all(group: str) -> list[Any]:
    """Every plugin of a group, in name order."""
    return [load(group, name) for name in names(group)]
