"""Assembly on values: escaping, fallback and marking, structure, colophon, index (no files)."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from edition_catalogs import LANGS, STATES, catalog_for, sample_catalog, sample_document
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pipeline.assemble import (
    Colophon,
    Shares,
    colophon_fields,
    edition_shares,
    escape_markdown,
    format_share,
    render_html,
    render_markdown,
    render_text,
)
from pipeline.catalog import translations_of
from pipeline.editions import messages
from pipeline.index_page import IndexRow, render_index
from pipeline.model import Block, Document, State, Translation, Unit
from pipeline.segment import segment_text
from pipeline.source_formats.markdown.segment import segment_markdown

HOSTILE_SOURCE = (
    "We print <script>document.title='pwned'</script> & \"quotes\" 'too' \u200fright\u200f-to-left "
    "\u202eevil\u202c &amp; [a link](javascript:alert(1)) *stars*."
)
HOSTILE_TRANSLATION = (
    "Tiskneme <img src=x onerror=\"document.title='pwned'\"> & „uvozovky“ "
    "\u200fزبان\u200f <b>tučně</b> __x__."
)
HOSTILE_DOC = "Intro.\n1) " + HOSTILE_SOURCE + "\nAnswer one. Answer two.\n"


class Page(HTMLParser):
    """Every tag and the text each `lang` region holds, to check HTML on its structure."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "article", "h1", "h2", "aside", "p",
    "span", "div", "section", "footer", "dl", "dt", "dd",
}  # fmt: skip


def hostile() -> tuple[Document, dict[str, Translation]]:
    document = segment_text(HOSTILE_DOC, name="hostile", source_path="source/hostile.txt")
    unit = next(u for u in document.units if "<script>" in u.msgid)
    return document, {unit.msgid: Translation(HOSTILE_TRANSLATION, State.REVIEWED)}


def colophon(language: str = "cs", **changes: object) -> Colophon:
    values: dict[str, object] = {
        "language": language,
        "title": "Title <script>x</script> & co",
        "origin": "Origin \"quoted\" 'single'",
        "date": datetime.date(2025, 10, 20),
        "machine": (("argos", "translate-en_cs", "1.9"),),
        "shares": Shares(total=8, reviewed=4, machine=1, unreviewed=2),
    }
    values.update(changes)
    return Colophon(**values)  # type: ignore[arg-type]


# --- hostile text --------------------------------------------------------------------------------


def test_html_escapes_hostile_source_and_translation() -> None:
    document, translations = hostile()
    html = render_html(document, translations, "draft", colophon(), messages("cs").gettext)
    page = Page(html)
    assert page.open == []  # every element closed in order
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    assert not re.search(r"<(script|img|b|a)\b", html, flags=re.IGNORECASE)
    text = "".join(page.text)
    assert HOSTILE_TRANSLATION in text  # shown as text, byte for byte
    assert "Title <script>x</script> & co" in text
    assert "Origin \"quoted\" 'single'" in text
    untranslated = [attrs for tag, attrs in page.tags if attrs.get("class") == "untranslated"]
    # The legend's sample is in the edition's language; every fallback passage says it is English.
    assert [attrs.get("lang") for attrs in untranslated] == [None, "en", "en"]


def test_html_shows_an_untranslated_hostile_source_as_english_text() -> None:
    document, _ = hostile()
    html = render_html(document, {}, "draft", colophon())
    assert "<script" not in html.lower()
    assert HOSTILE_SOURCE in "".join(Page(html).text)
    assert f'<span class="untranslated" lang="en">{_esc(HOSTILE_SOURCE)}</span>' in html


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def test_markdown_escapes_hostile_text_even_for_a_parser_that_allows_html() -> None:
    document, translations = hostile()
    markdown = render_markdown(document, translations, "draft", colophon())
    rendered = MarkdownIt("commonmark").render(markdown)  # raw HTML allowed in this preset
    assert not re.search(r"<(script|img|b|a)\b", rendered, flags=re.IGNORECASE)
    heading = next(line for line in markdown.splitlines() if line.startswith("## 1)"))
    assert _inline_text(heading) == "1) " + HOSTILE_TRANSLATION
    assert _inline_text(escape_markdown(HOSTILE_SOURCE)) == HOSTILE_SOURCE


