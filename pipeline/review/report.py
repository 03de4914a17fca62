"""`pipeline review LANG --report`: the self-contained bilingual HTML page for reviewers."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..catalog import state_of
from ..config import Config
from ..files import write_atomic
from ..layout import document_format, glossary_path, po_path, review_report_path
from ..memory import ProjectMemory, Suggestion
from ..model import Finding, State
from .catalogs import pick_documents, read_language_catalog
from .context import ParagraphContext, ParagraphFinder
from .display import confidence_text, diff_ops, language_name, sorted_findings
from .session import Scorer, by_confidence
from .status import STATES, percent

STATE_COLOURS = {
    State.UNTRANSLATED: "#f3f3f3",
    State.MACHINE: "#fde8e8",
    State.EDITED: "#fff4d6",
    State.STALE: "#efe3fb",
    State.REVIEWED: "#e3f5e6",
}
_BAR_COLOURS = {
    State.UNTRANSLATED: "#bbbbbb",
    State.MACHINE: "#e06c6c",
    State.EDITED: "#e0a530",
    State.STALE: "#9b6bd1",
    State.REVIEWED: "#3c9c4e",
}


@dataclass(frozen=True)
class ReportRow:
    """One entry of the report."""

    display: str
    line: int
    references: tuple[str, ...]
    state: State
    source: str
    previous_source: str | None
    translation: str
    findings: tuple[Finding, ...]
    score: float | None = None
    """The engine's score for the machine output, when the MT cache has it."""
    paragraph: ParagraphContext | None = None
    """The paragraph around the unit (English and current translations), when there is one."""
    suggestions: tuple[Suggestion, ...] = ()
    """Reviewed translations of similar English from the translation memory (never written)."""


@dataclass(frozen=True)
class ReportSection:
    """One document of the report: its rows and the findings that concern the whole file."""

    document: str
    display: str
    rows: tuple[ReportRow, ...]
    file_findings: tuple[Finding, ...] = ()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _diff_html(old: str, new: str) -> str:
    parts = []
    for kind, text in diff_ops(old, new):
        if kind == "equal":
            parts.append(_e(text))
        elif kind == "delete":
            parts.append(f"<del>{_e(text)}</del>")
        else:
            parts.append(f"<ins>{_e(text)}</ins>")
    return "".join(parts)


def _findings_html(findings: Sequence[Finding], with_line: bool = False) -> str:
    if not findings:
        return ""
    items = "".join(
        f'<li class="{_e(f.severity.value)}"><b>{_e(f.severity.value)}</b> '
        + (f"line {f.line}: " if with_line and f.line else "")
        + f"{_e(f.check)}: {_e(f.message)}</li>"
        for f in findings
    )
    return f'<ul class="findings">{items}</ul>'


def _suggestions_html(suggestions: Sequence[Suggestion], language: str) -> str:
    """The translation memory's suggestions under a translation: score, origin, both texts."""
    if not suggestions:
        return ""
    items = "".join(
        f"<li><small>{_e(percent(found.score))} from {_e(found.origin)}:</small> "
        f'<span lang="en">{_e(found.source)}</span> → '
        f'<span lang="{_e(language)}">{_e(found.translation)}</span></li>'
        for found in suggestions
    )
    return f'<ul class="tm" title="translation memory: similar reviewed units">{items}</ul>'


