"""The quality gate: error findings in reviewed entries, or about the file, fail a build.

Entries are told apart by (msgctxt, msgid): a reviewed context of a msgid must not make the
unreviewed context of the same msgid count, nor the other way round.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.catalog import read_catalog
from pipeline.checks.msgfmt import msgfmt_findings
from pipeline.gate import finding_counts, gate_failures
from pipeline.memo import FindingsMemo, check_with_memo
from pipeline.model import Finding, Severity

HEADER = """\
msgid ""
msgstr ""
"Project-Id-Version: gate\\n"
"Language: cs\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;\\n"

"""

# The same msgid in two contexts, both with a wrong number (an error finding): the first reviewed
# (not fuzzy), the second still awaiting review (fuzzy). A third entry without context is reviewed
# and clean.
CONTEXTS = """\
#: source/a.txt:1
msgctxt "receipt"
msgid "We paid 25 roubles."
msgstr "Zaplatili jsme 26 rublů."

#: source/a.txt:2
#, fuzzy
msgctxt "diary"
msgid "We paid 25 roubles."
msgstr "Zaplatili jsme 27 rublů."

#: source/a.txt:3
msgid "We paid 25 roubles."
msgstr "Zaplatili jsme 25 rublů."
"""


def _checked(tmp_path: Path, text: str) -> tuple[Path, list[Finding]]:
    po = tmp_path / "cs.po"
    po.write_text(HEADER + text, encoding="utf-8")
    catalog = read_catalog(po)
    memo = FindingsMemo(tmp_path / "findings.sqlite3", "cs", b"")
    try:
        findings = check_with_memo(catalog, "cs", memo, glossary=None, display="cs.po")
    finally:
        memo.close()
    return po, findings


def test_findings_carry_the_entry_context(tmp_path: Path) -> None:
    _, findings = _checked(tmp_path, CONTEXTS)
    found = {(f.msgctxt, f.msgid, f.check) for f in findings}
    assert ("receipt", "We paid 25 roubles.", "numbers") in found
    assert ("diary", "We paid 25 roubles.", "numbers") in found
    assert not any(f.msgctxt is None for f in findings)


def test_only_the_reviewed_context_fails_the_gate(tmp_path: Path) -> None:
    po, findings = _checked(tmp_path, CONTEXTS)
    catalog = read_catalog(po)
    failures = gate_failures(catalog, findings)
    receipt = next(entry for entry in catalog.entries if entry.msgctxt == "receipt")
    assert [(f.msgctxt, f.line) for f in failures] == [("receipt", receipt.line)]
    assert finding_counts(findings) == {"error": 2}


def test_the_unreviewed_context_alone_passes_the_gate(tmp_path: Path) -> None:
    unreviewed = CONTEXTS.replace('msgctxt "receipt"\nmsgid', '#, fuzzy\nmsgctxt "receipt"\nmsgid')
    po, findings = _checked(tmp_path, unreviewed)
    assert len(findings) == 2
    assert gate_failures(read_catalog(po), findings) == []


def test_a_finding_about_the_file_always_fails_the_gate(tmp_path: Path) -> None:
    po = tmp_path / "broken.po"
    # Reviewed, but msgfmt refuses it: a C format string whose translation drops the argument.
    po.write_text(HEADER + '#, c-format\nmsgid "%d roubles"\nmsgstr "rublů"\n', encoding="utf-8")
    findings = msgfmt_findings(po, "broken.po")
    assert findings and all(f.severity is Severity.ERROR and not f.msgid for f in findings)
    assert gate_failures(read_catalog(po), findings) == findings
