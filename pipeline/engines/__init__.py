"""Engines: what fills catalogs with machine translation, behind one small interface.

An engine is a plugin in the entry-point group ``pipeline.engines`` (see `pipeline.plugins`);
``argos`` and ``argos-batch`` are the built-in ones. The entry point gives an `EngineFactory`, which
answers cheaply (no model loaded, no heavy import) whether it serves a language pair and with which
fingerprint, so a build that has nothing to translate never pays for an engine. `open` gives the
`Engine` that translates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from .. import plugins

UNIT = "unit"
"""The key the build adds to the settings it passes to `EngineFactory.open`: "sentence" or
"paragraph" (``[tool.pipeline] unit``), what one text given to `Engine.translate` holds. An
engine may use it (``argos-batch`` splits no sentence unit) or ignore it."""


@dataclass(frozen=True)
class EngineOutput:
    """One translation, whether the engine had to cut it short (Argos's 256-token limit), and the
    engine's confidence in it, if it gives one (``argos-batch``: the mean log-probability per
    token, ≤ 0; closer to 0 is surer; None when the engine has no such measure)."""

    text: str
    cut_short: bool = False
    score: float | None = field(default=None, compare=False)  # two engines' texts compare equal


@runtime_checkable
class Engine(Protocol):
    """An opened engine for one language pair."""

    name: str
    """The engine's registered name; it goes into the `# mt:` comment."""
    model: str
    """The model it translates with (no spaces), for the `# mt:` comment and the colophon."""
    version: str
    """The model's version (no spaces)."""
    fingerprint: str
    """Everything besides the source text that decides an output: part of the cache key."""

    def translate(self, texts: list[str]) -> list[EngineOutput]:
        """One output per text, in order."""
        ...

    def close(self) -> None:
        """Let go of the model."""
        ...


@runtime_checkable
class EngineFactory(Protocol):
    """What an engine's entry point gives: cheap questions, and `open` for the real work."""

    name: str

    def serves(self, source: str, target: str) -> bool:
        """Whether the engine can translate source→target here, without loading a model."""
        ...

    def fingerprint(self, source: str, target: str) -> str:
        """What the output for source→target depends on (model and options), for build stamps.

        Cheap: no model is loaded. Only called when `serves` is true.
        """
        ...

    def open(self, source: str, target: str, settings: Mapping[str, Any]) -> Engine:
        """The engine for source→target; ``settings`` is the ``[tool.pipeline.engines.<name>]``
        table, plus `UNIT` from the build. Raises `ModelError` when it cannot serve the pair."""
        ...


def registered_names() -> list[str]:
    """The names of every installed engine."""
    return plugins.names(plugins.ENGINES)


def named(name: str) -> EngineFactory:
    """The engine factory registered under ``name`` (a `PluginError` line if there is none)."""
    found: EngineFactory = plugins.load(plugins.ENGINES, name)
    return found


def display_name(name: str) -> str:
    """How editions name an engine: the factory's optional ``display_name`` ("Argos Translate"),
    else its registered name (also for an engine that is no longer installed)."""
    try:
        factory = named(name)
    except plugins.PluginError:
        return name
    return str(getattr(factory, "display_name", name))


def unserved(factory: EngineFactory, source: str, targets: Sequence[str]) -> tuple[str, str]:
    """(what is missing, how to get it) for pairs the engine does not serve, from the factory's
    optional ``unserved(source, targets)`` (Argos names its install command); "how" may be ""."""
    explain = getattr(factory, "unserved", None)
    if callable(explain):
        what, how = explain(source, targets)
        return str(what), str(how)
    pairs = ", ".join(f"{source}→{target}" for target in targets)
    return f"engine {factory.name} does not serve {pairs}", ""