_REPORT_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;line-height:1.4}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
.bar{display:flex;height:1.1rem;border:1px solid #999;max-width:40rem}
.bar span{display:block;height:100%}
.legend label{margin-right:1rem;white-space:nowrap}
.legend i{display:inline-block;width:.9rem;height:.9rem;border:1px solid #999;
vertical-align:middle;margin-right:.2rem}
table{border-collapse:collapse;width:100%;margin-top:.5rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#fafafa}td.ref{font-size:.8rem;color:#555;white-space:nowrap}
td.state{font-size:.8rem;white-space:nowrap}
del{background:#f8c8c8;text-decoration:line-through}ins{background:#c8f0c8;text-decoration:none}
.findings{margin:.4rem 0 0;padding-left:1.1rem;font-size:.85rem}
.findings .error{color:#a00}.findings .warning{color:#8a5a00}.findings .info{color:#555}
.was{font-size:.85rem;color:#444;margin-bottom:.3rem}
tr.hidden{display:none}
.tm{margin:.4rem 0 0;padding-left:1.1rem;font-size:.85rem;color:#333}.tm small{color:#555}
.score{font-size:.75rem;color:#555}
details.para{margin-top:.4rem;font-size:.85rem;color:#333}
details.para p{margin:.3rem 0}details.para mark{background:#ffe98a}
"""

_REPORT_JS = """
(function(){
  var boxes=document.querySelectorAll('input[data-filter]');
  var only=document.getElementById('only-findings');
  var wanted=/^#states=([a-z,]*)$/.exec(location.hash);
  if(wanted){
    var keep=wanted[1].split(',');
    boxes.forEach(function(b){b.checked=keep.indexOf(b.getAttribute('data-filter'))>=0;});
  }
  function apply(){
    var shown={};
    boxes.forEach(function(b){shown[b.getAttribute('data-filter')]=b.checked;});
    document.querySelectorAll('tr[data-state]').forEach(function(r){
      var ok=shown[r.getAttribute('data-state')];
      if(only.checked&&r.getAttribute('data-findings')==='0'){ok=false;}
      r.classList.toggle('hidden',!ok);
    });
  }
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  only.addEventListener('change',apply);
  apply();
})();
"""


def _score_html(score: float | None) -> str:
    if score is None:
        return ""
    return f'<br><span class="score" title="{_e(confidence_text(score))}">score {score:.2f}</span>'


def _paragraph_html(paragraph: ParagraphContext | None, language: str) -> str:
    """The paragraph around a unit, folded: English, then the current translation (untranslated
    units as …), the unit itself highlighted. No script: a <details> element."""
    if paragraph is None:
        return ""
    english, translated = [], []
    for sentence in paragraph.sentences:
        text = sentence.translation if sentence.state is not State.UNTRANSLATED else ""
        pair = (_e(sentence.source), _e(text) if text else "…")
        if sentence.current:
            pair = (f"<mark>{pair[0]}</mark>", f"<mark>{pair[1]}</mark>")
        english.append(pair[0])
        translated.append(pair[1])
    return (
        f'<details class="para"><summary>paragraph ({len(paragraph.sentences)} units)</summary>'
        f'<p lang="en">{" ".join(english)}</p>'
        f'<p lang="{_e(language)}">{" ".join(translated)}</p></details>'
    )


def render_report(language: str, sections: Sequence[ReportSection], order: str = "file") -> str:
    """The bilingual review page: self-contained HTML, every text escaped. Pure."""
    name = language_name(language)
    counts = dict.fromkeys(STATES, 0)
    for section in sections:
        for row in section.rows:
            counts[row.state] += 1
    total = sum(counts.values())
    reviewed = counts[State.REVIEWED] / total if total else 0.0
    bar = "".join(
        f'<span style="width:{100 * counts[s] / total:.2f}%;background:{_BAR_COLOURS[s]}" '
        f'title="{s.value}: {counts[s]}"></span>'
        for s in STATES
        if total and counts[s]
    )
    filters = "".join(
        f'<label><input type="checkbox" data-filter="{s.value}" checked> '
        f'<i style="background:{STATE_COLOURS[s]}"></i>{s.value} ({counts[s]})</label>'
        for s in STATES
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Review: English → {_e(name)} ({_e(language)})</title>",
        f"<style>{_REPORT_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>Review: English → {_e(name)} ({_e(language)})</h1>",
        f"<p>{counts[State.REVIEWED]} of {total} entries reviewed ({percent(reviewed)}).</p>",
        f'<div class="bar" role="img" aria-label="reviewed {percent(reviewed)}">{bar}</div>',
        f'<p class="legend">Show: {filters}'
        '<label><input type="checkbox" id="only-findings"> only entries with findings</label></p>',
        "<p>To send a correction, quote the file and line in the first column of the entry "
        "and the corrected text. A link ending in <code>#states=machine,stale</code> opens the "
        "page with only those states shown.</p>",
    ]
    if order == "confidence":
        out.append(
            "<p>Entries are ordered by the engine's score, the least confident machine output "
            "first; entries without a score come last.</p>"
        )
    for section in sections:
        out.append(f"<h2>{_e(section.document)} <small>({_e(section.display)})</small></h2>")
        if section.file_findings:
            out.append(_findings_html(section.file_findings, with_line=True))
        out.append(
            "<table><thead><tr><th>entry</th><th>state</th><th>English</th>"
            f"<th>{_e(name)}</th></tr></thead><tbody>"
        )
        for row in section.rows:
            source = _e(row.source)
            if row.previous_source is not None and row.previous_source != row.source:
                source = (
                    f'<div class="was">changed: {_diff_html(row.previous_source, row.source)}'
                    f"</div>{source}"
                )
            where = f"{_e(row.display)}:{row.line}"
            refs = "<br>".join(_e(ref) for ref in row.references)
            translation = _e(row.translation) if row.translation else "<i>(untranslated)</i>"
            out.append(
                f'<tr data-state="{row.state.value}" data-findings="{len(row.findings)}" '
                + ("" if row.score is None else f'data-score="{row.score:.4f}" ')
                + f'style="background:{STATE_COLOURS[row.state]}">'
                f'<td class="ref">{where}<br>{refs}</td>'
                f'<td class="state">{row.state.value}{_score_html(row.score)}</td>'
                f'<td lang="en">{source}{_paragraph_html(row.paragraph, language)}</td>'
                f'<td lang="{_e(language)}">{translation}{_findings_html(row.findings)}'
                f"{_suggestions_html(row.suggestions, language)}</td></tr>"
            )
        out.append("</tbody></table>")
    out += [f"<script>{_REPORT_JS}</script>", "</body>", "</html>", ""]
    return "\n".join(out)


def report_sections(
    config: Config,
    language: str,
    documents: Sequence[str] = (),
    *,
    order: str = "file",
    scorer: Scorer | None = None,
) -> list[ReportSection]:
    """Read each catalog of the language and its findings into report sections; each row with
    its engine score (``scorer``) and its paragraph, sorted by score with order="confidence"."""
    from ..catalog import translations_of

    finder = ParagraphFinder(config)
    memory = ProjectMemory(config).of(language)
    from ..checks.catalog import check_catalog
    from ..checks.glossary import load_glossary
    from ..checks.msgfmt import msgfmt_findings

    gpath = glossary_path(config)
    glossary = load_glossary(gpath) if gpath.exists() else None
    sections: list[ReportSection] = []
    for document in pick_documents(config, [language], documents):
        path = po_path(config, language, document)
        if not path.exists():
            continue
        shown = config.relative(path)
        catalog = read_language_catalog(config, language, document)
        by_line: dict[int, list[Finding]] = {}
        source_format = document_format(config, document)
        found = check_catalog(
            catalog, language, glossary=glossary, display=shown, source_format=source_format
        )
        for finding in found:
            by_line.setdefault(finding.line, []).append(finding)
        translations = translations_of(catalog)
        similar = memory.similar  # suggestions for entries not yet reviewed; never written
        rows = [
            ReportRow(
                display=shown,
                line=entry.line,
                references=tuple(entry.references),
                state=state_of(entry),
                source=entry.msgid,
                previous_source=entry.previous_msgid,
                translation=entry.translated_text,
                findings=tuple(sorted_findings(by_line.get(entry.line, []))),
                score=scorer(entry) if scorer is not None else None,
                paragraph=finder.context(document, entry.msgid, translations),
                suggestions=()
                if state_of(entry) is State.REVIEWED
                else tuple(similar(entry.msgid)),
            )
            for entry in catalog.active()
            if entry.msgid
        ]
        if order == "confidence":
            rows = by_confidence(rows)
        file_findings = tuple(sorted_findings(msgfmt_findings(path, shown)))
        sections.append(ReportSection(document, shown, tuple(rows), file_findings))
    return sections


def write_report(
    config: Config,
    language: str,
    documents: Sequence[str] = (),
    *,
    order: str = "file",
    scorer: Scorer | None = None,
) -> Path:
    """Write output/review/<lang>.html atomically; returns its path."""
    sections = report_sections(config, language, documents, order=order, scorer=scorer)
    path = review_report_path(config, language)
    write_atomic(path, render_report(language, sections, order).encode("utf-8"))
    return path
