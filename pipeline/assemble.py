"""Skeleton + translations → edition text, Markdown and HTML, and the index page. Pure.

Takes values and returns strings: no files, no clock, no environment. The pipeline's own sentences
(colophon, legend) go through a ``gettext`` callable the caller loads (see `pipeline.editions`), so
the same inputs always give the same bytes.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Block, Document, State, Translation, Unit

Gettext = Callable[[str], str]

# Which review states an edition may show, per publish policy; anything else falls back to English.
PUBLISHABLE: dict[str, frozenset[State]] = {
    "draft": frozenset({State.MACHINE, State.EDITED, State.STALE, State.REVIEWED}),
    "reviewed": frozenset({State.REVIEWED}),
}

# The class a shown unit carries in HTML: unreviewed text must be visible as such to the reader.
MACHINE = "machine"
UNREVIEWED = "unreviewed"
UNTRANSLATED = "untranslated"
_CLASS_OF_STATE = {State.MACHINE: MACHINE, State.EDITED: UNREVIEWED, State.STALE: UNREVIEWED}

# The rule between an edition's text and its colophon in .txt and .md editions.
TEXT_RULE = "* * *"


def N_(message: str) -> str:
    """Mark a message for extraction into pipeline/locale/pipeline.pot (`xgettext -kN_`)."""
    return message


COLOPHON = N_("Colophon")
EDITION_TITLE = N_("Title of this edition")
ORIGINAL_TITLE = N_("Original title")
ABOUT_ORIGINAL = N_("About the original")
ORIGINAL_LANGUAGE = N_("Original language")
EDITION_LANGUAGE = N_("Language of this edition")
EDITION_DATE = N_("Date of this edition")
MACHINE_TRANSLATION = N_("Machine translation")
NOT_USED = N_("not used")
# Translators: engine (Argos Translate), its model package and version, e.g. translate-en_cs 1.9.
ENGINE_PACKAGE = N_("%(engine)s, package %(package)s, version %(version)s")
POLICY = N_("Publication policy")
POLICY_TEXT = {
    "draft": N_("draft: unreviewed machine translation is included"),
    "reviewed": N_("reviewed: only reviewed translations are included"),
}
SHARE_LABEL = {
    "reviewed": N_("Reviewed by a person"),
    MACHINE: N_("Machine translation, not reviewed"),
    UNREVIEWED: N_("Awaiting review (edited or outdated)"),
    UNTRANSLATED: N_("Not yet translated (left in the original)"),
}
# Translators: the accessible name of the box explaining the marks in the text.
LEGEND = N_("Legend")
LEGEND_TEXT = {
    MACHINE: N_("Machine translation, not yet reviewed by a person."),
    UNREVIEWED: N_("Awaiting review: edited by a person, or the original has changed since."),
    UNTRANSLATED: N_("Not yet translated: the original text is shown."),
}


def _identity(message: str) -> str:
    return message


# --- choosing what to show -----------------------------------------------------------------------


def chosen_text(unit: Unit, translations: Mapping[str, Translation], policy: str) -> str | None:
    """The translation an edition shows for a unit, or None when it falls back to English."""
    found = translations.get(unit.msgid)
    if found is None or not found.text or found.state not in PUBLISHABLE[policy]:
        return None
    return found.text


def unit_class(unit: Unit, translations: Mapping[str, Translation], policy: str) -> str:
    """How a unit is marked in HTML: "" (reviewed), machine, unreviewed or untranslated."""
    if chosen_text(unit, translations, policy) is None:
        return UNTRANSLATED
    return _CLASS_OF_STATE.get(translations[unit.msgid].state, "")


@dataclass(frozen=True)
class Shares:
    """How many units of an edition are reviewed, machine, awaiting review, left in English."""

    total: int = 0
    reviewed: int = 0
    machine: int = 0
    unreviewed: int = 0

    @property
    def untranslated(self) -> int:
        return self.total - self.reviewed - self.machine - self.unreviewed

    @property
    def translated(self) -> int:
        return self.reviewed + self.machine + self.unreviewed

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0

    @property
    def translated_share(self) -> float:
        """What the publish minimum is compared with; nothing to translate counts as done."""
        return self.translated / self.total if self.total else 1.0

    def parts(self) -> list[tuple[str, int]]:
        """(kind, count) in reading order: reviewed, machine, awaiting review, untranslated."""
        return [
            ("reviewed", self.reviewed),
            (MACHINE, self.machine),
            (UNREVIEWED, self.unreviewed),
            (UNTRANSLATED, self.untranslated),
        ]

    @classmethod
    def from_states(cls, states: Mapping[str, int], policy: str) -> Shares:
        """Shares of an edition from counts of review states (State values), under a policy."""
        shown = PUBLISHABLE[policy]

        def count(*wanted: State) -> int:
            return sum(states.get(state.value, 0) for state in wanted if state in shown)

        return cls(
            total=sum(states.values()),
            reviewed=count(State.REVIEWED),
            machine=count(State.MACHINE),
            unreviewed=count(State.EDITED, State.STALE),
        )


def edition_shares(
    document: Document, translations: Mapping[str, Translation], policy: str
) -> Shares:
    """Count the units of a document (every occurrence) by how the edition shows them."""
    counts = {"": 0, MACHINE: 0, UNREVIEWED: 0, UNTRANSLATED: 0}
    for unit in document.units:
        counts[unit_class(unit, translations, policy)] += 1
    return Shares(
        total=len(document.units),
        reviewed=counts[""],
        machine=counts[MACHINE],
        unreviewed=counts[UNREVIEWED],
    )


# --- colophon ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Colophon:
    """What the end of an edition says about it; every value comes from the build's inputs."""

    language: str
    source_language: str = "en"
    title: str = ""
    origin: str = ""
    date: datetime.date | None = None
    translated_title: str = ""  # the title as this edition shows it, when translated
    machine: tuple[tuple[str, str, str], ...] = ()  # (engine, package, version), sorted
    shares: Shares = Shares()
    policy: str = "draft"


