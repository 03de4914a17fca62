"""Skeleton + translations → edition text. Pure: takes values, returns strings."""

from __future__ import annotations

from collections.abc import Mapping

from .model import Document, State, Translation, Unit

# Which review states an edition may show, per publish policy; anything else falls back to English.
PUBLISHABLE: dict[str, frozenset[State]] = {
    "draft": frozenset({State.MACHINE, State.EDITED, State.STALE, State.REVIEWED}),
    "reviewed": frozenset({State.REVIEWED}),
}


def chosen_text(unit: Unit, translations: Mapping[str, Translation], policy: str) -> str | None:
    """The translation an edition shows for a unit, or None when it falls back to English."""
    found = translations.get(unit.msgid)
    if found is None or not found.text or found.state not in PUBLISHABLE[policy]:
        return None
    return found.text


def render_text(
    document: Document, translations: Mapping[str, Translation], policy: str = "draft"
) -> str:
    """The plain-text edition: the source's own layout with each unit replaced."""
    out: list[str] = []
    for block in document.blocks:
        out.append(block.prefix)
        for part in block.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                text = chosen_text(part, translations, policy)
                out.append(part.source_text if text is None else text)
        out.append(block.suffix)
    return "".join(out)
