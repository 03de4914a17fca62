"""Human review: status counts, post-editing effort, the interactive review and the HTML report.

Reads and writes PO files only (through catalog.py) and never imports Argos, stanza or torch, so
`pipeline status` starts fast. Approving an entry clears `fuzzy` and the previous msgid but keeps
the `# mt:` comment: it is provenance (which model wrote the first draft) and what post-editing
effort is measured against; `state_of` says REVIEWED for any non-fuzzy translated entry.
"""

from __future__ import annotations

import contextlib
import difflib
import html
import math
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from .catalog import check_language, machine_mark, output_hash, read_catalog, state_of
from .config import Config
from .controls import ALLOWED_IN_TRANSLATION as EDITABLE_CONTROLS
from .controls import visible
from .errors import CatalogError, LockError, PipelineError
from .files import project_lock, write_atomic
from .model import Catalog, Entry, Finding, Severity, State

STATES: tuple[State, ...] = (
    State.UNTRANSLATED,
    State.MACHINE,
    State.EDITED,
    State.STALE,
    State.REVIEWED,
)
NEEDS_REVIEW = frozenset({State.MACHINE, State.EDITED, State.STALE})
_WORD = re.compile(r"\w+(?:[-'’.,]\w+)*")
_TOKEN = re.compile(r"\s+|\S+")
EDITOR_MARKER = "# ---- Everything from this line down is ignored. ----"


class ReviewConflictError(PipelineError):
    """The entry on disk is no longer what the reviewer was shown (another tool changed it)."""

    exit_code = 5


# --- catalogs on disk ----------------------------------------------------------------------------


def po_file(config: Config, language: str, document: str) -> Path:
    return config.locales_dir / language / f"{document}.po"


def document_names(config: Config, languages: Iterable[str]) -> list[str]:
    """Every document with a template or a catalog in one of the languages, sorted."""
    names: set[str] = set()
    if config.locales_dir.is_dir():
        names.update(p.stem for p in config.locales_dir.glob("*.pot") if p.is_file())
        for language in languages:
            folder = config.locales_dir / language
            if folder.is_dir():
                names.update(p.stem for p in folder.glob("*.po") if p.is_file())
    return sorted(name for name in names if not name.startswith("."))


def _pick_documents(config: Config, languages: Sequence[str], wanted: Sequence[str]) -> list[str]:
    known = document_names(config, languages)
    if not wanted:
        return known
    chosen: list[str] = []
    for name in wanted:
        stem = Path(name).stem
        if stem not in known:
            raise CatalogError(
                f"no catalog for document {name!r} (known: {', '.join(known) or 'none'})",
                path=config.relative(config.locales_dir),
            )
        chosen.append(stem)
    return chosen


def read_language_catalog(config: Config, language: str, document: str) -> Catalog:
    """Read locales/<lang>/<doc>.po, refusing a file whose header names another language."""
    path = po_file(config, language, document)
    shown = config.relative(path)
    catalog = read_catalog(path, display=shown)
    check_language(catalog, language, shown)
    return catalog


def load_language_catalog(config: Config, language: str, document: str) -> Catalog | None:
    """The language's catalog of a document; the template stands in when there is no PO yet."""
    path = po_file(config, language, document)
    if path.exists():
        return read_language_catalog(config, language, document)
    template = config.locales_dir / f"{document}.pot"
    if template.exists():
        catalog = read_catalog(template, display=config.relative(template))
        catalog.path = config.relative(path)
        return catalog
    return None


# --- status --------------------------------------------------------------------------------------


def count_words(text: str) -> int:
    """Words of an English source text, the unit translators are paid and planned by."""
    return len(_WORD.findall(text))


def _source_text(entry: Entry) -> str:
    return entry.msgid if entry.msgid_plural is None else f"{entry.msgid} {entry.msgid_plural}"


