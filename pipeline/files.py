"""Atomic file writes and the process lock: the two things that keep a crash from losing work."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import LockError


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes.

    The bytes go to a temporary file in the same folder, are flushed to disk and moved into place
    with ``os.replace``, so a crash leaves the old file or the new one, never a cut one. Returns
    whether the file was written; an unchanged file keeps its modification time.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return True


@contextlib.contextmanager
def project_lock(
    state_dir: Path, *, wait: bool = False, timeout: float | None = None
) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<state_dir>/lock`` for the duration of the block.

    The kernel drops the lock when the holding process dies, so a killed run never blocks the next
    one, and the lock file itself never needs deleting.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    lock_path = state_dir / "lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if not wait or (deadline is not None and time.monotonic() > deadline):
                    raise LockError(
                        "another pipeline process is working on these catalogs; "
                        "try again when it ends, or pass --wait",
                        path=str(lock_path),
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def remove_stale_temporaries(folders: list[Path]) -> list[Path]:
    """Delete temporary files that a killed run left behind (``.<name>.<random>.tmp``).

    Only call this while holding the project lock: then no other run can be writing them.
    """
    removed: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob(".*.tmp"):
            if path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed
