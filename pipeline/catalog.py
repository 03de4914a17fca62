"""The only user of polib: POT/PO files to and from plain `Catalog` values, in gettext's layout.

Reading wraps polib's messages into one line with file and line; writing goes through polib and
then ``msgcat`` so the bytes are exactly what gettext tools (and editors after them) write back.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import polib

from .errors import CatalogError
from .files import read_with_state, write_atomic
from .model import GETTEXT_HEADER_ORDER, MT_PREFIX, Catalog, Document, Entry, State, Translation

HEADER_ORDER = (*GETTEXT_HEADER_ORDER, "Plural-Forms", "X-Generator")
_CHARSET = re.compile(rb'"Content-Type:[^"]*charset=([A-Za-z0-9_.:-]+)')
_DECLARED_CHARSET = re.compile(r"charset=[^;\s]*")
_OBSOLETE_PREVIOUS = re.compile(r"^([ \t]*)#~\|", re.MULTILINE)
_POLIB_LINE = re.compile(r"\(line (\d+)\)")
_MSGFMT_ERROR = re.compile(r"^<stdin>:(?:(\d+):)?+(?:\d+:)?+(?!\s*warning:)\s*(.+)$", re.MULTILINE)


# --- reading -------------------------------------------------------------------------------------


def read_catalog(path: Path, *, display: str | None = None) -> Catalog:
    """Parse a PO or POT file, or raise `CatalogError` naming the file and line.

    A file the OS refuses to read (permission, a folder in its place) is a `FileSystemError`.
    """
    shown = display or str(path)
    raw, _ = read_with_state(path, shown)
    if raw is None:
        raise CatalogError("catalog file does not exist", path=shown)
    return parse_catalog(raw, display=shown)


def parse_catalog(raw: bytes, *, display: str) -> Catalog:
    """Parse PO bytes strictly: what msgfmt rejects, and bytes not in the declared charset, are
    a `CatalogError` with the line; only UTF-8 is written back.

    ``msgfmt`` checks the same bytes in a thread while polib parses them, so the check costs
    little extra time (polib accepts some broken files, e.g. a string missing its closing quote).
    """
    match = _CHARSET.search(raw)
    charset = match.group(1).decode("ascii") if match else "utf-8"
    if charset.upper() == "CHARSET":
        charset = "utf-8"
    try:
        text = raw.decode(charset)
    except LookupError:
        raise CatalogError(f"unknown charset {charset!r} in Content-Type", path=display) from None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise CatalogError(
            f"not valid {charset} (byte offset {error.start}); save the file as UTF-8",
            path=display,
            line=line,
        ) from None
    if match is not None:
        _reject_utf8_mislabelled(raw, charset, display, raw.count(b"\n", 0, match.start()) + 1)
    if text.startswith("\ufeff"):
        text = text[1:]
    # polib skips the `#~|` previous msgid of obsolete entries; read it as `#|` (the `#~ msgid`
    # after it still makes the entry obsolete) so a save gives msgcat's bytes back.
    text = _OBSOLETE_PREVIOUS.sub(r"\1#|", text)
    verdict: list[tuple[int | None, str] | None] = []
    checker = threading.Thread(target=lambda: verdict.append(_msgfmt_error(raw)), daemon=True)
    checker.start()
    polib_line: int | None = None
    try:
        parsed = polib._POFileParser(text + "\n", encoding="utf-8").parse()
    except (OSError, ValueError) as error:
        found = _POLIB_LINE.search(str(error))
        parsed = None
        polib_line = int(found.group(1)) if found else None
    checker.join()
    catalog = _from_polib(parsed, display) if parsed is not None else None
    if catalog is not None:
        _reject_duplicates(catalog, display)  # our message names the first occurrence too
    if verdict and verdict[0] is not None:
        fatal_line, message = verdict[0]
        raise CatalogError(f"PO syntax error: {message} (msgfmt)", path=display, line=fatal_line)
    if catalog is None:
        raise CatalogError("PO syntax error", path=display, line=polib_line)
    return catalog


def _reject_utf8_mislabelled(raw: bytes, charset: str, display: str, line: int) -> None:
    """A UTF-8 file whose header names another charset would be rewritten as mojibake."""
    if codecs.lookup(charset).name == "utf-8" or raw.isascii():
        return
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # really in the declared charset
    raise CatalogError(
        f"the header says charset={charset}, but the file is UTF-8 (multibyte sequences); "
        "correct the Content-Type to charset=UTF-8",
        path=display,
        line=line,
    )


def _msgfmt_error(raw: bytes) -> tuple[int | None, str] | None:
    """The first fatal error msgfmt finds in the bytes, as (line, message); None if it accepts
    them or gettext is not installed."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return None
    body = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw  # same lines, as we accept a BOM
    result = subprocess.run(
        [msgfmt, "-o", os.devnull, "-"],
        input=body,
        capture_output=True,
        check=False,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
    )
    if result.returncode == 0:
        return None
    found = _MSGFMT_ERROR.search(result.stderr.decode("utf-8", "replace"))
    if found is None:
        return None  # not a message about the input (e.g. msgfmt itself failed): polib decides
    line = int(found.group(1)) if found.group(1) else None
    message = found.group(2).strip()
    if line is not None and message == "end-of-line within string":
        line -= 1  # msgfmt counts the newline it stopped at: the string is on the line before
    return line, message


