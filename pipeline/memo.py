"""A SQLite memo of per-entry quality findings, so a build re-checks only entries that changed.

Checking is pure and per entry, so findings are keyed by everything they depend on: the code of
the checks, the language, the glossary, the entry's texts, flags and plural header. Lines and file
names are attached again on the way out, because they move when other entries change.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .cachedb import damaged_warning, is_damage, open_database, remove_database
from .model import Catalog, Entry, Finding, Severity

if TYPE_CHECKING:
    from .source_formats import SourceFormat

_CHUNK = 500


def _code_files(source_format: SourceFormat | None) -> list[Path]:
    """The checks' code (every module of their package), and the source format's (every module of
    its package, when it is one)."""
    from . import checks

    files = sorted(Path(checks.__file__ or "").parent.glob("*.py"))
    if source_format is not None:
        module = sys.modules.get(type(source_format).__module__)
        found = Path(getattr(module, "__file__", None) or "")
        if found.name == "__init__.py":
            files += sorted(found.parent.glob("*.py"))
        elif found.is_file():
            files.append(found)
    return files


def _code_digest(source_format: SourceFormat | None) -> str:
    data = b"".join(path.read_bytes() for path in _code_files(source_format))
    return hashlib.sha256(data).hexdigest()


class FindingsMemo:
    """Findings of entries already checked, in ``<cache_dir>/findings.sqlite3``."""

    def __init__(
        self,
        path: Path,
        language: str,
        glossary: bytes,
        warnings: list[str] | None = None,
        source_format: SourceFormat | None = None,
    ) -> None:
        """Open (or make) the memo; a damaged file is rebuilt, with a line in ``warnings``.

        ``source_format`` is the format of the catalogs' document: its markup check is part of
        every finding, so its name and code are part of every key.
        """
        self.path = path
        self.warnings = warnings
        self.source_format = source_format
        self.connection = open_database(path, _create, warnings)
        self.salt = json.dumps(
            [
                _code_digest(source_format),
                language,
                hashlib.sha256(glossary).hexdigest(),
                source_format.name if source_format is not None else "",
            ]
        )

    def _rebuild(self, error: Exception) -> None:
        """The file went bad while open (damaged on disk): start it again, empty.

        A value that is not our JSON (ValueError) means the same: the memo is not to be trusted.
        """
        if isinstance(error, sqlite3.DatabaseError) and not is_damage(error):
            raise error  # disk full, read-only, ...: the CLI names the path
        self.connection.close()
        remove_database(self.path)
        if self.warnings is not None:
            self.warnings.append(damaged_warning(self.path, error))
        self.connection = open_database(self.path, _create, self.warnings)

    def close(self) -> None:
        self.connection.close()

    def key(self, catalog: Catalog, entry: Entry) -> str:
        parts = [
            self.salt,
            catalog.header.get("Plural-Forms", ""),
            entry.msgctxt,
            entry.msgid,
            entry.msgid_plural,
            entry.msgstr,
            sorted(entry.msgstr_plural.items()),
            entry.flags,
        ]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()

    def lookup(self, keys: Iterable[str]) -> dict[str, list[list[str]]]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, list[list[str]]] = {}
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self.connection.execute(
                    f"SELECT key, value FROM findings WHERE key IN ({marks})", chunk
                )
                found.update((key, json.loads(value)) for key, value in rows)
        except (sqlite3.DatabaseError, ValueError) as error:
            self._rebuild(error)
            return {}
        return found

    def store(self, items: dict[str, list[list[str]]]) -> None:
        rows = [(key, json.dumps(value, ensure_ascii=False)) for key, value in items.items()]
        try:
            with self.connection:
                self.connection.executemany(
                    "INSERT OR REPLACE INTO findings (key, value) VALUES (?, ?)", rows
                )
        except sqlite3.DatabaseError as error:
            self._rebuild(error)  # damaged while open: store into the fresh file once more
            with self.connection:
                self.connection.executemany(
                    "INSERT OR REPLACE INTO findings (key, value) VALUES (?, ?)", rows
                )


def _create(connection: sqlite3.Connection) -> None:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS findings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )


def check_with_memo(
    catalog: Catalog,
    language: str,
    memo: FindingsMemo,
    *,
    glossary: object | None,
    display: str,
) -> list[Finding]:
    """`checks.check_catalog`, computing only the entries the memo has not seen."""
    from .checks.catalog import check_catalog
    from .checks.glossary import Glossary

    keys = {id(entry): memo.key(catalog, entry) for entry in catalog.active()}
    known = memo.lookup(keys.values())
    missing = [entry for entry in catalog.active() if keys[id(entry)] not in known]
    if missing:
        assert glossary is None or isinstance(glossary, Glossary)
        fresh: dict[str, list[list[str]]] = {keys[id(entry)]: [] for entry in missing}
        # A finding names its entry by msgid only, and entries that differ in msgctxt share it:
        # check in layers where each msgid occurs once, so each finding goes to its own entry.
        for layer in _unique_msgid_layers(missing):
            subset = Catalog(header=catalog.header, entries=layer, path=catalog.path)
            by_msgid = {entry.msgid: keys[id(entry)] for entry in layer}
            found = check_catalog(
                subset,
                language,
                glossary=glossary,
                display=display,
                source_format=memo.source_format,
            )
            for finding in found:
                fresh[by_msgid[finding.msgid]].append(
                    [finding.check, finding.severity.value, finding.message]
                )
        memo.store(fresh)
        known.update(fresh)
    findings: list[Finding] = []
    for entry in catalog.active():
        for check, severity, message in known.get(keys[id(entry)], []):
            findings.append(
                Finding(
                    check,
                    Severity(severity),
                    message,
                    file=display,
                    line=entry.line,
                    msgid=entry.msgid,
                    language=language,
                    msgctxt=entry.msgctxt,
                )
            )
    return findings


def _unique_msgid_layers(entries: list[Entry]) -> list[list[Entry]]:
    """Entries split into lists in which no msgid repeats (one list unless msgctxt is used)."""
    layers: list[list[Entry]] = []
    occurrences: dict[str, int] = {}
    for entry in entries:
        depth = occurrences.get(entry.msgid, 0)
        occurrences[entry.msgid] = depth + 1
        if depth == len(layers):
            layers.append([])
        layers[depth].append(entry)
    return layers
