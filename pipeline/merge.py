"""Catalog update with GNU msgmerge's meaning, so a changed source never costs a translator's work.

Pure: takes and returns `Catalog` values (no polib, no files). The rules follow msgmerge 0.21
(`msgmerge --previous`): exact matches keep their translation, changed sentences take the
translation of the most similar old entry (gettext's ``fstrcmp`` > 0.6) as fuzzy with the old
English as ``#| msgid``, and removed sentences stay as obsolete entries that come back when the
sentence returns. Up to a few thousand entries every old entry is compared, exactly as
msgmerge does; beyond, a 4-gram index with a fixed work budget per sentence keeps an update
linear in the catalog's size (msgmerge's search is quadratic).

Deliberate differences from msgmerge (each has a named test in tests/test_merge_msgmerge.py): a
new or header-less catalog gets msginit's complete header (with Babel's plural rule), a missing
Language is set, PO-Revision-Date moves when a translation changed, a fuzzy entry without `#|`
records its own msgid when its translation moves to a changed sentence, no format-string check
(templates of prose carry no format flags), and in large catalogs the bounded search may differ
from msgmerge's on coincidental resemblances just above the threshold.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import re
from collections import defaultdict

from .errors import ConfigError
from .model import APPROVED_MT_PREFIX, GETTEXT_HEADER_ORDER, MT_PREFIX, Catalog, Entry

FUZZY_THRESHOLD = 0.6
"""msgmerge's FUZZY_THRESHOLD: an old entry is a candidate when its similarity is above this."""

_CONTEXT_BONUS = 0.00001  # msgmerge prefers, among equals, an entry with the same (or no) context
_GRAM = 4  # msgmerge indexes character 4-grams
_SHORT_MAX_BYTES = int(12 * (2 / FUZZY_THRESHOLD - 1))  # msgmerge's SHORT_MSG_MAX (28)
_EXHAUSTIVE_BYTES = 200_000  # old msgids up to this size are all compared: msgmerge's choice
_POSTING_BUDGET = 6000  # beyond: postings read per query (rarest 4-grams first)
_SHORTLISTED = 48  # candidates re-ranked by the overlap of all their 4-grams
_VERIFIED = 8  # best-ranked candidates whose exact similarity is computed

_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")
_CHARSET = re.compile(r"charset=[^;\s]*")
_RANGE = re.compile(r"^range:\s*(\d+)\s*\.\.\s*(\d+)$")


# --- similarity ----------------------------------------------------------------------------------


def similarity(a: str, b: str) -> float:
    """gettext's ``fstrcmp``: 2·LCS / (len a + len b), over UTF-8 bytes as msgmerge counts them.

    rapidfuzz's Indel normalized similarity is the same ratio; the LCS is taken from it as an
    integer, so the division (and every tie between equal weights) is exactly as before.
    """
    return _ratio(a.encode("utf-8"), b.encode("utf-8"))


def _ratio(a: bytes, b: bytes) -> float:
    from rapidfuzz.distance import LCSseq

    total = len(a) + len(b)
    if not a or not b:
        return float(total == 0)
    return (2 * LCSseq.similarity(a, b)) / total


# --- fuzzy search --------------------------------------------------------------------------------


def _grams(text: str) -> list[str]:
    return [text[i : i + _GRAM] for i in range(len(text) - _GRAM + 1)]