@dataclass
class CatalogStatus:
    """Units and source words in each review state for one document in one language."""

    document: str
    language: str
    path: str
    exists: bool = True
    units: dict[State, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    words: dict[State, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def total_units(self) -> int:
        return sum(self.units.values())

    @property
    def total_words(self) -> int:
        return sum(self.words.values())

    @property
    def reviewed_share(self) -> float:
        return self.units[State.REVIEWED] / self.total_units if self.total_units else 0.0

    @property
    def reviewed_word_share(self) -> float:
        return self.words[State.REVIEWED] / self.total_words if self.total_words else 0.0

    def add(self, other: CatalogStatus) -> None:
        for state in STATES:
            self.units[state] += other.units[state]
            self.words[state] += other.words[state]

    def as_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "language": self.language,
            "path": self.path,
            "exists": self.exists,
            "units": {state.value: self.units[state] for state in STATES},
            "words": {state.value: self.words[state] for state in STATES},
            "total_units": self.total_units,
            "total_words": self.total_words,
            "reviewed_share": round(self.reviewed_share, 4),
            "reviewed_word_share": round(self.reviewed_word_share, 4),
        }


def catalog_status(catalog: Catalog, document: str, language: str, path: str) -> CatalogStatus:
    """Count the active entries of a catalog by state. Pure."""
    status = CatalogStatus(document, language, path, exists=not path.endswith(".pot"))
    for entry in catalog.active():
        if entry.msgid == "" and entry.msgctxt is None:
            continue
        state = state_of(entry)
        status.units[state] += 1
        status.words[state] += count_words(_source_text(entry))
    return status


def collect_status(
    config: Config, languages: Sequence[str], documents: Sequence[str] = ()
) -> list[CatalogStatus]:
    """Status of every document in every language, read from the PO files (or templates)."""
    rows: list[CatalogStatus] = []
    for document in _pick_documents(config, languages, documents):
        for language in languages:
            path = po_file(config, language, document)
            shown = config.relative(path)
            catalog = load_language_catalog(config, language, document)
            if catalog is None:
                continue
            row = catalog_status(catalog, document, language, shown)
            row.exists = path.exists()
            rows.append(row)
    return rows


def language_totals(
    rows: Sequence[CatalogStatus], order: Sequence[str] = ()
) -> dict[str, CatalogStatus]:
    """Sums per language, in the given (configured) order, others after."""
    totals: dict[str, CatalogStatus] = {}
    for row in sorted(rows, key=lambda r: _rank(order, r.language)):
        total = totals.setdefault(row.language, CatalogStatus("*", row.language, ""))
        total.add(row)
    return totals


def _rank(order: Sequence[str], language: str) -> int:
    return order.index(language) if language in order else len(order)


def percent(share: float) -> str:
    """A share as a whole percentage rounded down: 100% only when everything is done."""
    return f"{math.floor(share * 100 + 1e-9)}%"


def progress_bar(share: float, width: int = 20) -> str:
    """A text bar like `█████░░░░░`; any non-zero share shows at least one block."""
    filled = round(share * width)
    if share > 0 and filled == 0:
        filled = 1
    if share < 1 and filled == width:
        filled = width - 1
    return "█" * filled + "░" * (width - filled)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def format_status(rows: Sequence[CatalogStatus], order: Sequence[str] = ()) -> str:
    """The status table: units (words) per state for each document and language, then bars."""
    if not rows:
        return "no catalogs yet: run `pipeline update` first"
    header = ["document", "lang", *[state.value for state in STATES], "total", "reviewed"]
    body = []
    for row in rows:
        name = row.document if row.exists else f"{row.document} (no PO)"
        cells = [f"{row.units[s]} ({row.words[s]})" for s in STATES]
        size = f"{row.total_units} ({row.total_words})"
        body.append([name, row.language, *cells, size, percent(row.reviewed_share)])
    lines = _table(header, body, right=set(range(2, len(header))))
    lines.append("")
    lines.append("units (English words) in each state; reviewed share of units per language:")
    for language, sums in language_totals(rows, order).items():
        share = sums.reviewed_share
        lines.append(
            f"  {language:<5} {progress_bar(share)} {percent(share):>4}  "
            f"{sums.units[State.REVIEWED]}/{sums.total_units} units, "
            f"{percent(sums.reviewed_word_share)} of words"
        )
    return "\n".join(lines)


def status_json(
    rows: Sequence[CatalogStatus],
    effort: dict[str, dict[str, Any]] | None = None,
    order: Sequence[str] = (),
) -> dict[str, Any]:
    """The machine-readable status: per catalog, per language totals, post-editing effort."""
    languages: dict[str, Any] = {}
    for language, total in language_totals(rows, order).items():
        data = total.as_json()
        for key in ("document", "path", "exists", "language"):
            data.pop(key)
        if effort is not None:
            data["post_editing"] = effort.get(language, summarise_effort([]))
        languages[language] = data
    return {"catalogs": [row.as_json() for row in rows], "languages": languages}


# --- post-editing effort -------------------------------------------------------------------------


def levenshtein(a: str, b: str) -> int:
    """Character edit distance (insertions, deletions, substitutions), by rapidfuzz."""
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(a, b))