def test_text_edition_keeps_hostile_text_verbatim() -> None:
    document, translations = hostile()
    text = render_text(document, translations, "draft")
    assert text == HOSTILE_DOC.replace(HOSTILE_SOURCE, HOSTILE_TRANSLATION)
    assert render_text(document, {}) == HOSTILE_DOC


# --- Markdown escaping: whatever the text, CommonMark gives it back ------------------------------

PARSER = MarkdownIt("commonmark")
ALPHABET = st.sampled_from(
    list(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~")
    + list("«»„“”…–—éčšžůЖжЁё\u200f\u202e字 \n")
)


def _inline_text(markdown: str) -> str:
    """The text of a one-block Markdown document, failing if it parsed as anything but text."""
    tokens = PARSER.parse(markdown)
    assert tokens[0].type in ("paragraph_open", "heading_open")
    assert len(tokens) == 3, [t.type for t in tokens]
    children = tokens[1].children or []
    assert {child.type for child in children} <= {"text"}, [c.type for c in children]
    return "".join(child.content for child in children)


@given(st.text(ALPHABET, min_size=1, max_size=60))
def test_escaped_markdown_parses_back_to_the_same_text(text: str) -> None:
    expected = " ".join(text.split(" ")) if "\n" not in text else re.sub(r"\s+", " ", text)
    expected = expected.strip(" ")
    if not expected:
        return
    assert _inline_text(escape_markdown(text)) == expected
    assert _inline_text("## " + escape_markdown(text, line_start=False)) == expected


# --- fallback, marking, structure ----------------------------------------------------------------


def test_marks_machine_unreviewed_and_untranslated_units_in_a_draft() -> None:
    document = sample_document()
    translations = translations_of(sample_catalog("cs", "half"))
    html = render_html(document, translations, "draft", colophon())
    assert html.count('<span class="machine">') == 2  # legend + one unit
    assert html.count('<span class="unreviewed">') == 3  # legend + edited + stale
    assert html.count('<span class="untranslated" lang="en">') == 1
    assert html.count('<span class="untranslated">') == 1  # the legend's sample
    assert '<p class="answer"><span class="untranslated" lang="en">Today it lends' in html


def test_reviewed_policy_shows_only_reviewed_text() -> None:
    document = sample_document()
    translations = translations_of(sample_catalog("ru", "half"))
    html = render_html(document, translations, "reviewed", colophon("ru"))
    assert 'class="machine"' not in html and 'class="unreviewed"' not in html
    assert html.count('<span class="untranslated" lang="en">') == 4
    text = render_text(document, translations, "reviewed")
    assert "It opened again this spring." in text  # machine output not shown
    assert "Этой весной" not in text


def test_no_legend_when_everything_is_reviewed() -> None:
    document = sample_document()
    translations = translations_of(sample_catalog("sk", "reviewed"))
    html = render_html(document, translations, "draft", colophon("sk"))
    assert 'class="legend"' not in html
    assert not re.search(r'<span class="(machine|unreviewed|untranslated)"', html)


def test_questions_are_set_apart_from_answers() -> None:
    document = sample_document()
    html = render_html(document, {}, "draft", colophon("uk"))
    assert (
        '<section class="qa" id="q1">\n<h2 class="question"><span class="number">1)</span>' in html
    )
    assert (
        '<section class="qa" id="q2">\n<h2 class="question"><span class="number">2)</span>' in html
    )
    assert html.count('<p class="answer">') == 3
    assert '<div class="introduction">' in html
    markdown = render_markdown(document, {}, "draft")
    assert markdown == (  # no title without a colophon; a question is a numbered heading
        "We publish below a short conversation about the library in our street. It opened "
        "again this spring.\n\n## 1) How did the library start?\n\nIt started in 1998 as a shelf "
        "in a café. Neighbours brought their own books.\n\nToday it lends about two hundred books "
        "a month.\n\n## 2) What do you need most?\n\nVolunteers, and a few more chairs!\n"
    )


def test_html_page_skeleton() -> None:
    html = render_html(sample_document(), {}, "draft", colophon("ru"))
    assert html.startswith('<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n')
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<title>Title &lt;script&gt;x&lt;/script&gt; &amp; co – русский</title>" in html
    assert "@media print" in html
    assert html.endswith("</body>\n</html>\n")


def test_text_colophon_keeps_crlf_line_endings() -> None:
    document = segment_text("Hello there.\r\n1) Why?\r\nBecause.\r\n", name="t", source_path="t")
    text = render_text(document, {}, "draft", colophon("sk"), messages("sk").gettext)
    assert "\n" not in text.replace("\r\n", "")
    assert text.startswith("Hello there.\r\n1) Why?\r\nBecause.\r\n\r\n* * *\r\nTiráž\r\n")


def test_markdown_source_keeps_its_own_markup() -> None:
    unit = Unit("Hello *world*.", 1, "paragraph 1", "Hello *world*.")
    block = Block("paragraph", None, "# ", (unit,), "\n", 1)
    document = Document("readme", "source/readme.md", "markdown", (block,))
    translations = {unit.msgid: Translation("Ahoj *světe*.", State.REVIEWED)}
    markdown = render_markdown(document, translations, "draft", colophon())
    assert markdown.startswith("# Ahoj *světe*.\n\n* * *\n\n## Colophon\n")


def test_markdown_source_translations_are_placed_for_their_block() -> None:
    source = "---\ntitle: Hello\n---\n# Dates\n\nParagraph one. <b>Two</b>.\n"
    document = segment_markdown(source, name="post", source_path="source/post.md")
    translations = {
        "Hello": Translation('Ahoj: "svět"', State.REVIEWED),
        "Dates": Translation("15. března", State.MACHINE),  # would start an ordered list
    }
    assert render_text(document, {}) == source
    edition = render_markdown(document, translations, "draft", colophon())
    assert edition.startswith(
        '---\ntitle: "Ahoj: \\"svět\\""\n---\n# 15\\. března\n\nParagraph one. <b>Two</b>.\n\n'
    )
    html = render_html(document, translations, "draft", colophon())
    assert "<h1>15. března</h1>" in html and "&lt;b&gt;Two&lt;/b&gt;" in html
    assert '<title>Ahoj: "svět" – čeština</title>' in html.replace("&quot;", '"')


def test_markdown_source_html_goes_through_the_commonmark_renderer() -> None:
    unit = Unit("Hello <script>x</script> *world*.", 1, "paragraph 1")
    block = Block("paragraph", None, "", (unit,), "\n", 1)
    document = Document("readme", "source/readme.md", "markdown", (block,))
    html = render_html(document, {}, "draft", colophon())
    assert "<script" not in html and "<em>world</em>" in html and '<html lang="cs">' in html


# --- shares and colophon -------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["draft", "reviewed"])
@pytest.mark.parametrize("state", list(STATES))
def test_shares_from_units_and_from_state_counts_agree(state: str, policy: str) -> None:
    catalog = sample_catalog("cs", state)
    from pipeline.catalog import state_of

    counts: dict[str, int] = {}
    for entry in catalog.entries:
        if entry.extracted_comments == ["document title"]:
            continue  # counted apart from the text, as pipeline.build counts states
        counts[state_of(entry).value] = counts.get(state_of(entry).value, 0) + 1
    shares = edition_shares(sample_document(), translations_of(catalog), policy)
    assert shares == Shares.from_states(counts, policy)
    assert shares.total == 8
    assert shares.translated + shares.untranslated == 8


def test_half_reviewed_shares() -> None:
    shares = edition_shares(
        sample_document(), translations_of(sample_catalog("cs", "half")), "draft"
    )
    assert (shares.reviewed, shares.machine, shares.unreviewed, shares.untranslated) == (4, 1, 2, 1)
    assert shares.translated_share == 7 / 8
    assert Shares().translated_share == 1.0  # nothing to translate: nothing missing


@pytest.mark.parametrize(
    ("share", "language", "shown"),
    [
        (0.5, "cs", "50\xa0%"),
        (0.125, "ru", "12,5\xa0%"),
        (1 / 3, "uk", "33,3%"),
        (0.9999, "sk", "99,9\xa0%"),
        (0.00001, "cs", "0,1\xa0%"),
        (1.0, "en", "100%"),
        (0.0, "en", "0%"),
    ],
)
def test_shares_are_formatted_for_the_locale_and_never_round_to_all_or_nothing(
    share: float, language: str, shown: str
) -> None:
    assert format_share(share, language) == shown


@pytest.mark.parametrize("language", LANGS)
def test_colophon_is_in_the_editions_language(language: str) -> None:
    fields = colophon_fields(colophon(language), messages(language).gettext)
    labels = [label for label, _, _ in fields]
    english = [label for label, _, _ in colophon_fields(colophon(language))]
    assert len(labels) == len(english) == 11
    assert all(a != b for a, b in zip(labels, english, strict=True))
    values = {label: value for label, value, _ in colophon_fields(colophon(language))}
    assert (
        values["Original language"]
        == {
            "cs": "angličtina",
            "ru": "английский",
            "uk": "англійська",
            "sk": "angličtina",
        }[language]
    )
    assert (
        values["Date of this edition"]
        == {
            "cs": "20. října 2025",
            "ru": "20 октября 2025\u202fг.",
            "uk": "20 жовтня 2025\u202fр.",
            "sk": "20. októbra 2025",
        }[language]
    )
    assert values["Machine translation"] == "Argos Translate, package translate-en_cs, version 1.9"


def test_colophon_without_machine_translation_or_date() -> None:
    fields = colophon_fields(colophon("cs", machine=(), date=None), messages("cs").gettext)
    values = dict((label, value) for label, value, _ in fields)
    assert values["Strojový překlad"] == "nepoužit"
    assert "Datum tohoto vydání" not in values


def test_same_inputs_same_bytes() -> None:
    document = sample_document()
    for state in STATES:
        translations = translations_of(catalog_for(document, "cs", STATES[state]))
        first = render_html(document, translations, "draft", colophon())
        again = render_html(document, dict(reversed(translations.items())), "draft", colophon())
        assert first == again


# --- index ---------------------------------------------------------------------------------------


def test_index_links_and_bars() -> None:
    rows = [
        IndexRow(
            "doc one", "A <b>title</b>", "cs", Shares(8, 4, 1, 2), (("cs/doc one.html", "HTML"),)
        ),
        IndexRow("doc one", "A <b>title</b>", "ru", Shares(8, 0, 0, 0), (), note="Withheld & kept"),
    ]
    html = render_index(rows)
    page = Page(html)
    assert page.open == []
    assert '<html lang="en">' in html
    assert '<a href="cs/doc%20one.html">HTML</a>' in html
    assert "A &lt;b&gt;title&lt;/b&gt;" in html and "Withheld &amp; kept" in html
    assert '<span class="reviewed" style="width: 50.00%"></span>' in html
    assert '<span class="untranslated" style="width: 100.00%"></span>' in html
    assert (
        'aria-label="50% reviewed, 12.5% machine translation, 25% awaiting review, 12.5% not'
        in html
    )
    assert '<span lang="cs">čeština</span> (Czech)' in html
