"""Fill a catalog with machine translation: which entries may be written, the cache, the guards.

Works on `Catalog` values; the engine and the cache come in as arguments, so tests can hand it a
fake engine or a real Argos one. The pipeline's rule: fill empty entries, refresh its own untouched
machine output when the model or the source changed, and never write over a person's work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from .catalog import machine_mark, output_hash, set_machine_output
from .engines import Engine, EngineOutput
from .errors import ModelError
from .model import Catalog, Entry
from .mt_cache import CacheKey, TranslationCache

if TYPE_CHECKING:
    from .keep_terms import KeepTerms
    from .source_formats import SourceFormat

REASONS = ("cut_short", "empty", "unchanged", "repeated")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")


class Action(StrEnum):
    FILL = "fill"
    REFRESH = "refresh"


@dataclass
class MachineReport:
    """What one catalog got: counts of entries (units), except engine_calls (distinct texts)."""

    filled: int = 0
    refreshed: int = 0
    from_cache: int = 0
    engine_calls: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    plural_skipped: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "filled": self.filled,
            "refreshed": self.refreshed,
            "from_cache": self.from_cache,
            "engine_calls": self.engine_calls,
            "rejected": dict(self.rejected),
            "plural_skipped": self.plural_skipped,
        }


def is_untouched_machine_output(entry: Entry) -> bool:
    """Fuzzy, with a `# mt:` comment whose hash still matches the msgstr: nobody edited it."""
    mark = machine_mark(entry)
    return (
        mark is not None
        and entry.fuzzy
        and bool(entry.msgstr)
        and mark[3] == output_hash(entry.msgstr)
    )


def action_for(entry: Entry, engine: Engine) -> Action | None:
    """What the machine may do with an entry; None means leave it exactly as it is.

    Reviewed entries (not fuzzy), edited ones (hash mismatch) and a person's fuzzy entries (no
    `# mt:`) are never touched; plural entries are left to people.
    """
    if entry.obsolete or not entry.msgid or entry.msgid_plural is not None:
        return None
    if not entry.msgstr:
        return Action.FILL
    if not is_untouched_machine_output(entry):
        return None
    if entry.previous_msgid is not None:
        return Action.REFRESH  # the English changed since the machine translated it
    mark = machine_mark(entry)
    current = (engine.name, engine.model, engine.version)
    if mark is not None and mark[:3] != current:
        return Action.REFRESH
    return None


def pending(catalog: Catalog, engine: Engine) -> list[tuple[Entry, Action]]:
    """Entries this engine would write, in catalog order."""
    found = []
    for entry in catalog.entries:
        action = action_for(entry, engine)
        if action is not None:
            found.append((entry, action))
    return found


# --- quality guards ------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    parts = [part.strip().casefold() for part in _SENTENCE_BREAK.split(text)]
    return [part for part in parts if _WORD.search(part)]


def _repeats(sentences: list[str]) -> int:
    return len(sentences) - len(set(sentences))


def rejection(source: str, output: EngineOutput) -> str | None:
    """Why a machine output must not be written, or None when it may be.

    - cut_short: the engine stopped at its length limit, so the end of the unit is missing;
    - empty: nothing came back for a non-empty source;
    - unchanged: the output is the source itself although the source has words (a model that
      did not translate); numbers, codes and all-capital names may stay as they are;
    - repeated: a sentence occurs more often in the output than sentences repeat in the source
      (the usual way neural MT loops).
    """
    if output.cut_short:
        return "cut_short"
    if not output.text.strip():
        return "empty" if source.strip() else None
    if (
        output.text.strip() == source.strip()
        and _WORD.search(source)
        and any(char.islower() for char in source)
    ):
        return "unchanged"
    if _repeats(_sentences(output.text)) > _repeats(_sentences(source)):
        return "repeated"
    return None


# --- the run -------------------------------------------------------------------------------------


def _checked_outputs(engine: Engine, values: list[object], expected: int) -> list[EngineOutput]:
    outputs: list[EngineOutput] = []
    for value in values:
        output = EngineOutput(value) if isinstance(value, str) else value
        if not isinstance(output, EngineOutput):
            raise ModelError(
                f"engine {engine.name} returned something other than EngineOutput values"
            )
        outputs.append(output)
    if len(outputs) != expected:
        raise ModelError(
            f"engine {engine.name} returned {len(outputs)} translations for {expected} units"
        )
    return outputs


def _batches_of_outputs(
    engine: Engine, texts: list[str], batch_size: int, source_format: SourceFormat | None
) -> Iterator[tuple[list[str], list[EngineOutput]]]:
    """(texts, their outputs) batch by batch, the source format's inline markup swapped for
    placeholders on the way in and back out (`SourceFormat.protect` and `restore`).

    An engine with the optional method ``translate_stream(texts)`` gets every text in one call
    and hands back (indices, outputs) pairs as they finish, in any order (the ``ray`` engine:
    results from a cluster); any other engine gets `translate` once per ``batch_size`` texts."""
    protected = [
        (text, []) if source_format is None else source_format.protect(text) for text in texts
    ]
    sent = [text for text, _ in protected]
    stream = getattr(engine, "translate_stream", None)
    arrivals: Iterable[tuple[Iterable[int], Iterable[object]]]
    if callable(stream):
        arrivals = stream(sent)
    else:
        size = max(1, batch_size)
        arrivals = (  # lazy: each batch reaches the engine only when the caller asks for it
            (
                range(start, min(start + size, len(sent))),
                engine.translate(sent[start : start + size]),
            )
            for start in range(0, len(sent), size)
        )
    for arrived, values in arrivals:
        indices = list(arrived)
        outputs = _checked_outputs(engine, list(values), len(indices))
        yield (
            [texts[index] for index in indices],
            [
                replace(output, text=source_format.restore(output.text, protected[index][1]))
                if source_format is not None and protected[index][1]
                else output
                for index, output in zip(indices, outputs, strict=True)
            ],
        )


def translate_catalog(
    catalog: Catalog,
    engine: Engine,
    cache: TranslationCache,
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
    on_batch_done: Callable[[], None] | None = None,
    source_format: SourceFormat | None = None,
    keep: KeepTerms | None = None,
    fresh: frozenset[str] = frozenset(),
) -> MachineReport:
    """Fill and refresh machine output in `catalog` (in place): cache first, engine for misses.

    ``fresh`` are texts `translate_ahead` sent to the engine earlier in this run: found in the
    cache, they still count as engine calls, not as units from the cache.

    The cache is committed after every engine batch, then `on_batch_done` runs (a caller may
    save the catalog there); a killed run therefore loses at most the batch in flight. `progress`
    gets entry counts that add up to ``len(catalog.entries)``. The catalog's source format (its
    document's) hides inline markup from the engine; without one, texts go to it as they are.
    The glossary's `keep` terms are hidden too, and the cache is keyed by the text the engine
    gets (an output cached without the protection is never reused for a protected text).
    """
    report = MachineReport()
    report.plural_skipped = sum(
        1
        for entry in catalog.entries
        if entry.msgid_plural is not None and not entry.obsolete and not entry.is_translated
    )
    work = pending(catalog, engine)
    if progress is not None and len(catalog.entries) > len(work):
        progress(len(catalog.entries) - len(work))
    by_text: dict[str, list[tuple[Entry, Action]]] = {}  # text sent to the engine → entries
    kept: dict[str, list[str]] = {}  # msgid → the terms its keep placeholders stand for
    for entry, action in work:
        text = entry.msgid
        if keep is not None:
            text, kept[entry.msgid] = keep.protect(entry.msgid)
        by_text.setdefault(text, []).append((entry, action))
    key = CacheKey.of(engine)

    def apply(text: str, sent: EngineOutput) -> int:
        targets = by_text[text]
        for entry, action in targets:
            tokens = kept.get(entry.msgid)
            output = (
                replace(sent, text=keep.restore(sent.text, tokens)) if keep and tokens else sent
            )
            reason = rejection(entry.msgid, output)
            if reason is not None:
                report.rejected[reason] = report.rejected.get(reason, 0) + 1
                continue
            set_machine_output(entry, output.text, engine.name, engine.model, engine.version)
            if action is Action.FILL:
                report.filled += 1
            else:
                report.refreshed += 1
        return len(targets)

    cached = cache.get_outputs(key, list(by_text))
    done = 0
    for text, output in cached.items():
        applied = apply(text, output)
        if text in fresh:
            report.engine_calls += 1  # translated by the engine in this run, ahead of the merge
        else:
            report.from_cache += applied
        done += applied
    if progress is not None and done:
        progress(done)
    misses = [text for text in by_text if text not in cached]
    for batch, outputs in _batches_of_outputs(engine, misses, batch_size, source_format):
        report.engine_calls += len(batch)
        cache.put_many(key, dict(zip(batch, outputs, strict=True)))
        done = sum(apply(text, output) for text, output in zip(batch, outputs, strict=True))
        if progress is not None and done:
            progress(done)
        if on_batch_done is not None:
            on_batch_done()
    return report


def translate_ahead(
    msgids: list[str],
    engine: Engine,
    cache: TranslationCache,
    *,
    batch_size: int = 64,
    source_format: SourceFormat | None = None,
    keep: KeepTerms | None = None,
    progress: Callable[[int], None] | None = None,
) -> frozenset[str]:
    """Put the engine's output for ``msgids`` missing from the cache into it, batch by batch,
    exactly as `translate_catalog` would (same protection, same cache key), so the later
    `translate_catalog` finds them there. Returns the texts sent to the engine (its ``fresh``).

    The build calls this for the units new in a template before it merges any catalog, so the
    engine starts at once instead of after every catalog is read and merged.
    """
    texts = list(dict.fromkeys(keep.protect(msgid)[0] if keep else msgid for msgid in msgids))
    key = CacheKey.of(engine)
    cached = cache.get_outputs(key, texts)
    misses = [text for text in texts if text not in cached]
    for batch, outputs in _batches_of_outputs(engine, misses, batch_size, source_format):
        cache.put_many(key, dict(zip(batch, outputs, strict=True)))
        if progress is not None:
            progress(len(batch))
    return frozenset(misses)