def _chrf_metric(order: int = 6, beta: float = 2.0) -> Any:
    """sacreBLEU's chrF: character n-grams up to ``order``, no word n-grams, whitespace ignored."""
    from sacrebleu.metrics.chrf import CHRF

    return CHRF(char_order=order, word_order=0, beta=beta)  # type: ignore[arg-type]


def chrf_statistics(hypothesis: str, reference: str, order: int = 6) -> list[int]:
    """Per n-gram order: hypothesis n-grams, reference n-grams, matches, as sacreBLEU counts
    them (whitespace dropped; no hypothesis n-grams of an order the reference lacks)."""
    statistics = _chrf_metric(order)._extract_corpus_statistics([hypothesis], [[reference]])
    return [int(value) for value in statistics[0]]


def chrf_score(statistics: Sequence[int], order: int = 6, beta: float = 2.0) -> float:
    """chrF (Popović 2015) as sacreBLEU 2 computes it from summed statistics: precision and
    recall averaged over the n-gram orders both sides have, then the F-beta score, 0..100."""
    return float(_chrf_metric(order, beta)._compute_f_score(list(statistics)))


def chrf(hypotheses: Sequence[str], references: Sequence[str], order: int = 6) -> float:
    """Corpus chrF2 by sacreBLEU: n-gram statistics summed over all pairs, then scored once."""
    if len(hypotheses) != len(references):
        raise ValueError("chrf: as many hypotheses as references are needed")
    score = _chrf_metric(order).corpus_score(list(hypotheses), [list(references)])
    return float(score.score)


@dataclass(frozen=True)
class PostEdit:
    """A reviewed entry that started as machine output: the output and what the reviewer kept."""

    language: str
    model: str
    machine: str
    final: str


OriginalLookup = Callable[[str, Entry, tuple[str, str, str, str]], "str | None"]
"""(language, entry, mt mark) → the machine output the entry started as, if it is known."""


def post_edits(catalog: Catalog, language: str, lookup: OriginalLookup | None) -> list[PostEdit]:
    """Reviewed entries with an `# mt:` mark whose original output is known and verified.

    The mark's hash proves which output is meant: an entry approved unchanged needs no cache, an
    edited one needs the cache to hold an output with that hash.
    """
    edits: list[PostEdit] = []
    for entry in catalog.active():
        if not entry.msgid or state_of(entry) is not State.REVIEWED:
            continue
        mark = machine_mark(entry)
        if mark is None:
            continue
        final = entry.translated_text
        original: str | None = final if output_hash(final) == mark[3] else None
        if original is None and lookup is not None:
            found = lookup(language, entry, mark)
            if found is not None and output_hash(found) == mark[3]:
                original = found
        if original is not None:
            edits.append(PostEdit(language, mark[1], original, final))
    return edits


def missing_originals(catalog: Catalog, lookup: OriginalLookup | None, language: str) -> int:
    """Reviewed entries with an `# mt:` mark whose original output could not be found."""
    marked = [
        entry
        for entry in catalog.active()
        if entry.msgid and state_of(entry) is State.REVIEWED and machine_mark(entry) is not None
    ]
    return len(marked) - len(post_edits(Catalog(header={}, entries=marked), language, lookup))


def summarise_effort(edits: Sequence[PostEdit], missing: int = 0) -> dict[str, Any]:
    """How much reviewers changed: share of entries changed, character edit rate, chrF2.

    `char_edit_rate` is the character edit distance from machine output to the approved text
    divided by the approved text's length (HTER on characters); `chrf` compares the machine
    output with the approved text as reference (100 = untouched).
    """
    final_chars = sum(len(edit.final) for edit in edits)
    distance = sum(levenshtein(edit.machine, edit.final) for edit in edits)
    changed = sum(edit.machine != edit.final for edit in edits)
    return {
        "entries": len(edits),
        "changed": changed,
        "unchanged": len(edits) - changed,
        "original_unknown": missing,
        "edit_distance": distance,
        "final_chars": final_chars,
        "char_edit_rate": round(distance / final_chars, 4) if final_chars else None,
        "chrf": (
            round(chrf([e.machine for e in edits], [e.final for e in edits]), 2) if edits else None
        ),
    }


