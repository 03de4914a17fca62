"""A git merge driver for PO files (`pipeline git-merge %O %A %B %P`) and its setup.

Git merges text line by line, which can cut a PO entry in two or leave conflict markers in it.
This driver merges entry by entry, keyed by (msgctxt, msgid), with `rebase.merge_three`:

- an entry changed on one side only is taken from that side (added, edited or deleted);
- an entry whose translation both sides changed differently keeps ours, goes fuzzy, and gets a
  translator comment ``# merge: theirs: <their text>``; the rest of the entry (references,
  extracted comments) is taken from the side that changed it, ours if both did;
- an entry deleted on one side and edited on the other is kept, edited;
- header fields merge one by one; PO-Revision-Date and POT-Creation-Date take the newer date.

The result is laid out like ours (`catalog.dump_catalog`), an entry taken from theirs as theirs
had it, and written atomically over %A. A side that is not a valid PO file is one line naming
it; %A is left as it was and git reports a conflict. `setup` writes the ``.gitattributes`` lines
and the git config that use the driver.
"""

from __future__ import annotations

import dataclasses
import datetime
import shutil
import subprocess
from pathlib import Path

from .catalog import dump_catalog, parse_catalog
from .errors import ConfigError
from .files import read_with_state, write_atomic
from .model import Catalog, Entry
from .rebase import merge_three

DRIVER = "pipeline-po"
DRIVER_NAME = "PO files merged entry by entry (pipeline git-merge)"
DRIVER_COMMAND = "pipeline git-merge %O %A %B %P"
ATTRIBUTES = (f"*.po merge={DRIVER}", f"*.pot merge={DRIVER}")
CONFLICT_PREFIX = "merge: theirs: "
"""Translator comment carrying the other side's translation of an entry changed on both."""

_DATE_FIELDS = ("PO-Revision-Date", "POT-Creation-Date")


def merge_files(base: Path, ours: Path, theirs: Path, display: str) -> bool:
    """Merge the three versions git gives a driver, writing the result over ``ours``.

    Returns whether an entry was changed on both sides (it is marked fuzzy in the result).
    """
    shown = display or str(ours)
    catalogs: list[Catalog | None] = []
    raws: list[bytes] = []
    for path, side in ((base, "base"), (ours, "ours"), (theirs, "theirs")):
        raw, _ = read_with_state(path, f"{shown} ({side})")
        raws.append(raw or b"")
        if not raw or not raw.strip():
            catalogs.append(None)  # git gives an empty base when both sides added the file
            continue
        catalogs.append(parse_catalog(raw, display=f"{shown} ({side})"))
    old, mine, their = catalogs
    empty = Catalog(header={}, entries=[])
    conflicts: list[Entry] = []

    def resolve(was: Entry | None, our: Entry | None, other: Entry | None) -> Entry | None:
        merged = merge_entry(was, our, other)
        if merged is not None and _noted(merged) != (_noted(our) if our else []):
            conflicts.append(merged)
        return merged

    result = merge_three(old, mine or empty, their or empty, resolve, merge_header)
    result.path = shown
    ours_raw, theirs_raw = raws[1], raws[2]
    data = dump_catalog(result, like=ours_raw or None, also=(theirs_raw,) if their else ())
    write_atomic(ours, data, display=shown)
    return bool(conflicts)


def _noted(entry: Entry) -> list[str]:
    return [c for c in entry.translator_comments if c.startswith(CONFLICT_PREFIX)]


def _translation(entry: Entry | None) -> object:
    if entry is None:
        return None
    return (
        entry.msgstr,
        tuple(sorted(entry.msgstr_plural.items())),
        tuple(entry.flags),
        tuple(entry.translator_comments),
        entry.previous_msgctxt,
        entry.previous_msgid,
        entry.previous_msgid_plural,
    )


def _source(entry: Entry | None) -> object:
    if entry is None:
        return None
    return (entry.msgid_plural, tuple(entry.extracted_comments), tuple(entry.references))