class FuzzyIndex:
    """Finds, for a new msgid, the old entry msgmerge would offer as a fuzzy translation.

    Candidates are the translated entries (active, fuzzy or obsolete, as in msgmerge) that share
    a character 4-gram with the query. Up to a few thousand entries, the similarity to every one
    is computed (all at once, by rapidfuzz) and the choice is exactly msgmerge's. Beyond, a query
    reads the 4-gram posting lists of its rarest 4-grams up to a fixed budget and compares only
    the best-ranked few exactly, so its cost does not grow with the catalog.
    """

    def __init__(self, entries: list[Entry]) -> None:
        self.positions = [i for i, entry in enumerate(entries) if entry.translated_text]
        self.entries = [entries[i] for i in self.positions]
        self.encoded = [entry.msgid.encode("utf-8") for entry in self.entries]
        self.contexts = [entry.msgctxt for entry in self.entries]
        self.lengths = [len(data) for data in self.encoded]
        self.char_lengths = [len(entry.msgid) for entry in self.entries]
        self.short: dict[int, list[int]] = {}
        for index, data in enumerate(self.encoded):
            if len(data) <= _SHORT_MAX_BYTES:
                self.short.setdefault(len(data), []).append(index)
        self.exhaustive = sum(self.lengths) <= _EXHAUSTIVE_BYTES
        self.gram_sets: dict[int, frozenset[str]] = {}  # filled as candidates come up
        self.postings: dict[str, list[int]] = {}
        if self.exhaustive:
            return
        import numpy

        self.char_array = numpy.asarray(self.char_lengths, dtype=numpy.int64)
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for index, entry in enumerate(self.entries):
            for gram in set(_grams(entry.msgid)):
                postings[gram].append(index)
        self.postings = dict(postings)

    def best(self, msgid: str, msgctxt: str | None = None) -> int | None:
        """Position (in the list given to the index) of the most similar entry, or None."""
        if not msgid:
            return None
        query = msgid.encode("utf-8")
        if len(msgid) < _GRAM:
            return self._first_best(query, msgctxt, self._short(len(query)))
        if self.exhaustive:
            return self._exhaustive(msgid, msgctxt)
        return self._bounded(query, msgctxt, msgid)

    def _bonus(self, index: int, msgctxt: str | None) -> float:
        context = self.contexts[index]
        return _CONTEXT_BONUS if context is None or context == msgctxt else 0.0

    def _first_best(self, query: bytes, msgctxt: str | None, order: list[int]) -> int | None:
        """msgmerge's loop: the first candidate (in the given order) of the highest weight."""
        best_weight = FUZZY_THRESHOLD
        best: int | None = None
        size = len(query)
        for index in order:
            other = self.encoded[index]
            bonus = self._bonus(index, msgctxt)
            total = size + len(other)
            if 2 * min(size, len(other)) / total + bonus <= best_weight:
                continue  # even if the shorter string were all common, it could not win
            weight = _ratio(query, other) + bonus
            if weight > best_weight:
                best_weight, best = weight, index
        return None if best is None else self.positions[best]

    def _exhaustive(self, msgid: str, msgctxt: str | None) -> int | None:
        """msgmerge's choice: the highest weight among entries sharing a 4-gram with the query;
        among equals, the one sharing more 4-gram windows, then the earlier one."""
        import numpy
        from rapidfuzz.distance import LCSseq
        from rapidfuzz.process import cdist

        if not self.encoded:
            return None
        query = msgid.encode("utf-8")
        common = cdist([query], self.encoded, scorer=LCSseq.similarity, dtype=numpy.int64)[0]
        # Each weight is the same IEEE division as `similarity` (an integer over an integer).
        weights = (2 * common) / (len(query) + numpy.asarray(self.lengths, dtype=numpy.int64))
        # The context bonus is tiny: it only decides between otherwise equal weights.
        floor = FUZZY_THRESHOLD - _CONTEXT_BONUS
        above = [
            (float(weights[index]) + self._bonus(index, msgctxt), index)
            for index in numpy.flatnonzero(weights > floor).tolist()
        ]
        above = [item for item in above if item[0] > FUZZY_THRESHOLD]
        above.sort(key=lambda item: -item[0])
        grams = _grams(msgid)
        start = 0
        while start < len(above):
            end = start
            while end < len(above) and above[end][0] == above[start][0]:
                end += 1
            shared = {index: self._shared(grams, index) for _, index in above[start:end]}
            sharing = [index for index, count in shared.items() if count]
            if sharing:
                return self.positions[min(sharing, key=lambda index: (-shared[index], index))]
            start = end
        return None

    def _bounded(self, query: bytes, msgctxt: str | None, msgid: str) -> int | None:
        """The large-catalog search: rank by the query's rarest 4-grams, verify the best few."""
        import numpy

        grams = _grams(msgid)
        distinct = set(grams)
        # Rarest first; among equally rare, in 4-gram order, so the budget cuts the same lists
        # in every run (set order changes with the process's string hashing).
        lists = sorted(
            (found for found in map(self.postings.get, sorted(distinct)) if found is not None),
            key=len,
        )
        chosen: list[int] = []
        for found in lists:
            if chosen and len(chosen) + len(found) > _POSTING_BUDGET:
                break
            chosen.extend(found)
        if not chosen:
            return None
        counts = numpy.bincount(numpy.asarray(chosen, dtype=numpy.int64))
        floor = int(counts.max()) // 3  # far behind the best-placed: not worth ranking
        ranked = numpy.flatnonzero(counts > floor)
        # count / (msgid length + candidate length), exactly as Python divides two integers
        ratios = counts[ranked] / (len(msgid) + self.char_array[ranked])
        best_first = numpy.lexsort((ranked, -ratios))[:_SHORTLISTED]  # ties: the earlier entry
        shortlist = ranked[best_first].tolist()
        gram_set = self._gram_set

        def overlap(index: int) -> tuple[float, int]:
            other = gram_set(index)
            return len(distinct & other) / (len(distinct) + len(other)), -index

        verified = heapq.nlargest(_VERIFIED, shortlist, key=overlap)
        shared = {index: self._shared(grams, index) for index in verified}
        verified.sort(key=lambda index: (-shared[index], index))
        return self._first_best(query, msgctxt, verified)

    def _short(self, size: int) -> list[int]:
        """msgmerge compares a query under 4 characters with every short entry of a fitting
        length, shortest first."""
        factor = 2 / FUZZY_THRESHOLD - 1
        found: list[int] = []
        for length in range(math.ceil(size / factor), int(size * factor) + 1):
            found.extend(self.short.get(length, ()))
        return found

    def _shared(self, grams: list[str], index: int) -> int:
        """msgmerge's ranking count: query 4-gram windows that occur in the candidate."""
        present = self._gram_set(index)
        return sum(1 for gram in grams if gram in present)

    def _gram_set(self, index: int) -> frozenset[str]:
        """The 4-grams of a candidate, computed once (the same candidates come up again)."""
        found = self.gram_sets.get(index)
        if found is None:
            found = self.gram_sets[index] = frozenset(_grams(self.entries[index].msgid))
        return found