def effort_by_language(
    config: Config,
    languages: Sequence[str],
    documents: Sequence[str] = (),
    lookup: OriginalLookup | None = None,
) -> dict[str, dict[str, Any]]:
    """Post-editing effort per language, with a breakdown by the Argos model that drafted it."""
    if lookup is None:
        lookup = cache_lookup(config)
    result: dict[str, dict[str, Any]] = {}
    for language in languages:
        edits: list[PostEdit] = []
        missing = 0
        for document in _pick_documents(config, languages, documents):
            path = po_file(config, language, document)
            if not path.exists():
                continue
            catalog = read_language_catalog(config, language, document)
            edits.extend(post_edits(catalog, language, lookup))
            missing += missing_originals(catalog, lookup, language)
        summary = summarise_effort(edits, missing)
        models = sorted({edit.model for edit in edits})
        summary["by_model"] = {
            model: summarise_effort([e for e in edits if e.model == model]) for model in models
        }
        result[language] = summary
    return result


def cache_lookup(config: Config) -> OriginalLookup | None:
    """A lookup into translate.py's SQLite cache, or None when there is no cache yet.

    translate.py imports Argos only inside functions, so this keeps `status --json` fast.
    """
    from .translate import open_cache_for_lookup

    return open_cache_for_lookup(config)


# --- review actions on entries (pure) ------------------------------------------------------------


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


def diff_ops(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level difference between two texts as (kind, text) with kind equal/delete/insert."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ops: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            ops.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(("insert", "".join(b[j1:j2])))
    return ops


def word_diff(old: str, new: str) -> str:
    """The change from old to new English, in wdiff's notation: `[-removed-]{+added+}`."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(marks[kind].format(text) for kind, text in diff_ops(old, new))


# --- findings ------------------------------------------------------------------------------------

Checker = Callable[[Entry, str], list[Finding]]
"""(entry, language) → findings on the entry's translation."""


def glossary_path(config: Config) -> Path:
    return config.locales_dir / "glossary.csv"


def make_checker(config: Config) -> Checker:
    """checks.check_translation bound to the project's glossary (locales/glossary.csv)."""
    from .checks import check_translation, load_glossary

    path = glossary_path(config)
    glossary = load_glossary(path) if path.exists() else None

    def check(entry: Entry, language: str) -> list[Finding]:
        if not entry.translated_text:
            return []
        return check_translation(
            entry.msgid, entry.translated_text, language, glossary=glossary, flags=entry.flags
        )

    return check


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.check))


# --- review queue and saving ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    """One entry in the review queue: which catalog and which key."""

    document: str
    path: Path
    display: str
    msgctxt: str | None
    msgid: str


def review_queue(config: Config, language: str, documents: Sequence[str] = ()) -> list[ReviewItem]:
    """Entries that need a reviewer (machine, edited, stale), in document and file order."""
    items: list[ReviewItem] = []
    for document in _pick_documents(config, [language], documents):
        path = po_file(config, language, document)
        if not path.exists():
            continue
        shown = config.relative(path)
        for entry in read_language_catalog(config, language, document).active():
            if entry.msgid and state_of(entry) in NEEDS_REVIEW:
                items.append(ReviewItem(document, path, shown, entry.msgctxt, entry.msgid))
    return items


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
    return _find(read_catalog(item.path, display=item.display), item)


def apply_change(
    config: Config,
    item: ReviewItem,
    shown: Entry,
    change: Callable[[Entry], None],
    *,
    lock_timeout: float = 5.0,
    now: str | None = None,
) -> Entry:
    """Apply one review action to the file, at once and atomically, under the project lock.

    The file is read again under the lock and the change applied only if the entry is still what
    the reviewer saw, so a concurrent `translate` or a PO editor never loses work to the tool.
    The save is compare-and-swap (rebase.py): an editor's save landing meanwhile is kept, and if
    it changed this very entry, theirs stays and this is a `ReviewConflictError`.
    """
    from .rebase import read_snapshot, save_rebased

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
            from .build import timestamp

            now = timestamp()
        if "PO-Revision-Date" in catalog.header:
            catalog.header["PO-Revision-Date"] = now
        written, _, _ = save_rebased(item.path, catalog, snapshot, display=item.display)
        kept = written.find(entry.msgid, entry.msgctxt)
        if kept is None or _fingerprint(kept) != _fingerprint(entry):
            raise ReviewConflictError(
                "the entry was changed on disk by another program while saving; its version "
                "was kept",
                path=item.display,
            )
    return entry


# --- the interactive review ----------------------------------------------------------------------


class ReviewTerminal(Protocol):
    """What the review loop needs from a terminal; the CLI provides the real one."""

    def show(self, screen: str) -> None: ...

    def key(self) -> str: ...

    def edit_text(self, current: str, context: str) -> str | None: ...

    def width(self) -> int: ...


@dataclass(frozen=True)
class EntryView:
    """Everything one review screen shows, as plain values."""

    language: str
    language_name: str
    position: int
    total: int
    display: str
    line: int
    where: str
    state: State
    source: str
    previous_source: str | None
    translation: str
    findings: tuple[Finding, ...]
    notice: str = ""


