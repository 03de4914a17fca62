"""The markup check: how a translation's inline markup differs from its source's. Pure."""

from __future__ import annotations

from collections import Counter

from ...model import Severity
from .markup import _inline_markup, _Markup, template_tags


def markup_findings(source: str, translation: str) -> list[tuple[Severity, str]]:
    """Differences between the inline markup of a msgid and its translation, with severities.

    A changed or lost URL, inline code or template tag is an error (the edition would break);
    emphasis, images and HTML tags are warnings.
    """
    if not translation:
        return []
    before = _inline_markup(source)
    after = _inline_markup(translation)
    found: list[tuple[Severity, str]] = []
    found += _compare(before.hrefs, after.hrefs, "link", "URL", Severity.ERROR)
    found += _compare(before.sources, after.sources, "image", "image URL", Severity.ERROR)
    found += _compare(before.code, after.code, "inline code", "inline code", Severity.ERROR)
    found += _compare(
        template_tags(source),
        template_tags(translation),
        "template tag",
        "template tag",
        Severity.ERROR,
    )
    found += _compare(before.html, after.html, "HTML tag", "HTML tag", Severity.WARNING)
    unmatched_before = before.delimiters - _matched(before)
    unmatched_after = after.delimiters - _matched(after)
    if unmatched_after > unmatched_before:
        found.append((Severity.WARNING, "unbalanced emphasis: a * or _ marker lost its partner"))
    for marker in sorted(set(before.emphasis) | set(after.emphasis)):
        if before.emphasis[marker] != after.emphasis[marker]:
            name = "strong emphasis" if len(marker) == 2 else "emphasis"
            found.append(
                (
                    Severity.WARNING,
                    f"{name} {marker}…{marker} differs: {before.emphasis[marker]} in the source, "
                    f"{after.emphasis[marker]} in the translation",
                )
            )
    return found


def _matched(markup: _Markup) -> int:
    return sum(len(marker) * count * 2 for marker, count in markup.emphasis.items())


def _compare(
    source: list[str], translation: list[str], thing: str, changed: str, severity: Severity
) -> list[tuple[Severity, str]]:
    missing = list((Counter(source) - Counter(translation)).elements())
    extra = list((Counter(translation) - Counter(source)).elements())
    found: list[tuple[Severity, str]] = []
    for old, new in zip(missing, extra, strict=False):
        found.append((severity, f"changed {changed}: {_short(old)} → {_short(new)}"))
    for old in missing[len(extra) :]:
        found.append((severity, f"lost {thing}: {_short(old)}"))
    for new in extra[len(missing) :]:
        found.append((severity, f"added {thing}: {_short(new)}"))
    return found


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markup_differences(source: str, translation: str) -> list[str]:
    """Messages for every inline markup difference (see `markup_findings` for severities)."""
    return [message for _, message in markup_findings(source, translation)]