def format_share(share: float, language: str) -> str:
    """A share as a percentage in the language's own style, to one decimal where it matters.

    A share that is neither nothing nor everything never rounds to 0 % or 100 %.
    """
    from babel.numbers import format_percent

    rounded = round(share, 3)
    if 0 < share < 1:
        rounded = min(max(rounded, 0.001), 0.999)
    return format_percent(rounded, locale=language, decimal_quantization=False)


def language_name(code: str, in_language: str) -> str:
    """The name of a language as written in another one (or itself), from Babel's CLDR data."""
    from babel import Locale

    name = Locale.parse(code).get_display_name(in_language)
    return name or code


def colophon_fields(colophon: Colophon, gettext: Gettext = _identity) -> list[tuple[str, str, str]]:
    """(label, value, language of the value) rows of the colophon, in the edition's language.

    The title and origin come from the configuration in the source language; the third field lets
    HTML mark them with their own `lang`.
    """
    from babel.dates import format_date

    from .engines import display_name

    lang = colophon.language
    rows: list[tuple[str, str, str]] = []
    if colophon.translated_title and colophon.translated_title != colophon.title:
        rows.append((gettext(EDITION_TITLE), colophon.translated_title, lang))
    if colophon.title:
        rows.append((gettext(ORIGINAL_TITLE), colophon.title, colophon.source_language))
    if colophon.origin:
        rows.append((gettext(ABOUT_ORIGINAL), colophon.origin, colophon.source_language))
    rows.append((gettext(ORIGINAL_LANGUAGE), language_name(colophon.source_language, lang), lang))
    rows.append((gettext(EDITION_LANGUAGE), language_name(lang, lang), lang))
    if colophon.date is not None:
        rows.append((gettext(EDITION_DATE), format_date(colophon.date, "long", locale=lang), lang))
    engines = [
        gettext(ENGINE_PACKAGE)
        % {"engine": display_name(engine), "package": package, "version": version}
        for engine, package, version in colophon.machine
    ]
    rows.append((gettext(MACHINE_TRANSLATION), "; ".join(engines) or gettext(NOT_USED), lang))
    rows.append((gettext(POLICY), gettext(POLICY_TEXT[colophon.policy]), lang))
    shares = colophon.shares
    for kind, count in shares.parts():
        if kind == UNREVIEWED and not count:
            continue  # a rare state: only named when there is some
        rows.append((gettext(SHARE_LABEL[kind]), format_share(shares.share(count), lang), lang))
    return rows


def _line_ending(document: Document) -> str:
    return "\r\n" if any("\r" in block.suffix for block in document.blocks) else "\n"


def _end_with_newline(text: str, newline: str) -> str:
    return text if not text or text.endswith("\n") else text + newline


# --- plain text ----------------------------------------------------------------------------------


def render_text(
    document: Document,
    translations: Mapping[str, Translation],
    policy: str = "draft",
    colophon: Colophon | None = None,
    gettext: Gettext = _identity,
) -> str:
    """The plain-text edition: the source's own layout with each unit replaced.

    With a colophon it follows the text after a blank line and a rule, in the source's line endings.
    """
    from . import source_formats

    place = source_formats.named(document.format).place
    out: list[str] = []
    for block in document.blocks:
        out.append(block.prefix)
        for part in block.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                text = chosen_text(part, translations, policy)
                out.append(part.source_text if text is None else place(block.kind, text))
        out.append(block.suffix)
    text = "".join(out)
    if colophon is None:
        return text
    newline = _line_ending(document)
    lines = ["", TEXT_RULE, gettext(COLOPHON)]
    lines += [
        f"{label}: {_one_line(value)}" for label, value, _ in colophon_fields(colophon, gettext)
    ]
    return _end_with_newline(text, newline) + newline.join(lines) + newline


