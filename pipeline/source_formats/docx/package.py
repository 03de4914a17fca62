"""A DOCX package: opened with python-docx, refused when it cannot be translated faithfully,
walked paragraph by paragraph, and written back as deterministic bytes."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from ...errors import SourceError
from .paragraphs import W_P, W_R, W_TBL, W_TC, W_TR, Paragraph, find_spans, read_paragraph

DOCUMENT_PART = "word/document.xml"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_TRACKED = {
    qn(f"w:{name}"): what
    for name, what in (
        ("ins", "an insertion"),
        ("del", "a deletion"),
        ("moveFrom", "a move"),
        ("moveTo", "a move"),
        ("rPrChange", "a formatting change"),
        ("pPrChange", "a formatting change"),
    )
}
_COMMENTS = {qn("w:commentRangeStart"), qn("w:commentReference")}
_EMBEDDED = {qn("w:object"), qn("w:altChunk"), qn("w:subDoc")}


@dataclass
class Package:
    """An opened DOCX: python-docx's document and the zip it came from."""

    document: Any
    archive: zipfile.ZipFile
    path: str


def open_package(raw: bytes, shown: str) -> Package:
    """The package, or a `SourceError` line: not a zip, no main part, unreadable, or holding
    tracked changes, comments or embedded objects."""
    import docx

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SourceError(
            "not a DOCX file: it is not a zip archive (save it from the word processor as "
            "Word .docx)",
            path=shown,
        ) from None
    if DOCUMENT_PART not in names:
        raise SourceError(f"not a DOCX file: the package has no {DOCUMENT_PART} part", path=shown)
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as error:  # python-docx raises many kinds for a damaged package
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SourceError(f"cannot read the DOCX package: {detail}", path=shown) from None
    package = Package(document, archive, shown)
    _refuse(package)
    return package


def _refuse(package: Package) -> None:
    names = package.archive.namelist()
    body = package.document.element
    paragraphs = {p: n for n, p in enumerate(body.iter(W_P), start=1)}

    def at(element: Any) -> str:
        for ancestor in element.iterancestors(W_P):
            return f", paragraph {paragraphs.get(ancestor, '?')}"
        return ""

    for element in body.iter(*_TRACKED):
        raise SourceError(
            f"{DOCUMENT_PART}{at(element)}: tracked changes ({_TRACKED[element.tag]}); accept or "
            "reject all changes (Review → Accept All Changes) and save again",
            path=package.path,
        )
    comments = [name for name in names if name.startswith("word/comments")]
    for element in body.iter(*_COMMENTS):
        comments.insert(0, f"{DOCUMENT_PART}{at(element)}")
    if comments:
        raise SourceError(
            f"{comments[0]}: comments; delete them (Review → Delete All Comments in Document) "
            "and save again",
            path=package.path,
        )
    embedded = [name for name in names if name.startswith("word/embeddings/")]
    for element in body.iter(*_EMBEDDED):
        embedded.insert(0, f"{DOCUMENT_PART}{at(element)}")
    if embedded:
        raise SourceError(
            f"{embedded[0]}: an embedded object (OLE object, chart data or imported file); "
            "replace it with a picture or remove it and save again",
            path=package.path,
        )


def _style_names(document: Any) -> dict[str, tuple[str, bool]]:
    """Paragraph style id → (lower-case name, is the default)."""
    found: dict[str, tuple[str, bool]] = {}
    try:
        styles = document.part.part_related_by(RT.STYLES).element
    except KeyError:
        return found
    for style in styles.iter(qn("w:style")):
        if style.get(qn("w:type")) != "paragraph":
            continue
        name = style.find(qn("w:name"))
        shown = name.get(qn("w:val"), "") if name is not None else ""
        found[style.get(qn("w:styleId"), "")] = (shown.lower(), style.get(qn("w:default")) == "1")
    return found


def _heading_level(style: str) -> int | None:
    if style == "title":
        return 1
    if style.startswith("heading "):
        number = style.removeprefix("heading ").strip()
        return min(int(number), 6) if number.isdigit() else None
    return None


