"""What the terminal review and the HTML report both show: word diffs, language names, findings."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from ..model import Finding, Severity

_TOKEN = re.compile(r"\s+|\S+")


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


def confidence_text(score: float) -> str:
    """How review shows an engine's score: the length-normalised log-probability of its output
    (CTranslate2's), 0 being the surest."""
    return f"{score:.2f} (engine log-probability per token; nearer 0 is surer)"


def language_name(code: str) -> str:
    """English name of a language via Babel, or the code itself."""
    try:
        from babel import Locale

        name = Locale.parse(code).get_display_name("en")
    except (ValueError, TypeError, LookupError):
        return code
    return str(name) if name else code


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then information; by check name within each."""
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.check))
