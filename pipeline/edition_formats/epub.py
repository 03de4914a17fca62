"""The EPUB edition: an EPUB 3 book made with ebooklib, for e-readers.

One content document holds the article the source format writes (`html_body`) and the colophon;
the navigation document lists the article's headings (an interview's questions become its table of
contents). The bytes are reproducible: the identifier comes from the document and the language, the
dates from the colophon, and every zip entry carries one fixed timestamp.
"""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from typing import TYPE_CHECKING

from ..assemble import COLOPHON, Edition, chosen_text, colophon_fields, edition_title
from ..model import Unit

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# The earliest time a zip entry can carry; used when the edition has no date of its own.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_NAMESPACE = uuid.UUID("6f1c3c52-3f55-4a53-9d0e-6b9a4c1d2e70")  # this project's, for uuid5
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TEXT_FILE = "text.xhtml"

STYLESHEET = """\
body { font-family: "DejaVu Serif", serif; line-height: 1.5; }
h1, h2, h3 { font-family: "DejaVu Sans", sans-serif; page-break-after: avoid; }
.introduction { font-style: italic; }
.machine { background: #fff1b8; }
.unreviewed { background: #e2edff; }
.untranslated { color: #4a4a4a; border-bottom: 1px dotted #aaa; }
.legend { font-size: 0.9em; border: 1px solid #ccc; padding: 0.2em 0.6em; }
.colophon { margin-top: 2em; border-top: 1px solid #999; font-size: 0.9em; }
.colophon dt { font-weight: bold; }
.colophon dd { margin: 0 0 0.4em 1em; }
"""


def translated_title(edition: Edition) -> str:
    """The edition's title in its language when the title is a translated unit, else as given."""
    title = edition_title(edition)
    shown = chosen_text(Unit(title, 0, ""), edition.translations, edition.policy)
    return shown or title


def book_identifier(edition: Edition) -> str:
    """A stable identifier for the document in this language (the same on every build)."""
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, f"{edition.document.name}/{edition.language}"))


def _modified(edition: Edition) -> datetime.datetime:
    date = edition.colophon.date if edition.colophon else None
    if date is None:
        return datetime.datetime(*_ZIP_EPOCH)
    return datetime.datetime(date.year, date.month, date.day)


def _article(edition: Edition) -> tuple[str, list[tuple[str, str]]]:
    """The content document's body as XHTML, and (id, text) of every heading in reading order.

    Headings without an id get one, so the navigation document can point at them.
    """
    from lxml import etree
    from lxml import html as lxml_html

    from .. import source_formats

    lines = ["<article>", *source_formats.named(edition.document.format).html_body(edition)]
    lines.append("</article>")
    if edition.colophon is not None:
        lines += _colophon(edition)
    root: HtmlElement = lxml_html.fragment_fromstring("\n".join(lines), create_parent="div")
    headings: list[tuple[str, str]] = []
    taken = {str(element.get("id")) for element in root.iter() if element.get("id")}
    for element in root.iter(*_HEADINGS):
        anchor = element.get("id")
        if not anchor:
            number = len(headings) + 1
            while f"heading-{number}" in taken:
                number += 1
            anchor = f"heading-{number}"
            taken.add(anchor)
            element.set("id", anchor)
        text = " ".join(element.text_content().split())
        if text:
            headings.append((str(anchor), text))
    inner = "".join(etree.tostring(child, method="xml", encoding="unicode") for child in root)
    return inner, headings


def _colophon(edition: Edition) -> list[str]:
    from html import escape

    assert edition.colophon is not None
    colophon, gettext = edition.colophon, edition.gettext
    lines = ['<footer class="colophon">', f"<h2>{escape(gettext(COLOPHON))}</h2>", "<dl>"]
    for label, value, value_language in colophon_fields(colophon, gettext):
        lang = f' lang="{escape(value_language)}"' if value_language != colophon.language else ""
        lines.append(f"<dt>{escape(label)}</dt><dd{lang}>{escape(value)}</dd>")
    return [*lines, "</dl>", "</footer>"]


def _fixed_zip(data: bytes, when: datetime.datetime) -> bytes:
    """The same zip with every entry dated ``when``; ``mimetype`` first and stored, as EPUB asks."""
    stamp = max((when.year, when.month, when.day, 0, 0, 0), _ZIP_EPOCH)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        names = sorted(source.namelist(), key=lambda name: (name != "mimetype", name))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()


class EpubEdition:
    """``output/<lang>/<doc>.epub``: an EPUB 3 book, for every source format."""

    name = "epub"
    suffix = ".epub"
    media_type = "application/epub+zip"
    label = "EPUB"

    def fits(self, source_format: str) -> bool:
        return True

    def render(self, edition: Edition) -> bytes:
        from ebooklib import epub

        language = edition.language
        title = translated_title(edition)
        modified = _modified(edition)
        book = epub.EpubBook()
        book.set_identifier(book_identifier(edition))
        book.set_title(title)
        book.set_language(language)
        if edition.colophon is not None and edition.colophon.date is not None:
            book.add_metadata("DC", "date", edition.colophon.date.isoformat())
        style = epub.EpubItem(
            uid="style", file_name="style.css", media_type="text/css", content=STYLESHEET
        )
        book.add_item(style)
        inner, headings = _article(edition)
        text = epub.EpubHtml(title=title, file_name=_TEXT_FILE, lang=language)
        text.content = f"<html><head></head><body>{inner}</body></html>"
        text.add_item(style)
        book.add_item(text)
        book.toc = [
            epub.Link(f"{_TEXT_FILE}#{anchor}", label, anchor) for anchor, label in headings
        ] or [epub.Link(_TEXT_FILE, title, "text")]
        book.add_item(epub.EpubNcx())  # for EPUB 2 readers; ebooklib's spine always names it
        book.add_item(epub.EpubNav())
        book.spine = [text]
        out = io.BytesIO()
        epub.write_epub(
            out, book, {"mtime": modified, "epub2_guide": False, "raise_exceptions": True}
        )
        return _fixed_zip(out.getvalue(), modified)
