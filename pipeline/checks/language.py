"""The `unchanged`, `script`, `language` and `english` checks: is it translated, and into what."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Severity
from .glossary import Term
from .languages import _Language
from .text import _is_cyrillic, _is_latin, _is_name, _Issue, _words
from .typography import _final

UNTRANSLATED_RUN = 4  # this many lowercase source words in a row, unchanged, in the translation


def _check_unchanged(src: str, terms: Iterable[Term]) -> list[_Issue]:
    """Output equal to the source, when the source has two ordinary words.

    Ordinary: in lowercase, or capitalised in a sentence (`Press Alarms.`). Names (`Michael Hill`),
    title-case labels, identifiers (`DocBook`, `XML`) and glossary terms are often rightly kept.
    """
    kept = {word.lower() for term in terms for word in _words(term.english)}
    sentence = _final(src).endswith((".", "!", "?", "…"))

    def ordinary(word: str) -> bool:
        if len(word) < 2 or word.lower() in kept:
            return False
        return word.islower() or (sentence and word[0].isupper() and word[1:].islower())

    ordinary_words = [word for word in _words(src) if ordinary(word)]
    if len(ordinary_words) < 2:
        return []
    return [_Issue("unchanged", Severity.ERROR, "translation is the English source unchanged")]


# script and language -----------------------------------------------------------------------------


def _check_script(
    src: str, tgt: str, info: _Language, terms: Iterable[Term], language: str
) -> list[_Issue]:
    """Cyrillic for ru/uk, Latin for cs/sk; letters that only the neighbour language uses."""
    # Words copied from the source and glossary forms may be in any script; a run of copied
    # English is the `english` check's business.
    kept = {word.lower() for word in _words(src)}
    for term in terms:
        for form in (term.english, *term.expected(language)):
            kept.update(word.lower() for word in _words(form))
    words = [word for word in _words(tgt) if word.lower() not in kept]
    issues: list[_Issue] = []
    mixed = [w for w in words if any(map(_is_cyrillic, w)) and any(map(_is_latin, w))]
    if mixed:
        issues.append(
            _Issue("script", Severity.ERROR, f"Latin and Cyrillic letters mixed in {mixed[0]!r}")
        )
    letters = "".join(word for word in words if word not in mixed)
    cyrillic = sum(map(_is_cyrillic, letters))
    latin = sum(map(_is_latin, letters))
    if info.cyrillic and latin > cyrillic:
        issues.append(
            _Issue("script", Severity.ERROR, f"mostly Latin letters; {info.name} is Cyrillic")
        )
    elif not info.cyrillic and cyrillic:
        example = next(w for w in words if any(map(_is_cyrillic, w)))
        issues.append(
            _Issue("script", Severity.ERROR, f"Cyrillic letters in {info.name} ({example!r})")
        )
    lowered = letters.lower()
    foreign = sorted({c for c in lowered if c in info.foreign})
    if foreign:
        shown = " ".join(foreign)
        if any(c in info.own for c in lowered):
            message = f"{info.foreign_name} letters ({shown}) in {info.name}"
            issues.append(_Issue("language", Severity.WARNING, message))
        else:
            message = f"probably {info.foreign_name}, not {info.name}: it has {shown}"
            issues.append(_Issue("language", Severity.ERROR, message))
    return issues


def _check_english(src: str, tgt: str, info: _Language) -> list[_Issue]:
    """A run of ordinary English words copied into the translation (a sentence left half done)."""
    source = [w.lower() for w in _words(src)]
    target = [w.lower() for w in _words(tgt)]
    ordinary = {w.lower() for w in _words(src) if not _is_name(w) and len(w) >= 2}
    best = _longest_common_run(source, target, ordinary)
    if len(best) < UNTRANSLATED_RUN:
        return []
    fragment = " ".join(best)
    return [_Issue("english", Severity.WARNING, f"English left in the {info.name}: {fragment!r}")]


def _longest_common_run(source: list[str], target: list[str], allowed: set[str]) -> list[str]:
    """The longest run of `allowed` words that `target` and `source` share (the first in `target`
    on a tie), in time linear in their lengths: a suffix automaton of `source`, walked by
    `target`. (The plain double loop over both lists is cubic on a long unit.)"""
    ids: dict[str, int] = {}
    # Each state: outgoing transitions, suffix link, length of its longest string.
    edges: list[dict[int, int]] = [{}]
    links, lengths = [-1], [0]
    last = 0
    for position, word in enumerate(source):
        # A word outside every run gets a code of its own that the target never has.
        code = ids.setdefault(word, len(ids)) if word in allowed else -2 - position
        state = len(edges)
        edges.append({})
        links.append(0)
        lengths.append(lengths[last] + 1)
        walk = last
        while walk != -1 and code not in edges[walk]:
            edges[walk][code] = state
            walk = links[walk]
        if walk != -1:
            other = edges[walk][code]
            if lengths[walk] + 1 == lengths[other]:
                links[state] = other
            else:
                clone = len(edges)
                edges.append(dict(edges[other]))
                links.append(links[other])
                lengths.append(lengths[walk] + 1)
                while walk != -1 and edges[walk].get(code) == other:
                    edges[walk][code] = clone
                    walk = links[walk]
                links[other] = links[state] = clone
        last = state
    best_end = best_length = 0
    state = length = 0
    for index, word in enumerate(target):
        code = ids.get(word, -1) if word in allowed else -1
        while state and code not in edges[state]:
            state = links[state]
            length = lengths[state]
        if code in edges[state]:
            state = edges[state][code]
            length += 1
        else:
            state = length = 0
        if length > best_length:
            best_end, best_length = index + 1, length
    return target[best_end - best_length : best_end]
