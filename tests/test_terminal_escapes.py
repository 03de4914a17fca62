"""Terminal injection: escape sequences in a catalog never reach the terminal in `pipeline review`,
and `pipeline check` reports a control character in a msgstr as an error (issue 12, item 7)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from helpers import REVIEW, Tmux, run_process
from test_review import HEADER, MODEL

from pipeline.catalog import read_catalog, save_catalog, set_machine_output
from pipeline.checks.translation import check_translation
from pipeline.config import Config, load_config
from pipeline.controls import CONTROL, control_characters, picture, visible
from pipeline.model import Catalog, Entry, Finding, Severity, State
from pipeline.review.terminal import EntryView, Terminal, _editor_context, render_entry

TITLE = "\x1b]2;pwned\x1b\\"  # OSC 2 ended by ST: sets the window title
HIDE = "\x1b[8m"  # SGR 8: conceals the text after it
SOURCE = f"Read the {TITLE}notes."
TRANSLATION = f"Přečtěte si {TITLE}poznámky {HIDE}hidden text\x1b[0m."
COMMENT = f"p {TITLE}1"
# Every control a terminal obeys: C0, DEL, C1.
CONTROLS = [chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]]


def _escape_free(text: str) -> bool:
    """No control character at all, apart from the newlines between lines."""
    return CONTROL.search(text.replace("\n", "")) is None


# --- making controls visible ---------------------------------------------------------------------


def test_every_control_character_gets_a_visible_stand_in() -> None:
    assert picture("\x1b") == "␛"
    assert picture("\x07") == "␇"
    assert picture("\x00") == "␀"
    assert picture("\t") == "␉"
    assert picture("\x7f") == "␡"
    assert picture("\x9b") == "\\x9b"  # CSI in one character
    assert picture("é") == "é"
    everything = "".join(CONTROLS)
    shown = visible(everything, keep="")
    assert _escape_free(shown)
    assert len({picture(c) for c in CONTROLS}) == len(CONTROLS)  # each one told apart
    assert visible(TRANSLATION) == "Přečtěte si ␛]2;pwned␛\\poznámky ␛[8mhidden text␛[0m."
    assert visible("\x1b]2;title\x07") == "␛]2;title␇"
    assert visible("line one\nline two") == "line one\nline two"
    assert visible(shown, keep="") == shown  # idempotent: a picture is not a control


def test_control_characters_lists_each_once_and_allows_tab_and_newline() -> None:
    assert control_characters(TRANSLATION) == ["\x1b"]
    assert control_characters("\x1b]2;title\x07 \x1b") == ["\x1b", "\x07"]
    assert control_characters("a\tb\nc") == []
    assert control_characters("a\tb", allowed="") == ["\t"]


# --- the review screen ---------------------------------------------------------------------------


def _hostile_view(notice: str = "") -> EntryView:
    return EntryView(
        language="cs",
        language_name="Czech",
        position=1,
        total=1,
        display=f"locales/cs/{TITLE}doc.po",
        line=7,
        where=COMMENT,
        state=State.MACHINE,
        source=SOURCE + "\x9b31m\x00\x7f",
        previous_source=f"Read the {HIDE}old notes.",
        translation=TRANSLATION + "\tend",
        findings=(Finding("control", Severity.ERROR, f"raw {TITLE} in a message"),),
        notice=notice or f"unknown key {HIDE!r} {TITLE}",
    )


def test_review_screen_shows_controls_and_sends_none() -> None:
    screen = render_entry(_hostile_view(), 100)
    assert _escape_free(screen)
    assert "English, changed since translation" in screen  # the diff of the sources is shown
    assert "Read the ␛]2;pwned␛\\notes.\\x9b31m␀␡" in screen
    assert "Přečtěte si ␛]2;pwned␛\\poznámky ␛[8mhidden text␛[0m.␉end" in screen
    assert "locales/cs/␛]2;pwned␛\\doc.po:7  p ␛]2;pwned␛\\1" in screen
    assert "error: control: raw ␛]2;pwned␛\\ in a message" in screen
    assert "! unknown key '\\x1b[8m' ␛]2;pwned␛\\" in screen


def test_terminal_show_writes_no_control_but_its_own_clear() -> None:
    out = io.StringIO()
    Terminal(io.StringIO(), out).show(f"{TRANSLATION}\n{SOURCE}")
    assert _escape_free(out.getvalue())
    assert out.getvalue() == f"{visible(TRANSLATION)}\n{visible(SOURCE)}\n"


def test_editor_context_is_visible_and_the_translation_stays_raw() -> None:
    context = _editor_context(_hostile_view())
    assert _escape_free(context)
    assert "Read the ␛]2;pwned␛\\notes." in context


# --- pipeline check ------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x00", "\x08", "\x0b", "\x7f", "\x9b"])
def test_control_character_in_a_translation_is_an_error(char: str) -> None:
    found = check_translation("Hello world.", f"Ahoj {char}světe.", "cs")
    controls = [f for f in found if f.check == "control"]
    expected = f"control character {picture(char)} (U+{ord(char):04X}) in the translation"
    assert [(f.severity, f.message) for f in controls] == [(Severity.ERROR, expected)]


def test_tab_and_newline_in_a_translation_are_not_control_findings() -> None:
    found = check_translation("Name:\tvalue\nsecond line", "Jméno:\thodnota\ndruhý řádek", "cs")
    assert [f for f in found if f.check == "control"] == []


def test_many_controls_are_one_finding_naming_three() -> None:
    found = check_translation("Hello world.", "Ahoj\x01\x02\x03\x04\x05 světe.", "cs")
    (control,) = [f.message for f in found if f.check == "control"]
    assert (
        control
        == "control character ␁ (U+0001), ␂ (U+0002), ␃ (U+0003) and 2 more in the translation"
    )


# --- the command line and a real terminal --------------------------------------------------------


def write_hostile_project(root: Path) -> Config:
    """A project whose cs catalog carries escape sequences in msgid, msgstr and a comment."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs"]\n', encoding="utf-8"
    )
    entry = Entry(SOURCE, references=["source/doc.txt:1"], extracted_comments=[COMMENT])
    set_machine_output(entry, TRANSLATION, *MODEL)
    save_catalog(Catalog(dict(HEADER), [entry]), root / "locales" / "cs" / "doc.po")
    return load_config(root)


