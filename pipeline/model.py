"""Plain values that flow between the modules: documents, units, catalog entries, findings.

Nothing here does I/O; polib and Argos never appear, so every core module can be tested on values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

GETTEXT_HEADER_ORDER = (
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)
"""Header fields gettext (msginit, msgmerge) knows, in the order it writes them."""

MT_PREFIX = "mt: "
"""Translator comment `# mt: <engine> <package> <version> <hash>` on machine output."""
APPROVED_MT_PREFIX = "mt-approved: "
"""The same provenance once a person approved the text and the English then changed."""


class State(enum.StrEnum):
    """Review state of a catalog entry, derived from the PO entry alone (table in README.md)."""

    UNTRANSLATED = "untranslated"
    MACHINE = "machine"
    EDITED = "edited"
    STALE = "stale"
    REVIEWED = "reviewed"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Unit:
    """One translatable piece of a source: its msgid, where it starts and where it sits."""

    msgid: str
    line: int
    where: str
    text: str = ""

    @property
    def source_text(self) -> str:
        """The unit exactly as in the source (the msgid is whitespace-normalised)."""
        return self.text or self.msgid


@dataclass(frozen=True)
class Block:
    """A paragraph-like piece of the skeleton: literal text around units, in source order.

    The plain-text edition of a block is ``prefix + parts + suffix`` with each unit replaced by its
    translation; Markdown and HTML renderers use ``kind`` and ``number`` to set questions apart.
    """

    kind: str
    number: int | None
    prefix: str
    parts: tuple[str | Unit, ...]
    suffix: str
    line: int

    @property
    def units(self) -> list[Unit]:
        return [part for part in self.parts if isinstance(part, Unit)]


@dataclass(frozen=True)
class Document:
    """A segmented source: its name (file stem), path as written in references, and skeleton."""

    name: str
    source_path: str
    format: str
    blocks: tuple[Block, ...]
    title: str = ""
    source_bytes: bytes = b""
    """The source file's bytes, for formats whose edition is the source itself with translations
    placed and whose skeleton cannot be literal text (a DOCX package). Others leave it empty."""

    @property
    def units(self) -> list[Unit]:
        return [unit for block in self.blocks for unit in block.units]


@dataclass
class Entry:
    """A PO entry as plain data; catalog.py converts between this and polib."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    translator_comments: list[str] = field(default_factory=list)
    extracted_comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated_text(self) -> str:
        """The translation as one string (the first plural form for plural entries)."""
        if self.msgid_plural is not None:
            return self.msgstr_plural.get(0, "")
        return self.msgstr

    @property
    def is_translated(self) -> bool:
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)


@dataclass
class Catalog:
    """A POT or PO file as plain data: header fields in file order, header comment, entries."""

    header: dict[str, str]
    entries: list[Entry]
    header_comment: str = ""
    header_flags: list[str] = field(default_factory=list)
    path: str = ""

    @property
    def language(self) -> str:
        return self.header.get("Language", "")

    def active(self) -> list[Entry]:
        return [entry for entry in self.entries if not entry.obsolete]

    def find(self, msgid: str, msgctxt: str | None = None) -> Entry | None:
        for entry in self.entries:
            if not entry.obsolete and entry.msgid == msgid and entry.msgctxt == msgctxt:
                return entry
        return None


@dataclass(frozen=True)
class Finding:
    """A quality finding: which check, how bad, why, and where (file, line, msgctxt, msgid)."""

    check: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 0
    msgid: str = ""
    language: str = ""
    msgctxt: str | None = None


@dataclass(frozen=True)
class Translation:
    """What an edition needs of a catalog entry: the translated text and its review state."""

    text: str
    state: State
