"""A DOCX source as readable HTML and Markdown for the other edition formats: headings,
paragraphs and tables, with bold, italic, underline and links. Pictures and fields are left out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ...assemble import (
    UNTRANSLATED,
    chosen_text,
    edition_title,
    escape_html,
    escape_markdown,
    legend,
    unit_class,
)
from ...model import Unit
from .paragraphs import Item, Key, Object, Paragraph
from .rebuild import parse_translation

if TYPE_CHECKING:
    from ...assemble import Edition

# (paragraph, its pieces: (items, marking or None for literal text))
Pieces = list[tuple[list[Item], str | None]]


def _pieces(edition: Edition, paragraph: Paragraph) -> Pieces:
    out: Pieces = []
    cursor = 0
    for span in paragraph.spans:
        out.append((paragraph.items[cursor : span.start], None))
        unit = Unit(span.msgid, paragraph.number, span.where)
        text = chosen_text(unit, edition.translations, edition.policy)
        marking = unit_class(unit, edition.translations, edition.policy)
        if text is None:
            out.append((paragraph.items[span.start : span.end], marking))
        else:
            out.append((parse_translation(paragraph, span, text), marking))
        cursor = span.end
    out.append((paragraph.items[cursor:], None))
    return out


def _runs(paragraph: Paragraph, items: list[Item]) -> Iterator[tuple[str, Key]]:
    """Consecutive characters of one formatting (objects left out)."""
    text: list[str] = []
    key: Key | None = None
    for item in items:
        if isinstance(item, Object):
            continue
        if key is not None and item[1] != key:
            yield "".join(text), key
            text = []
        text.append(item[0])
        key = item[1]
    if key is not None:
        yield "".join(text), key


def _html_items(paragraph: Paragraph, items: list[Item]) -> str:
    out: list[str] = []
    for text, key in _runs(paragraph, items):
        html = escape_html(text).replace("\n", "<br>")
        look = paragraph.looks.get(key)
        if look is not None and key != paragraph.base:
            underline = look.underline and not look.href  # a link's own underline
            for on, tag in ((underline, "u"), (look.italic, "em"), (look.bold, "strong")):
                if on:
                    html = f"<{tag}>{html}</{tag}>"
            if look.href:
                html = f'<a href="{escape_html(look.href)}">{html}</a>'
        out.append(html)
    return "".join(out)


def _paragraph_html(edition: Edition, paragraph: Paragraph) -> str:
    out: list[str] = []
    for items, marking in _pieces(edition, paragraph):
        html = _html_items(paragraph, items)
        if marking == UNTRANSLATED:
            lang = escape_html(edition.source_language)
            html = f'<span class="{marking}" lang="{lang}">{html}</span>'
        elif marking:
            html = f'<span class="{marking}">{html}</span>'
        out.append(html)
    return "".join(out).strip()


def _md_items(paragraph: Paragraph, items: list[Item]) -> str:
    out: list[str] = []
    for text, key in _runs(paragraph, items):
        core = text.strip()
        if not core:
            out.append(" " if text else "")
            continue
        shown = escape_markdown(core, line_start=False)
        look = paragraph.looks.get(key)
        if look is not None and key != paragraph.base:
            if look.italic:
                shown = f"*{shown}*"
            if look.bold:
                shown = f"**{shown}**"
            if look.href:
                shown = f"[{shown}](<{look.href}>)"
        lead = text[: len(text) - len(text.lstrip())]
        tail = text[len(text.rstrip()) :]
        out.append((" " if lead else "") + shown + (" " if tail else ""))
    return "".join(out)


def _paragraph_md(edition: Edition, paragraph: Paragraph) -> str:
    text = "".join(_md_items(paragraph, items) for items, _ in _pieces(edition, paragraph))
    return " ".join(text.split())


def _blocks(
    edition: Edition, found: list[Paragraph], cell: Callable[[Edition, Paragraph], str]
) -> Iterator[tuple[str, Paragraph | list[list[str]]]]:
    """("heading" | "paragraph", paragraph) and ("table", rows of cell contents), in order."""
    table: list[list[str]] = []
    table_number = 0
    row_number = 0
    for paragraph in found:
        if paragraph.cell is None or paragraph.cell[0] != table_number:
            if table:
                yield "table", table
            table, table_number, row_number = [], 0, 0
        if paragraph.cell is not None:
            number, row, _ = paragraph.cell
            if not table or row != row_number:
                table.append([])
            table_number, row_number = number, row
            if len(table[-1]) < paragraph.cell[2]:
                table[-1] += [""] * (paragraph.cell[2] - len(table[-1]))
                table[-1][-1] = cell(edition, paragraph)
            elif paragraph.spans:
                table[-1][-1] = " ".join(filter(None, [table[-1][-1], cell(edition, paragraph)]))
        elif paragraph.spans:
            yield paragraph.kind, paragraph
    if table:
        yield "table", table


def _shown_title(edition: Edition, found: list[Paragraph]) -> str:
    """The title to put above a document that does not start with a top-level heading."""
    first = next((p for p in found if p.spans), None)
    if first is not None and first.kind == "heading" and first.level == 1:
        return ""
    title = edition.document.title
    if title:
        unit = Unit(title, 1, "")
        return chosen_text(unit, edition.translations, edition.policy) or title
    return edition_title(edition)


def html_body(edition: Edition, found: list[Paragraph]) -> list[str]:
    body: list[str] = []
    title = _shown_title(edition, found)
    if title:
        lang = escape_html(edition.source_language)
        body.append(f'<h1 lang="{lang}">{escape_html(title)}</h1>')
    kinds = {
        unit_class(Unit(span.msgid, 0, ""), edition.translations, edition.policy)
        for paragraph in found
        for span in paragraph.spans
    } - {""}
    body += legend(kinds, edition.gettext)
    for kind, value in _blocks(edition, found, _paragraph_html):
        if isinstance(value, list):
            body.append("<table>")
            body += ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in value]
            body.append("</table>")
        elif kind == "heading":
            level = value.level or 1
            body.append(f"<h{level}>{_paragraph_html(edition, value)}</h{level}>")
        else:
            body.append(f"<p>{_paragraph_html(edition, value)}</p>")
    return body


def markdown_body(edition: Edition, found: list[Paragraph]) -> str:
    chunks: list[str] = []
    title = _shown_title(edition, found)
    if title:
        chunks.append("# " + escape_markdown(title, line_start=False))
    for kind, value in _blocks(edition, found, _paragraph_md):
        if isinstance(value, list):
            width = max(len(row) for row in value)
            rows = [row + [""] * (width - len(row)) for row in value]
            lines = ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
            lines.insert(1, "|" + " --- |" * width)
            chunks.append("\n".join(lines))
        elif kind == "heading":
            chunks.append("#" * (value.level or 1) + " " + _paragraph_md(edition, value))
        else:
            text = _paragraph_md(edition, value)
            chunks.append(escape_markdown(text[:1]) + text[1:] if text[:1] in "#>-+=" else text)
    return "\n\n".join(chunks) + "\n"