def test_pipeline_check_reports_the_escape_as_an_error(tmp_path: Path) -> None:
    config = write_hostile_project(tmp_path / "project")
    po = config.locales_dir / "cs" / "doc.po"
    assert "\x1b" in po.read_text(encoding="utf-8")  # the catalog really holds the raw ESC
    result = run_process(config.root, "check")
    assert result.returncode == 1, result.stderr
    assert _escape_free(result.stdout + result.stderr)
    assert "error: control: control character ␛ (U+001B) in the translation" in (result.stdout)
    as_json = run_process(config.root, "check", "--json")
    rows = json.loads(as_json.stdout)
    assert [row["severity"] for row in rows if row["check"] == "control"] == ["error"]


_SGR_CONCEAL = re.compile(r"\x1b\[(?:[0-9]*;)*8(?:;[0-9]*)*m")


def _assert_terminal_untouched(tmux: Tmux) -> str:
    """The window title was never set and no text is concealed; returns the plain screen."""
    assert "pwned" not in tmux.pane("pane_title")
    with_attributes = tmux.tmux("capture-pane", "-p", "-e", "-t", "review")
    assert _SGR_CONCEAL.search(with_attributes) is None, with_attributes
    return tmux.screen()


def test_review_in_a_real_terminal_keeps_title_and_shows_hidden_text(
    tmp_path: Path, tmux: Tmux
) -> None:
    config = write_hostile_project(tmp_path / "project")
    tmux.start(config.root, *REVIEW)
    screen = tmux.wait_for("entry 1/1  [machine]")
    screen = _assert_terminal_untouched(tmux)
    assert "Read the ␛]2;pwned␛\\notes." in screen
    assert "Přečtěte si ␛]2;pwned␛\\poznámky ␛[8mhidden text␛[0m." in screen
    assert "p ␛]2;pwned␛\\1" in screen
    assert "error: control: control character ␛ (U+001B)" in screen
    # The prompt offers the translation with the controls shown, not sent.
    tmux.send("e")
    tmux.wait_for("edit the translation and press Enter")
    screen = _assert_terminal_untouched(tmux)
    assert "> Přečtěte si ␛]2;pwned␛\\poznámky ␛[8mhidden text␛[0m." in screen
    tmux.send("C-u")
    tmux.type("Přečtěte si poznámky.")
    tmux.send("Enter")
    tmux.wait_for("saved; press a to approve")
    tmux.send("q")
    assert tmux.wait_exit() == 0
    _assert_terminal_untouched(tmux)
    (entry,) = read_catalog(config.locales_dir / "cs" / "doc.po").active()
    assert entry.msgstr == "Přečtěte si poznámky."


def test_editor_round_trip_shows_no_escape(tmp_path: Path, tmux: Tmux) -> None:
    config = write_hostile_project(tmp_path / "project")
    po = config.locales_dir / "cs" / "doc.po"
    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.sh"
    # A scripted editor that prints the whole file to the terminal, as `cat` would, and saves it
    # unchanged the first time; the second time it replaces one word.
    editor.write_text(
        f'#!/bin/sh\ncp "$1" "{seen}"\ncat "$1"\n'
        f'if [ -e "{seen}.once" ]; then sed -i "1s/poznámky/zápisky/" "$1"; fi\n'
        f'touch "{seen}.once"\n',
        encoding="utf-8",
    )
    editor.chmod(0o755)
    tmux.start(config.root, *REVIEW, editor=str(editor))
    tmux.wait_for("entry 1/1")
    tmux.send("e")
    tmux.wait_for("edit cancelled: translation unchanged")
    _assert_terminal_untouched(tmux)
    given = seen.read_text(encoding="utf-8")
    assert _escape_free(given)
    translation, context = given.split("\n", 1)
    assert translation == visible(TRANSLATION)
    assert "# Read the ␛]2;pwned␛\\notes." in context
    (entry,) = read_catalog(po).active()
    assert entry.msgstr == TRANSLATION  # given back as shown: unchanged, not rewritten
    tmux.send("e")
    tmux.wait_for("saved; press a to approve")
    screen = _assert_terminal_untouched(tmux)
    assert "Přečtěte si ␛]2;pwned␛\\zápisky ␛[8mhidden text␛[0m." in screen
    tmux.send("q")
    assert tmux.wait_exit() == 0
    (entry,) = read_catalog(po).active()
    # What the reviewer saw and kept is what is saved: the pictures, not the escapes.
    assert entry.msgstr == "Přečtěte si ␛]2;pwned␛\\zápisky ␛[8mhidden text␛[0m."
