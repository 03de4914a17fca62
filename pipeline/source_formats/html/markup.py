"""Inline markup through machine translation (placeholders) and the markup check. Pure.

`protect` swaps every token of a msgid (tags, comments, whole ``<code>`` elements, entities,
template tags, bare URLs) for a number, 7001, 7002, …: digits survive what Argos does to text.
Adjacent tokens become one placeholder; a number of the text that contains a placeholder's digits
is protected too, so `restore` never mistakes it for one. `findings` compares the elements,
attributes, code, comments and template tags of a msgid and its translation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ...model import Severity
from .. import placeholders
from .inline import TEMPLATE, TOKEN
from .tree import is_comment, local, parse_fragment, serialize

_TEXT_ATTRIBUTES = ("alt", "title")
_URL_ATTRIBUTES = frozenset(("href", "src", "srcset", "cite", "action", "poster", "data"))


def protect(msgid: str) -> tuple[str, list[str]]:
    return placeholders.protect(msgid, [m.span() for m in TOKEN.finditer(msgid)])


def restore(translated: str, tokens: Sequence[str]) -> str:
    return placeholders.restore(translated, tokens)


def _inventory(text: str) -> dict[str, Counter[str]]:
    fragment = parse_fragment(text, "div")
    found: dict[str, Counter[str]] = {
        "element": Counter(),
        "URL": Counter(),
        "attribute": Counter(),
        "inline code": Counter(),
        "comment": Counter(),
        "template tag": Counter(TEMPLATE.findall(text)),
    }
    for node in fragment.iter():
        if node is fragment:
            continue
        if is_comment(node):
            found["comment"][node.text or ""] += 1
            continue
        name = local(node.tag)
        kept = " ".join(
            f'{key}="{value}"'
            for key, value in node.items()
            if key not in _TEXT_ATTRIBUTES and key not in _URL_ATTRIBUTES
        )
        found["element"][f"<{name}{' ' if kept else ''}{kept}>"] += 1
        for key, value in node.items():
            if key in _URL_ATTRIBUTES:
                found["URL"][value] += 1
            elif key in _TEXT_ATTRIBUTES:
                found["attribute"][f'{key}="{value}"'] += 1
        if name == "code":
            found["inline code"][serialize(node)] += 1
    return found


_SEVERITY = {"attribute": Severity.WARNING}


def findings(source: str, translation: str) -> list[tuple[Severity, str]]:
    """Lost, added or changed elements, attributes, URLs, code, comments and template tags.

    Everything but a translated ``alt``/``title`` inside the sentence is an error: the edition
    would change its structure. Those two are warnings (they are units of their own).
    """
    if not translation:
        return []
    before, after = _inventory(source), _inventory(translation)
    found: list[tuple[Severity, str]] = []
    for kind, counted in before.items():
        severity = _SEVERITY.get(kind, Severity.ERROR)
        missing = list((counted - after[kind]).elements())
        extra = list((after[kind] - counted).elements())
        for old, new in zip(missing, extra, strict=False):
            found.append((severity, f"changed {kind}: {_short(old)} → {_short(new)}"))
        for old in missing[len(extra) :]:
            found.append((severity, f"lost {kind}: {_short(old)}"))
        for new in extra[len(missing) :]:
            found.append((severity, f"added {kind}: {_short(new)}"))
    return found


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
