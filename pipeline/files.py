"""Atomic file writes and the process lock: the two things that keep a crash from losing work.

Guarantees (each has a test in tests/test_catalog_io.py or tests/test_catalog_strict.py):

- A write goes to a temporary named ``.<name>.<random>.pipeline-tmp`` in the target's folder, is
  flushed and moved into place with ``os.replace``: a crash leaves the old file or the new one.
- Nothing is written through a symlink: a target that is a symlink is refused with one line.
- A rewritten file keeps its permission bits; a new file gets 0644 less the umask.
- A write can be conditional (`write_atomic(..., expect=...)`): it is done only if the file is
  still the one that was read, checked immediately before the ``os.replace``.
- Stale temporaries are deleted only if they carry the pipeline's own suffix, and only directly
  in the folders given (never recursively).
- The lock file is opened with ``O_NOFOLLOW`` and never truncated.
- An OS refusal (permission, disk full, a folder where a file belongs) is a `FileSystemError`
  (exit 8) naming the path, and the temporary is removed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import secrets
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import FileSystemError, LockError

TEMP_SUFFIX = ".pipeline-tmp"
_NEW_FILE_MODE = 0o644  # the umask still applies, as for any file a tool creates


@dataclass(frozen=True)
class FileState:
    """What a read saw: whether the file existed, its size, mtime and content hash."""

    exists: bool
    size: int = 0
    mtime_ns: int = 0
    digest: str = ""

    @classmethod
    def missing(cls) -> FileState:
        return cls(exists=False)


class FileChangedError(Exception):
    """Internal: the file is no longer what was read (a conditional write did not happen)."""


def read_with_state(path: Path, display: str | None = None) -> tuple[bytes | None, FileState]:
    """The bytes of ``path`` (None when it does not exist) and the state to compare against later.

    The size and mtime come from the same open file as the bytes, and the read is repeated if the
    file was written in place while we read it. A symlink, a folder or an unreadable file is a
    `FileSystemError` naming ``display`` (or the path).
    """
    shown = display or str(path)
    for _ in range(5):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return None, FileState.missing()
        except OSError as error:
            raise _fs_error(error, "read", shown) from None
        try:
            before = os.fstat(fd)
            if stat.S_ISDIR(before.st_mode):
                raise FileSystemError("cannot read: is a folder, not a file", path=shown)
            with os.fdopen(os.dup(fd), "rb") as handle:
                data = handle.read()
            after = os.fstat(fd)
        except OSError as error:
            raise _fs_error(error, "read", shown) from None
        finally:
            os.close(fd)
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            return data, _state(data, after)
    return data, _state(data, after)


def _state(data: bytes, info: os.stat_result) -> FileState:
    return FileState(True, info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def _unchanged(path: Path, expect: FileState) -> bool:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return not expect.exists
    if not expect.exists or (info.st_size, info.st_mtime_ns) != (expect.size, expect.mtime_ns):
        return False
    return read_with_state(path)[1] == expect


def write_atomic(
    path: Path, data: bytes, *, expect: FileState | None = None, display: str | None = None
) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes (`replace_file`)."""
    return replace_file(path, data, expect=expect, display=display)[0]


def replace_file(
    path: Path, data: bytes, *, expect: FileState | None = None, display: str | None = None
) -> tuple[bool, FileState]:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes.

    The bytes go to a temporary file in the same folder, are flushed to disk and moved into place
    with ``os.replace``, so a crash leaves the old file or the new one, never a cut one. Returns
    whether the file was written (an unchanged file keeps its modification time) and the state
    of the bytes now there, taken from our own file, not from the path, so that a save by another
    program right after ours is not mistaken for ours.

    With ``expect``, the file must still be in that state (size, mtime, content hash) for the
    write to happen, else `FileChangedError` is raised and nothing is written. The check is made
    after the temporary is complete, immediately before ``os.replace``. The residual window is the
    few microseconds between that check and the rename: another program's rename landing exactly
    there is overwritten. PO editors do not take our lock, so no lock can close that window;
    shrinking it to a rename is the best a POSIX file system allows.
    """
    shown = display or str(path)
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise _fs_error(error, "write", shown) from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise FileSystemError("is a symlink; refusing to write through it", path=shown)
        if stat.S_ISDIR(info.st_mode):
            raise FileSystemError("cannot write: is a folder, not a file", path=shown)
        existing, existing_state = read_with_state(path, shown)
        if existing == data:
            return False, existing_state
    elif expect is not None and expect.exists:
        raise FileChangedError(str(path))
    mode = stat.S_IMODE(info.st_mode) if info is not None else None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _fs_error(error, "create folder", str(path.parent)) from None
    tmp = _create_temporary(path, shown)
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
            written = _state(data, os.fstat(handle.fileno()))  # a rename keeps size and mtime
        if expect is not None and not _unchanged(path, expect):
            raise FileChangedError(str(path))
        os.replace(tmp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise _fs_error(error, "write", shown) from None
        raise
    return True, written


def _create_temporary(path: Path, shown: str) -> Path:
    """A new empty ``.<name>.<random>.pipeline-tmp`` beside ``path`` (0644 less the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
        try:
            os.close(os.open(tmp, flags, _NEW_FILE_MODE))
            return tmp
        except FileExistsError:
            continue
        except OSError as error:
            raise _fs_error(error, "write", shown) from None


def _fs_error(error: OSError, action: str, path: str | Path) -> FileSystemError:
    if error.errno == errno.EISDIR:
        return FileSystemError(f"cannot {action}: is a folder, not a file", path=str(path))
    if error.errno == errno.ENOTDIR:
        return FileSystemError(
            f"cannot {action}: a file stands where a folder belongs", path=str(path)
        )
    if error.errno == errno.ELOOP:
        return FileSystemError(f"cannot {action}: is a symlink", path=str(path))
    return FileSystemError.from_os_error(error, action, str(path))


@contextlib.contextmanager
def project_lock(
    state_dir: Path, *, wait: bool = False, timeout: float | None = None
) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<state_dir>/lock`` for the duration of the block.

    The kernel drops the lock when the holding process dies, so a killed run never blocks the next
    one, and the lock file itself never needs deleting. The file is opened with ``O_NOFOLLOW``
    and never truncated or written: a symlink, a folder or any other non-regular file there is
    refused with `FileSystemError` (exit 8, an environment problem to fix), never followed.
    """
    lock_path = state_dir / "lock"
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            lock_path,
            os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
            _NEW_FILE_MODE,
        )
    except OSError as error:
        raise _fs_error(error, "open the lock", lock_path) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileSystemError("the lock is not a regular file; remove it", path=str(lock_path))
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise _fs_error(error, "lock", lock_path) from None
                if not wait or (deadline is not None and time.monotonic() > deadline):
                    raise LockError(
                        "another pipeline process is working on these catalogs; "
                        "try again when it ends, or pass --wait",
                        path=str(lock_path),
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def remove_stale_temporaries(folders: list[Path]) -> list[Path]:
    """Delete temporaries a killed run left behind (``.<name>.<random>.pipeline-tmp``).

    Only names with the pipeline's own suffix, only directly in the given folders (no recursion,
    no symlinks followed), so no other tool's files are ever touched. Only call this while holding
    the project lock: then no other run can be writing them.
    """
    removed: list[Path] = []
    for folder in folders:
        if folder.is_symlink() or not folder.is_dir():
            continue
        for path in folder.glob(f".*{TEMP_SUFFIX}"):
            if path.is_file() and not path.is_symlink():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed
