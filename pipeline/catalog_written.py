"""Catalogs the pipeline wrote, kept in the build's cache of parsed catalogs (`catalog_cache`) as
what their bytes parse to, so the next build does not parse its own output again."""

from __future__ import annotations

import codecs
import dataclasses
import re

from . import catalog_cache
from .catalog import written_header
from .model import Catalog


def remember_written(raw: bytes, catalog: Catalog) -> None:
    """Keep ``catalog`` in the build's cache of parsed catalogs as what ``raw``, the bytes the
    pipeline just wrote for it, parses to, so the next build does not parse its own output.

    Only when the round trip is certain: a written catalog whose every string, comment,
    reference and flag is one polib and msgcat give back unchanged (`_round_trips`), laid out
    with a header and one block per entry. Anything else is simply parsed next time.
    """
    cache = catalog_cache.active()
    if cache is None or raw.startswith(codecs.BOM_UTF8) or not _round_trips(catalog):
        return
    sha = catalog_cache.digest(raw)
    if cache.has_catalog(sha):
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    starts = _entry_starts(text)
    # Both writers put the entries in this order (msgcat and `_dump_like`: obsolete ones last).
    order = sorted(catalog.entries, key=lambda entry: entry.obsolete)
    if starts is None or len(starts) != len(order) + 1:
        return
    entries = []
    for entry, (line, obsolete) in zip(order, starts[1:], strict=True):
        if entry.obsolete != obsolete:
            return
        entries.append(dataclasses.replace(entry, line=line))  # polib: the entry's first line
    header = written_header(catalog)
    written = Catalog(header, entries, catalog.header_comment, list(catalog.header_flags))
    cache.put_catalog(sha, catalog.path, written)


def _entry_starts(text: str) -> list[tuple[int, bool]] | None:
    """(first line, obsolete) of each entry, the header first, in a file whose entries are
    separated by blank lines and each have one msgid line; None for any other layout."""
    starts: list[tuple[int, bool]] = []
    msgids: list[int] = []
    inside = False
    for number, line in enumerate(text.split("\n"), 1):
        body = line.strip()
        if not body:
            inside = False
            continue
        if not inside:
            starts.append((number, False))
            msgids.append(0)
            inside = True
        if body.startswith("msgid ") or body.startswith("#~ msgid "):
            msgids[-1] += 1
            starts[-1] = (starts[-1][0], body.startswith("#~"))
    if any(count != 1 for count in msgids) or not starts or starts[0][1]:
        return None
    return starts


_PLAIN_REFERENCE = re.compile(r"[\w./@+-]+(?::\d+)?")
_PLAIN_FLAG = re.compile(r"[\w-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _round_trips(catalog: Catalog) -> bool:
    """Whether writing and parsing the catalog surely gives it back as it is (conservative:
    no stripped or empty comment, no control character, no plural or odd reference)."""

    def plain_lines(lines: list[str]) -> bool:
        return all(line and line == line.strip() and "\n" not in line for line in lines)

    def plain(text: str | None) -> bool:
        return text is None or (text != "" and _CONTROL.search(text) is None)

    if catalog.header_flags not in ([], ["fuzzy"]) or not plain_lines(
        catalog.header_comment.split("\n") if catalog.header_comment else []
    ):
        return False
    for name, value in catalog.header.items():
        if not name or name != name.strip() or ":" in name or value != value.strip():
            return False
        if "\n" in value or _CONTROL.search(name + value):
            return False
    for entry in catalog.entries:
        if entry.msgid_plural is not None or entry.msgstr_plural or not entry.msgid:
            return False
        if entry.msgstr and _CONTROL.search(entry.msgstr):
            return False
        fields = (entry.msgid, entry.msgctxt, entry.previous_msgctxt, entry.previous_msgid)
        if not all(map(plain, fields)) or entry.previous_msgid_plural is not None:
            return False
        if entry.obsolete and (entry.previous_msgid is not None or entry.previous_msgctxt):
            return False
        if not plain_lines(entry.translator_comments) or not plain_lines(entry.extracted_comments):
            return False
        if not all(_PLAIN_REFERENCE.fullmatch(reference) for reference in entry.references):
            return False
        if not all(_PLAIN_FLAG.fullmatch(flag) for flag in entry.flags):
            return False
    return True