def merge_entry(was: Entry | None, ours: Entry | None, theirs: Entry | None) -> Entry | None:
    """An entry both sides changed: field groups merge three-way; a translation both changed
    differently stays ours, fuzzy, with theirs in a ``# merge: theirs:`` comment."""
    if ours is None or theirs is None:
        return ours or theirs  # deleted on one side, edited on the other: keep the edit
    result = dataclasses.replace(
        ours,
        flags=list(ours.flags),
        translator_comments=list(ours.translator_comments),
        msgstr_plural=dict(ours.msgstr_plural),
    )
    if _source(was) == _source(ours):
        result.msgid_plural = theirs.msgid_plural
        result.extracted_comments = list(theirs.extracted_comments)
        result.references = list(theirs.references)
    if ours.obsolete != theirs.obsolete and was is not None and was.obsolete == ours.obsolete:
        result.obsolete = theirs.obsolete
    if _translation(was) == _translation(ours) and _translation(was) != _translation(theirs):
        result.msgstr = theirs.msgstr
        result.msgstr_plural = dict(theirs.msgstr_plural)
        result.flags = list(theirs.flags)
        result.translator_comments = list(theirs.translator_comments)
        result.previous_msgctxt = theirs.previous_msgctxt
        result.previous_msgid = theirs.previous_msgid
        result.previous_msgid_plural = theirs.previous_msgid_plural
        return result
    same_text = (ours.msgstr, ours.msgstr_plural) == (theirs.msgstr, theirs.msgstr_plural)
    if same_text or not theirs.translated_text:
        return result  # the same words, or theirs has none: nothing to choose between
    if "fuzzy" not in result.flags:
        result.flags.insert(0, "fuzzy")
    comments = [c for c in result.translator_comments if not c.startswith(CONFLICT_PREFIX)]
    if theirs.msgid_plural is not None:
        forms = sorted(theirs.msgstr_plural.items())
        comments += [f"{CONFLICT_PREFIX}[{index}] {_one_line(text)}" for index, text in forms]
    else:
        comments.append(CONFLICT_PREFIX + _one_line(theirs.msgstr))
    result.translator_comments = comments
    return result


def _one_line(text: str) -> str:
    """A translation as one comment line: backslash and newline escaped as in a PO string."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def merge_header(base: Catalog, ours: Catalog, theirs: Catalog) -> Catalog:
    """Both sides changed the header: field by field; dates take the newer, other clashes ours."""
    fields: dict[str, str] = {}
    names = list(ours.header) + [name for name in theirs.header if name not in ours.header]
    for name in names:
        was, mine, other = (c.header.get(name) for c in (base, ours, theirs))
        if was == other:
            value = mine
        elif was == mine:
            value = other
        elif name in _DATE_FIELDS and mine is not None and other is not None:
            value = max(mine, other, key=_date_key)
        else:
            value = mine if mine is not None else other
        if value is not None:
            fields[name] = value
    comment = ours.header_comment
    if base.header_comment == ours.header_comment:
        comment = theirs.header_comment
    flags = ours.header_flags if base.header_flags != ours.header_flags else theirs.header_flags
    return Catalog(header=fields, entries=[], header_comment=comment, header_flags=list(flags))


def _date_key(value: str) -> tuple[int, str]:
    """gettext's ``2024-05-01 12:30+0200`` as a UTC instant; a date it cannot read sorts first."""
    try:
        moment = datetime.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M%z")
    except ValueError:
        return (0, value)
    return (int(moment.timestamp()), value)


# --- setup ---------------------------------------------------------------------------------------


def setup(root: Path) -> list[str]:
    """Register the driver for the repository holding ``root``; returns what was done, a line each.

    Adds the ``.gitattributes`` lines in ``root`` and sets ``merge.pipeline-po.name`` and
    ``.driver`` in the repository's own config (``git config --local``). Running it again
    changes nothing.
    """
    git = shutil.which("git")
    if git is None:
        raise ConfigError("git-setup needs git, which is not installed (not on PATH)")
    inside = _git(git, root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise ConfigError(
            "not inside a git work tree; run `git init` (or clone the repository) first",
            path=str(root),
        )
    done: list[str] = []
    attributes = root / ".gitattributes"
    raw, _ = read_with_state(attributes, ".gitattributes")
    text = (raw or b"").decode("utf-8", "replace")
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in ATTRIBUTES if line not in present]
    if missing:
        prefix = text if not text or text.endswith("\n") else text + "\n"
        write_atomic(attributes, (prefix + "\n".join(missing) + "\n").encode("utf-8"))
        done += [f".gitattributes: added `{line}`" for line in missing]
    else:
        done.append(".gitattributes: already has " + " and ".join(f"`{a}`" for a in ATTRIBUTES))
    for key, value in (("name", DRIVER_NAME), ("driver", DRIVER_COMMAND)):
        name = f"merge.{DRIVER}.{key}"
        current = _git(git, root, "config", "--local", "--get", name)
        if current.returncode == 0 and current.stdout.rstrip("\n") == value:
            done.append(f"git config {name}: already `{value}`")
            continue
        result = _git(git, root, "config", "--local", name, value)
        if result.returncode != 0:
            message = result.stderr.strip().splitlines()
            raise ConfigError(f"git config {name} failed: {message[-1] if message else '?'}")
        done.append(f"git config {name}: set to `{value}`")
    return done


def _git(git: str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [git, "-C", str(root), *args], capture_output=True, text=True, check=False
    )
