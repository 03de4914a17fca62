"""Build stamps: what a document-language pair was built from and what it wrote.

`pipeline build` skips a pair whose inputs hash the same as last time and whose outputs are still
byte for byte what it wrote. The inputs of a pair are the source, its catalog, the glossary, the
engine's fingerprint for the pair, the configuration, the pipeline version and its own colophon
sentences; its outputs are the template, the catalog and the edition file of every edition format
that applies. Each edition format has a stamp of its own too (its identity and its settings table),
so choosing another format or changing the PDF's settings renders only that format again, and a
build with nothing changed renders nothing. The stamps live in ``<state_dir>/state.json``.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .edition_formats import EditionFormat
from .engines import EngineFactory
from .files import write_atomic
from .layout import edition_path, glossary_path, po_path, pot_path, state_path

STATE_VERSION = 3  # 3: a pair records a stamp per edition format


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def config_digest(config: Config) -> str:
    """Everything in the configuration and the installation that changes what a build writes."""
    raw = read_or_empty(config.root / "pyproject.toml")
    try:
        table = tomllib.loads(raw.decode("utf-8")).get("tool", {}).get("pipeline", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        table = {}
    # Which edition formats, and their settings, are each format's own stamp (`format_stamps`).
    # `[models]` says how models are fetched and checked, not what a build writes with them (the
    # model's own fingerprint is a pair input).
    table = {key: value for key, value in table.items() if key not in ("editions", "models")}
    # The pipeline's own colophon sentences are an input of every edition too.
    locale = Path(__file__).parent / "locale"
    messages = [sha(path.read_bytes()) for path in sorted(locale.glob("*/LC_MESSAGES/*.po"))]
    return sha(json.dumps([__version__, table, messages], sort_keys=True, default=str).encode())


def format_stamps(config: Config, formats: Sequence[EditionFormat]) -> dict[str, str]:
    """edition format name → digest of what, besides the pair's inputs, makes its file: the
    format's identity and its ``[tool.pipeline.editions.<name>]`` table."""
    return {
        found.name: sha(
            json.dumps(
                [
                    found.name,
                    found.suffix,
                    f"{type(found).__module__}.{type(found).__qualname__}",
                    config.edition_settings.get(found.name, {}),
                ],
                sort_keys=True,
                default=str,
            ).encode()
        )
        for found in formats
    }


def stale_formats(recorded: dict[str, Any], current: dict[str, str]) -> list[str] | None:
    """The edition formats to render again for a pair whose inputs are unchanged: those whose
    stamp differs or is new. None when nothing needs doing (not even a stamp dropped)."""
    before = recorded.get("formats", {})
    if before == current:
        return None
    return [name for name, digest in current.items() if before.get(name) != digest]


def pair_inputs(
    config: Config, config_digest: str, source: bytes, name: str, language: str, model: str,
    engine: str,
) -> str:  # fmt: skip
    parts = [
        config_digest,
        sha(source),
        sha(read_or_empty(po_path(config, language, name))),
        sha(read_or_empty(glossary_path(config))),
        model,
        engine,
        config.policy,
    ]
    return sha("\n".join(parts).encode())


def engine_fingerprints(
    factory: EngineFactory, source: str, languages: Sequence[str]
) -> dict[str, str]:
    """target language → the engine's fingerprint for source→target, for the languages it serves.

    An input of every pair: a new model rebuilds it. The factory answers without loading a model
    (Argos reads metadata.json files), so a build with nothing to do imports no engine library.
    """
    return {
        language: factory.fingerprint(source, language)
        for language in languages
        if factory.serves(source, language)
    }


def pair_outputs(
    config: Config, name: str, language: str, formats: Sequence[EditionFormat]
) -> dict[str, str]:
    """relative path → digest of each file the pair wrote: template, catalog and editions."""
    outputs = [pot_path(config, name), po_path(config, language, name)]
    outputs += [edition_path(config, language, name, found.suffix) for found in formats]
    return {
        config.relative(output): sha(output.read_bytes()) for output in outputs if output.exists()
    }


def outputs_intact(config: Config, recorded: dict[str, str]) -> bool:
    if not recorded:
        return False
    return all(
        sha(read_or_empty(config.root / relative)) == digest
        for relative, digest in recorded.items()
    )


def load_state(config: Config) -> dict[str, Any]:
    try:
        state = json.loads(state_path(config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": STATE_VERSION, "pairs": {}}
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return {"version": STATE_VERSION, "pairs": {}}
    return state


def save_state(config: Config, state: dict[str, Any]) -> None:
    """The stamps, and a .gitignore that keeps the state folder out of version control."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    gitignore = config.state_dir / ".gitignore"
    if not gitignore.exists():
        write_atomic(gitignore, b"*\n")
    data = json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False).encode() + b"\n"
    write_atomic(state_path(config), data)
