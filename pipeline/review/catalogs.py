"""The catalogs a review reads: locales/<lang>/<doc>.po, or the template where there is none."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..catalog import check_language, read_catalog
from ..config import Config
from ..errors import CatalogError
from ..layout import po_path, pot_path
from ..model import Catalog


def document_names(config: Config, languages: Iterable[str]) -> list[str]:
    """Every document with a template or a catalog in one of the languages, sorted."""
    names: set[str] = set()
    if config.locales_dir.is_dir():
        names.update(p.stem for p in config.locales_dir.glob("*.pot") if p.is_file())
        for language in languages:
            folder = config.locales_dir / language
            if folder.is_dir():
                names.update(p.stem for p in folder.glob("*.po") if p.is_file())
    return sorted(name for name in names if not name.startswith("."))


def pick_documents(config: Config, languages: Sequence[str], wanted: Sequence[str]) -> list[str]:
    known = document_names(config, languages)
    if not wanted:
        return known
    chosen: list[str] = []
    for name in wanted:
        stem = Path(name).stem
        if stem not in known:
            raise CatalogError(
                f"no catalog for document {name!r} (known: {', '.join(known) or 'none'})",
                path=config.relative(config.locales_dir),
            )
        chosen.append(stem)
    return chosen


def read_language_catalog(config: Config, language: str, document: str) -> Catalog:
    """Read locales/<lang>/<doc>.po, refusing a file whose header names another language."""
    path = po_path(config, language, document)
    shown = config.relative(path)
    catalog = read_catalog(path, display=shown)
    check_language(catalog, language, shown)
    return catalog


def load_language_catalog(config: Config, language: str, document: str) -> Catalog | None:
    """The language's catalog of a document; the template stands in when there is no PO yet."""
    path = po_path(config, language, document)
    if path.exists():
        return read_language_catalog(config, language, document)
    template = pot_path(config, document)
    if template.exists():
        catalog = read_catalog(template, display=config.relative(template))
        catalog.path = config.relative(path)
        return catalog
    return None