def language_name(code: str) -> str:
    """English name of a language via Babel, or the code itself."""
    try:
        from babel import Locale

        name = Locale.parse(code).get_display_name("en")
    except (ValueError, TypeError, LookupError):
        return code
    return str(name) if name else code


def _wrap(text: str, width: int, indent: str = "  ") -> list[str]:
    import textwrap

    lines: list[str] = []
    for paragraph in visible(text).split("\n"):  # a tab shows as ␉, not as spaces
        lines.extend(
            textwrap.wrap(
                paragraph,
                width=max(20, width),
                initial_indent=indent,
                subsequent_indent=indent,
                break_on_hyphens=False,
            )
            or [indent.rstrip()]
        )
    return lines


def render_entry(view: EntryView, width: int = 80) -> str:
    """One review screen as text, every control character shown visibly (␛, ␇, …). Pure."""
    lines = [
        f"pipeline review {view.language} ({view.language_name})  "
        f"entry {view.position}/{view.total}  [{view.state.value}]",
        f"{view.display}:{view.line}" + (f"  {view.where}" if view.where else ""),
        "",
    ]
    if view.previous_source is not None and view.previous_source != view.source:
        lines.append("English, changed since translation ([-removed-] {+added+}):")
        lines.extend(_wrap(word_diff(view.previous_source, view.source), width))
        lines.append("")
    lines.append("English:")
    lines.extend(_wrap(view.source, width))
    lines.append("")
    lines.append(f"{view.language_name}:")
    lines.extend(_wrap(view.translation or "(empty)", width))
    lines.append("")
    if view.findings:
        lines.append("Findings:")
        for finding in view.findings:
            lines.extend(
                _wrap(f"{finding.severity.value}: {finding.check}: {finding.message}", width)
            )
    else:
        lines.append("Findings: none")
    lines.append("")
    if view.notice:
        lines.extend(_wrap(view.notice, width, indent="! "))
    lines.append("[a]pprove  [e]dit  [s]kip  [b]ack  [q]uit")
    return visible("\n".join(lines))


@dataclass
class ReviewSummary:
    """What a review session did, for the CLI to print; entries are counted once each."""

    total: int = 0
    approved: set[int] = field(default_factory=set)
    edited: set[int] = field(default_factory=set)
    skipped: set[int] = field(default_factory=set)
    finished: bool = False

    def line(self) -> str:
        if self.total == 0:
            return "nothing to review: no machine, edited or stale entries"
        end = "end of the queue" if self.finished else "stopped"
        skipped = len(self.skipped - self.approved)
        return (
            f"{end}: {len(self.approved)} approved, {len(self.edited)} edited, "
            f"{skipped} skipped of {self.total} entries; every action is saved"
        )


def run_review(
    config: Config,
    language: str,
    items: Sequence[ReviewItem],
    terminal: ReviewTerminal,
    checker: Checker | None = None,
) -> ReviewSummary:
    """The review loop: show an entry, read a key, save the action at once, move on."""
    check = checker or make_checker(config)
    name = language_name(language)
    summary = ReviewSummary(total=len(items))
    index = 0
    notice = ""
    while 0 <= index < len(items):
        item = items[index]
        entry = load_entry(item)
        if entry is None:
            index += 1
            notice = f"entry {index} is no longer in {item.display}; skipped"
            continue
        view = EntryView(
            language=language,
            language_name=name,
            position=index + 1,
            total=len(items),
            display=item.display,
            line=entry.line,
            where="; ".join(entry.extracted_comments),
            state=state_of(entry),
            source=entry.msgid,
            previous_source=entry.previous_msgid,
            translation=entry.translated_text,
            findings=tuple(_sorted_findings(check(entry, language))),
            notice=notice,
        )
        notice = ""
        terminal.show(render_entry(view, terminal.width()))
        key = terminal.key()
        try:
            if key == "a":
                if not entry.translated_text:
                    notice = "nothing to approve: the translation is empty"
                    continue
                apply_change(config, item, entry, approve_entry)
                summary.approved.add(index)
                index += 1
            elif key == "e":
                context = _editor_context(view)
                text = terminal.edit_text(entry.translated_text, context)
                shown = visible(entry.translated_text, keep=EDITABLE_CONTROLS)
                if text is None or text in (entry.translated_text, shown):
                    notice = "edit cancelled: translation unchanged"
                    continue
                apply_change(config, item, entry, _setter(text))
                summary.edited.add(index)
                notice = "saved; press a to approve"
            elif key in ("s", " ", "n"):
                summary.skipped.add(index)
                index += 1
            elif key == "b":
                if index == 0:
                    notice = "this is the first entry"
                index = max(0, index - 1)
            elif key in ("q", ""):
                return summary
            else:
                notice = f"unknown key {key!r}"
        except (ReviewConflictError, LockError) as error:
            notice = f"not saved: {error.message}"
    summary.finished = True
    return summary


