"""output/index.html: every document and language, a link to each edition file, a bar of shares.

Pure, like `pipeline.assemble`, whose page frame and share formatting it shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from .assemble import (
    MACHINE,
    UNREVIEWED,
    UNTRANSLATED,
    Shares,
    escape_html,
    format_share,
    html_page,
    language_name,
)


@dataclass(frozen=True)
class IndexRow:
    """One document in one language on the index page; `files` are (href relative to it, the
    edition format's label) pairs."""

    document: str
    title: str
    language: str
    shares: Shares
    files: tuple[tuple[str, str], ...] = ()
    note: str = ""


INDEX_STYLESHEET = """\
html { font: 1rem/1.5 system-ui, sans-serif; color: #1b1b1b; background: #fff; }
body { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; }
tr { border-bottom: 1px solid #ddd; }
.bar { display: flex; height: 0.8rem; width: 12rem; border: 1px solid #888; background: #fff; }
.bar span { display: block; height: 100%; }
.key { display: inline-block; width: 0.8rem; height: 0.8rem; border: 1px solid #888; }
.reviewed { background: #2e7d32; }
.machine { background: #f2c200; }
.unreviewed { background: #5b8def; }
.untranslated { background: #e0e0e0; }
.note { color: #8a1c1c; }
small { color: #444; }
@media print { .bar, .key { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
"""

_INDEX_LABELS = {
    "reviewed": "reviewed",
    MACHINE: "machine translation",
    UNREVIEWED: "awaiting review",
    UNTRANSLATED: "not translated",
}


def _bar(shares: Shares) -> str:
    spans = "".join(
        f'<span class="{kind}" style="width: {shares.share(count) * 100:.2f}%"></span>'
        for kind, count in shares.parts()
        if count
    )
    summary = ", ".join(
        f"{format_share(shares.share(count), 'en')} {_INDEX_LABELS[kind]}"
        for kind, count in shares.parts()
        if count or kind == "reviewed"
    )
    return (
        f'<div class="bar" role="img" aria-label="{escape_html(summary)}">{spans}</div>'
        f"<small>{escape_html(summary)}</small>"
    )


def render_index(rows: Sequence[IndexRow]) -> str:
    """output/index.html: every document and language, links to each format, a bar of shares."""
    body = ["<h1>Editions</h1>", "<p>"]
    body.append(
        " ".join(
            f'<span class="key {kind}"></span> {escape_html(label)}'
            for kind, label in _INDEX_LABELS.items()
        )
    )
    body.append("</p>")
    documents: dict[str, list[IndexRow]] = {}
    for row in rows:
        documents.setdefault(row.document, []).append(row)
    for name, group in documents.items():
        body.append(f'<section id="{escape_html(quote(name))}">')
        body.append(f"<h2>{escape_html(group[0].title or name)}</h2>")
        body.append("<table>")
        body.append("<tr><th>Language</th><th>Formats</th><th>Shares of the text</th></tr>")
        for row in group:
            own = escape_html(language_name(row.language, row.language))
            english = escape_html(language_name(row.language, "en"))
            links = " · ".join(
                f'<a href="{escape_html(quote(href))}">{escape_html(label)}</a>'
                for href, label in row.files
            )
            note = f'<br><span class="note">{escape_html(row.note)}</span>' if row.note else ""
            body.append(
                f'<tr><td><span lang="{escape_html(row.language)}">{own}</span> ({english})</td>'
                f"<td>{links or '–'}{note}</td><td>{_bar(row.shares)}</td></tr>"
            )
        body.append("</table>")
        body.append("</section>")
    return html_page("en", "Editions", INDEX_STYLESHEET, body)
