"""The `placeholders` check: bugs planted into copies of the real catalogs in tests/fixtures/po are
reported (printf, Python braces and template tags; added, lost and changed), the catalogs as they
are give no finding, and plural forms follow msgfmt's rule, checked against msgfmt itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

from pipeline.catalog import read_catalog
from pipeline.checks.catalog import check_catalog
from pipeline.checks.msgfmt import msgfmt_findings
from pipeline.checks.placeholders import check_placeholders, often_forms, placeholders_of, syntax_of
from pipeline.model import Severity

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "po"
CATALOGS = sorted(path.name for path in FIXTURES.glob("*.po"))

EXAMPLES = "gettext-examples.ru.po"
CLOCKS_RU = "gnome-clocks.ru.po"
HELP_RU = "gnome-clocks-help.ru.po"
PO4A = "po4a-bin.ru.po"

# (catalog, text in the file, what a translator or an engine made of it, the finding's message).
# Each replacement is of one msgstr line (or, for template tags, of an entry's msgid and msgstr,
# since none of the real catalogs has a tag), so the finding's line is that entry's.
PLANTED = [
    # printf, c-format (GNOME Clocks)
    (CLOCKS_RU, 'msgstr "Отложено до %s"', 'msgstr "Отложено до"', "lost placeholder: %s"),
    (
        CLOCKS_RU,
        'msgstr "Будильник %s был пропущен"',
        'msgstr "Будильник %s был пропущен %s"',
        "added placeholder: %s",
    ),
    (
        CLOCKS_RU,
        'msgstr "%i-й круг"',
        'msgstr "%s-й круг"',
        "changed placeholder: %i → %s (int → string)",
    ),
    # printf, perl-format (po4a)
    (
        PO4A,
        'msgstr "Неизвестный параметр: %s"',
        'msgstr "Неизвестный параметр: %d"',
        "changed placeholder: %s → %d (string → int)",
    ),
    # printf without a format flag (a Go example): read conservatively, still caught
    (EXAMPLES, 'msgstr "Здравствуйте %s"', 'msgstr "Здравствуйте"', "lost placeholder: %s"),
    # Python's named printf, python-format
    (
        EXAMPLES,
        'msgstr "Эта программа выполняется как процесс под номером %(pid)d."',
        'msgstr "Эта программа выполняется как процесс под номером %(ид)d."',
        "changed placeholder: %(pid)d → %(ид)d",
    ),
    (
        EXAMPLES,
        'msgstr "Эта программа выполняется как процесс под номером %(pid)d."',
        'msgstr "Программа %(name)s выполняется как процесс под номером %(pid)d."',
        "added placeholder: %(name)s",
    ),
    # braces without a format flag (Rust and C++20 examples)
    (
        EXAMPLES,
        'msgstr "Эта программа выполняется как процесс под номером {}."',
        'msgstr "Эта программа {} выполняется как процесс под номером {}."',
        "added placeholder: {}",
    ),
    (
        EXAMPLES,
        'msgstr "Эта программа выполняется как процесс под номером {:d}."',
        'msgstr "Эта программа выполняется как процесс под номером."',
        "lost placeholder: {:d}",
    ),
    # braces with csharp-format and perl-brace-format
    (
        EXAMPLES,
        'msgstr "Эта программа выполняется как процесс под номером {0}."',
        'msgstr "Эта программа выполняется как процесс под номером {1}."',
        "changed placeholder: {0} → {1}",
    ),
    (
        EXAMPLES,
        'msgstr "Эта программа выполняется как процесс под номером {pid}."',
        'msgstr "Эта программа выполняется как процесс под номером {ид}."',
        "changed placeholder: {pid} → {ид}",
    ),
    # template tags, planted into a help page's entry (msgid and msgstr alike, then the bug)
    (
        HELP_RU,
        'msgid "Add an alarm"\nmsgstr "Создать будильник"',
        'msgid "Add an alarm {{ icon }}"\nmsgstr "Создать будильник"',
        "lost template tag: {{ icon }}",
    ),
    (
        HELP_RU,
        'msgid "Edit an alarm"\nmsgstr "Настроить будильник"',
        'msgid "Edit an alarm"\nmsgstr "Настроить будильник {% raw %}"',
        "added template tag: {% raw %}",
    ),
    (
        HELP_RU,
        'msgid "Remove an alarm"\nmsgstr "Убрать будильник"',
        'msgid "Remove an alarm {{< ref a >}}"\nmsgstr "Убрать будильник {{< ref б >}}"',
        "changed template tag: {{< ref a >}} → {{< ref б >}}",
    ),
]


def _copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of a real catalog with one planted change; the original text must occur once."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    copy = tmp_path / name
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return copy


def _found(path: Path) -> list[tuple[int, str]]:
    catalog = read_catalog(path, display=path.name)
    return [
        (finding.line, finding.message)
        for finding in check_catalog(catalog, catalog.language[:2], display=path.name)
        if finding.check == "placeholders"
    ]


def _line_of(path: Path, text: str) -> int:
    """The line where the entry holding `text` starts (its first comment line)."""
    catalog = read_catalog(path, display=path.name)
    return next(
        entry.line
        for entry in catalog.entries
        if text in (entry.msgid, entry.msgstr, *entry.msgstr_plural.values())
    )


@pytest.mark.parametrize(("name", "old", "new", "message"), PLANTED)
def test_a_planted_placeholder_bug_is_an_error_on_its_entry(
    tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    copy = _copy(tmp_path, name, old, new)
    first = old.splitlines()[0].split(" ", 1)[1].strip('"')
    assert _found(copy) == [(_line_of(FIXTURES / name, first), message)]
    catalog = read_catalog(copy, display=name)
    found = check_catalog(catalog, "ru", display=name)
    assert {f.severity for f in found if f.check == "placeholders"} == {Severity.ERROR}


def test_every_syntax_and_kind_is_planted() -> None:
    kinds = {(message.split()[0], message.split()[1]) for *_, message in PLANTED}
    assert kinds == {
        (kind, thing)
        for kind in ("lost", "added", "changed")
        for thing in ("placeholder:", "template")
    }
    shown = " ".join(message for *_, message in PLANTED)
    for syntax in ("%s", "%(", "{}", "{0}", "{pid}", "{{", "{%"):
        assert syntax in shown


@pytest.mark.parametrize("name", CATALOGS)
def test_no_false_alarm_on_the_real_catalogs(name: str) -> None:
    """The catalogs as they are: no finding, though the check sees their placeholders."""
    catalog = read_catalog(FIXTURES / name, display=name)
    assert _found(FIXTURES / name) == []
    seen = sum(
        len(placeholders_of(entry.msgid, syntax_of(entry.flags)).args) for entry in catalog.active()
    )
    assert (seen > 0) is (name != HELP_RU)  # the help has XML markup, no placeholders


def test_pipeline_check_reports_a_planted_bug_in_a_catalog_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    (root / "locales" / "ru").mkdir(parents=True)
    (root / "source").mkdir()
    (root / "pyproject.toml").write_text('[tool.pipeline]\ntarget_languages = ["ru"]\n', "utf-8")
    copy = _copy(tmp_path, CLOCKS_RU, 'msgstr "Отложено до %s"', 'msgstr "Отложено до %d"')
    (root / "locales" / "ru" / "clocks.po").write_bytes(copy.read_bytes())
    assert run_cli(root, "check") == 1
    out = capsys.readouterr().out
    line = _line_of(copy, "Отложено до %d")
    assert (
        f"locales/ru/clocks.po:{line}: error: placeholders: changed placeholder: %s → %d "
        '(string → int) ["Snoozed until %s"]'
    ) in out.splitlines()


# -- plural forms: msgfmt's rule, and msgfmt agrees ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "allowed"),
    [
        # Czech msgstr[0] is used for n = 1 only: it may say "an hour" without the number
        (
            "gnome-clocks.cs.po",
            'msgstr[0] "o %s hodinu pozadu"',
            'msgstr[0] "o hodinu pozadu"',
            True,
        ),
        # Russian msgstr[0] is also used for 21, 31, …: the number must stay
        (CLOCKS_RU, 'msgstr[0] "на %s час отстает"', 'msgstr[0] "на час отстает"', False),
        # Slovak GNOME catalogs use msgstr[1] for n = 1 and msgstr[0] for 0, 5 and more
        ("gnome-clocks.sk.po", 'msgstr[1] "%s hodina pozadu"', 'msgstr[1] "hodinu pozadu"', True),
        ("gnome-clocks.sk.po", 'msgstr[0] "%s hodín pozadu"', 'msgstr[0] "hodín pozadu"', False),
    ],
)
def test_a_plural_form_for_one_n_may_drop_a_placeholder_as_msgfmt_allows(
    tmp_path: Path, name: str, old: str, new: str, allowed: bool
) -> None:
    copy = _copy(tmp_path, name, old, new)
    assert (_found(copy) == []) is allowed
    assert (msgfmt_findings(copy, name) == []) is allowed


def test_a_plural_form_may_never_add_a_placeholder(tmp_path: Path) -> None:
    copy = _copy(
        tmp_path, "gnome-clocks.cs.po", 'msgstr[0] "o %s hodinu pozadu"', 'msgstr[0] "o %s %s"'
    )
    assert [message for _, message in _found(copy)] == ["msgstr[0]: added placeholder: %s"]
    assert msgfmt_findings(copy, "cs.po") != []


def test_often_forms_counts_as_msgfmt_does() -> None:
    czech = "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"
    assert often_forms(czech, 3) == {2}  # 2, 3 and 4 are three values, fewer than five
    russian = (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    )
    assert often_forms(russian, 3) == {0, 1, 2}
    assert often_forms("", 2) == {1}  # gettext's default, n != 1


# -- the rules on plain strings -------------------------------------------------------------------


def _messages(source: str, translation: str, *flags: str) -> list[str]:
    return [issue.message for issue in check_placeholders(source, translation, flags)]


def test_percentages_in_prose_are_no_placeholders_without_a_format_flag() -> None:
    assert _messages("28% of people", "28 % людей") == []
    assert _messages("Prices rose by 15% in one year", "Ceny vzrostly o 15 % za rok") == []
    assert _messages("50%% done", "50% hotovo") == []


def test_a_format_flag_is_followed_as_msgfmt_does() -> None:
    # with c-format, `% o` is a directive (msgfmt reads it so too) and `%%` must stay doubled
    assert _messages("28%% of %s", "28 % o %s", "c-format") != []
    assert _messages("100%% of %s", "100% z %s", "c-format") == [
        "a lone % that starts no placeholder: double it to write it"
    ]
    # no-c-format: a `%` is a percent sign; c-format says nothing about braces
    assert _messages("%s of %d", "%d из", "no-c-format") == []
    assert _messages("${VARIABLE}", "${ПЕРЕМЕННАЯ}", "c-format") == []
    # in python-brace-format `{{` is an escape, not a template tag
    assert _messages("{{literal}} {0}", "{{doslova}} {0}", "python-brace-format") == []
    assert _messages("{{literal}} {0}", "{literal} {0}", "python-brace-format") == [
        "added placeholder: {literal}"
    ]


def test_reordering_numbered_and_named_placeholders_is_allowed() -> None:
    assert _messages("%s of %d", "%2$d из %1$s", "c-format") == []
    assert _messages("{0} of {1}", "{1} z {0}", "python-brace-format") == []
    assert _messages("{} of {}", "{1} z {0}", "python-brace-format") == []
    assert _messages("{name} has {count}", "{count} у {name}", "python-brace-format") == []
    assert _messages("%(a)s and %(b)d", "%(b)d и %(a)s", "python-format") == []
    # unnumbered directives bind by position: swapping them swaps the arguments
    assert _messages("%s of %d", "%d из %s", "c-format") == [
        "changed placeholder: %s → %d (string → int)",
        "changed placeholder: %d → %s (int → string)",
    ]


def test_width_and_alignment_may_change_but_not_the_argument() -> None:
    assert _messages("%5d files", "%d souborů", "c-format") == []
    assert _messages("{name!r:>10} x", "{name} y", "python-brace-format") == []
    assert _messages("{user} wrote", "{uzivatel} napsal", "python-brace-format") == [
        "changed placeholder: {user} → {uzivatel}"
    ]


def test_template_tags_compare_without_inner_spacing() -> None:
    assert _messages("Use {{ page.title }} here", "Použij {{page.title}}") == []
    assert _messages("Use {% if x %}a{% endif %}", "Použij {%if x%}a") == [
        "lost template tag: {% endif %}"
    ]


def test_braces_in_prose_and_markup_are_no_placeholders_without_a_flag() -> None:
    assert _messages(r"Write \emph{word}", r"Napiš \emph{slovo}") == []
    assert _messages("the set {a, b}", "množina {a, b, c}") == []
    assert _messages("Set ${HOME}", "Nastav ${DOMOV}") == []


def test_text_full_of_unclosed_placeholders_completes() -> None:
    """Linear work on hostile text (docs/security.md, "Linear time"): unclosed `{{`, `{%`, `{`
    and `%` by the hundred thousand, in every syntax at once."""
    hostile = "{{ {% {# { %" * 20_000
    flags = ("c-format", "python-brace-format")
    assert check_placeholders(hostile, hostile, flags) == []
    assert _messages(hostile, hostile + " {0}", *flags) == ["added placeholder: {0}"]
    assert _messages("{{ a }}" + hostile, hostile) == ["lost template tag: {{ a }}"]


def test_a_markdown_catalog_reports_a_lost_template_tag_once() -> None:
    """The Markdown `markup` check compares template tags too: the finding is not doubled."""
    from pipeline import source_formats
    from pipeline.model import Catalog, Entry

    entry = Entry(msgid="Read {{< ref page >}} now.", msgstr="Přečti si teď.", line=3)
    catalog = Catalog({"Language": "cs"}, [entry])
    markdown = source_formats.named("markdown")
    found = check_catalog(catalog, "cs", source_format=markdown)
    assert [(f.check, f.message) for f in found] == [
        ("placeholders", "lost template tag: {{< ref page >}}")
    ]