def _setter(text: str) -> Callable[[Entry], None]:
    return lambda entry: edit_entry(entry, text)


def _editor_context(view: EntryView) -> str:
    lines = [f"{view.display}:{view.line}", "English:", view.source]
    if view.previous_source is not None and view.previous_source != view.source:
        lines += ["Changed from:", view.previous_source]
    for finding in view.findings:
        lines.append(f"{finding.severity.value}: {finding.check}: {finding.message}")
    return visible("\n".join(lines))  # the editor shows the context; only the translation is raw


def editor_file_text(current: str, context: str) -> str:
    """What the editor opens: the translation first, the English below a marker line.

    Control characters other than tab and newline are shown (␛), in the translation too, so no
    editor or pager passes them to the terminal; given back unchanged, it counts as unchanged.
    """
    commented = "\n".join(f"# {line}".rstrip() for line in visible(context).split("\n"))
    return f"{visible(current, keep=EDITABLE_CONTROLS)}\n\n{EDITOR_MARKER}\n{commented}\n"


def parse_editor_text(text: str, multiline: bool) -> str | None:
    """The translation from an edited file; None when it is left empty (cancel)."""
    kept = text.split(EDITOR_MARKER, 1)[0]
    result = kept.strip("\n").rstrip() if multiline else " ".join(kept.split())
    return result or None


class Terminal:
    """The real terminal: clears the screen, reads single keys (cbreak), runs $EDITOR.

    Falls back to line input when stdin is not a terminal, so the loop also runs from a pipe.
    """

    def __init__(self, stdin: TextIO, stdout: TextIO, editor: str | None = None) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.editor = editor
        self.interactive = stdin.isatty() and stdout.isatty()

    def width(self) -> int:
        return min(shutil.get_terminal_size((80, 24)).columns, 100) - 1

    def show(self, screen: str) -> None:
        if self.interactive:
            self.stdout.write("\x1b[H\x1b[2J")
        self.stdout.write(visible(screen) + "\n")  # the only escape sent is the clear above
        self.stdout.flush()

    def key(self) -> str:
        if not self.interactive:
            line = self.stdin.readline()
            return line.strip()[:1].lower() if line else ""
        with self._cbreak():
            data = os.read(self.stdin.fileno(), 16)
        if not data or data in (b"\x04",):
            return ""
        return data.decode("utf-8", "replace")[:1].lower()

    @contextlib.contextmanager
    def _cbreak(self) -> Iterator[None]:
        import termios
        import tty

        fd = self.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            yield
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    def edit_text(self, current: str, context: str) -> str | None:
        """The new translation from $EDITOR, or from the prompt when there is none.

        An editor that cannot be started (missing, not executable, an unbalanced quote in
        $EDITOR) is reported once; the review goes on with the prompt for the rest of the run.
        """
        multiline = "\n" in current
        if self.editor:
            try:
                return self._run_editor(current, context, multiline)
            except (OSError, ValueError) as error:
                reason = error.strerror if isinstance(error, OSError) else str(error)
                self.stdout.write(
                    f"cannot start the editor {self.editor!r}: {reason}; "
                    "type the translation here instead\n"
                )
                self.stdout.flush()
                self.editor = None
        return self._prompt(current)

    def _run_editor(self, current: str, context: str, multiline: bool) -> str | None:
        assert self.editor is not None
        command = shlex.split(self.editor)  # ValueError on an unbalanced quote
        if not command:
            raise ValueError("$EDITOR is empty")
        fd, name = tempfile.mkstemp(prefix="pipeline-review-", suffix=".txt")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(editor_file_text(current, context))
            result = subprocess.run([*command, name], check=False)
            if result.returncode != 0:
                return None
            with open(name, "rb") as handle:
                raw = handle.read()
            try:
                return parse_editor_text(raw.decode("utf-8"), multiline)
            except UnicodeDecodeError:
                self.stdout.write("the edited text is not UTF-8; translation unchanged\n")
                return None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    def _prompt(self, current: str) -> str | None:
        prompt = "edit the translation and press Enter (an empty line keeps the old one):\n> "
        if not self.interactive:
            self.stdout.write(prompt)
            self.stdout.flush()
            line = self.stdin.readline()
            return " ".join(line.split()) or None
        try:
            import readline

            # One line, as the answer will be; controls shown, never sent to the terminal.
            shown = " ".join(visible(current, keep=EDITABLE_CONTROLS).split())
            readline.set_startup_hook(lambda: readline.insert_text(shown))
        except ImportError:
            readline = None  # type: ignore[assignment]
        try:
            line = input(prompt)
        except EOFError:
            return None
        finally:
            if readline is not None:
                readline.set_startup_hook(None)
        return " ".join(line.split()) or None


