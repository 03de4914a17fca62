"""A catalog saved by another tool keeps its wrapping when the pipeline writes it (issue 16.1).

Each style is made by the tool itself: polib (width 78, its own break points), gettext's msgcat
(79), msgcat at another width, msgcat --no-wrap, translate-toolkit (Weblate's writer) and a
Poedit-like file (Poedit's header, saved through msgcat as Poedit does). After a `translate`,
`update` or `build` that changes one entry, real git shows only that entry changed; a run that
changes nothing leaves the file untouched (same inode, same mtime).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import polib
import pytest
from argos_fixtures import ArgosModels
from helpers import run_cli

from pipeline import po_layout
from pipeline.catalog import dump_catalog, parse_catalog
from pipeline.config import parse_config
from pipeline.errors import ConfigError
from pipeline.model import Entry

PO = Path("locales") / "cs" / "kras-interview.po"
CHANGED = "Greetings, comrades!"  # the sentence whose entry each test changes


# --- styles, each written by its own tool --------------------------------------------------------


def _polib(path: Path) -> None:
    po = polib.pofile(str(path))
    po.save(str(path))


def _msgcat(*options: str) -> Callable[[Path], None]:
    def restyle(path: Path) -> None:
        subprocess.run(["msgcat", *options, "-o", str(path), str(path)], check=True)

    return restyle


def _translate_toolkit(path: Path) -> None:
    from translate.storage import pypo

    store = pypo.pofile.parsefile(str(path))
    for unit in store.units:
        if not unit.isheader():  # reassigning makes each unit rewrap with Weblate's PoWrapper
            unit.source = unit.source
            unit.target = unit.target + " "
            unit.target = unit.target[:-1]
    path.write_bytes(bytes(store))


def _poedit_like(path: Path) -> None:
    """Poedit's save: its header fix-ups (src/catalog_po.cpp), then msgcat at the width found."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'"Language-Team: .*\n', "", text)
    text = re.sub(
        r'"Last-Translator: .*', r'"Last-Translator: Jana Nováková <jana@example.org>\\n"', text
    )
    text = re.sub(r'"X-Generator: .*', r'"X-Generator: Poedit 3.4.2\\n"', text)
    path.write_text(text, encoding="utf-8")
    _msgcat("--width=79")(path)


STYLES: dict[str, tuple[Callable[[Path], None], po_layout.Wrap]] = {
    "polib": (_polib, 78),
    "gettext": (_msgcat(), 79),
    "width-60": (_msgcat("--width=60"), 60),
    "no-wrap": (_msgcat("--no-wrap"), None),
    "translate-toolkit": (_translate_toolkit, 79),
    "poedit": (_poedit_like, 79),
}


