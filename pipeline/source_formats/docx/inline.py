"""The inline notation of DOCX msgids: formatted runs as readable tags. Pure (no XML, no I/O).

A sentence's text in the paragraph's own formatting is plain; a run with other formatting is a
tag named after what it adds (``<b>``, ``<i>``, ``<u>``, combinations like ``<bi>``, ``<s>`` for
anything else), a hyperlink is ``<a1>``, ``<a2>``, …, a line break ``<br/>`` and anything that
is not text (a picture, a field, a footnote mark) ``<x1/>``, ``<x2/>``, …. A literal ``<`` that
would read as a tag is written ``&lt;`` (and a literal ``&lt;`` gets one more ``amp;``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ...model import Severity
from .. import placeholders

TAG = re.compile(r"<(/?)([a-z]+\d*)>|<([a-z]+\d*)/>")
_LT = re.compile(r"&((?:amp;)*)lt;")
BREAK = "br"


def escape(text: str) -> str:
    """Literal text for a msgid: nothing in it may read as a tag."""
    text = _LT.sub(lambda m: "&amp;" + m.group(1) + "lt;", text)
    return TAG.sub(lambda m: "&lt;" + m.group(0)[1:], text)


def unescape(text: str) -> str:
    """The inverse of `escape`."""
    return _LT.sub(lambda m: "&" + m.group(1)[4:] + "lt;" if m.group(1) else "<", text)


def tokens(text: str) -> list[tuple[str, str]]:
    """A tagged text as (kind, value) pairs: ("text", unescaped), ("open"|"close"|"empty", name)."""
    out: list[tuple[str, str]] = []
    cursor = 0
    for match in TAG.finditer(text):
        if match.start() > cursor:
            out.append(("text", unescape(text[cursor : match.start()])))
        if match.group(3):
            out.append(("empty", match.group(3)))
        else:
            out.append(("close" if match.group(1) else "open", match.group(2)))
        cursor = match.end()
    if cursor < len(text):
        out.append(("text", unescape(text[cursor:])))
    return out


def plain(text: str) -> str:
    """A tagged text without its tags: what the plain-text edition shows."""
    return "".join(
        value if kind == "text" else ("\n" if value == BREAK else "")
        for kind, value in tokens(text)
    )


def protect(msgid: str) -> tuple[str, list[str]]:
    """Tags (and escaped ``<``) replaced by numeric placeholders 7001, 7002, … (adjacent tags are
    one placeholder); a number of the text that contains a placeholder's digits is protected too."""
    found_tags = [*TAG.finditer(msgid), *_LT.finditer(msgid)]
    return placeholders.protect(msgid, [(m.start(), m.end()) for m in found_tags])


def restore(translated: str, found: Sequence[str]) -> str:
    """Machine output with the tags of `protect` back where the engine left their placeholders."""
    return placeholders.restore(translated, found)


def findings(source: str, translation: str) -> list[tuple[Severity, str]]:
    """How a translation's tags differ from its msgid's: a lost or added link is an error (the
    edition would lose or invent a target); other formatting, breaks and objects are warnings
    (an object the translation lost is put back at the end of its sentence)."""
    if not translation:
        return []
    before, after = _tag_counts(source), _tag_counts(translation)
    found: list[tuple[Severity, str]] = []
    for name in sorted(set(before) | set(after)):
        if before[name] == after[name]:
            continue
        severity = Severity.ERROR if re.fullmatch(r"a\d+", name) else Severity.WARNING
        shown = f"<{name}/>" if name == BREAK or name.startswith("x") else f"<{name}>…</{name}>"
        verb = "lost" if after[name] < before[name] else "added"
        found.append(
            (
                severity,
                f"{verb} {shown}: {before[name]} in the source, {after[name]} in the translation",
            )
        )
    if not _balanced(translation):
        found.append((Severity.WARNING, "unbalanced tags: a <…> has no matching </…>"))
    return found


def _tag_counts(text: str) -> Counter[str]:
    return Counter(value for kind, value in tokens(text) if kind in ("open", "empty"))


def _balanced(text: str) -> bool:
    stack: list[str] = []
    for kind, value in tokens(text):
        if kind == "open":
            stack.append(value)
        elif kind == "close" and (not stack or stack.pop() != value):
            return False
    return not stack
