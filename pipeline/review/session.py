"""The review queue and review actions: approve, edit, and the compare-and-swap save of each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from ..catalog import read_catalog, state_of
from ..config import Config
from ..errors import CatalogError, PipelineError
from ..files import project_lock
from ..layout import po_path
from ..model import Catalog, Entry, State
from .catalogs import pick_documents, read_language_catalog

NEEDS_REVIEW = frozenset({State.MACHINE, State.EDITED, State.STALE})
ORDERS = ("file", "confidence")
"""Review orders: document and file order, or the least confident machine output first."""

Scorer = Callable[[Entry], "float | None"]
"""entry → the engine's score for its machine output (`mt_cache.CacheLookup.score`), if known."""


class ReviewConflictError(PipelineError):
    """The entry on disk is no longer what the reviewer was shown (another tool changed it)."""

    exit_code = 5


def approve_entry(entry: Entry) -> None:
    """Mark an entry reviewed: clear fuzzy and the previous msgid; keep the `# mt:` provenance."""
    entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    entry.previous_msgid = None
    entry.previous_msgctxt = None
    entry.previous_msgid_plural = None


def edit_entry(entry: Entry, text: str) -> None:
    """Replace the translation; the review state is left to `approve_entry`.

    A machine entry becomes EDITED (its `# mt:` hash no longer matches), a reviewed one stays
    reviewed: the edit is the reviewer's own.
    """
    if entry.msgid_plural is not None:
        entry.msgstr_plural = {**entry.msgstr_plural, 0: text}
    else:
        entry.msgstr = text


@dataclass(frozen=True)
class ReviewItem:
    """One entry in the review queue: which catalog and which key."""

    document: str
    path: Path
    display: str
    msgctxt: str | None
    msgid: str
    score: float | None = None
    """The engine's score for the machine output (higher is surer), when the cache has it."""


class Scored(Protocol):
    """A review item or a report row: anything with the engine's score of its machine output."""

    @property
    def score(self) -> float | None: ...


_Scored = TypeVar("_Scored", bound=Scored)


def by_confidence(items: Sequence[_Scored]) -> list[_Scored]:
    """The least confident machine output first; entries without a score last, in their order
    (the review queue and the report's rows sort alike)."""
    return sorted(items, key=lambda item: (item.score is None, item.score or 0.0))


def review_queue(
    config: Config,
    language: str,
    documents: Sequence[str] = (),
    *,
    scorer: Scorer | None = None,
    order: str = "file",
) -> list[ReviewItem]:
    """Entries that need a reviewer (machine, edited, stale), in document and file order, or
    with ``order="confidence"`` by ascending score (`by_confidence`)."""
    items: list[ReviewItem] = []
    for document in pick_documents(config, [language], documents):
        path = po_path(config, language, document)
        if not path.exists():
            continue
        shown = config.relative(path)
        for entry in read_language_catalog(config, language, document).active():
            if entry.msgid and state_of(entry) in NEEDS_REVIEW:
                score = scorer(entry) if scorer is not None else None
                items.append(ReviewItem(document, path, shown, entry.msgctxt, entry.msgid, score))
    return by_confidence(items) if order == "confidence" else items


def _find(catalog: Catalog, item: ReviewItem) -> Entry | None:
    return catalog.find(item.msgid, item.msgctxt)


def _fingerprint(entry: Entry) -> tuple[object, ...]:
    return (
        entry.msgstr,
        tuple(sorted(entry.msgstr_plural.items())),
        tuple(entry.flags),
        entry.previous_msgid,
    )


def load_entry(item: ReviewItem) -> Entry | None:
    """The entry as it is on disk now (another tool may have changed the file meanwhile)."""
    return load_with_catalog(item)[0]


def load_with_catalog(item: ReviewItem) -> tuple[Entry | None, Catalog]:
    """`load_entry` and the whole catalog it was read from (for the paragraph around it)."""
    catalog = read_catalog(item.path, display=item.display)
    return _find(catalog, item), catalog


def apply_change(
    config: Config,
    item: ReviewItem,
    shown: Entry,
    change: Callable[[Entry], None],
    *,
    lock_timeout: float = 5.0,
    now: str | None = None,
    header: dict[str, str] | None = None,
) -> Entry:
    """Apply one review action to the file, at once and atomically, under the project lock.

    The file is read again under the lock and the change applied only if the entry is still what
    the reviewer saw, so a concurrent `translate` or a PO editor never loses work to the tool.
    The save is compare-and-swap (rebase.py): an editor's save landing meanwhile is kept, and if
    it changed this very entry, theirs stays and this is a `ReviewConflictError`. ``header``
    fields (`pipeline serve`: Last-Translator) are set in the same write.
    """
    from ..rebase import read_snapshot, save_rebased

    with project_lock(config.state_dir, wait=True, timeout=lock_timeout):
        catalog, snapshot = read_snapshot(item.path, display=item.display)
        if catalog is None:
            raise CatalogError("catalog file does not exist", path=item.display)
        entry = _find(catalog, item)
        if entry is None:
            raise ReviewConflictError("the entry is no longer in the catalog", path=item.display)
        if _fingerprint(entry) != _fingerprint(shown):
            raise ReviewConflictError(
                "the entry changed on disk since it was shown", path=item.display, line=entry.line
            )
        change(entry)
        if now is None:
            from ..stages import timestamp

            now = timestamp()
        if "PO-Revision-Date" in catalog.header:
            catalog.header["PO-Revision-Date"] = now
        catalog.header.update(header or {})  # e.g. Last-Translator (pipeline serve)
        written, _, _ = save_rebased(
            item.path, catalog, snapshot, display=item.display, wrap=config.po_wrap
        )
        kept = written.find(entry.msgid, entry.msgctxt)
        if kept is None or _fingerprint(kept) != _fingerprint(entry):
            raise ReviewConflictError(
                "the entry was changed on disk by another program while saving; its version "
                "was kept",
                path=item.display,
            )
    return entry