# --- a project in git ----------------------------------------------------------------------------


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.fixture
def styled(
    request: pytest.FixtureRequest, argos_models: ArgosModels, repo_copy: Path
) -> tuple[Path, str]:
    """A one-language project whose translated catalog was rewritten in the requested style and
    committed to a fresh git repository."""
    style: str = request.param
    shutil.rmtree(repo_copy / "locales", ignore_errors=True)
    pyproject = repo_copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        re.sub(r"target_languages = \[[^]]*\]", 'target_languages = ["cs"]', text),
        encoding="utf-8",
    )
    assert run_cli(repo_copy, "translate") == 0
    STYLES[style][0](repo_copy / PO)
    _git(repo_copy, "init", "-q")
    _git(repo_copy, "add", "-A")
    _git(repo_copy, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", style)
    return repo_copy, style


def _changed_lines(root: Path) -> list[int]:
    """Line numbers (in the new file) of every line git shows as added, and where lines went."""
    diff = _git(root, "diff", "-U0", "--", str(PO))
    lines: list[int] = []
    for match in re.finditer(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", diff, re.MULTILINE):
        start, count = int(match.group(1)), int(match.group(2) or "1")
        lines.extend(range(start, start + max(count, 1)))
    return lines


def _entry_lines(path: Path, keys: set[tuple[str | None, str]]) -> set[int]:
    """The lines of the file taken by the entries with these keys (with the blank line after)."""
    taken: set[int] = set()
    line = 1
    for block in po_layout.split_blocks(path.read_text(encoding="utf-8")):
        size = block.text.count("\n") + block.gap.count("\n")
        if block.key in keys:
            taken.update(range(line, line + size + 1))
        line += size
    return taken


def _keys_that_changed(old: bytes, new: bytes) -> set[tuple[str | None, str]]:
    before = {e.key: e for e in parse_catalog(old, display="old").entries}
    after = {e.key: e for e in parse_catalog(new, display="new").entries}
    return {
        key
        for key in before.keys() | after.keys()
        if key not in before or key not in after or _content(before[key]) != _content(after[key])
    }


def _content(entry: Entry) -> tuple[object, ...]:
    return (entry.msgstr, tuple(entry.flags), entry.translator_comments, entry.obsolete)


def _clear_translation(path: Path, msgid: str) -> None:
    """What a translator does in an editor: empty one entry's translation, nothing else."""
    text = path.read_text(encoding="utf-8")
    out = []
    for block in po_layout.split_blocks(text):
        body = block.text
        if block.key == (None, msgid):
            head = body[: body.index("\nmsgstr") + 1]
            body = re.sub(r"^#, fuzzy\n", "", head, flags=re.MULTILINE) + 'msgstr ""\n'
            body = "".join(line for line in body.splitlines(True) if not line.startswith("# mt:"))
        out.append(body + block.gap)
    path.write_text("".join(out), encoding="utf-8")


def _msgid_lines(raw: bytes, msgid: str) -> str:
    for block in po_layout.split_blocks(raw.decode("utf-8")):
        if block.key == (None, msgid):
            start = block.text.index("\nmsgid ") + 1
            return block.text[start : block.text.index("\nmsgstr", start) + 1]
    raise AssertionError(f"no entry {msgid!r}")


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


STYLE_NAMES = list(STYLES)


@pytest.mark.parametrize("styled", STYLE_NAMES, indirect=True)
def test_translate_changes_only_the_entry_it_fills(styled: tuple[Path, str]) -> None:
    root, style = styled
    path = root / PO
    assert po_layout.detect_wrap(path.read_text(encoding="utf-8")) == STYLES[style][1]
    _clear_translation(path, CHANGED)
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "cleared")
    old = path.read_bytes()

    assert run_cli(root, "translate") == 0
    new = path.read_bytes()
    assert _keys_that_changed(old, new) == {(None, CHANGED)}
    changed = _changed_lines(root)
    assert changed, "translate filled nothing"
    assert set(changed) <= _entry_lines(path, {(None, CHANGED)})
    filled = parse_catalog(new, display="new").find(CHANGED)
    assert filled is not None and filled.msgstr
    # Its English did not change, so its msgid lines are the file's own, byte for byte.
    assert _msgid_lines(old, CHANGED) == _msgid_lines(new, CHANGED)

    before = _stat(path)
    assert run_cli(root, "translate") == 0  # nothing left to do: the file is not written
    assert _stat(path) == before
    assert path.read_bytes() == new


@pytest.mark.parametrize("styled", STYLE_NAMES, indirect=True)
def test_update_and_build_change_only_the_entries_of_a_changed_sentence(
    styled: tuple[Path, str],
) -> None:
    root, _ = styled
    path = root / PO
    before = _stat(path)
    assert run_cli(root, "update") == 0  # the source did not change: nothing is written
    assert run_cli(root, "build") in (0, 1)
    assert _stat(path) == before

    source = root / "source" / "kras-interview.txt"
    source.write_text(
        source.read_text(encoding="utf-8").replace(CHANGED, "Greetings, friends!"),
        encoding="utf-8",
    )
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "source")
    old = path.read_bytes()
    assert run_cli(root, "build") in (0, 1)
    keys = _keys_that_changed(old, path.read_bytes())
    assert (None, "Greetings, friends!") in keys
    assert keys <= {(None, "Greetings, friends!"), (None, CHANGED)}
    header_lines = _entry_lines(path, {(None, "")})
    changed = set(_changed_lines(root)) - header_lines  # PO-Revision-Date moves
    assert changed and changed <= _entry_lines(path, keys)

    after = _stat(path)
    assert run_cli(root, "build") in (0, 1)
    assert _stat(path) == after


# --- the writer on its own -----------------------------------------------------------------------


def _long_catalog() -> bytes:
    po = polib.POFile(wrapwidth=78)
    po.metadata = {"Language": "cs", "Content-Type": "text/plain; charset=UTF-8"}
    for number in range(12):
        words = " ".join(f"word{number}-{index}" for index in range(30))
        po.append(polib.POEntry(msgid=f"{number}. {words}", msgstr=f"{words} {number}."))
    return str(po).encode("utf-8")


def _entries(raw: bytes) -> list[Entry]:
    return [replace(entry, line=0) for entry in parse_catalog(raw, display="x.po").entries]


def test_unchanged_catalog_gives_back_the_same_bytes_even_in_another_charset() -> None:
    raw = _long_catalog()
    assert dump_catalog(parse_catalog(raw, display="x.po"), like=raw) == raw
    latin2 = (
        b'msgid ""\nmsgstr ""\n"Language: cs\\n"\n"Content-Type: text/plain; charset=ISO-8859-2\\n"'
        b'\n\nmsgid "Yes"\nmsgstr "Ano \xb9patn\xec"\n'
    )
    catalog = parse_catalog(latin2, display="l.po")
    assert dump_catalog(catalog, like=latin2) == latin2  # not rewritten as UTF-8 for nothing
    catalog.entries[0].msgstr = "Ano"
    written = dump_catalog(catalog, like=latin2)
    assert b"charset=UTF-8" in written and parse_catalog(written, display="l.po").entries[0]