def _reject_duplicates(catalog: Catalog, display: str) -> None:
    """gettext refuses a msgid twice, even once obsolete (msgcat and msgmerge would fail)."""
    seen: dict[tuple[str | None, str], int] = {}
    for entry in catalog.entries:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            raise CatalogError(
                f"duplicate msgid {_short(entry.msgid)!r} (first at line {seen[key]})",
                path=display,
                line=entry.line,
            )
        seen[key] = entry.line


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _from_polib(parsed: polib.POFile, display: str) -> Catalog:
    return Catalog(
        header=dict(parsed.metadata),
        entries=[_entry_from_polib(item) for item in parsed],
        header_comment=parsed.header or "",
        header_flags=["fuzzy"] if parsed.metadata_is_fuzzy else [],
        path=display,
    )


def _entry_from_polib(item: polib.POEntry) -> Entry:
    comments = item.tcomment.split("\n") if item.tcomment else []
    extracted = item.comment.split("\n") if item.comment else []
    references = [f"{name}:{line}" if line else name for name, line in item.occurrences]
    return Entry(
        msgid=item.msgid,
        msgstr=item.msgstr,
        msgctxt=item.msgctxt,
        msgid_plural=item.msgid_plural or None,
        msgstr_plural={int(k): v for k, v in item.msgstr_plural.items()},
        flags=list(item.flags),
        translator_comments=comments,
        extracted_comments=extracted,
        references=references,
        previous_msgctxt=item.previous_msgctxt,
        previous_msgid=item.previous_msgid,
        previous_msgid_plural=item.previous_msgid_plural,
        obsolete=bool(item.obsolete),
        line=int(item.linenum or 0),
    )


# --- writing -------------------------------------------------------------------------------------


def dump_catalog(catalog: Catalog) -> bytes:
    """Serialise in gettext's canonical layout (what ``msgcat FILE`` prints)."""
    po = _OrderedHeaderPOFile(wrapwidth=1_000_000)  # msgcat wraps strings; comments stay whole
    po.header = catalog.header_comment
    po.metadata = {
        # The bytes below are UTF-8 whatever the file was read as; say so, or msgcat would
        # re-decode them in the old charset (a Latin-2 file would come back as mojibake).
        name: _DECLARED_CHARSET.sub("charset=UTF-8", value) if name == "Content-Type" else value
        for name, value in catalog.header.items()
    }
    if catalog.header_flags:
        po.metadata_is_fuzzy = True
    for entry in catalog.entries:
        po.append(_entry_to_polib(entry))
    text = str(po)
    if not text.endswith("\n"):
        text += "\n"
    return canonical_layout(text.encode("utf-8"), display=catalog.path or None)


class _OrderedHeaderPOFile(polib.POFile):  # type: ignore[misc]
    """polib reorders header fields; keep the file's own order so a save makes no churn."""

    def ordered_metadata(self) -> list[tuple[str, str]]:
        return list(self.metadata.items())


def ordered_header(header: dict[str, str]) -> dict[str, str]:
    """Header fields in the order gettext writes them, unknown ones after, for new catalogs."""
    ordered = {key: header[key] for key in HEADER_ORDER if key in header}
    ordered.update((key, value) for key, value in header.items() if key not in ordered)
    return ordered


def _entry_to_polib(entry: Entry) -> polib.POEntry:
    occurrences = []
    for reference in entry.references:
        name, sep, line = reference.rpartition(":")
        occurrences.append((name, line) if sep and line.isdigit() else (reference, ""))
    kwargs: dict[str, object] = {
        "msgid": entry.msgid,
        "msgstr": entry.msgstr,
        "tcomment": "\n".join(entry.translator_comments),
        "comment": "\n".join(entry.extracted_comments),
        "occurrences": occurrences,
        "flags": list(entry.flags),
        "obsolete": entry.obsolete,
    }
    if entry.msgctxt is not None:
        kwargs["msgctxt"] = entry.msgctxt
    if entry.msgid_plural is not None:
        kwargs["msgid_plural"] = entry.msgid_plural
        kwargs["msgstr_plural"] = dict(entry.msgstr_plural)
        kwargs["msgstr"] = ""
    if entry.previous_msgctxt is not None:
        kwargs["previous_msgctxt"] = entry.previous_msgctxt
    if entry.previous_msgid is not None:
        kwargs["previous_msgid"] = entry.previous_msgid
    if entry.previous_msgid_plural is not None:
        kwargs["previous_msgid_plural"] = entry.previous_msgid_plural
    return polib.POEntry(**kwargs)


