"""`pipeline status`: units and source words in each review state, as a table or as JSON.

`entry_words` is the one word count: `pipeline status` and the run report both use it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..catalog import state_of
from ..config import Config
from ..layout import po_path
from ..memory import memory_origin
from ..model import Catalog, Entry, State
from .catalogs import load_language_catalog, pick_documents
from .effort import summarise_effort

STATES: tuple[State, ...] = (
    State.UNTRANSLATED,
    State.MACHINE,
    State.EDITED,
    State.STALE,
    State.REVIEWED,
)
MEMORY_COUNTS = ("units", "words", "to_review")
_WORD = re.compile(r"\w+(?:[-'’.,]\w+)*")


def count_words(text: str) -> int:
    """Words of an English source text, the unit translators are paid and planned by."""
    return len(_WORD.findall(text))


def entry_words(entry: Entry) -> int:
    """Source words of one entry (its msgid, and its plural if it has one): the one word count
    that `pipeline status` and the run report both give."""
    return count_words(
        entry.msgid if entry.msgid_plural is None else f"{entry.msgid} {entry.msgid_plural}"
    )


@dataclass
class CatalogStatus:
    """Units and source words in each review state for one document in one language."""

    document: str
    language: str
    path: str
    exists: bool = True
    units: dict[State, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    words: dict[State, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    memory: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEMORY_COUNTS, 0))
    """Units filled from the translation memory (`# tm:`): all, their words, and those still to
    review (fuzzy; their state is edited, or stale once the English changed)."""

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
        for key in MEMORY_COUNTS:
            self.memory[key] += other.memory[key]

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
            "memory": dict(self.memory),
        }


def catalog_status(catalog: Catalog, document: str, language: str, path: str) -> CatalogStatus:
    """Count the active entries of a catalog by state. Pure."""
    status = CatalogStatus(document, language, path, exists=not path.endswith(".pot"))
    for entry in catalog.active():
        if entry.msgid == "" and entry.msgctxt is None:
            continue
        state = state_of(entry)
        status.units[state] += 1
        status.words[state] += entry_words(entry)
        if memory_origin(entry) is not None:
            status.memory["units"] += 1
            status.memory["words"] += entry_words(entry)
            status.memory["to_review"] += int(state is not State.REVIEWED)
    return status


def collect_status(
    config: Config, languages: Sequence[str], documents: Sequence[str] = ()
) -> list[CatalogStatus]:
    """Status of every document in every language, read from the PO files (or templates)."""
    rows: list[CatalogStatus] = []
    for document in pick_documents(config, languages, documents):
        for language in languages:
            path = po_path(config, language, document)
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
        if sums.memory["units"]:
            lines.append(
                f"        from translation memory: {sums.memory['units']} units, "
                f"{sums.memory['to_review']} still to review"
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