def test_new_file_has_gettext_layout_and_wrap_setting_overrides() -> None:
    raw = _long_catalog()
    catalog = parse_catalog(raw, display="x.po")
    gettext = subprocess.run(["msgcat", "-"], input=raw, capture_output=True, check=True).stdout
    assert dump_catalog(catalog) == gettext  # no file read: gettext's layout
    assert dump_catalog(catalog, like=raw, wrap=79) == gettext
    narrow = subprocess.run(
        ["msgcat", "--width=50", "-"], input=raw, capture_output=True, check=True
    ).stdout
    assert dump_catalog(catalog, like=raw, wrap=50) == narrow
    flat = dump_catalog(catalog, like=raw, wrap="no")
    assert po_layout.detect_wrap(flat.decode("utf-8")) is None
    assert _entries(flat) == _entries(raw)


def test_changed_entry_takes_the_files_width_and_the_rest_keeps_its_bytes() -> None:
    raw = _long_catalog()  # polib's layout
    catalog = parse_catalog(raw, display="x.po")
    catalog.entries[3].msgstr = "nové " * 40
    catalog.entries.append(Entry(msgid="added " * 30, msgstr="přidáno " * 20))
    written = dump_catalog(catalog, like=raw).decode("utf-8")
    old_blocks = {b.key: b.text for b in po_layout.split_blocks(raw.decode("utf-8"))}
    new_blocks = po_layout.split_blocks(written)
    for block in new_blocks:
        if block.key in {catalog.entries[3].key, catalog.entries[-1].key}:
            assert block.text not in old_blocks.values()
            assert max(map(len, block.text.splitlines())) <= po_layout.POLIB_WIDTH
        else:
            assert block.text == old_blocks[block.key]
    assert _entries(written.encode("utf-8")) == [replace(e, line=0) for e in catalog.entries]


def test_po_wrap_setting_is_validated(tmp_path: Path) -> None:
    base = {"target_languages": ["cs"]}
    assert parse_config({**base, "po": {"wrap": 72}}, tmp_path).po_wrap == 72
    assert parse_config({**base, "po": {"wrap": "no"}}, tmp_path).po_wrap == "no"
    assert parse_config(base, tmp_path).po_wrap == "keep"
    for bad in ({"wrap": 0}, {"wrap": "narrow"}, {"wrap": True}, {"width": 72}):
        with pytest.raises(ConfigError, match=r"\[tool.pipeline.po\]"):
            parse_config({**base, "po": bad}, tmp_path)


def test_no_op_save_keeps_inode_and_mtime(tmp_path: Path) -> None:
    from pipeline.rebase import read_snapshot, save_rebased

    path = tmp_path / "cs.po"
    path.write_bytes(_long_catalog())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = _stat(path)
    catalog, snapshot = read_snapshot(path, display="cs.po")
    assert catalog is not None
    _, _, written = save_rebased(path, catalog, snapshot, display="cs.po")
    assert not written and _stat(path) == before


def test_windows_line_ends_are_kept_for_new_lines_too() -> None:
    raw = _long_catalog().replace(b"\n", b"\r\n")  # Poedit keeps a file's CRLF (keep_crlf)
    catalog = parse_catalog(raw, display="x.po")
    assert dump_catalog(catalog, like=raw) == raw
    catalog.entries[0].msgstr = "změněno"
    catalog.entries.append(Entry(msgid="added", msgstr="přidáno"))
    written = dump_catalog(catalog, like=raw)
    assert written.count(b"\n") == written.count(b"\r\n")
    assert _entries(written) == [replace(e, line=0) for e in catalog.entries]


def test_review_save_changes_only_the_reviewed_entry_and_the_header(tmp_path: Path) -> None:
    from test_review import MACHINE_SOURCE, _item, entry_in, write_project

    from pipeline.review.session import apply_change, approve_entry

    config = write_project(tmp_path)
    path = config.locales_dir / "cs" / "doc.po"
    _polib(path)  # the reviewer's other tool saved it last
    old = path.read_bytes()
    shown = entry_in(path, MACHINE_SOURCE)
    apply_change(config, _item(config, MACHINE_SOURCE), shown, approve_entry, now="2030-01-01")
    new = path.read_bytes()
    before = _blocks(old)
    after = _blocks(new)
    assert before.keys() == after.keys()
    differ = {key for key in before if before[key] != after[key]}
    assert differ == {(None, ""), (None, MACHINE_SOURCE)}
    assert "fuzzy" not in entry_in(path, MACHINE_SOURCE).flags


def _blocks(raw: bytes) -> dict[tuple[str | None, str], str]:
    return {block.key: block.text for block in po_layout.split_blocks(raw.decode("utf-8"))}
