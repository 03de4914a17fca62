"""One save from the browser: find the entry by key, check its version, apply the action.

The write is `review.session.apply_change`, exactly what `pipeline review` does: under the
project lock (waited for briefly), compare-and-swap against the file as read. The version is a
hash of the entry as the page showed it; a different entry on disk is a conflict, never an
overwrite.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..catalog import read_catalog
from ..config import Config
from ..errors import CatalogError, PipelineError
from ..layout import po_path
from ..model import Catalog, Entry
from ..review.session import (
    ReviewConflictError,
    ReviewItem,
    apply_change,
    approve_entry,
    edit_entry,
)

REVIEWED_BY = "reviewed-by: "
"""Translator comment `# reviewed-by: NAME YYYY-MM-DD` that an approval in the browser adds."""
ACTIONS = ("approve", "edit")
LOCK_WAIT = 2.0
"""Seconds a save waits for a build's lock before answering "try again"."""


class SaveConflict(ReviewConflictError):
    """The entry on disk is not the version the page showed; ``current`` is what is there now."""

    def __init__(self, message: str, current: Entry | None, *, path: str) -> None:
        self.current = current
        super().__init__(message, path=path)


class NothingToApprove(PipelineError):
    exit_code = 5


def entry_key(entry: Entry) -> str:
    """A stable name of the entry in URLs: its msgctxt and msgid, hashed."""
    raw = f"{entry.msgctxt or ''}\x04{entry.msgid}".encode()
    return hashlib.sha256(raw).hexdigest()[:20]


def entry_version(entry: Entry) -> str:
    """The hash of the entry as shown: msgctxt, msgid, translation(s), flags, previous msgid."""
    shown = [
        entry.msgctxt,
        entry.msgid,
        entry.msgstr,
        sorted(entry.msgstr_plural.items()),
        entry.flags,
        entry.previous_msgid,
    ]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:24]


def find_by_key(catalog: Catalog, key: str) -> Entry | None:
    for entry in catalog.active():
        if entry.msgid and entry_key(entry) == key:
            return entry
    return None


def clean_text(text: str) -> str:
    """A textarea's text as a translation: browsers send CR LF line breaks."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def mark_reviewed(entry: Entry, name: str, day: str) -> None:
    """Add (or replace) the `# reviewed-by:` translator comment."""
    comments = [c for c in entry.translator_comments if not c.startswith(REVIEWED_BY)]
    entry.translator_comments = [*comments, f"{REVIEWED_BY}{name} {day}"]


@dataclass(frozen=True)
class Save:
    """One request to change an entry, as the form sent it."""

    language: str
    document: str
    key: str
    version: str
    action: str
    text: str | None
    reviewer: str


def save_entry(
    config: Config,
    save: Save,
    *,
    lock_wait: float = LOCK_WAIT,
    today: Callable[[], datetime.date] | None = None,
) -> Entry:
    """Apply ``save`` to the catalog on disk; returns the entry as written.

    Raises `SaveConflict` (the entry changed or is gone), `LockError` (a build held the lock
    longer than ``lock_wait``), `NothingToApprove`, or `CatalogError` for a broken file.
    """
    path = po_path(config, save.language, save.document)
    shown = config.relative(path)
    entry = find_by_key(read_catalog(path, display=shown), save.key)
    if entry is None:
        raise SaveConflict("the entry is no longer in the catalog", None, path=shown)
    if entry_version(entry) != save.version:
        raise SaveConflict(
            "someone else changed this entry; here is its text now", entry, path=shown
        )
    text = None if save.text is None else clean_text(save.text)
    if text is not None and text == entry.translated_text:
        text = None
    if save.action == "approve" and not (text or entry.translated_text):
        raise NothingToApprove("nothing to approve: the translation is empty", path=shown)
    day = (today or _utc_today)().isoformat()

    def change(target: Entry) -> None:
        if text is not None:
            edit_entry(target, text)
        if save.action == "approve":
            approve_entry(target)
            mark_reviewed(target, save.reviewer, day)

    header = {"Last-Translator": save.reviewer} if save.action == "approve" else None
    item = ReviewItem(save.document, path, shown, entry.msgctxt, entry.msgid)
    try:
        return apply_change(config, item, entry, change, lock_timeout=lock_wait, header=header)
    except SaveConflict:
        raise
    except ReviewConflictError as error:
        raise SaveConflict(error.message, _current(path, shown, save.key), path=shown) from None


def _current(path: Path, shown: str, key: str) -> Entry | None:
    try:
        return find_by_key(read_catalog(path, display=shown), key)
    except CatalogError:
        return None


def _utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()