# --- the bilingual HTML report -------------------------------------------------------------------

STATE_COLOURS = {
    State.UNTRANSLATED: "#f3f3f3",
    State.MACHINE: "#fde8e8",
    State.EDITED: "#fff4d6",
    State.STALE: "#efe3fb",
    State.REVIEWED: "#e3f5e6",
}
_BAR_COLOURS = {
    State.UNTRANSLATED: "#bbbbbb",
    State.MACHINE: "#e06c6c",
    State.EDITED: "#e0a530",
    State.STALE: "#9b6bd1",
    State.REVIEWED: "#3c9c4e",
}


@dataclass(frozen=True)
class ReportRow:
    """One entry of the report."""

    display: str
    line: int
    references: tuple[str, ...]
    state: State
    source: str
    previous_source: str | None
    translation: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ReportSection:
    """One document of the report: its rows and the findings that concern the whole file."""

    document: str
    display: str
    rows: tuple[ReportRow, ...]
    file_findings: tuple[Finding, ...] = ()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _diff_html(old: str, new: str) -> str:
    parts = []
    for kind, text in diff_ops(old, new):
        if kind == "equal":
            parts.append(_e(text))
        elif kind == "delete":
            parts.append(f"<del>{_e(text)}</del>")
        else:
            parts.append(f"<ins>{_e(text)}</ins>")
    return "".join(parts)


def _findings_html(findings: Sequence[Finding], with_line: bool = False) -> str:
    if not findings:
        return ""
    items = "".join(
        f'<li class="{_e(f.severity.value)}"><b>{_e(f.severity.value)}</b> '
        + (f"line {f.line}: " if with_line and f.line else "")
        + f"{_e(f.check)}: {_e(f.message)}</li>"
        for f in findings
    )
    return f'<ul class="findings">{items}</ul>'