_INDEXES: dict[tuple[object, ...], FuzzyIndex] = {}
_INDEXES_KEPT = 4


def fuzzy_index(entries: list[Entry]) -> FuzzyIndex:
    """A `FuzzyIndex` of these entries, shared with an earlier call whose translated entries had
    the same places, msgids and contexts: the catalogs of one document in several languages
    usually do, and the index depends on nothing else (its answers are positions)."""
    positions = tuple(i for i, entry in enumerate(entries) if entry.translated_text)
    key = (
        positions,
        tuple(entries[i].msgid for i in positions),
        tuple(entries[i].msgctxt for i in positions),
    )
    index = _INDEXES.get(key)
    if index is None:
        index = FuzzyIndex(entries)
        if len(_INDEXES) >= _INDEXES_KEPT:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = index
    return index


# --- headers -------------------------------------------------------------------------------------


def plural_forms(language: str) -> str:
    """The Plural-Forms value gettext expects for a language, from Babel's gettext plural table."""
    from babel.core import UnknownLocaleError
    from babel.messages.plurals import get_plural

    try:
        plural = get_plural(language)
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"unknown language code {language!r}") from None
    return f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"


def language_name(language: str) -> str:
    """The English name of a language (for the header comment of a new catalog)."""
    from babel import Locale
    from babel.core import UnknownLocaleError

    try:
        return str(Locale.parse(language.replace("-", "_")).english_name)
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"unknown language code {language!r}") from None


def template_header(project: str, created: str) -> dict[str, str]:
    """The header of a document's template (POT), as xgettext writes it."""
    from . import __version__
    from .catalog import ordered_header

    return ordered_header(
        {
            "Project-Id-Version": project,
            "Report-Msgid-Bugs-To": "",
            "POT-Creation-Date": created,
            "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
            "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
            "Language-Team": "LANGUAGE <LL@li.org>",
            "Language": "",
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "X-Generator": f"pipeline {__version__}",
        }
    )


def new_header(
    template_header: dict[str, str], *, language: str, now: str, project: str = ""
) -> dict[str, str]:
    """The complete header of a new catalog, as msginit writes it (with Babel's plural rule)."""
    from . import __version__
    from .catalog import ordered_header

    header = {
        "Project-Id-Version": project
        or template_header.get("Project-Id-Version", "")
        or "PACKAGE VERSION",
        "POT-Creation-Date": template_header.get("POT-Creation-Date", "") or now,
        "PO-Revision-Date": now,
        "Last-Translator": "Automatically generated",
        "Language-Team": "none",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(language),
        "X-Generator": f"pipeline {__version__}",
    }
    if "Report-Msgid-Bugs-To" in template_header:
        header["Report-Msgid-Bugs-To"] = template_header["Report-Msgid-Bugs-To"]
    return ordered_header(header)


