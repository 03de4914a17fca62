"""Parsed catalogs by the sha256 of their bytes, so an unchanged catalog is not parsed again.

Parsing a PO file strictly (``msgfmt`` and polib, `catalog.parse_catalog`) costs about a second
for 10,000 entries. A build reads the same unchanged catalogs run after run, so what a strict
parse accepted is kept here as plain data (JSON in SQLite, never pickle), keyed by the sha256 of
the exact bytes: bytes never seen before are always parsed strictly, and a refused file is never
stored. The translation memory keeps the reviewed units of a catalog here the same way.

The cache only saves time: deleting ``<cache_dir>/catalogs.sqlite3`` is always safe, and a
damaged one is rebuilt empty with a warning (`pipeline.cachedb`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .cachedb import open_database
from .model import Catalog, Entry

_SCHEMA = """
DROP TABLE IF EXISTS parsed;
DROP TABLE IF EXISTS units;
CREATE TABLE IF NOT EXISTS parsed_catalogs (
    sha TEXT PRIMARY KEY, path TEXT NOT NULL, data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS parsed_catalogs_by_path ON parsed_catalogs (path);
CREATE TABLE IF NOT EXISTS reviewed_units (
    sha TEXT PRIMARY KEY, path TEXT NOT NULL, data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reviewed_units_by_path ON reviewed_units (path);
"""
"""One row per file path: a file's older bytes are dropped when its new ones are stored, so the
cache stays the size of the project's catalogs however many builds run. (The two tables
dropped first are this cache's first layout, without paths.)"""
_FORMAT = 2  # bump when the stored shape changes: older rows are then simply not found


def _setup(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.executescript(_SCHEMA)


def digest(raw: bytes) -> str:
    return f"{_FORMAT}:{hashlib.sha256(raw).hexdigest()}"


class CatalogCache:
    """The SQLite file of parsed catalogs and reviewed units; every method is one statement."""

    def __init__(self, path: Path, warnings: list[str] | None = None) -> None:
        self.path = path
        self.thread = threading.get_ident()  # SQLite connections stay in their thread
        self._connection = open_database(path, _setup, warnings)

    def close(self) -> None:
        self._connection.close()

    def _get(self, table: str, sha: str) -> Any:
        row = self._connection.execute(
            f"SELECT data FROM {table} WHERE sha = ?",  # table: one of the two fixed names above
            (sha,),
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def _put(self, table: str, sha: str, path: str, data: object) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with self._connection:
            self._connection.execute(
                f"DELETE FROM {table} WHERE path = ? AND sha != ?", (path, sha)
            )
            self._connection.execute(
                f"INSERT OR REPLACE INTO {table} (sha, path, data) VALUES (?, ?, ?)",
                (sha, path, text),
            )

    def catalog(self, sha: str, display: str) -> Catalog | None:
        data = self._get("parsed_catalogs", sha)
        return None if data is None else _catalog_from(data, display)

    def has_catalog(self, sha: str) -> bool:
        found = self._connection.execute(
            "SELECT 1 FROM parsed_catalogs WHERE sha = ?", (sha,)
        ).fetchone()
        return found is not None

    def put_catalog(self, sha: str, path: str, catalog: Catalog) -> None:
        """Keep what ``path``'s bytes (by ``sha``) parse to, in place of its older bytes."""
        self._put("parsed_catalogs", sha, path, _catalog_data(catalog))

    def units(self, sha: str) -> Any:
        """What `put_units` stored for these bytes (the memory's own plain data), or None."""
        return self._get("reviewed_units", sha)

    def put_units(self, sha: str, path: str, data: object) -> None:
        self._put("reviewed_units", sha, path, data)


_ACTIVE: list[CatalogCache] = []


def active() -> CatalogCache | None:
    """The cache of the build running in this process, if any (see `using`), in its thread."""
    if not _ACTIVE or _ACTIVE[-1].thread != threading.get_ident():
        return None
    return _ACTIVE[-1]


@contextmanager
def using(path: Path, warnings: list[str] | None = None) -> Iterator[CatalogCache | None]:
    """Let `catalog.parse_catalog` use the cache at ``path`` for the duration of a run.

    A cache that cannot be opened (a read-only project, a folder in its place) is skipped: it
    only saves time.
    """
    try:
        cache: CatalogCache | None = CatalogCache(path, warnings)
    except (OSError, sqlite3.Error):
        cache = None
    if cache is None:
        yield None
        return
    _ACTIVE.append(cache)
    try:
        yield cache
    finally:
        _ACTIVE.remove(cache)
        cache.close()


def _catalog_data(catalog: Catalog) -> dict[str, object]:
    return {
        "header": list(catalog.header.items()),
        "comment": catalog.header_comment,
        "flags": catalog.header_flags,
        "entries": [_entry_data(entry) for entry in catalog.entries],
    }


def _entry_data(entry: Entry) -> list[object]:
    return [
        entry.msgid,
        entry.msgstr,
        entry.msgctxt,
        entry.msgid_plural,
        [[key, value] for key, value in entry.msgstr_plural.items()],
        entry.flags,
        entry.translator_comments,
        entry.extracted_comments,
        entry.references,
        entry.previous_msgctxt,
        entry.previous_msgid,
        entry.previous_msgid_plural,
        entry.obsolete,
        entry.line,
    ]


def _catalog_from(data: dict[str, Any], display: str) -> Catalog:
    return Catalog(
        header={name: value for name, value in data["header"]},
        entries=[_entry_from(item) for item in data["entries"]],
        header_comment=data["comment"],
        header_flags=list(data["flags"]),
        path=display,
    )


def _entry_from(item: list[Any]) -> Entry:
    return Entry(
        msgid=item[0],
        msgstr=item[1],
        msgctxt=item[2],
        msgid_plural=item[3],
        msgstr_plural={int(key): value for key, value in item[4]},
        flags=item[5],
        translator_comments=item[6],
        extracted_comments=item[7],
        references=item[8],
        previous_msgctxt=item[9],
        previous_msgid=item[10],
        previous_msgid_plural=item[11],
        obsolete=item[12],
        line=item[13],
    )
