"""Opening the pipeline's SQLite caches: a damaged cache is rebuilt empty with a warning.

The caches (findings memo, MT cache) only save time, so a file SQLite calls corrupt or "not a
database" (overwritten, truncated) is deleted with its journal files and made again; the caller
gets one warning line for its report. Any other failure (permission, disk full, a folder where
the file belongs) is raised as it is: deleting cannot fix it, and the CLI turns it into one line
naming the path (`environment.sqlite_environment_error`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SIDECARS = ("-wal", "-shm", "-journal")


def is_damage(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's error says the file itself is damaged (not locked, not unreadable)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def damaged_warning(path: Path, error: Exception) -> str:
    return f"{path}: damaged cache ({error}); rebuilt it empty (a cache only saves time)"


def remove_database(path: Path) -> None:
    """Delete a cache file and its journal files (only ours: the names SQLite gives them)."""
    for name in (path.name, *(path.name + suffix for suffix in _SIDECARS)):
        (path.parent / name).unlink(missing_ok=True)


def open_database(
    path: Path,
    setup: Callable[[sqlite3.Connection], None],
    warnings: list[str] | None = None,
    *,
    timeout: float = 5.0,
) -> sqlite3.Connection:
    """Connect to ``path`` and run ``setup`` (pragmas, schema); rebuild once if it is damaged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rebuilt = False
    while True:
        connection = sqlite3.connect(path, timeout=timeout)
        try:
            setup(connection)
            return connection
        except sqlite3.DatabaseError as error:
            connection.close()
            if rebuilt or not is_damage(error) or path.is_dir():
                raise
            remove_database(path)
            rebuilt = True
            if warnings is not None:
                warnings.append(damaged_warning(path, error))