def paragraphs(package: Package, unit: str) -> list[Paragraph]:
    """Every paragraph of the body in document order (table cells included, text boxes inside
    drawings not), with its units."""
    document = package.document
    body = document.element.body
    styles = _style_names(document)
    default = next((name for name, is_default in styles.values() if is_default), "")
    hrefs = {
        rel_id: rel.target_ref for rel_id, rel in document.part.rels.items() if rel.is_external
    }
    cells: dict[Any, tuple[int, int, int]] = {}
    for table_number, table in enumerate(body.iter(W_TBL), start=1):
        rows = [row for row in table if row.tag == W_TR]
        for row_number, row in enumerate(rows, start=1):
            columns = [cell for cell in row if cell.tag == W_TC]
            for column_number, cell in enumerate(columns, start=1):
                cells[cell] = (table_number, row_number, column_number)
    found: list[Paragraph] = []
    counts = {"paragraph": 0, "heading": 0}
    cell_paragraphs: dict[Any, int] = {}
    for number, element in enumerate(body.iter(W_P), start=1):
        if next(element.iterancestors(W_R), None) is not None:
            continue  # a text box inside a drawing: part of its paragraph's object
        cell_element = next(element.iterancestors(W_TC), None)
        style_id = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style = (
            styles.get(style_id.get(qn("w:val"), ""), ("", False))[0]
            if style_id is not None
            else default
        )
        level = _heading_level(style)
        if cell_element is not None:
            cell = cells[cell_element]
            count = cell_paragraphs[cell_element] = cell_paragraphs.get(cell_element, 0) + 1
            paragraph = read_paragraph(element, number, "cell", None, cell, hrefs)
            where = f"table {cell[0]}, cell {cell[1]}:{cell[2]}"
            where += f", paragraph {count}" if count > 1 else ""
            find_spans(paragraph, True, where)
        elif level is not None:
            counts["heading"] += 1
            paragraph = read_paragraph(element, number, "heading", level, None, hrefs)
            find_spans(paragraph, True, f"heading {counts['heading']}")
        else:
            counts["paragraph"] += 1
            paragraph = read_paragraph(element, number, "paragraph", None, None, hrefs)
            find_spans(paragraph, unit == "paragraph", f"paragraph {counts['paragraph']}")
        found.append(paragraph)
    return found


def core_title(package: Package) -> str:
    """The core property title, without creating a core properties part when there is none."""
    try:
        package.document.part.package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return ""
    title: str = package.document.core_properties.title or ""
    return title.strip()


def set_language(package: Package, language: str) -> list[Any]:
    """``w:lang`` = the edition's language in the document defaults, in every style and run that
    names a language, and the core property language; returns the parts it changed."""
    document = package.document
    changed: list[Any] = [document.part]
    for lang in document.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), language)
    try:
        styles_part = document.part.part_related_by(RT.STYLES)
    except KeyError:
        styles_part = None
    if styles_part is not None:
        styles = styles_part.element
        for lang in styles.iter(qn("w:lang")):
            lang.set(qn("w:val"), language)
        _default_language(styles, language)
        changed.append(styles_part)
    try:
        core = document.part.package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return changed
    document.core_properties.language = language
    changed.append(core)
    return changed


def _default_language(styles: Any, language: str) -> None:
    from lxml import etree

    def child(parent: Any, tag: str, first: bool = False) -> Any:
        found = parent.find(qn(tag))
        if found is None:
            found = etree.Element(qn(tag))
            if first:
                parent.insert(0, found)
            else:
                parent.append(found)
        return found

    rpr = child(
        child(child(styles, "w:docDefaults", first=True), "w:rPrDefault", first=True), "w:rPr"
    )
    child(rpr, "w:lang").set(qn("w:val"), language)


def write_package(package: Package, changed: list[Any]) -> bytes:
    """The source zip with the changed parts replaced, every member in its place, with fixed
    timestamps and permissions: the same inputs give the same bytes."""
    replaced = {str(part.partname).lstrip("/"): part.blob for part in changed}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in package.archive.infolist():
            data = replaced.get(info.filename)
            if data is None:
                data = package.archive.read(info.filename)
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 0
            member.external_attr = 0
            target.writestr(member, data)
    return out.getvalue()
