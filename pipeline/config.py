"""The `[tool.pipeline]` table of pyproject.toml, read with tomllib and validated into `Config`.

Every error names the key it is about, so a bad value reads as one line a person can fix.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engines.argos_archive import DEFAULT_MAX_UNPACKED_MB
from .errors import ConfigError

UNITS = ("sentence", "paragraph")
POLICIES = ("draft", "reviewed")
FOLDER_DEFAULTS = {
    "source_dir": "source",
    "locales_dir": "locales",
    "output_dir": "output",
    "state_dir": ".pipeline",
    "cache_dir": ".pipeline/cache",
}


@dataclass(frozen=True)
class DocumentInfo:
    """Optional per-document metadata for the colophon: `[tool.pipeline.documents.<name>]`."""

    title: str = ""
    origin: str = ""


@dataclass(frozen=True)
class Config:
    """Validated configuration, with every folder resolved against the project root."""

    root: Path
    source_language: str = "en"
    target_languages: tuple[str, ...] = ("cs", "ru", "uk", "sk")
    unit: str = "sentence"
    source_dir: Path = Path("source")
    locales_dir: Path = Path("locales")
    output_dir: Path = Path("output")
    state_dir: Path = Path(".pipeline")
    cache_dir: Path = Path(".pipeline/cache")
    engine: str = "argos-batch"
    engine_settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # [...engines.<name>]
    purge_obsolete: bool = False
    policy: str = "draft"
    minimum_share: dict[str, float] = field(default_factory=dict)
    format_settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # [...<format>]
    documents: dict[str, DocumentInfo] = field(default_factory=dict)
    models_max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB  # [tool.pipeline.models]
    models_auto_install: bool = True  # `pipeline build` fetches missing models from Argos's index
    editions: tuple[str, ...] | None = None  # edition formats chosen; None: every one that fits
    edition_settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # [...editions.<n>]
    tm_compendia: tuple[Path, ...] = ()  # [tool.pipeline.tm] compendia, inside the project
    tm_exact: str = "fuzzy"  # [tool.pipeline.tm] exact: "fuzzy" or "approve"
    po_wrap: str | int = "keep"  # [tool.pipeline.po] wrap: "keep", a width, or "no"

    def minimum_for(self, language: str) -> float:
        return self.minimum_share.get(language, self.minimum_share.get("*", 0.0))

    def relative(self, path: Path) -> str:
        """A path as the user sees it in messages and references: relative to the project root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` whose pyproject.toml has a [tool.pipeline] table."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                if "[tool.pipeline" in candidate.read_text(encoding="utf-8", errors="replace"):
                    return folder
            except OSError:
                continue
    raise ConfigError(
        "no pyproject.toml with a [tool.pipeline] table here or above; run inside the project "
        "or pass --project DIR",
        path=str(start / "pyproject.toml"),
    )


def load_config(root: Path) -> Config:
    """Read and validate `root/pyproject.toml`."""
    path = root / "pyproject.toml"
    shown = "pyproject.toml"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"not UTF-8 (byte offset {error.start})", path=shown, line=line) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"invalid TOML: {error}", path=shown) from None
    table = data.get("tool", {}).get("pipeline")
    if not isinstance(table, dict):
        raise ConfigError("no [tool.pipeline] table", path=shown)
    return parse_config(table, root)


def _get(table: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = table.get(key, default)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(
            f"[tool.pipeline] {key}: expected {kind.__name__}, got {value!r}", path="pyproject.toml"
        )
    return value


def validate_language(code: str, key: str) -> str:
    """Check a language code with Babel; returns it unchanged."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ConfigError(
            f"[tool.pipeline] {key}: unknown language code {code!r}", path="pyproject.toml"
        ) from None
    return code


def parse_config(table: dict[str, Any], root: Path) -> Config:
    """Validate the `[tool.pipeline]` table; pure apart from Babel's locale data."""
    known = {
        "source_language", "target_languages", "unit", "source_dir", "locales_dir", "output_dir",
        "state_dir", "cache_dir", "engine", "purge_obsolete", "publish", "documents",
        "models", "engines", "editions", "tm", "po",
    }  # fmt: skip
    format_settings = _format_settings(table)
    for key in table:
        if key not in known and key not in format_settings:
            raise ConfigError(f"[tool.pipeline] {key}: unknown key", path="pyproject.toml")
    source = validate_language(_get(table, "source_language", str, "en"), "source_language")
    targets_raw = _get(table, "target_languages", list, ["cs", "ru", "uk", "sk"])
    if not targets_raw:
        raise ConfigError("[tool.pipeline] target_languages: empty list", path="pyproject.toml")
    targets: list[str] = []
    for code in targets_raw:
        if not isinstance(code, str):
            raise ConfigError(
                f"[tool.pipeline] target_languages: expected strings, got {code!r}",
                path="pyproject.toml",
            )
        validate_language(code, "target_languages")
        if code == source:
            raise ConfigError(
                f"[tool.pipeline] target_languages: {code!r} is the source language",
                path="pyproject.toml",
            )
        if code in targets:
            raise ConfigError(
                f"[tool.pipeline] target_languages: {code!r} listed twice", path="pyproject.toml"
            )
        targets.append(code)
    unit = _get(table, "unit", str, "sentence")
    if unit not in UNITS:
        raise ConfigError(
            f"[tool.pipeline] unit: expected one of {', '.join(UNITS)}, got {unit!r}",
            path="pyproject.toml",
        )
    engine = _get(table, "engine", str, "argos-batch")
    engine_settings = _engine_settings(engine, _get(table, "engines", dict, {}))
    publish = _get(table, "publish", dict, {})
    policy = _get(publish, "policy", str, "draft")
    if policy not in POLICIES:
        raise ConfigError(
            f"[tool.pipeline.publish] policy: expected draft or reviewed, got {policy!r}",
            path="pyproject.toml",
        )
    minimum = _minimum_shares(publish.get("minimum_share", 0.0), targets)
    documents: dict[str, DocumentInfo] = {}
    for name, info in _get(table, "documents", dict, {}).items():
        if not isinstance(info, dict):
            raise ConfigError(
                f"[tool.pipeline.documents] {name}: expected a table", path="pyproject.toml"
            )
        documents[name] = DocumentInfo(
            title=str(info.get("title", "")), origin=str(info.get("origin", ""))
        )

    editions, edition_settings = _editions(table.get("editions"))
    values = {key: str(_get(table, key, str, default)) for key, default in FOLDER_DEFAULTS.items()}
    check_folders(root, values)
    folders = {key: root / value for key, value in values.items()}
    return Config(
        root=root,
        source_language=source,
        target_languages=tuple(targets),
        unit=unit,
        source_dir=folders["source_dir"],
        locales_dir=folders["locales_dir"],
        output_dir=folders["output_dir"],
        state_dir=folders["state_dir"],
        cache_dir=folders["cache_dir"],
        engine=engine,
        engine_settings=engine_settings,
        purge_obsolete=_get(table, "purge_obsolete", bool, False),
        policy=policy,
        minimum_share=minimum,
        format_settings=format_settings,
        documents=documents,
        models_max_unpacked_mb=_max_unpacked_mb(_get(table, "models", dict, {})),
        models_auto_install=_auto_install(_get(table, "models", dict, {})),
        editions=editions,
        edition_settings=edition_settings,
        **_translation_memory(root, _get(table, "tm", dict, {})),
        po_wrap=_po_wrap(_get(table, "po", dict, {})),
    )


def check_folders(root: Path, values: dict[str, str]) -> None:
    """Confinement: every folder lies inside the project, is not the project, overlaps no other.

    Paths are compared resolved (symlinks followed, `..` folded), so `output_dir = ".."`,
    `"/"`, a symlink out of the project or `state_dir = "locales"` are refused before anything is
    read or written. The one allowed nesting is `cache_dir` inside `state_dir` (the default).
    """
    real_root = _resolved(root, "project folder", str(root))
    resolved: dict[str, Path] = {}
    for key, value in values.items():
        where = f"[tool.pipeline] {key}: {json.dumps(value, ensure_ascii=False)}"
        if "\0" in value:
            raise ConfigError(f"{where}: contains a NUL character", path="pyproject.toml")
        real = _resolved(root / value, where, value)
        if real == real_root:
            raise ConfigError(
                f"{where} is the project folder itself; name a folder inside it",
                path="pyproject.toml",
            )
        if not real.is_relative_to(real_root):
            raise ConfigError(
                f"{where} lies outside the project ({real}); folders must be inside {real_root}",
                path="pyproject.toml",
            )
        resolved[key] = real
    keys = list(resolved)
    for index, key in enumerate(keys):
        for other in keys[index + 1 :]:
            a, b = resolved[key], resolved[other]
            if not (a.is_relative_to(b) or b.is_relative_to(a)):
                continue
            if (
                {key, other} == {"cache_dir", "state_dir"}
                and resolved["cache_dir"] != resolved["state_dir"]
                and resolved["cache_dir"].is_relative_to(resolved["state_dir"])
            ):
                continue
            raise ConfigError(
                f"[tool.pipeline] {other}: {json.dumps(values[other], ensure_ascii=False)} "
                f"overlaps {key} ({json.dumps(values[key], ensure_ascii=False)}); "
                "each folder must be separate (only cache_dir may lie inside state_dir)",
                path="pyproject.toml",
            )


def _resolved(path: Path, where: str, value: str) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as error:
        raise ConfigError(
            f"{where}: cannot resolve {value!r}: {error}", path="pyproject.toml"
        ) from None


def _engine_settings(engine: str, tables: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`engine` must be a registered engine (`pipeline.engines`); `[tool.pipeline.engines.<name>]`
    tables are any registered engine's settings, checked by the engine when it opens."""
    from .engines import registered_names
    from .plugins import PluginError

    installed = registered_names()
    if engine not in installed:
        raise PluginError(
            f"[tool.pipeline] engine: expected one of the installed engines "
            f"({', '.join(installed) or 'none'}), got {engine!r}",
            path="pyproject.toml",
        )
    for name, settings in tables.items():
        if name not in installed:
            raise PluginError(
                f"[tool.pipeline.engines] {name}: not an installed engine "
                f"({', '.join(installed) or 'none'})",
                path="pyproject.toml",
            )
        if not isinstance(settings, dict):
            raise ConfigError(
                f"[tool.pipeline.engines] {name}: expected a table", path="pyproject.toml"
            )
        if "unit" in settings:  # the build passes [tool.pipeline] unit to engines under this key
            raise ConfigError(
                f"[tool.pipeline.engines.{name}] unit: not an engine setting; "
                "set unit in [tool.pipeline]",
                path="pyproject.toml",
            )
    return dict(tables)


def _format_settings(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`[tool.pipeline.<name>]` for each registered source format: that format's own settings
    (`SegmentOptions.settings`), whose keys the format checks when it segments."""
    from .plugins import SOURCE_FORMATS, names

    return {name: _get(table, name, dict, {}) for name in names(SOURCE_FORMATS) if name in table}


def _editions(value: Any) -> tuple[tuple[str, ...] | None, dict[str, dict[str, Any]]]:
    """`editions`: the edition formats to build, and each one's own settings.

    Either a list of names (``editions = ["html", "pdf"]``), or a table whose ``formats`` key is
    that list and whose sub-tables are settings (``[tool.pipeline.editions.pdf] page_size =
    "A5"``); TOML allows no key to be both. Without a list every format that fits the source is
    built. A name that is not an installed edition format is one line listing the installed ones.
    """
    from .plugins import EDITION_FORMATS, PluginError, names

    if value is None:
        return None, {}
    if isinstance(value, list):
        chosen: Any = value
        tables: dict[str, Any] = {}
    elif isinstance(value, dict):
        chosen = value.get("formats")
        tables = {key: settings for key, settings in value.items() if key != "formats"}
    else:
        raise ConfigError(
            f"[tool.pipeline] editions: expected a list of edition formats or a table, "
            f"got {value!r}",
            path="pyproject.toml",
        )
    installed = names(EDITION_FORMATS)

    def check(name: Any, key: str) -> str:
        if not isinstance(name, str) or name not in installed:
            raise PluginError(
                f"{key}: {name!r} is not an installed edition format "
                f"(installed: {', '.join(installed) or 'none'})",
                path="pyproject.toml",
            )
        return name

    formats: tuple[str, ...] | None = None
    if chosen is not None:
        if not isinstance(chosen, list) or not chosen:
            raise ConfigError(
                f"[tool.pipeline] editions: expected a non-empty list of edition formats, "
                f"got {chosen!r}",
                path="pyproject.toml",
            )
        formats = tuple(dict.fromkeys(check(name, "[tool.pipeline] editions") for name in chosen))
    settings: dict[str, dict[str, Any]] = {}
    for name, table in tables.items():
        check(name, "[tool.pipeline.editions]")
        if not isinstance(table, dict):
            raise ConfigError(
                f"[tool.pipeline.editions] {name}: expected a table", path="pyproject.toml"
            )
        settings[name] = table
    return formats, settings


def _po_wrap(po: dict[str, Any]) -> str | int:
    """`[tool.pipeline.po] wrap`: "keep" (each file's own wrapping), a width, or "no" (none)."""
    for key in po:
        if key != "wrap":
            raise ConfigError(f"[tool.pipeline.po] {key}: unknown key", path="pyproject.toml")
    wrap = po.get("wrap", "keep")
    if wrap in ("keep", "no") or (type(wrap) is int and wrap > 0):
        return str(wrap) if isinstance(wrap, str) else wrap
    raise ConfigError(
        f'[tool.pipeline.po] wrap: expected "keep", "no" or a positive width, got {wrap!r}',
        path="pyproject.toml",
    )


def _translation_memory(root: Path, tm: dict[str, Any]) -> dict[str, Any]:
    """`[tool.pipeline.tm]`: ``exact = "fuzzy" | "approve"`` and ``compendia``, PO files inside
    the project (resolved as the folders are; their reading and language come later)."""
    for key in tm:
        if key not in ("compendia", "exact"):
            raise ConfigError(f"[tool.pipeline.tm] {key}: unknown key", path="pyproject.toml")
    exact = tm.get("exact", "fuzzy")
    if exact not in ("fuzzy", "approve"):
        raise ConfigError(
            f"[tool.pipeline.tm] exact: expected fuzzy or approve, got {exact!r}",
            path="pyproject.toml",
        )
    compendia = tm.get("compendia", [])
    if not isinstance(compendia, list) or not all(isinstance(c, str) and c for c in compendia):
        raise ConfigError(
            f"[tool.pipeline.tm] compendia: expected a list of PO file paths, got {compendia!r}",
            path="pyproject.toml",
        )
    real_root = _resolved(root, "project folder", str(root))
    paths = []
    for value in compendia:
        where = f"[tool.pipeline.tm] compendia: {json.dumps(value, ensure_ascii=False)}"
        if "\0" in value:
            raise ConfigError(f"{where}: contains a NUL character", path="pyproject.toml")
        if not _resolved(root / value, where, value).is_relative_to(real_root):
            raise ConfigError(
                f"{where} lies outside the project; compendia must be inside {real_root}",
                path="pyproject.toml",
            )
        paths.append(root / value)
    return {"tm_compendia": tuple(paths), "tm_exact": exact}


def _auto_install(models: dict[str, Any]) -> bool:
    """`[tool.pipeline.models] auto_install`: whether `pipeline build` fetches missing models."""
    value = models.get("auto_install", True)
    if not isinstance(value, bool):
        raise ConfigError(
            f"[tool.pipeline.models] auto_install: expected true or false, got {value!r}",
            path="pyproject.toml",
        )
    return value


def _max_unpacked_mb(models: dict[str, Any]) -> int:
    """`[tool.pipeline.models] max_unpacked_mb`: the most a model package may unpack to."""
    for key in models:
        if key not in ("max_unpacked_mb", "auto_install"):
            raise ConfigError(f"[tool.pipeline.models] {key}: unknown key", path="pyproject.toml")
    value = models.get("max_unpacked_mb", DEFAULT_MAX_UNPACKED_MB)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"[tool.pipeline.models] max_unpacked_mb: expected a positive integer, got {value!r}",
            path="pyproject.toml",
        )
    return value


def _minimum_shares(value: Any, targets: list[str]) -> dict[str, float]:
    """`minimum_share` is one number for every language or a table {lang = share}."""
    key = "[tool.pipeline.publish] minimum_share"
    if isinstance(value, bool) or not isinstance(value, int | float | dict):
        raise ConfigError(f"{key}: expected a number or a table", path="pyproject.toml")
    items = value.items() if isinstance(value, dict) else [("*", value)]
    shares: dict[str, float] = {}
    for lang, share in items:
        if lang != "*" and lang not in targets:
            raise ConfigError(f"{key}: {lang!r} is not a target language", path="pyproject.toml")
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ConfigError(
                f"{key}: expected a share between 0 and 1, got {share!r}", path="pyproject.toml"
            )
        shares[lang] = float(share)
    return shares
