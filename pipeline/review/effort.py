"""Post-editing effort: how much reviewers changed the machine output (edit rate, chrF2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..catalog import machine_mark, output_hash, state_of
from ..config import Config
from ..layout import po_path
from ..model import Catalog, Entry, State
from .catalogs import pick_documents, read_language_catalog


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
        for document in pick_documents(config, languages, documents):
            path = po_path(config, language, document)
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
    """A lookup into the SQLite MT cache (`pipeline.mt_cache`), or None when there is no cache yet.

    The cache imports no engine, so this keeps `status --json` fast.
    """
    from ..mt_cache import open_cache_for_lookup

    return open_cache_for_lookup(config)