def canonical_layout(data: bytes, display: str | None = None) -> bytes:
    """Pass PO bytes through ``msgcat`` so wrapping and ordering are gettext's own.

    A refusal names ``display``, the catalog being written, so the user knows which file it is.

    Without gettext installed the polib layout is kept; it differs only in where long lines wrap.
    """
    msgcat = shutil.which("msgcat")
    if msgcat is None:
        return data
    result = subprocess.run(
        # --force-po: a catalog with no entries still keeps its header (else msgcat writes nothing)
        [msgcat, "--force-po", "--to-code=UTF-8", "-"],
        input=data,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CatalogError(
            "msgcat rejected the catalog: " + (message[-1] if message else "?"), path=display
        )
    return result.stdout


def save_catalog(catalog: Catalog, path: Path) -> bool:
    """Write atomically; returns False (and leaves the file alone) when the bytes are the same."""
    return write_atomic(path, dump_catalog(catalog))


# --- templates and states ------------------------------------------------------------------------


def template_from_document(document: Document, header: dict[str, str]) -> Catalog:
    """Build the POT of a document: one entry per distinct msgid, every occurrence referenced."""
    by_msgid: dict[str, Entry] = {}
    for unit in document.units:
        entry = by_msgid.get(unit.msgid)
        if entry is None:
            entry = Entry(msgid=unit.msgid)
            by_msgid[unit.msgid] = entry
        entry.references.append(f"{document.source_path}:{unit.line}")
        entry.extracted_comments.append(unit.where)
    return Catalog(header=dict(header), entries=list(by_msgid.values()))


def output_hash(text: str) -> str:
    """Short hash of machine output, kept in the `# mt:` comment to tell it from a person's edit."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def machine_mark(entry: Entry) -> tuple[str, str, str, str] | None:
    """The (engine, package, version, hash) of the entry's `# mt:` comment, if it has one."""
    for comment in entry.translator_comments:
        if comment.startswith(MT_PREFIX):
            fields = comment[len(MT_PREFIX) :].split()
            if len(fields) == 4:
                return fields[0], fields[1], fields[2], fields[3]
    return None


def set_machine_output(entry: Entry, text: str, engine: str, package: str, version: str) -> None:
    """Put machine output into an entry: fuzzy, with the `# mt:` provenance comment."""
    entry.msgstr = text
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    entry.previous_msgid = None
    entry.previous_msgctxt = None
    entry.previous_msgid_plural = None
    comments = [c for c in entry.translator_comments if not c.startswith(MT_PREFIX)]
    comments.append(f"{MT_PREFIX}{engine} {package} {version} {output_hash(text)}")
    entry.translator_comments = comments


def state_of(entry: Entry) -> State:
    """The review state of an entry, from the PO entry alone (table in README.md)."""
    if not entry.is_translated:
        return State.UNTRANSLATED
    if not entry.fuzzy:
        return State.REVIEWED
    if entry.previous_msgid is not None:
        return State.STALE
    mark = machine_mark(entry)
    if mark is not None and mark[3] == output_hash(entry.translated_text):
        return State.MACHINE
    return State.EDITED


def translations_of(catalog: Catalog) -> dict[str, Translation]:
    """msgid → (translation, state) of every active entry, as the editions need them."""
    return {
        entry.msgid: Translation(entry.translated_text, state_of(entry))
        for entry in catalog.entries
        if not entry.obsolete and entry.msgctxt is None
    }


def check_language(catalog: Catalog, expected: str, display: str) -> None:
    """Refuse a catalog whose header names another language (a file copied to the wrong folder)."""
    declared = catalog.header.get("Language", "").strip()
    if declared and declared.replace("-", "_").split("_")[0] != expected.split("_")[0]:
        raise CatalogError(
            f"header says Language: {declared}, but the file is the {expected} catalog",
            path=display,
            line=_header_line(catalog, "Language"),
        )


def _header_line(catalog: Catalog, field_name: str) -> int | None:
    """Line of a header field: the header entry starts the file after its comment lines."""
    comment_lines = catalog.header_comment.count("\n") + 1 if catalog.header_comment else 0
    keys = list(catalog.header)
    if field_name not in keys:
        return None
    # `msgid ""`, `msgstr ""`, then one line per field (gettext writes one field a line).
    return comment_lines + (1 if catalog.header_flags else 0) + 3 + keys.index(field_name)
