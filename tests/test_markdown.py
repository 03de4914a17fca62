"""Markdown sources: units and skeleton, placement of translations, front matter, placeholders for
machine translation, the markup check and HTML rendering (pipeline/source_formats/markdown/)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from argos_fixtures import ArgosModels
from argos_models import MAPPINGS
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import source_formats
from pipeline.assemble import render_text
from pipeline.checks.catalog import check_catalog
from pipeline.errors import ConfigError, SourceError
from pipeline.memo import FindingsMemo, check_with_memo
from pipeline.model import Catalog, Document, Entry, Severity, State, Translation
from pipeline.source_formats.markdown.check import markup_differences, markup_findings
from pipeline.source_formats.markdown.front_matter import strip_front_matter, yaml_scalar
from pipeline.source_formats.markdown.markup import template_tags
from pipeline.source_formats.markdown.place import place_translation
from pipeline.source_formats.markdown.placeholders import protect_markup
from pipeline.source_formats.markdown.render import markup_inventory, render_markdown_html
from pipeline.source_formats.markdown.segment import segment_markdown
from pipeline.source_formats.placeholders import restore as restore_markup

ENGLISH = Path(__file__).resolve().parent / "fixtures" / "english"
ARTICLES = sorted(ENGLISH.glob("*.md"))


def segment(text: str, unit: str = "sentence", keys: tuple[str, ...] = ("title",)) -> Document:
    return segment_markdown(
        text, name="doc", source_path="source/doc.md", unit=unit, front_matter_keys=keys
    )


def units(text: str, unit: str = "sentence") -> list[tuple[str, str, int]]:
    return [(u.msgid, u.where, u.line) for u in segment(text, unit).units]


def translated(document: Document, mapping: dict[str, str]) -> str:
    return render_text(document, {k: Translation(v, State.REVIEWED) for k, v in mapping.items()})


# --- units and skeleton --------------------------------------------------------------------------


def test_headings_paragraphs_lists_and_quotes_are_units_with_their_place() -> None:
    text = (
        "# Title\n\nFirst sentence. Second one.\n\n- Item one.\n- Item two\n\n"
        "> Quoted. Still quoted.\n>\n> 1. Listed in a quote.\n"
    )
    assert units(text) == [
        ("Title", "heading 1", 1),
        ("First sentence.", "paragraph 1, sentence 1", 3),
        ("Second one.", "paragraph 1, sentence 2", 3),
        ("Item one.", "paragraph 2, sentence 1; list item", 5),
        ("Item two", "paragraph 3, sentence 1; list item", 6),
        ("Quoted.", "paragraph 4, sentence 1; block quote", 8),
        ("Still quoted.", "paragraph 4, sentence 2; block quote", 8),
        ("Listed in a quote.", "paragraph 5, sentence 1; block quote, list item", 10),
    ]


def test_hard_wrapped_paragraph_keeps_its_lines_and_joins_the_msgid() -> None:
    text = "> If you are a\ndeveloper, learn to protosketch. Create\n> moments.\n"
    document = segment(text)
    first, second = document.units
    assert first.msgid == "If you are a developer, learn to protosketch."
    assert first.text == "If you are a\ndeveloper, learn to protosketch."
    assert second.text == "Create\n> moments."  # the quote marker stays in the source slice
    assert (first.line, second.line) == (1, 2)
    assert render_text(document, {}) == text
    assert translated(document, {second.msgid: "Vytvořte chvíle."}) == (
        "> If you are a\ndeveloper, learn to protosketch. Vytvořte chvíle.\n"
    )


def test_paragraph_unit_keeps_a_paragraph_whole() -> None:
    assert units("One. Two.\n\nThree.\n", unit="paragraph") == [
        ("One. Two.", "paragraph 1", 1),
        ("Three.", "paragraph 2", 3),
    ]


def test_code_html_and_template_only_blocks_are_never_units() -> None:
    text = (
        "Intro text.\n\n```python\nprint('Hello world.')\n```\n\n    indented code here\n\n"
        '<div class="note">\nRaw HTML block.\n</div>\n\n'
        '{% image "a.jpg" "Members of the team." %}\n\n{{ "/x/" | url }}\n\n---\n\n'
        "<span></span><br>\n"
    )
    assert units(text) == [("Intro text.", "paragraph 1, sentence 1", 1)]
    assert render_text(segment(text), {}) == text


def test_inline_markup_stays_readable_and_code_keeps_its_spaces() -> None:
    text = 'Run `make  all` in **bold** and [the docs](https://example.org/a_b "T").\n'
    assert [u.msgid for u in segment(text).units] == [
        'Run `make  all` in **bold** and [the docs](https://example.org/a_b "T").'
    ]


def test_template_tag_in_a_link_target_is_opaque() -> None:
    text = '[*"Sketching"*]({{ "/2015/01/06/protosketch/" | url }}), which\nconcludes: yes. Next.\n'
    first, second = segment(text).units
    assert first.msgid == (
        '[*"Sketching"*]({{ "/2015/01/06/protosketch/" | url }}), which concludes: yes.'
    )
    assert second.msgid == "Next."


def test_emphasis_around_a_whole_paragraph_moves_to_the_skeleton() -> None:
    text = "*Recently, we met. We hope you enjoy!*\n\n**Motivation: remember**\n===\n"
    document = segment(text)
    assert [u.msgid for u in document.units] == [
        "Recently, we met.",
        "We hope you enjoy!",
        "Motivation: remember",
    ]
    assert document.blocks[0].prefix == "*"
    assert translated(document, {"We hope you enjoy!": "Doufáme!"}) == (
        "*Recently, we met. Doufáme!*\n\n**Motivation: remember**\n===\n"
    )


def test_no_sentence_cut_inside_emphasis_or_a_link() -> None:
    text = "See *this one. And that* here. Then [a. B](u) end. Last.\n"
    assert [u.msgid for u in segment(text).units] == [
        "See *this one. And that* here.",
        "Then [a. B](u) end.",
        "Last.",
    ]


def test_hard_line_breaks_cut_units() -> None:
    text = "Line one  \nline two\\\nline three\n"
    document = segment(text)
    assert [u.msgid for u in document.units] == ["Line one", "line two", "line three"]
    assert render_text(document, {}) == text


def test_table_cells_are_units_and_pipes_are_escaped_in_translations() -> None:
    text = "| Head | Other |\n|------|-------|\n| a \\| b | `c\\|d` |\n"
    document = segment(text)
    assert [(u.msgid, u.where) for u in document.units] == [
        ("Head", "table 1, cell 1:1"),
        ("Other", "table 1, cell 1:2"),
        ("a | b", "table 1, cell 2:1"),
    ]
    edition = translated(document, {"a | b": "x | y", "Head": "Hlava"})
    assert edition == "| Hlava | Other |\n|------|-------|\n| x \\| y | `c\\|d` |\n"
    assert render_markdown_html(edition).count("<td>") == 2


def test_malformed_table_from_the_agile_post_is_cut_at_its_pipes() -> None:
    text = (ENGLISH / ARTICLES[2].name).read_text(encoding="utf-8")
    cells = [(u.msgid, u.where) for u in segment(text).units if ", cell " in u.where]
    assert cells[:3] == [
        ("SOO Section", "paragraph 25, cell 1:1"),
        ("Agile Output", "paragraph 25, cell 1:2"),
        ("Scope or mission", "paragraph 25, cell 3:1"),
    ]
    assert "<table>" not in render_markdown_html(text)  # GFM: the column counts differ


def test_image_alt_and_titles_standing_alone_are_units() -> None:
    text = (
        '![A diagram of the flow](flow.png "The flow")\n\n'
        '[![Badge](b.svg)](https://ci.example "CI")\n'
    )
    assert units(text) == [
        ("A diagram of the flow", "paragraph 1; image alt", 1),
        ("The flow", "paragraph 1; image title", 1),
        ("Badge", "paragraph 2; image alt", 3),
        ("CI", "paragraph 2; link title", 3),
    ]


def test_image_inside_a_sentence_stays_in_the_msgid() -> None:
    assert [u.msgid for u in segment("See ![the chart](c.png) below.\n").units] == [
        "See ![the chart](c.png) below."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "No final newline.",
        "Windows\r\nlines.\r\n\r\n# Head\r\n",
        "\ufeff# With a byte order mark\n\nText.\n",
        "-\tTab list item\n\n>\tTab quote\n\n    \tcode\n",
        "Old Mac\rlines\r\rHere.\r",
        "\u00a0\nNo-break space line.\n",
        "Nested\n\n- item\n\n  > quote in item\n  > still\n\n      code in item\n",
    ],
)
def test_empty_translations_give_the_source_back_byte_for_byte(text: str) -> None:
    document = segment(text)
    assert document.units
    assert render_text(document, {}) == text


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name[:20])
def test_the_posts_round_trip_and_every_unit_is_its_source_slice(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for unit in ("sentence", "paragraph"):
        document = segment(text, unit, ("title", "description", "excerpt"))
        assert render_text(document, {}) == text
        assert document.format == "markdown"
        for block in document.blocks:
            for part in block.parts:
                if not isinstance(part, str):
                    assert part.text and part.msgid and "\n" not in part.msgid


_FRAGMENTS = [
    "# ", "> ", "- ", "1. ", "   ", "\t", "\n", "\n\n", "\r\n", "Hello", " world", ". ", "Next",
    "*", "**", "_", "`", "[", "]", "](http://x.y)", "![", "<b>", "</b>", "<div>", "{{ x }}",
    "{% y %}", "\\", "|", "| a | b |\n|---|---|\n", "---", "===", "```", "    code", "&amp;",
    "<http://a.b>", '"t"', "  \n", "ü", "Mr. X", "\u00a0",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=30))
def test_any_markdown_is_segmented_exactly_or_refused_with_a_line(fragments: list[str]) -> None:
    text = "".join(fragments)
    try:
        document = segment(text)
    except SourceError as error:
        assert error.path == "source/doc.md"
        assert "empty" in error.message or error.line is not None
        return
    assert render_text(document, {}) == text
    for unit in document.units:
        assert unit.msgid == unit.msgid.strip() and unit.msgid
        assert any(c.isalnum() for c in unit.msgid)


# --- front matter --------------------------------------------------------------------------------


FRONT = (
    "---\ntitle: How to protosketch\ndate: '2015-03-13'\ntags:\n- agile\n"
    'excerpt: "Many people spend\n  time in meetings."\ndescription: ""\n'
    "summary: |\n  Block text\n  here.\n---\nBody.\n"
)


def test_configured_front_matter_keys_are_units_the_rest_is_kept() -> None:
    document = segment_markdown(
        FRONT, name="d", source_path="d.md", front_matter_keys=("title", "excerpt", "summary")
    )
    assert [(u.msgid, u.where, u.line) for u in document.units] == [
        ("How to protosketch", "front matter: title", 2),
        ("Many people spend time in meetings.", "front matter: excerpt", 6),
        ("Block text here.", "front matter: summary", 9),
        ("Body.", "paragraph 1, sentence 1", 13),
    ]
    assert document.title == "How to protosketch"
    assert render_text(document, {}) == FRONT


@pytest.mark.parametrize(
    "translation",
    ['Jak na to: "protosketch"', "It's #1 — 50% off: yes", "\\back\\slash", "line\nbreak", "- a"],
)
def test_translated_front_matter_is_valid_yaml_with_the_translation(translation: str) -> None:
    document = segment_markdown(
        FRONT, name="d", source_path="d.md", front_matter_keys=("title", "excerpt", "summary")
    )
    mapping = {u.msgid: translation for u in document.units if u.where.startswith("front")}
    edition = translated(document, mapping)
    loaded = yaml.safe_load(edition.split("---\n")[1])
    flat = " ".join(translation.split())
    assert loaded["title"] == loaded["excerpt"] == loaded["summary"] == flat
    assert loaded["date"] == "2015-03-13" and loaded["tags"] == ["agile"]
    assert edition.endswith("---\nBody.\n")


def test_sequence_values_of_a_configured_key_are_units() -> None:
    text = "---\nkeywords:\n- first phrase\n- 42\n---\nText.\n"
    document = segment_markdown(text, name="d", source_path="d.md", front_matter_keys=("keywords",))
    assert [u.where for u in document.units][:1] == ["front matter: keywords 1"]
    assert "42" not in [u.msgid for u in document.units]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: x\n\nBody.\n", 1, "front matter: no closing '---' line"),
        ("---\ntitle: [a, b\n---\nBody.\n", 3, "front matter: invalid YAML"),
        ("---\ntitle: a\n  bad: indent\n---\n", 3, "front matter: invalid YAML"),
        ("---\n- a\n---\nBody.\n", 2, "front matter: not a YAML mapping"),
        ("Text \x00 here.\n", 1, "NUL character"),
        ("  \n\n", None, "source is empty"),
    ],
)
def test_broken_sources_are_one_error_with_file_and_line(
    text: str, line: int | None, message: str
) -> None:
    with pytest.raises(SourceError) as caught:
        segment(text)
    assert caught.value.path == "source/doc.md"
    assert caught.value.line == line
    assert message in caught.value.message
    assert "\n" not in caught.value.one_line()


def test_yaml_scalar_always_loads_back() -> None:
    for text in ['a "b" c', "x: y", "# no comment", "tab\there", "\u2028sep", "'single'", "é ü"]:
        assert yaml.safe_load("k: " + yaml_scalar(text))["k"] == " ".join(text.split())


# --- placement -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "placed"),
    [
        ("paragraph", "15. března jsme začali.", "15\\. března jsme začali."),
        ("paragraph", "1) první", "1\\) první"),
        ("paragraph", "# není nadpis", "\\# není nadpis"),
        ("paragraph", "> ne citace", "\\> ne citace"),
        ("paragraph", "- ne seznam", "\\- ne seznam"),
        ("paragraph", "```ne kód", "\\`\\`\\`ne kód"),
        ("paragraph", "<div>ne HTML", "\\<div>ne HTML"),
        ("paragraph", "<https://a.b> odkaz", "<https://a.b> odkaz"),
        ("paragraph", "---", "\\---"),
        ("paragraph", "dva\nřádky", "dva řádky"),
        ("paragraph", "kód `a  b` zůstává", "kód `a  b` zůstává"),
        ("heading", "Jazyk C #", "Jazyk C \\#"),
        ("table", "a | b", "a \\| b"),
        ("front matter", 'Řekl: "ano"', '"Řekl: \\"ano\\""'),
    ],
)
def test_translations_cannot_change_the_block_structure(kind: str, text: str, placed: str) -> None:
    assert place_translation(kind, text) == placed


def test_a_czech_date_at_a_paragraph_start_stays_a_paragraph() -> None:
    document = segment("On March 15 we started. It went well.\n")
    edition = translated(document, {"On March 15 we started.": "15. března jsme začali."})
    assert render_markdown_html(edition) == "<p>15. března jsme začali. It went well.</p>\n"


# --- placeholders for machine translation --------------------------------------------------------


SAMPLES = [
    'This post: [*"Sketching with Code"*]({{ "/2015/01/06/protosketch/" | url }}), which ends:',
    "Location: \\<Video Call Link / Backup Teleconference Line\\>",
    'Run `make snake_case` with **bold**, _under_ and ![alt *x*](a_b.png "T") &amp; <b>x</b>.',
    "Mail [inquiries18F@gsa.gov](mailto:inquiries18F@gsa.gov) or <https://x.example/a_b>.",
    "In 7001 BC and 17002 AD, **1902** was `7003`.",
]


@pytest.mark.parametrize("msgid", SAMPLES)
@pytest.mark.parametrize("mode", ["copy", "upper", "cyrillic"])
def test_markup_survives_what_argos_does_to_text(msgid: str, mode: str) -> None:
    protected, tokens = protect_markup(msgid)
    assert tokens
    assert all(token not in protected for token in tokens if not token.isdigit())
    assert "_" not in protected.replace("snake_case", "").replace("a_b", "")
    restored = restore_markup(MAPPINGS[mode](protected), tokens)
    assert markup_differences(msgid, restored) == []
    if mode == "copy":
        assert restored == msgid


def test_numbers_that_contain_a_placeholder_are_protected_too() -> None:
    protected, tokens = protect_markup("In 7001 BC, **it** was.")
    assert "7001" in tokens  # else restore would take the year for a placeholder
    assert restore_markup(protected, tokens) == "In 7001 BC, **it** was."


def test_restore_accepts_grouped_digits_and_moved_placeholders() -> None:
    protected, tokens = protect_markup("Click [here](https://a.example) now.")
    assert protected == "Click 7001here7002 now."
    assert restore_markup("Teď 7 001zde7\u00a0002 klikněte.", tokens) == (
        "Teď [zde](https://a.example) klikněte."
    )


def test_text_without_markup_is_left_alone() -> None:
    assert protect_markup("Plain words, 3 numbers.") == ("Plain words, 3 numbers.", [])
    assert restore_markup("Prostá slova.", []) == "Prostá slova."


def test_real_tiny_argos_model_keeps_the_markup(argos_models: ArgosModels) -> None:
    from argos_fixtures import open_engine, texts

    engine = open_engine("argos", "en", "cs")  # the upper-casing test model
    try:
        protected = [protect_markup(msgid) for msgid in SAMPLES]
        outputs = texts(engine.translate([text for text, _ in protected]))
    finally:
        engine.close()
    for msgid, (_, tokens), output in zip(SAMPLES, protected, outputs, strict=True):
        restored = restore_markup(output, tokens)
        assert markup_differences(msgid, restored) == [], (msgid, output)
        assert restored != msgid


# --- the markup check ----------------------------------------------------------------------------


def test_markup_findings_name_what_changed_with_severities() -> None:
    source = "See [docs](https://a.example/x), run `make`, {{ site.name }} and **this**."
    translation = "Viz [dokumenty](https://a.example/y), spusť `udělej`, {{ site.jmeno }} a **toto."
    assert markup_findings(source, translation) == [
        (Severity.ERROR, "changed URL: https://a.example/x → https://a.example/y"),
        (Severity.ERROR, "changed inline code: `make` → `udělej`"),
        (Severity.ERROR, "changed template tag: {{ site.name }} → {{ site.jmeno }}"),
        (Severity.WARNING, "unbalanced emphasis: a * or _ marker lost its partner"),
        (Severity.WARNING, "strong emphasis **…** differs: 1 in the source, 0 in the translation"),
    ]


def test_lost_and_added_links_and_a_good_translation() -> None:
    assert markup_differences("A [b](u) c.", "A b c.") == ["lost link: u"]
    assert markup_differences("A b.", "A [b](u).") == ["added link: u"]
    assert markup_differences("Use *x* and [y](u).", "Použij [y](u) a *x*.") == []
    assert markup_differences("Anything.", "") == []


# --- HTML ----------------------------------------------------------------------------------------


def test_html_rendering_escapes_raw_html_from_sources_and_translations() -> None:
    html = render_markdown_html(
        "---\ntitle: x\n---\n<div>\n*raw*\n</div>\n\n<!-- more -->\n\n"
        "Hi <script>alert(1)</script> [x](javascript:alert(1)) [y]({{ '/a' | url }}).\n"
    )
    assert "<script>" not in html and "<div>" not in html and "more" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert "<a href=\"{{ '/a' | url }}\">y</a>" in html
    assert "title: x" not in html


def test_front_matter_is_stripped_only_when_closed() -> None:
    assert strip_front_matter("---\na: b\n---\nText\n") == "Text\n"
    assert strip_front_matter("---\nText\n") == "---\nText\n"


def test_inventory_and_template_tags() -> None:
    text = "A [l](https://a.b) `c` {{ t }}.\n\n```\n{% raw %}code\n```\n"
    assert markup_inventory(text) == {
        "urls": ["https://a.b"],
        "code": ["{% raw %}code\n"],
        "inline code": ["c"],
        "templates": ["{{ t }}", "{% raw %}"],
    }
    assert template_tags("{{ a }} and {% b %} and {# c #} but not {{ d\n\n}}") == [
        "{{ a }}",
        "{% b %}",
        "{# c #}",
    ]


def test_no_markdown_regex_letters_leak_into_ascii_units() -> None:
    # Every unit of the posts has words: markup-only pieces (rules, code, tags) stay skeleton.
    for path in ARTICLES:
        for unit in segment(path.read_text(encoding="utf-8")).units:
            assert any(c in string.ascii_letters for c in unit.msgid)


# --- the format in the registry ------------------------------------------------------------------


def test_the_built_in_formats_are_found_by_suffix_through_the_registry() -> None:
    markdown = source_formats.for_path(Path("source/post.md"))
    text = source_formats.for_path(Path("source/interview.txt"))
    assert markdown is not None and markdown.name == "markdown" and ".md" in markdown.suffixes
    assert text is not None and text.name == "text" and ".txt" in text.suffixes
    assert source_formats.for_path(Path("source/notes.rst")) is None
    for found in (markdown, text):
        assert isinstance(found, source_formats.SourceFormat)
        assert source_formats.named(found.name) is found


def test_front_matter_keys_come_from_the_formats_own_settings_table() -> None:
    markdown = source_formats.named("markdown")
    keys = ["title", "excerpt", "summary"]
    options = source_formats.SegmentOptions("sentence", {"front_matter_keys": keys})
    document = markdown.segment(FRONT.encode(), name="d", source_path="d.md", options=options)
    direct = segment_markdown(FRONT, name="d", source_path="d.md", front_matter_keys=tuple(keys))
    assert document == direct and document.format == markdown.name
    defaults = markdown.segment(
        FRONT.encode(), name="d", source_path="d.md", options=source_formats.SegmentOptions()
    )
    assert [u.where for u in defaults.units if u.where.startswith("front")] == [
        "front matter: title",
        "front matter: excerpt",
    ]


@pytest.mark.parametrize("keys", ["title", ["title", 3], {"title": True}])
def test_bad_front_matter_keys_are_one_config_line_naming_the_key(keys: object) -> None:
    options = source_formats.SegmentOptions("sentence", {"front_matter_keys": keys})
    with pytest.raises(ConfigError) as caught:
        source_formats.named("markdown").segment(
            FRONT.encode(), name="d", source_path="d.md", options=options
        )
    line = caught.value.one_line()
    assert "[tool.pipeline.markdown] front_matter_keys" in line and "\n" not in line
    assert caught.value.exit_code == 2


def _markup_catalog(reference: str) -> Catalog:
    source = "See [the docs](https://a.example/x) and run `make`."
    broken = "Viz [dokumenty](https://a.example/y) a spusť udělej."
    entry = Entry(msgid=source, msgstr=broken, references=[reference])
    header = {"Language": "cs", "Content-Type": "text/plain; charset=UTF-8"}
    return Catalog(header=header, entries=[entry], path="locales/cs/doc.po")


@pytest.mark.parametrize("reference", ["source/doc.md:3", "source/doc.txt:3", "elsewhere"])
def test_the_markup_check_asks_the_source_format_not_the_references(
    reference: str, tmp_path: Path
) -> None:
    catalog = _markup_catalog(reference)
    entry = catalog.entries[0]
    markdown, text = source_formats.named("markdown"), source_formats.named("text")
    expected = [m for _, m in markdown.markup_findings(entry.msgid, entry.msgstr)]
    assert len(expected) == 2  # the changed URL and the lost inline code
    as_markdown = check_catalog(catalog, "cs", source_format=markdown)
    assert [f.message for f in as_markdown if f.check == "markup"] == expected
    for source_format in (text, None):
        found = check_catalog(catalog, "cs", source_format=source_format)
        assert [f for f in found if f.check == "markup"] == []
    # The findings memo keys on the format: one file, two formats, each gets its own findings.
    path = tmp_path / "findings.sqlite3"
    for source_format in (markdown, text, markdown):
        memo = FindingsMemo(path, "cs", b"", source_format=source_format)
        try:
            memoised = check_with_memo(catalog, "cs", memo, glossary=None, display="doc.po")
        finally:
            memo.close()
        direct = check_catalog(catalog, "cs", display="doc.po", source_format=source_format)
        assert sorted(map(repr, memoised)) == sorted(map(repr, direct))
