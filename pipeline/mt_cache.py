"""The machine-translation cache: engine outputs in SQLite, for every engine alike.

A row is keyed by what decides an output besides its source text: the engine's model, its version
and its fingerprint (decoding options, a hash of the model files). It keeps the engine's score
(confidence) with the output, for `pipeline review --order confidence`. The cache only saves time:
deleting the file is always safe, and a damaged one is rebuilt (`pipeline.cachedb`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .engines import Engine, EngineOutput

if TYPE_CHECKING:
    from .config import Config
    from .model import Entry


@dataclass(frozen=True)
class CacheKey:
    """Everything besides the source text that decides a machine output."""

    model: str
    version: str
    fingerprint: str

    @classmethod
    def of(cls, engine: Engine) -> CacheKey:
        return cls(engine.model, engine.version, engine.fingerprint)


# The columns keep their first names (package = model, options = fingerprint), so caches made
# before engines were plugins stay valid.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    package TEXT NOT NULL,
    version TEXT NOT NULL,
    options TEXT NOT NULL,
    source TEXT NOT NULL,
    output TEXT NOT NULL,
    output_hash TEXT NOT NULL,
    cut_short INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    score REAL,
    PRIMARY KEY (package, version, options, source)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS translations_by_source ON translations (package, source);
"""
_COLUMNS = "package, version, options, source, output, output_hash, cut_short, created, score"
_CHUNK = 500  # SQLite's limit on host parameters is 999 in old builds


def _add_score_column(db: sqlite3.Connection) -> None:
    """Migrate a cache made before scores were kept: add the nullable column, keep every row.

    Two processes may open an old cache at once; the one that loses the race finds the column
    there already.
    """

    def has_score() -> bool:
        return any(row[1] == "score" for row in db.execute("PRAGMA table_info(translations)"))

    if has_score():
        return
    try:
        with db:
            db.execute("ALTER TABLE translations ADD COLUMN score REAL")
    except sqlite3.OperationalError:
        if not has_score():
            raise


@dataclass(frozen=True)
class MachineOriginal:
    """What the cache knows of the machine output an entry started as."""

    text: str
    score: float | None


class TranslationCache:
    """Machine outputs in SQLite, keyed by (model, version, engine fingerprint, source text).

    Each `put_many` is one committed transaction, so a run killed mid-way loses at most the batch
    in flight. The cache only saves time: deleting the file is always safe.
    """

    def __init__(self, path: Path, warnings: list[str] | None = None) -> None:
        """Open (or make) the cache; a damaged file is rebuilt, with a line in ``warnings``."""
        from .cachedb import open_database

        def setup(db: sqlite3.Connection) -> None:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            _add_score_column(db)

        self.path = path
        self._db = open_database(path, setup, warnings, timeout=30.0)

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def get_outputs(self, key: CacheKey, texts: Sequence[str]) -> dict[str, EngineOutput]:
        found: dict[str, EngineOutput] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT source, output, cut_short, score FROM translations "
                f"WHERE package=? AND version=? AND options=? AND source IN ({marks})",
                (key.model, key.version, key.fingerprint, *chunk),
            )
            for source, output, cut_short, score in rows:
                found[source] = EngineOutput(output, bool(cut_short), _score(score))
        return found

    def get_many(self, key: CacheKey, texts: Sequence[str]) -> dict[str, str]:
        """source text → cached output, for the texts that are cached."""
        return {text: out.text for text, out in self.get_outputs(key, texts).items()}

    def put_many(self, key: CacheKey, outputs: Mapping[str, EngineOutput | str]) -> None:
        """Store outputs and commit: one transaction per batch."""
        from .catalog import output_hash

        now = time.time()
        rows = []
        for source, output in outputs.items():
            value = output if isinstance(output, EngineOutput) else EngineOutput(output)
            rows.append(
                (
                    key.model,
                    key.version,
                    key.fingerprint,
                    source,
                    value.text,
                    output_hash(value.text),
                    int(value.cut_short),
                    now,
                    value.score,
                )
            )
        with self._db:
            self._db.executemany(
                f"INSERT OR REPLACE INTO translations ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def lookup_original(
        self,
        model: str,
        source: str,
        *,
        version: str | None = None,
        output_hash: str | None = None,
    ) -> str | None:
        """The machine output a model gave for a source text (newest first), for measuring how
        much a reviewer changed it. With the `# mt:` comment's version and hash it is exact."""
        found = self.lookup_machine(model, source, version=version, output_hash=output_hash)
        return None if found is None else found.text

    def lookup_machine(
        self,
        model: str,
        source: str,
        *,
        version: str | None = None,
        output_hash: str | None = None,
    ) -> MachineOriginal | None:
        """`lookup_original` with the engine's score; a row with a score is preferred (an engine
        without scores may have cached the same output under other options)."""
        query = "SELECT output, score FROM translations WHERE package=? AND source=?"
        params: list[str] = [model, source]
        if version is not None:
            query += " AND version=?"
            params.append(version)
        if output_hash is not None:
            query += " AND output_hash=?"
            params.append(output_hash)
        order = " ORDER BY score IS NULL, created DESC LIMIT 1"
        row = self._db.execute(query + order, params).fetchone()
        return None if row is None else MachineOriginal(str(row[0]), _score(row[1]))

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])


def _score(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


class CacheLookup:
    """For review, by the entry's `# mt:` mark: the machine output it started as, and its score.

    Called as (language, entry, mark) it gives the output text (`effort.OriginalLookup`).
    """

    def __init__(self, cache: TranslationCache) -> None:
        self.cache = cache

    def __call__(self, language: str, entry: Entry, mark: tuple[str, str, str, str]) -> str | None:
        found = self.original(entry, mark)
        return None if found is None else found.text

    def original(self, entry: Entry, mark: tuple[str, str, str, str]) -> MachineOriginal | None:
        """The cached output with the mark's model, version and hash, for the entry's English
        (or, for a stale entry, the English it was translated from)."""
        sources = [entry.msgid]
        if entry.previous_msgid is not None and entry.previous_msgid != entry.msgid:
            sources.append(entry.previous_msgid)
        for source in sources:
            found = self.cache.lookup_machine(mark[1], source, version=mark[2], output_hash=mark[3])
            if found is not None:
                return found
        return None

    def score(self, entry: Entry) -> float | None:
        """The engine's score for the machine output the entry holds or started as; None for an
        entry without an `# mt:` mark or whose output the cache does not hold with a score."""
        from .catalog import machine_mark

        mark = machine_mark(entry)
        found = None if mark is None else self.original(entry, mark)
        return None if found is None else found.score

    def close(self) -> None:
        self.cache.close()


def open_cache_for_lookup(config: Config) -> CacheLookup | None:
    """For review: (language, entry, `# mt:` mark) → the machine output the entry started as,
    and `CacheLookup.score` for its confidence.

    None when there is no cache yet; never creates one.
    """
    from .layout import translation_cache_path

    path = translation_cache_path(config)
    if not path.is_file():
        return None
    return CacheLookup(TranslationCache(path))
