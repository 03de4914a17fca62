"""The quality gate: which findings fail a scheduled build. Pure.

Machine output is expected to have problems (that is what review is for), so only what a person
approved, and the file format itself, can fail the gate: an error-level finding in a reviewed
entry, or an error-level finding about the file (one that names no entry).
"""

from __future__ import annotations

from collections.abc import Iterable

from .catalog import state_of
from .model import Catalog, Finding, Severity, State


def finding_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """severity → number of findings."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    return counts


def gate_failures(catalog: Catalog, findings: Iterable[Finding]) -> list[Finding]:
    """The findings that fail the gate.

    Entries are told apart by (msgctxt, msgid): when one context of a msgid is reviewed and another
    is not, only the reviewed one's findings count.
    """
    reviewed = {entry.key for entry in catalog.entries if state_of(entry) is State.REVIEWED}
    return [
        finding
        for finding in findings
        if finding.severity is Severity.ERROR
        # Findings without a msgid are about the file itself (format): they always count.
        and (not finding.msgid or (finding.msgctxt, finding.msgid) in reviewed)
    ]