def _merge_header(old: dict[str, str], template: dict[str, str], language: str) -> dict[str, str]:
    """msgmerge's header rule: the translator's fields, the template's dates and bug address.

    Also what msgmerge does implicitly for a UTF-8 template: the charset becomes UTF-8 (the file
    is written in UTF-8). A missing Language is set to the catalog's language.
    """
    fields = _msgmerge_order(old)
    for name in ("Report-Msgid-Bugs-To", "POT-Creation-Date"):
        if name in template:
            fields[name] = template[name]
    if not fields.get("Language"):
        fields["Language"] = language
    content_type = fields.get("Content-Type", "")
    if "charset=" in content_type:
        fields["Content-Type"] = _CHARSET.sub("charset=UTF-8", content_type)
    else:
        fields["Content-Type"] = "text/plain; charset=UTF-8"
    return _msgmerge_order(fields)


def _msgmerge_order(header: dict[str, str]) -> dict[str, str]:
    """Known fields under their canonical names in msgmerge's order, then the rest as they were."""
    canonical = {name.lower(): name for name in GETTEXT_HEADER_ORDER}
    fields = {canonical.get(name.lower(), name): value for name, value in header.items()}
    ordered = {name: fields[name] for name in GETTEXT_HEADER_ORDER if name in fields}
    ordered.update((name, value) for name, value in fields.items() if name not in ordered)
    return ordered


def _nplurals(header: dict[str, str]) -> int:
    found = _NPLURALS.search(header.get("Plural-Forms", ""))
    return int(found.group(1)) if found and int(found.group(1)) > 0 else 2


# --- entries -------------------------------------------------------------------------------------


def _copy(entry: Entry) -> Entry:
    return dataclasses.replace(
        entry,
        msgstr_plural=dict(entry.msgstr_plural),
        flags=list(entry.flags),
        translator_comments=list(entry.translator_comments),
        extracted_comments=list(entry.extracted_comments),
        references=list(entry.references),
        line=0,
    )


def _range(flags: list[str]) -> tuple[int, int] | None:
    for flag in flags:
        found = _RANGE.match(flag)
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def _merge_entry(old: Entry, new: Entry, *, force_fuzzy: bool, nplurals: int) -> Entry:
    """msgmerge's message_merge: msgid, locations and format flags from the template; the
    translation, translator comments and fuzziness from the old entry."""
    fuzzy = old.fuzzy or force_fuzzy or old.msgid_plural != new.msgid_plural
    old_range = _range(old.flags)
    if old_range is not None:
        new_range = _range(new.flags)
        if new_range is None or new_range[0] < old_range[0] or new_range[1] > old_range[1]:
            fuzzy = True
    msgstr = old.msgstr
    msgstr_plural = dict(old.msgstr_plural)
    if new.msgid_plural is not None and old.msgid_plural is None:
        msgstr_plural = dict.fromkeys(range(nplurals), old.msgstr)
        msgstr = ""
    elif new.msgid_plural is None and old.msgid_plural is not None:
        msgstr = old.msgstr_plural.get(0, "")
        msgstr_plural = {}
    if old.fuzzy and (old.previous_msgid is not None or not force_fuzzy):
        previous = (old.previous_msgctxt, old.previous_msgid, old.previous_msgid_plural)
    else:
        # Deliberately unlike msgmerge, a fuzzy entry without `#|` (machine output, or a
        # translator's doubt) moved to another msgid records its own msgid: the English its
        # translation was made for. msgmerge records nothing, and the change would go unseen.
        previous = (old.msgctxt, old.msgid, old.msgid_plural)
    first = msgstr_plural.get(0, "") if new.msgid_plural is not None else msgstr
    if not fuzzy or not first:
        previous = (None, None, None)
    comments = list(old.translator_comments)
    if fuzzy and not old.fuzzy and first:
        # A person approved this text (maybe machine output as it was). Now that it goes fuzzy,
        # its `# mt:` mark must stop saying "untouched machine output", or the next translate
        # would overwrite the approved text; the provenance stays, renamed.
        comments = [APPROVED_MT_PREFIX + c[len(MT_PREFIX) :] if c.startswith(MT_PREFIX) else c
                    for c in comments]  # fmt: skip
    return Entry(
        msgid=new.msgid,
        msgstr=msgstr,
        msgctxt=new.msgctxt,
        msgid_plural=new.msgid_plural,
        msgstr_plural=msgstr_plural,
        flags=(["fuzzy"] if fuzzy else []) + [flag for flag in new.flags if flag != "fuzzy"],
        translator_comments=comments,
        extracted_comments=list(new.extracted_comments),
        references=list(new.references),
        previous_msgctxt=previous[0],
        previous_msgid=previous[1],
        previous_msgid_plural=previous[2],
        obsolete=new.obsolete,
    )


