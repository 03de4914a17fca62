"""The machine's side of a run: the project folder, the report path, and OSError as one line.

Everything here raises `ConfigError` (exit 2) or `FileSystemError` (exit 8) and prints nothing;
`cli` turns them into its one line on stderr.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from .config import Config, find_project_root
from .errors import ConfigError, FileSystemError


def report_target(value: str, config: Config) -> Path:
    """Where `build --report` writes, checked before the build so a bad path builds nothing.

    The folder must exist (it is never created), the name must not be a folder, and the report
    never lands among the sources or catalogs, where it would replace a person's work.
    """
    if not value.strip():
        raise ConfigError("--report: empty file name; give a file such as build-report.json")
    path = Path(value)
    try:
        if path.is_dir():
            raise ConfigError("--report: this is a folder; give a file name", path=value)
        folder = path.parent
        if not folder.exists():
            raise ConfigError(
                "--report: the folder does not exist (create it first)", path=str(folder)
            )
        if not folder.is_dir():
            raise ConfigError("--report: not a folder", path=str(folder))
        real = path.resolve()
        for key, managed in (
            ("source_dir", config.source_dir),
            ("locales_dir", config.locales_dir),
        ):
            if real.is_relative_to(managed.resolve()):
                raise ConfigError(
                    f"--report: inside {key}, where it could replace a source or a catalog",
                    path=value,
                )
    except OSError as error:
        raise FileSystemError.from_os_error(error, "use as the run report", value) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileSystemError("cannot write the run report: Permission denied", path=str(folder))
    return path


def project_root(project: Path | None) -> Path:
    """`--project DIR` checked to be a folder, or the project found from the working folder."""
    if project is not None:
        if not project.exists():
            raise ConfigError("--project: no such folder", path=str(project))
        if not project.is_dir():
            raise ConfigError("--project: not a folder", path=str(project))
        return project.resolve()
    try:
        here = Path.cwd()
    except OSError:
        raise FileSystemError(
            "the working folder no longer exists; cd into the project or pass --project DIR",
            path=os.environ.get("PWD"),
        ) from None
    return find_project_root(here)


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EISDIR: "a folder stands where a file belongs",
    errno.ENOTDIR: "a file stands where a folder belongs",
    errno.ENOENT: "no such file or folder (deleted while the pipeline ran?)",
}


def environment_error(error: OSError, root: Path | None = None) -> FileSystemError:
    """An OSError that reached the CLI as one line naming its path (relative to the project)."""
    name = error.filename2 if error.filename2 is not None else error.filename
    path = None if name is None else Path(os.fsdecode(name))
    if path is not None and root is not None and path.is_absolute():
        with contextlib.suppress(ValueError):
            path = path.relative_to(root)
    reason = _REASONS.get(error.errno or 0) or error.strerror or type(error).__name__
    return FileSystemError(reason, path=None if path is None else str(path))


# SQLite's primary result codes that mean the machine refused, not that the database is damaged.
_SQLITE_REFUSALS = {
    3: "permission denied",  # SQLITE_PERM
    8: "the file system or the database file is read-only",  # SQLITE_READONLY
    10: "disk I/O error",  # SQLITE_IOERR
    13: "the disk is full",  # SQLITE_FULL
    14: "cannot open the database file",  # SQLITE_CANTOPEN
}


def sqlite_environment_error(error: Exception, where: str | None) -> FileSystemError | None:
    """A SQLite error that is the machine's refusal (disk full, read-only, ...), else None."""
    code = getattr(error, "sqlite_errorcode", None)
    if type(error).__module__ != "sqlite3" or not isinstance(code, int):
        return None
    reason = _SQLITE_REFUSALS.get(code & 0xFF)
    if reason is None:
        return None
    return FileSystemError(f"cannot use the cache: {reason}", path=where)
