"""Compare-and-swap saves of catalogs: a person's save made while we worked is never lost.

PO editors (Poedit, Lokalize, a text editor) do not take the pipeline's lock. So every catalog
the pipeline rewrites remembers what it read (a `Snapshot`: the bytes, their size, mtime and
hash). Just before the new file replaces the old one, the file on disk is compared with the
snapshot. If it changed, it is read again and our catalog is rebased on it, three-way, entry by
entry, keyed by (msgctxt, msgid):

- base = what we read, ours = what we computed, theirs = what is on disk now;
- an entry that differs between base and theirs (edited, added or deleted by someone else) is
  taken from theirs; every other entry is ours; the order is ours, with entries only theirs
  has placed after their predecessor in theirs;
- the header (fields, comment, fuzzy flag) is theirs if it changed, else ours.

Then the save is tried again, at most `ATTEMPTS` times. The check happens right before
``os.replace`` (see `files.write_atomic` for the residual window of a few microseconds).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .catalog import WrapSetting, dump_catalog, parse_catalog
from .errors import CatalogError
from .files import FileChangedError, FileState, read_with_state, replace_file
from .model import Catalog, Entry

ATTEMPTS = 5
Key = tuple[str | None, str]


@dataclass(frozen=True)
class Snapshot:
    """A catalog file as we read it: its bytes (None when it did not exist) and their state."""

    raw: bytes | None
    state: FileState

    @classmethod
    def missing(cls) -> Snapshot:
        return cls(None, FileState.missing())


def read_snapshot(path: Path, *, display: str) -> tuple[Catalog | None, Snapshot]:
    """Parse the catalog at ``path`` (None when there is none) and remember what was read."""
    raw, state = read_with_state(path, display)
    if raw is None:
        return None, Snapshot.missing()
    return parse_catalog(raw, display=display), Snapshot(raw, state)


def save_rebased(
    path: Path, catalog: Catalog, base: Snapshot, *, display: str, wrap: WrapSetting = "keep"
) -> tuple[Catalog, Snapshot, bool]:
    """Save ``catalog`` unless the file changed since ``base``; then rebase on it and retry.

    The file keeps its own layout (`catalog.dump_catalog` with the bytes read); unchanged, it is
    not written at all. Returns the catalog actually on disk afterwards (ours, or ours rebased on
    a person's edits), its snapshot for a later save, and whether the file was written.
    """
    ours = catalog
    for attempt in range(ATTEMPTS):
        data = dump_catalog(ours, like=base.raw, wrap=wrap)
        try:
            changed, state = replace_file(path, data, expect=base.state, display=display)
        except FileChangedError:
            raw, state = read_with_state(path, display)
            try:
                theirs = parse_catalog(raw, display=display) if raw is not None else None
            except CatalogError:
                # Caught mid-save by an editor that writes in place: wait and look again.
                time.sleep(0.05 * (attempt + 1))
                continue
            old = parse_catalog(base.raw, display=display) if base.raw is not None else None
            ours = rebase(old, ours, theirs)
            ours.path = catalog.path
            base = Snapshot(raw, state)
            continue
        return ours, Snapshot(data, state), changed
    raise CatalogError(
        f"the file kept changing on disk while the pipeline saved it ({ATTEMPTS} attempts); "
        "nothing was written, run the command again",
        path=display,
    )


def rebase(base: Catalog | None, ours: Catalog, theirs: Catalog | None) -> Catalog:
    """Three-way merge of catalogs: what changed between base and theirs wins over ours."""
    if theirs is None:
        # Someone deleted the file after we read it; our copy is the only one left.
        return ours
    return merge_three(base, ours, theirs, lambda old, mine, their: their, _their_header)


Resolve = Callable[[Entry | None, Entry | None, Entry | None], Entry | None]
"""Given (base, ours, theirs) of an entry both sides changed (None: absent), the entry to keep."""
HeaderResolve = Callable[[Catalog, Catalog, Catalog], Catalog]
"""Given (base, ours, theirs) when both sides changed the header: the catalog whose header wins
(its fields, comment and fuzzy flag); it may be a new `Catalog` with merged fields."""


def merge_three(
    base: Catalog | None,
    ours: Catalog,
    theirs: Catalog,
    resolve: Resolve,
    resolve_header: HeaderResolve,
) -> Catalog:
    """Merge catalogs entry by entry, keyed by (msgctxt, msgid), like a three-way text merge.

    An entry changed (edited, added or deleted) on one side only is taken from that side; one
    changed on both sides the same way is ours; one changed differently is ``resolve``'s choice.
    The order is ours, with entries only theirs has placed after their predecessor in theirs.
    The header is taken the same way, ``resolve_header`` deciding when both sides changed it.
    """
    old = base or Catalog(header={}, entries=[])
    old_entries, our_entries, their_entries = _by_key(old), _by_key(ours), _by_key(theirs)

    def merged(key: Key) -> Entry | None:
        was, mine, their = old_entries.get(key), our_entries.get(key), their_entries.get(key)
        if _content(was) == _content(their):
            return mine
        if _content(was) == _content(mine) or _content(mine) == _content(their):
            return their
        return resolve(was, mine, their)

    result: list[Entry] = []
    placed: set[Key] = set()
    for key in our_entries:
        entry = merged(key)
        placed.add(key)
        if entry is not None:
            result.append(entry)
    previous: Key | None = None
    for key in their_entries:
        if key not in placed:
            placed.add(key)
            entry = merged(key)
            if entry is not None:
                result.insert(_index_after(result, previous), entry)
        previous = key
    if _header(old) == _header(theirs):
        source = ours
    elif _header(old) == _header(ours) or _header(ours) == _header(theirs):
        source = theirs
    else:
        source = resolve_header(old, ours, theirs)
    return Catalog(
        header=dict(source.header),
        entries=result,
        header_comment=source.header_comment,
        header_flags=list(source.header_flags),
        path=ours.path,
    )


def _their_header(base: Catalog, ours: Catalog, theirs: Catalog) -> Catalog:
    return theirs


def _by_key(catalog: Catalog) -> dict[Key, Entry]:
    return {entry.key: entry for entry in catalog.entries}


def _content(entry: Entry | None) -> object:
    """An entry's content without its line number (a line moves when lines above change)."""
    return None if entry is None else dataclasses.replace(entry, line=0)


def _header(catalog: Catalog) -> tuple[object, ...]:
    return (list(catalog.header.items()), catalog.header_comment, catalog.header_flags)


def _index_after(entries: list[Entry], previous: Key | None) -> int:
    if previous is None:
        return 0
    for index, entry in enumerate(entries):
        if entry.key == previous:
            return index + 1
    return len(entries)
