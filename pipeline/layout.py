"""The project layout, in one place: where sources, catalogs, editions, state and caches live.

Every path the pipeline reads or writes inside a project is built here from the configured
folders (`Config.source_dir`, `locales_dir`, `output_dir`, `state_dir`, `cache_dir`), so moving a
file is one edit. Pure apart from `source_paths`, which lists the source folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import source_formats
from .config import Config
from .errors import SourceError
from .sources import check_inside_project

if TYPE_CHECKING:
    from .source_formats import SourceFormat


# --- sources -------------------------------------------------------------------------------------


def source_paths(config: Config, names: list[str] | None = None) -> list[Path]:
    """Every document in the source folder (or the named ones), sorted by name: the files whose
    suffix a registered source format claims."""
    if not config.source_dir.is_dir():
        raise SourceError("source folder does not exist", path=config.relative(config.source_dir))
    claimed = source_formats.suffixes()
    found = sorted(
        path
        for path in config.source_dir.iterdir()
        if path.suffix.lower() in claimed and path.is_file() and not path.name.startswith(".")
    )
    stems: dict[str, Path] = {}
    for path in found:
        check_inside_project(config.root, path, config.relative(path))
        if path.stem in stems:
            raise SourceError(
                f"two sources share the name {path.stem!r}: "
                f"{stems[path.stem].name} and {path.name}",
                path=config.relative(path),
            )
        stems[path.stem] = path
    if names:
        missing = [name for name in names if name not in stems and Path(name).stem not in stems]
        if missing:
            raise SourceError(
                "source file not found",
                path=config.relative(config.source_dir / missing[0]),
            )
        return [stems.get(name) or stems[Path(name).stem] for name in names]
    if not found:
        kinds = " or ".join(sorted(claimed)) or "source"
        raise SourceError(f"no {kinds} documents", path=config.relative(config.source_dir))
    return found


def document_format(config: Config, name: str) -> SourceFormat | None:
    """The source format of a document, by its source file (``source/<name>.<suffix>``); None
    when no claimed source of that name is there (a catalog without its source)."""
    if not config.source_dir.is_dir():
        return None
    for path in sorted(config.source_dir.iterdir()):
        found = source_formats.for_path(path) if path.stem == name else None
        if found is not None and path.is_file() and not path.name.startswith("."):
            return found
    return None


# --- catalogs ------------------------------------------------------------------------------------


def pot_path(config: Config, name: str) -> Path:
    """The template of a document: ``locales/<doc>.pot``."""
    return config.locales_dir / f"{name}.pot"


def po_path(config: Config, language: str, name: str) -> Path:
    """The catalog of a document in a language: ``locales/<lang>/<doc>.po``."""
    return config.locales_dir / language / f"{name}.po"


def glossary_path(config: Config) -> Path:
    """The project's glossary: ``locales/glossary.csv``."""
    return config.locales_dir / "glossary.csv"


# --- editions ------------------------------------------------------------------------------------


def edition_path(config: Config, language: str, name: str, suffix: str) -> Path:
    """An edition file: ``output/<lang>/<doc><suffix>`` (the suffix is the edition format's)."""
    return config.output_dir / language / f"{name}{suffix}"


def index_path(config: Config) -> Path:
    """The index page over every edition: ``output/index.html``."""
    return config.output_dir / "index.html"


def review_report_path(config: Config, language: str) -> Path:
    """The review report of a language: ``output/review/<lang>.html``."""
    return config.output_dir / "review" / f"{language}.html"


# --- state and caches ----------------------------------------------------------------------------


def state_path(config: Config) -> Path:
    """The build stamps: ``<state_dir>/state.json``."""
    return config.state_dir / "state.json"


def report_path(config: Config) -> Path:
    """The last run report: ``<state_dir>/last-build.json``."""
    return config.state_dir / "last-build.json"


def translation_cache_path(config: Config) -> Path:
    """The machine-translation cache: ``<cache_dir>/translations.sqlite3``."""
    return config.cache_dir / "translations.sqlite3"


def findings_memo_path(config: Config) -> Path:
    """The memo of check findings: ``<cache_dir>/findings.sqlite3``."""
    return config.cache_dir / "findings.sqlite3"


def written_folders(config: Config, languages: list[str]) -> list[Path]:
    """The folders the pipeline writes files into (where its stale temporaries can be)."""
    return [
        config.locales_dir,
        *(config.locales_dir / language for language in languages),
        config.output_dir,
        *(config.output_dir / language for language in languages),
        config.state_dir,
        config.cache_dir,
    ]
