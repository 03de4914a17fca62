"""The only user of polib: POT/PO files to and from plain `Catalog` values.

Reading wraps polib's messages into one line with file and line; writing goes through polib and
then ``msgcat`` so the bytes are exactly what gettext tools (and editors after them) write back.
A catalog written over the file it was read from keeps that file's layout (see `dump_catalog`).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import polib

from . import catalog_cache, po_layout
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
    original = text
    cache = catalog_cache.active()  # bytes parsed strictly before, in an earlier run
    sha = catalog_cache.digest(raw) if cache is not None else ""
    if cache is not None:
        cached = cache.catalog(sha, display)
        if cached is not None:
            _remember(raw, original, cached)
            return cached
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
    _remember(raw, original, catalog)
    if cache is not None:
        cache.put_catalog(sha, display, catalog)
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


Key = tuple[str | None, str]
WrapSetting = str | int
"""`[tool.pipeline.po] wrap`: "keep" (the file's own layout), a width in columns, or "no"."""


def dump_catalog(
    catalog: Catalog,
    *,
    like: bytes | None = None,
    wrap: WrapSetting = "keep",
    also: tuple[bytes, ...] = (),
) -> bytes:
    """Serialise a catalog; ``like`` is the file's bytes as read, when it is rewritten in place.

    Without ``like`` (a new file) the layout is gettext's canonical one (what ``msgcat FILE``
    prints). With it, and ``wrap = "keep"``, the file keeps its own layout: the same bytes when
    no entry changed, else every unchanged entry (and the header, if unchanged) byte for byte,
    and the others laid out by msgcat at the width found in the file (`po_layout.detect_wrap`).
    A changed entry whose English did not change keeps its msgid lines. ``also`` are other
    files read (the other side of a merge) whose entries may be kept the same way. ``wrap`` set
    to a width or "no" lays out the whole file that way.
    """
    if like is not None and wrap == "keep":
        kept = _dump_like(catalog, like, also)
        if kept is not None:
            return kept
    width: po_layout.Wrap = po_layout.GETTEXT_WIDTH
    if isinstance(wrap, int):
        width = wrap
    elif wrap == "no":
        width = None
    elif like is not None:
        width = po_layout.detect_wrap(_remembered(like, catalog.path).text)
    return canonical_layout(_polib_bytes(catalog, catalog.entries), catalog.path or None, width)


def _polib_bytes(catalog: Catalog, entries: list[Entry]) -> bytes:
    po = _OrderedHeaderPOFile(wrapwidth=1_000_000)  # msgcat wraps strings; comments stay whole
    po.header = catalog.header_comment
    po.metadata = written_header(catalog)
    if catalog.header_flags:
        po.metadata_is_fuzzy = True
    for entry in entries:
        po.append(_entry_to_polib(entry))
    text = str(po)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def written_header(catalog: Catalog) -> dict[str, str]:
    # The bytes written are UTF-8 whatever the file was read as; say so, or msgcat would
    # re-decode them in the old charset (a Latin-2 file would come back as mojibake).
    return {
        name: _DECLARED_CHARSET.sub("charset=UTF-8", value) if name == "Content-Type" else value
        for name, value in catalog.header.items()
    }


# --- keeping a file's layout ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    """What `parse_catalog` saw: the text, and the content of the header and of every entry."""

    text: str
    header: tuple[object, ...]
    entries: tuple[tuple[object, ...], ...]


_READS: dict[bytes, _Read] = {}
_READS_KEPT = 64  # files remembered at once (a build reads one catalog per document and language)
_READS_LOCK = threading.Lock()


def _remember(raw: bytes, text: str, catalog: Catalog) -> None:
    read = _Read(text, _header_content(catalog), tuple(map(_content, catalog.entries)))
    with _READS_LOCK:
        if len(_READS) >= _READS_KEPT:
            _READS.pop(next(iter(_READS)))
        _READS[raw] = read


def _remembered(raw: bytes, display: str) -> _Read:
    read = _READS.get(raw)
    if read is None:
        parse_catalog(raw, display=display or "<catalog>")
        read = _READS[raw]
    return read


def _header_content(catalog: Catalog, header: dict[str, str] | None = None) -> tuple[object, ...]:
    fields = catalog.header if header is None else header
    return (tuple(fields.items()), catalog.header_comment, tuple(catalog.header_flags))


def _content(entry: Entry) -> tuple[object, ...]:
    """Everything a PO file says about an entry (not where it was: its line)."""
    return (
        entry.msgctxt,
        entry.msgid,
        entry.msgid_plural,
        entry.msgstr,
        tuple(sorted(entry.msgstr_plural.items())),
        tuple(entry.flags),
        tuple(entry.translator_comments),
        tuple(entry.extracted_comments),
        tuple(entry.references),
        entry.previous_msgctxt,
        entry.previous_msgid,
        entry.previous_msgid_plural,
        entry.obsolete,
    )


def _dump_like(catalog: Catalog, like: bytes, also: tuple[bytes, ...] = ()) -> bytes | None:
    """The catalog in the layout of ``like``; None when that file cannot guide the layout.

    An entry not in ``like`` as it is now, but exactly as in one of ``also`` (the other side of
    a merge), keeps that file's bytes for it.
    """
    try:
        read = _remembered(like, catalog.path)
    except CatalogError:
        return None  # the old file was broken: write it anew in gettext's layout
    contents = tuple(_content(entry) for entry in catalog.entries)
    if _header_content(catalog) == read.header and contents == read.entries:
        return like  # nothing changed: the file stays as it is, byte for byte
    found = _blocks_of(read)
    if found is None:
        return None  # the text did not split as polib parsed it: no entry is kept
    header_block, old_blocks = found
    unchanged = set(contents)
    kept = {key: block for key, (content, block) in old_blocks.items() if content in unchanged}
    for raw in also:
        remembered = _READS.get(raw)
        other = _blocks_of(remembered) if remembered is not None else None
        for key, (content, block) in (other[1] if other else {}).items():
            if content in unchanged and key not in kept:
                kept[key] = block
    # msgcat writes obsolete entries last; so does this
    order = sorted(catalog.entries, key=lambda entry: entry.obsolete)
    fresh = [entry for entry in order if entry.key not in kept]
    header_now = _header_content(catalog, written_header(catalog))
    keep_header = header_now == read.header and (header_block or not catalog.header)
    laid_out: list[po_layout.Block] = []
    if fresh or not keep_header:
        width = po_layout.detect_wrap(read.text)
        data = canonical_layout(_polib_bytes(catalog, fresh), catalog.path or None, width)
        laid_out = po_layout.split_blocks(data.decode("utf-8"))
        if not laid_out or not laid_out[0].is_header:
            laid_out.insert(0, po_layout.Block("", "", (None, ""), obsolete=False))
        if len(laid_out) != len(fresh) + 1:
            return None
    new_blocks = iter(laid_out[1:])
    pieces: list[tuple[str, str]] = []
    if keep_header and header_block:
        pieces.append((header_block.text, header_block.gap))
    elif not keep_header and laid_out[0].text:
        pieces.append((laid_out[0].text, ""))
    for entry in order:
        keep = kept.get(entry.key)
        if keep is not None:
            pieces.append((keep.text, keep.gap))
            continue
        text = next(new_blocks).text
        before = old_blocks.get(entry.key)
        if before is not None and _same_source(before[0], _content(entry)):
            text = po_layout.keep_source_lines(text, before[1].text)
        pieces.append((text, ""))
    return po_layout.assemble(pieces, po_layout.newline_of(read.text)).encode("utf-8")


_SOURCE = (0, 1, 2, 12)  # msgctxt, msgid, msgid_plural, obsolete in `_content`


def _same_source(old: tuple[object, ...], new: tuple[object, ...]) -> bool:
    """The English of an entry is unchanged (and it is active): its msgid lines can stay."""
    return not new[12] and all(old[index] == new[index] for index in _SOURCE)


def _blocks_of(
    read: _Read,
) -> tuple[po_layout.Block | None, dict[Key, tuple[tuple[object, ...], po_layout.Block]]] | None:
    """The header block and each entry's (content, block) of a file read; None if its text does
    not split into the entries polib found (then no entry of it is kept)."""
    blocks = po_layout.split_blocks(read.text)
    headers = [block for block in blocks if block.is_header]
    entries = [block for block in blocks if not block.is_header]
    keys = [block.key for block in entries]
    if len(headers) > 1 or keys != [(content[0], content[1]) for content in read.entries]:
        return None
    by_key = {
        key: (content, block)
        for key, content, block in zip(keys, read.entries, entries, strict=True)
    }
    return (headers[0] if headers else None), by_key


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


def canonical_layout(
    data: bytes, display: str | None = None, width: po_layout.Wrap = po_layout.GETTEXT_WIDTH
) -> bytes:
    """Pass PO bytes through ``msgcat`` so wrapping and ordering are gettext's own.

    ``width`` is msgcat's ``--width`` (None: ``--no-wrap``). A refusal names ``display``, the
    catalog being written, so the user knows which file it is.

    Without gettext installed the polib layout is kept; it differs only in where long lines wrap.
    """
    msgcat = shutil.which("msgcat")
    if msgcat is None:
        return data
    wrapping: list[str] = []
    if width is None:
        wrapping = ["--no-wrap"]
    elif width != po_layout.GETTEXT_WIDTH:
        wrapping = [f"--width={width}"]
    result = subprocess.run(
        # --force-po: a catalog with no entries still keeps its header (else msgcat writes nothing)
        [msgcat, "--force-po", "--to-code=UTF-8", *wrapping, "-"],
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