# --- Markdown ------------------------------------------------------------------------------------

# `_` inside a word never starts emphasis in CommonMark, so `en_cs` stays readable.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>&#~]|(?<![^\W_])_|_(?![^\W_]))")
# What starts a block quote, list or rule when it begins a line.
_MARKDOWN_LINE_START = re.compile(r"^(?:>|[-+=](?=[-=\s]*$|\s)|\d{1,9}[.)](?=\s|$))")
_SPACES = re.compile(r"\s+")


def _one_line(text: str) -> str:
    """Line breaks inside a unit would start new Markdown blocks; HTML folds them anyway."""
    return _SPACES.sub(" ", text).strip() if "\n" in text or "\r" in text else text


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """Text that a CommonMark parser gives back as exactly this text, never as markup or HTML."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))
    if line_start:
        match = _MARKDOWN_LINE_START.match(escaped)
        if match:
            end = match.end()
            escaped = escaped[: end - 1] + "\\" + escaped[end - 1 :]
    return escaped


def render_markdown(
    document: Document,
    translations: Mapping[str, Translation],
    policy: str = "draft",
    colophon: Colophon | None = None,
    gettext: Gettext = _identity,
) -> str:
    """The Markdown edition: the document's source format writes the text (`markdown_body`), and
    the colophon follows it after a rule.

    A Markdown source keeps its own markup; a plain-text interview becomes a title, its
    introduction, each question a numbered heading and the answers.
    """
    from . import source_formats

    edition = _edition(document, translations, policy, colophon, gettext)
    body = source_formats.named(document.format).markdown_body(edition)
    if colophon is None:
        return body
    return _end_with_newline(body, "\n") + "\n" + _markdown_colophon(colophon, gettext)


def _markdown_colophon(colophon: Colophon, gettext: Gettext) -> str:
    lines = [TEXT_RULE, "", "## " + escape_markdown(gettext(COLOPHON), line_start=False), ""]
    for label, value, _ in colophon_fields(colophon, gettext):
        label_md = escape_markdown(label, line_start=False)
        lines.append(f"- **{label_md}:** {escape_markdown(value, line_start=False)}")
    return "\n".join(lines) + "\n"


# --- HTML ----------------------------------------------------------------------------------------

STYLESHEET = """\
html { font: 1.0625rem/1.6 Georgia, "Times New Roman", serif; color: #1b1b1b; background: #fff; }
body { max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; line-height: 1.35; margin: 2rem 0 0.5rem; }
.introduction { font-style: italic; }
.question .number { font-variant-numeric: tabular-nums; }
.answer { margin: 0.5rem 0; }
.machine { background: #fff1b8; }
.unreviewed { background: #e2edff; }
.untranslated { color: #4a4a4a; border-bottom: 1px dotted #aaa; }
.legend { font-size: 0.9rem; border: 1px solid #ccc; padding: 0.4rem 0.8rem; margin: 1rem 0 2rem; }
.legend p { margin: 0.3rem 0; }
.colophon { margin-top: 3rem; padding-top: 0.5rem; border-top: 1px solid #999; font-size: 0.9rem; }
.colophon dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
.colophon dt { font-weight: bold; }
.colophon dd { margin: 0; }
@media print {
  html { font-size: 11pt; }
  body { max-width: none; margin: 0; }
  .machine, .unreviewed { background: none; text-decoration: underline dotted; }
  h2 { break-after: avoid; }
  .colophon, .legend { break-inside: avoid; }
}
"""

# Belt and braces: the text is escaped, and the page may not run any script or load anything.
_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def escape_html(text: str) -> str:
    """Text for HTML content or a quoted attribute value."""
    return html.escape(text, quote=True)


def html_page(language: str, title: str, stylesheet: str, body: list[str]) -> str:
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{escape_html(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape_html(title)}</title>",
        "<style>",
        stylesheet.rstrip("\n"),
        "</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"


def html_block_content(
    block: Block, translations: Mapping[str, Translation], policy: str, source_language: str
) -> str:
    """The block's text, each run of units with the same marking in one element."""
    out: list[str] = []
    run_kind = ""
    run: list[str] = []
    pending: list[str] = []  # literal text after the last unit: joins a run only if it continues

    def flush() -> None:
        content = "".join(run)
        if run_kind == UNTRANSLATED:
            lang = escape_html(source_language)
            out.append(f'<span class="{run_kind}" lang="{lang}">{content}</span>')
        elif run_kind and content:
            out.append(f'<span class="{run_kind}">{content}</span>')
        else:
            out.append(content)

    for part in block.parts:
        if isinstance(part, str):
            pending.append(escape_html(part))
            continue
        kind = unit_class(part, translations, policy)
        text = chosen_text(part, translations, policy)
        escaped = escape_html(part.source_text if text is None else text)
        if run and kind == run_kind:
            run.extend([*pending, escaped])
        else:
            if run:
                flush()
            out.extend(pending)
            run_kind, run = kind, [escaped]
        pending = []
    if run:
        flush()
    out.extend(pending)
    return _SPACES.sub(" ", "".join(out)).strip()


def legend(kinds: set[str], gettext: Gettext) -> list[str]:
    if not kinds:
        return []
    lines = [f'<aside class="legend" aria-label="{escape_html(gettext(LEGEND))}">']
    for kind in (MACHINE, UNREVIEWED, UNTRANSLATED):
        if kind in kinds:
            lines.append(
                f'<p><span class="{kind}">{escape_html(gettext(LEGEND_TEXT[kind]))}</span></p>'
            )
    lines.append("</aside>")
    return lines


def _html_colophon(colophon: Colophon, gettext: Gettext) -> list[str]:
    lines = ['<footer class="colophon">', f"<h2>{escape_html(gettext(COLOPHON))}</h2>", "<dl>"]
    for label, value, value_language in colophon_fields(colophon, gettext):
        lang = (
            f' lang="{escape_html(value_language)}"' if value_language != colophon.language else ""
        )
        lines.append(f"<dt>{escape_html(label)}</dt><dd{lang}>{escape_html(value)}</dd>")
    lines += ["</dl>", "</footer>"]
    return lines


def original_title(edition: Edition) -> str:
    """The document's title in the source language: the configured one, its own, or its name."""
    colophon = edition.colophon
    document = edition.document
    return (colophon.title if colophon else "") or document.title or document.name


def edition_title(edition: Edition) -> str:
    """The title an edition shows: `original_title`, translated when the catalog has a
    publishable translation of it (the configured title is a unit of the template)."""
    title = original_title(edition)
    return chosen_text(Unit(title, 0, ""), edition.translations, edition.policy) or title


def edition_title_language(edition: Edition) -> str:
    """The language `edition_title` is in: the edition's when translated, else the source's."""
    title = original_title(edition)
    shown = chosen_text(Unit(title, 0, ""), edition.translations, edition.policy)
    return edition.language if shown else edition.source_language


def render_html(
    document: Document,
    translations: Mapping[str, Translation],
    policy: str = "draft",
    colophon: Colophon | None = None,
    gettext: Gettext = _identity,
) -> str:
    """One self-contained HTML5 page: escaped text, marked fallback and machine passages, colophon.

    The document's source format writes the ``<article>`` (`html_body`); the page, the colophon
    and the title are the same for every format.
    """
    from . import source_formats

    edition = _edition(document, translations, policy, colophon, gettext)
    language = edition.language
    title = edition_title(edition)
    body: list[str] = ["<article>"]
    body += source_formats.named(document.format).html_body(edition)
    body.append("</article>")
    if colophon is not None:
        body += _html_colophon(colophon, gettext)
    page_title = title
    if document.title:  # a Markdown source's own title, translated when it is
        page_title = chosen_text(Unit(document.title, 0, ""), translations, policy) or title
    if colophon is not None:
        page_title = f"{page_title} – {language_name(language, language)}"
    return html_page(language, page_title, STYLESHEET, body)


def _edition(
    document: Document,
    translations: Mapping[str, Translation],
    policy: str,
    colophon: Colophon | None,
    gettext: Gettext,
) -> Edition:
    """The edition the renderers' arguments describe (language and source language from the
    colophon; "und" and "en" without one)."""
    return Edition(
        document,
        colophon.language if colophon else "und",
        translations,
        policy,
        colophon,
        gettext,
        colophon.source_language if colophon else "en",
    )


# --- the assembled edition -----------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    """Everything an edition format needs to write one document in one language. Pure data."""

    document: Document
    language: str
    translations: Mapping[str, Translation]
    policy: str = "draft"
    colophon: Colophon | None = None
    gettext: Gettext = _identity
    source_language: str = "en"
    settings: Mapping[str, Any] = field(default_factory=dict)
    """The edition format's own table, ``[tool.pipeline.editions.<format name>]`` (a PDF's page
    size); empty when the project has none."""
