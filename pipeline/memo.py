"""A SQLite memo of per-entry quality findings, so a build re-checks only entries that changed.

Checking is pure and per entry, so findings are keyed by everything they depend on: the code of
the checks, the language, the glossary, the entry's texts, flags and plural header. Lines and file
names are attached again on the way out, because they move when other entries change.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .model import Catalog, Entry, Finding, Severity

_CHUNK = 500


def _code_digest() -> str:
    from . import checks, markdown

    data = b"".join(Path(module.__file__ or "").read_bytes() for module in (checks, markdown))
    return hashlib.sha256(data).hexdigest()


class FindingsMemo:
    """Findings of entries already checked, in ``<cache_dir>/findings.sqlite3``."""

    def __init__(self, path: Path, language: str, glossary: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path)
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS findings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        self.salt = json.dumps([_code_digest(), language, hashlib.sha256(glossary).hexdigest()])

    def close(self) -> None:
        self.connection.close()

    def key(self, catalog: Catalog, entry: Entry) -> str:
        parts = [
            self.salt,
            catalog.header.get("Plural-Forms", ""),
            entry.msgid,
            entry.msgid_plural,
            entry.msgstr,
            sorted(entry.msgstr_plural.items()),
            entry.flags,
            any(ref.split(":")[0].endswith(".md") for ref in entry.references),
        ]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()

    def lookup(self, keys: Iterable[str]) -> dict[str, list[list[str]]]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, list[list[str]]] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT key, value FROM findings WHERE key IN ({marks})", chunk
            )
            found.update((key, json.loads(value)) for key, value in rows)
        return found

    def store(self, items: dict[str, list[list[str]]]) -> None:
        with self.connection:
            self.connection.executemany(
                "INSERT OR REPLACE INTO findings (key, value) VALUES (?, ?)",
                [(key, json.dumps(value, ensure_ascii=False)) for key, value in items.items()],
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
    from .checks import Glossary, check_catalog

    keys = {id(entry): memo.key(catalog, entry) for entry in catalog.active()}
    known = memo.lookup(keys.values())
    missing = [entry for entry in catalog.active() if keys[id(entry)] not in known]
    if missing:
        subset = Catalog(header=catalog.header, entries=missing, path=catalog.path)
        assert glossary is None or isinstance(glossary, Glossary)
        fresh: dict[str, list[list[str]]] = {keys[id(entry)]: [] for entry in missing}
        by_msgid = {entry.msgid: keys[id(entry)] for entry in missing}
        for finding in check_catalog(subset, language, glossary=glossary, display=display):
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
                )
            )
    return findings