def _untranslated(new: Entry, nplurals: int) -> Entry:
    """A template entry with no old counterpart; plural ones get one empty form per plural."""
    entry = _copy(new)
    if entry.msgid_plural is not None and not any(entry.msgstr_plural.values()):
        entry.msgstr_plural = dict.fromkeys(range(max(nplurals, len(entry.msgstr_plural))), "")
    return entry


def _translation(entry: Entry) -> tuple[object, ...]:
    plural = tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural is not None else ()
    return (entry.msgstr if entry.msgid_plural is None else "", plural, entry.fuzzy)


def _translations_changed(old: Catalog, entries: list[Entry]) -> bool:
    """Whether some active entry now reads differently than before (removals do not count)."""
    before = {entry.key: _translation(entry) for entry in old.entries if not entry.obsolete}
    for entry in entries:
        if entry.obsolete:
            continue
        previous = before.get(entry.key)
        if previous is None:
            if entry.translated_text:
                return True
        elif previous != _translation(entry):
            return True
    return False


# --- the merge -----------------------------------------------------------------------------------


def merge_catalog(
    template: Catalog,
    old: Catalog | None,
    *,
    language: str,
    now: str,
    purge_obsolete: bool = False,
    project: str = "",
) -> Catalog:
    """The catalog ``msgmerge --previous old template`` would write (the few deliberate
    differences are listed in the module docstring); ``old`` None makes a new catalog, as
    msginit would. ``now`` is the PO-Revision-Date if a translation changed; ``purge_obsolete``
    drops obsolete entries; ``project`` names a new catalog's Project-Id-Version."""
    if old is None or not old.header:
        header = new_header(template.header, language=language, now=now, project=project)
        created = Catalog(
            header=header,
            entries=[],
            header_comment=f"{language_name(language)} translation of "
            f"{header['Project-Id-Version']}.",
        )
        if old is None:
            nplurals = _nplurals(header)
            created.entries = [_untranslated(entry, nplurals) for entry in template.entries]
            return created
        old = dataclasses.replace(old, header=header, header_comment=created.header_comment)

    nplurals = _nplurals(old.header)
    by_key: dict[tuple[str | None, str], int] = {}
    for at, entry in enumerate(old.entries):
        by_key.setdefault(entry.key, at)
    used: set[int] = set()
    index: FuzzyIndex | None = None
    entries: list[Entry] = []
    for new in template.entries:
        position = by_key.get(new.key)
        force_fuzzy = position is None
        if position is None:
            if index is None:
                index = fuzzy_index(old.entries)
            position = index.best(new.msgid, new.msgctxt)
        if position is None:
            entries.append(_untranslated(new, nplurals))
            continue
        used.add(position)
        merged = _merge_entry(
            old.entries[position], new, force_fuzzy=force_fuzzy, nplurals=nplurals
        )
        entries.append(merged)

    if not purge_obsolete:
        taken = {entry.key for entry in entries}
        for at, entry in enumerate(old.entries):
            if at in used or entry.key in taken or not entry.translated_text:
                continue  # (gettext writes no obsolete entry without a translation)
            gone = _copy(entry)
            gone.obsolete = True
            gone.extracted_comments = []
            gone.references = []
            taken.add(gone.key)
            entries.append(gone)

    header = _merge_header(old.header, template.header, language)
    if _translations_changed(old, entries):
        header["PO-Revision-Date"] = now
        header = _msgmerge_order(header)
    return Catalog(
        header=header,
        entries=entries,
        header_comment=old.header_comment,
        header_flags=list(old.header_flags),
        path=old.path,
    )