_REPORT_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;line-height:1.4}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
.bar{display:flex;height:1.1rem;border:1px solid #999;max-width:40rem}
.bar span{display:block;height:100%}
.legend label{margin-right:1rem;white-space:nowrap}
.legend i{display:inline-block;width:.9rem;height:.9rem;border:1px solid #999;
vertical-align:middle;margin-right:.2rem}
table{border-collapse:collapse;width:100%;margin-top:.5rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#fafafa}td.ref{font-size:.8rem;color:#555;white-space:nowrap}
td.state{font-size:.8rem;white-space:nowrap}
del{background:#f8c8c8;text-decoration:line-through}ins{background:#c8f0c8;text-decoration:none}
.findings{margin:.4rem 0 0;padding-left:1.1rem;font-size:.85rem}
.findings .error{color:#a00}.findings .warning{color:#8a5a00}.findings .info{color:#555}
.was{font-size:.85rem;color:#444;margin-bottom:.3rem}
tr.hidden{display:none}
"""

_REPORT_JS = """
(function(){
  var boxes=document.querySelectorAll('input[data-filter]');
  var only=document.getElementById('only-findings');
  var wanted=/^#states=([a-z,]*)$/.exec(location.hash);
  if(wanted){
    var keep=wanted[1].split(',');
    boxes.forEach(function(b){b.checked=keep.indexOf(b.getAttribute('data-filter'))>=0;});
  }
  function apply(){
    var shown={};
    boxes.forEach(function(b){shown[b.getAttribute('data-filter')]=b.checked;});
    document.querySelectorAll('tr[data-state]').forEach(function(r){
      var ok=shown[r.getAttribute('data-state')];
      if(only.checked&&r.getAttribute('data-findings')==='0'){ok=false;}
      r.classList.toggle('hidden',!ok);
    });
  }
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  only.addEventListener('change',apply);
  apply();
})();
"""


def render_report(language: str, sections: Sequence[ReportSection]) -> str:
    """The bilingual review page: self-contained HTML, every text escaped. Pure."""
    name = language_name(language)
    counts = dict.fromkeys(STATES, 0)
    for section in sections:
        for row in section.rows:
            counts[row.state] += 1
    total = sum(counts.values())
    reviewed = counts[State.REVIEWED] / total if total else 0.0
    bar = "".join(
        f'<span style="width:{100 * counts[s] / total:.2f}%;background:{_BAR_COLOURS[s]}" '
        f'title="{s.value}: {counts[s]}"></span>'
        for s in STATES
        if total and counts[s]
    )
    filters = "".join(
        f'<label><input type="checkbox" data-filter="{s.value}" checked> '
        f'<i style="background:{STATE_COLOURS[s]}"></i>{s.value} ({counts[s]})</label>'
        for s in STATES
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Review: English → {_e(name)} ({_e(language)})</title>",
        f"<style>{_REPORT_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>Review: English → {_e(name)} ({_e(language)})</h1>",
        f"<p>{counts[State.REVIEWED]} of {total} entries reviewed ({percent(reviewed)}).</p>",
        f'<div class="bar" role="img" aria-label="reviewed {percent(reviewed)}">{bar}</div>',
        f'<p class="legend">Show: {filters}'
        '<label><input type="checkbox" id="only-findings"> only entries with findings</label></p>',
        "<p>To send a correction, quote the file and line in the first column of the entry "
        "and the corrected text. A link ending in <code>#states=machine,stale</code> opens the "
        "page with only those states shown.</p>",
    ]
    for section in sections:
        out.append(f"<h2>{_e(section.document)} <small>({_e(section.display)})</small></h2>")
        if section.file_findings:
            out.append(_findings_html(section.file_findings, with_line=True))
        out.append(
            "<table><thead><tr><th>entry</th><th>state</th><th>English</th>"
            f"<th>{_e(name)}</th></tr></thead><tbody>"
        )
        for row in section.rows:
            source = _e(row.source)
            if row.previous_source is not None and row.previous_source != row.source:
                source = (
                    f'<div class="was">changed: {_diff_html(row.previous_source, row.source)}'
                    f"</div>{source}"
                )
            where = f"{_e(row.display)}:{row.line}"
            refs = "<br>".join(_e(ref) for ref in row.references)
            translation = _e(row.translation) if row.translation else "<i>(untranslated)</i>"
            out.append(
                f'<tr data-state="{row.state.value}" data-findings="{len(row.findings)}" '
                f'style="background:{STATE_COLOURS[row.state]}">'
                f'<td class="ref">{where}<br>{refs}</td>'
                f'<td class="state">{row.state.value}</td>'
                f'<td lang="en">{source}</td>'
                f'<td lang="{_e(language)}">{translation}{_findings_html(row.findings)}</td></tr>'
            )
        out.append("</tbody></table>")
    out += [f"<script>{_REPORT_JS}</script>", "</body>", "</html>", ""]
    return "\n".join(out)


def report_sections(
    config: Config, language: str, documents: Sequence[str] = ()
) -> list[ReportSection]:
    """Read each catalog of the language and its findings into report sections."""
    from .checks import check_catalog, load_glossary, msgfmt_findings

    gpath = glossary_path(config)
    glossary = load_glossary(gpath) if gpath.exists() else None
    sections: list[ReportSection] = []
    for document in _pick_documents(config, [language], documents):
        path = po_file(config, language, document)
        if not path.exists():
            continue
        shown = config.relative(path)
        catalog = read_language_catalog(config, language, document)
        by_line: dict[int, list[Finding]] = {}
        for finding in check_catalog(catalog, language, glossary=glossary, display=shown):
            by_line.setdefault(finding.line, []).append(finding)
        rows = [
            ReportRow(
                display=shown,
                line=entry.line,
                references=tuple(entry.references),
                state=state_of(entry),
                source=entry.msgid,
                previous_source=entry.previous_msgid,
                translation=entry.translated_text,
                findings=tuple(_sorted_findings(by_line.get(entry.line, []))),
            )
            for entry in catalog.active()
            if entry.msgid
        ]
        file_findings = tuple(_sorted_findings(msgfmt_findings(path, shown)))
        sections.append(ReportSection(document, shown, tuple(rows), file_findings))
    return sections


def report_path(config: Config, language: str) -> Path:
    return config.output_dir / "review" / f"{language}.html"


def write_report(config: Config, language: str, documents: Sequence[str] = ()) -> Path:
    """Write output/review/<lang>.html atomically; returns its path."""
    sections = report_sections(config, language, documents)
    path = report_path(config, language)
    write_atomic(path, render_report(language, sections).encode("utf-8"))
    return path
