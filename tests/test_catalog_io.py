"""Catalog files on disk: bad input stops an update with one line, saves are atomic and make no
churn, the layout is gettext's own, and two processes never write the catalogs at once."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, contents, run_cli, run_process, snapshot

from pipeline.catalog import (
    check_language,
    dump_catalog,
    parse_catalog,
    read_catalog,
    save_catalog,
)
from pipeline.errors import CatalogError, FileSystemError, LockError
from pipeline.files import project_lock, write_atomic
from pipeline.merge import merge_catalog
from pipeline.model import Catalog, Entry

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "po"
CATALOGS = sorted(path.name for path in FIXTURES.glob("*.po"))
PO = "locales/cs/kras-interview.po"


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def _line_of(path: Path, start: bytes) -> int:
    return next(n for n, line in enumerate(_lines(path), start=1) if line.startswith(start))


def _broken(tmp_path: Path, kind: str) -> tuple[Path, int, str]:
    """A copy of a real catalog with one kind of damage: (path, line, words of the message)."""
    path = tmp_path / "cs.po"
    shutil.copy(FIXTURES / "gnome-clocks.cs.po", path)
    lines = _lines(path)
    if kind == "syntax":
        lines.insert(41, b'msgstr "a "quoted" word"')
        return _write(path, lines), 42, "PO syntax error"
    if kind == "encoding":
        lines[50] += b" caf\xe9"
        return _write(path, lines), 51, "not valid UTF-8"
    if kind == "charset":
        lines = [line.replace(b"charset=UTF-8", b"charset=KLINGON-8") for line in lines]
        return _write(path, lines), 0, "unknown charset 'KLINGON-8'"
    if kind == "duplicate":
        at = lines.index(b'msgid "Configured world clocks"')
        lines += [b"", *lines[at : at + 2], b""]
        line = len(lines) - 2
        return _write(path, lines), line, "duplicate msgid 'Configured world clocks'"
    assert kind == "obsolete-duplicate"
    at = lines.index(b'msgid "Configured world clocks"')
    lines += [b"", b"#~ " + lines[at], b"#~ " + lines[at + 1], b""]
    return _write(path, lines), len(lines) - 2, "duplicate msgid 'Configured world clocks'"


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines))
    return path


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["syntax", "encoding", "charset", "duplicate", "obsolete-duplicate"]
)
def test_bad_catalog_is_one_line_with_file_and_line(kind: str, tmp_path: Path) -> None:
    path, line, words = _broken(tmp_path, kind)
    with pytest.raises(CatalogError) as raised:
        read_catalog(path, display="locales/cs/doc.po")
    error = raised.value
    assert words in error.message
    assert error.path == "locales/cs/doc.po"
    assert error.line == (line or None)
    assert "\n" not in str(error)
    assert str(error).startswith(f"locales/cs/doc.po:{line}: " if line else "locales/cs/doc.po: ")
    assert error.exit_code == 5


def test_msgcat_agrees_that_the_damaged_copies_are_broken(tmp_path: Path) -> None:
    for kind in ["syntax", "duplicate", "obsolete-duplicate"]:  # (msgcat passes bad UTF-8)
        path, line, _ = _broken(tmp_path, kind)
        result = subprocess.run(["msgcat", str(path)], capture_output=True)
        assert result.returncode != 0 and f":{line}:".encode() in result.stderr, kind


def test_missing_file_is_not_a_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as raised:
        read_catalog(tmp_path / "nowhere.po", display="locales/cs/nowhere.po")
    assert str(raised.value) == "locales/cs/nowhere.po: catalog file does not exist"
    with pytest.raises(FileSystemError, match="cannot read: is a folder") as folder:
        read_catalog(tmp_path)  # a folder
    assert folder.value.exit_code == 8


def test_header_for_another_language_names_the_language_line(tmp_path: Path) -> None:
    path = tmp_path / "ru.po"
    shutil.copy(FIXTURES / "gnome-clocks.ru.po", path)
    catalog = read_catalog(path)
    with pytest.raises(CatalogError) as raised:
        check_language(catalog, "cs", "locales/cs/doc.po")
    assert "header says Language: ru" in raised.value.message
    assert raised.value.line == _line_of(path, b'"Language:')
    check_language(catalog, "ru", "locales/ru/doc.po")  # the right folder: no error


def test_latin2_catalog_is_read_and_written_back_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cs.po"
    path.write_bytes(
        b'msgid ""\nmsgstr ""\n"Language: cs\\n"\n'
        b'"Content-Type: text/plain; charset=ISO-8859-2\\n"\n\n'
        b'msgid "Good day."\nmsgstr "Dobr\xfd den."\n'
    )
    catalog = read_catalog(path)
    assert catalog.entries[0].msgstr == "Dobrý den."
    written = dump_catalog(catalog)
    assert "Dobrý den.".encode() in written and b"charset=UTF-8" in written


# --- layout and churn ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CATALOGS)
def test_merged_real_catalog_is_in_msgcat_layout_and_passes_msgfmt(
    name: str, tmp_path: Path
) -> None:
    old = read_catalog(FIXTURES / name)
    template = Catalog(
        header={"POT-Creation-Date": "2030-01-01 00:00+0000"},
        entries=[
            Entry(
                msgid=entry.msgid + (" (changed)" if n % 7 == 0 else ""),
                msgctxt=entry.msgctxt,
                msgid_plural=entry.msgid_plural,
                msgstr_plural={0: "", 1: ""} if entry.msgid_plural else {},
                flags=[flag for flag in entry.flags if flag != "fuzzy"],
                references=entry.references,
            )
            for n, entry in enumerate(old.entries)
            if not entry.obsolete and n % 11
        ],
    )
    merged = merge_catalog(template, old, language=old.language, now="2030-01-02 00:00+0000")
    path = tmp_path / name
    assert save_catalog(merged, path)
    catted = subprocess.run(["msgcat", str(path)], capture_output=True, check=True)
    assert catted.stdout == path.read_bytes()
    checked = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    # Read back and saved again: not a byte changes and the file is not touched.
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert not save_catalog(read_catalog(path), path)
    assert path.stat().st_mtime_ns == 1_000_000_000


@pytest.mark.parametrize("name", CATALOGS)
def test_real_catalog_read_and_saved_is_what_msgcat_writes(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    assert save_catalog(read_catalog(FIXTURES / name), path)
    catted = subprocess.run(["msgcat", str(FIXTURES / name)], capture_output=True, check=True)
    assert path.read_bytes() == catted.stdout


def test_obsolete_previous_msgid_survives_a_round_trip(tmp_path: Path) -> None:
    text = (
        'msgid ""\nmsgstr ""\n"Language: cs\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\n#~| msgid "Old English"\n#~ msgid "Newer English"\n#~ msgstr "Překlad"\n'
    )
    catalog = parse_catalog(text.encode(), display="x.po")
    assert catalog.entries[0].obsolete and catalog.entries[0].previous_msgid == "Old English"
    written = dump_catalog(catalog)
    assert b'#, fuzzy\n#~| msgid "Old English"\n#~ msgid "Newer English"\n' in written
    assert dump_catalog(parse_catalog(written, display="x.po")) == written


def test_catalog_without_entries_keeps_its_header(tmp_path: Path) -> None:
    header = {"Language": "sk", "Content-Type": "text/plain; charset=UTF-8"}
    written = dump_catalog(Catalog(header=header, entries=[]))
    assert parse_catalog(written, display="x.po").header == header


# --- atomic saves --------------------------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from pipeline.files import write_atomic
target, first, second = (Path(name) for name in sys.argv[1:4])
versions = [first.read_bytes(), second.read_bytes()]
print("ready", flush=True)
n = 0
while True:
    write_atomic(target, versions[n % 2])
    n += 1
"""


def _large_catalog(marker: str) -> bytes:
    entries = [
        Entry(msgid=f"Sentence number {n} of a long document.", msgstr=f"{marker} věta {n}.")
        for n in range(20_000)
    ]
    header = {"Language": "cs", "Content-Type": "text/plain; charset=UTF-8"}
    return dump_catalog(Catalog(header=header, entries=entries))


def test_killed_save_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    """A writer saving two versions of a 1 MB catalog in a loop, SIGKILLed at random moments:
    the catalog is always one whole version, never a cut or mixed one."""
    versions = [_large_catalog("A"), _large_catalog("B")]
    for name, data in zip(("a.po", "b.po"), versions, strict=True):
        (tmp_path / name).write_bytes(data)
    target = tmp_path / "locales" / "cs.po"
    target.parent.mkdir()
    target.write_bytes(versions[0])
    env = dict(os.environ, PYTHONPATH=str(REPO))
    rnd = random.Random(4)
    seen: set[bytes] = set()
    for _ in range(12):
        writer = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(target),
                str(tmp_path / "a.po"),
                str(tmp_path / "b.po"),
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0.0, 0.15))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        data = target.read_bytes()
        assert data in versions
        seen.add(data)
        assert read_catalog(target).entries[-1].msgstr.endswith("věta 19999.")
    assert len(seen) == 2  # the kills did land between saves of both versions
    leftovers = [path.name for path in target.parent.iterdir() if path != target]
    assert all(name.startswith(".cs.po.") and name.endswith(".pipeline-tmp") for name in leftovers)


def test_unchanged_bytes_are_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "x.po"
    assert write_atomic(path, b"one")
    os.utime(path, ns=(5_000_000_000, 5_000_000_000))
    assert not write_atomic(path, b"one")
    assert path.stat().st_mtime_ns == 5_000_000_000
    assert write_atomic(path, b"two") and path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["x.po"]  # no temporary left behind


# --- the lock ------------------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from pipeline.files import project_lock
with project_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    Path(sys.argv[3]).write_text("released")
"""


def _holder(state: Path, seconds: float, marker: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(state), str(seconds), str(marker)],
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    return process


def test_second_process_gets_lock_error_and_killed_holder_blocks_nothing(tmp_path: Path) -> None:
    state = tmp_path / ".pipeline"
    holder = _holder(state, 60, tmp_path / "released")
    with pytest.raises(LockError) as raised, project_lock(state):
        pass
    assert raised.value.exit_code == 6 and "--wait" in str(raised.value)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert holder.stdout is not None
    holder.stdout.close()
    assert (state / "lock").exists()  # the file stays; the kernel dropped the lock
    with project_lock(state):
        pass


# --- through `pipeline update` -------------------------------------------------------------------


@pytest.fixture
def project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared project without catalogs or models (conftest.py) after a first `update`,
    its Czech catalog fully translated by a translator."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    assert run_cli(project, "update") == 0
    path = project / PO
    catalog = read_catalog(path)
    for entry in catalog.entries:
        entry.msgstr = f"[cs] {entry.msgid}"
    catalog.header["Last-Translator"] = "Jana Nováková <jana@example.org>"
    save_catalog(catalog, path)
    return project


def _edit_source(project: Path, old: str, new: str) -> None:
    source = project / "source" / "kras-interview.txt"
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_update_carries_translations_over_a_source_change(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentence = "Greetings to Russia."
    _edit_source(project, sentence, "Greetings to all of Russia.")
    _edit_source(project, " We do so to provide information about the situation in Russia,"
                 " and the movement against war there.", "")  # fmt: skip
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1765000000")
    assert run_cli(project, "update") == 0
    catalog = read_catalog(project / PO)
    changed = catalog.find("Greetings to all of Russia.")
    assert changed is not None and changed.fuzzy
    assert (changed.msgstr, changed.previous_msgid) == (f"[cs] {sentence}", sentence)
    removed = next(e for e in catalog.entries if e.msgid.startswith("We do so to provide"))
    assert removed.obsolete and removed.msgstr.startswith("[cs] We do so")
    assert catalog.header["Last-Translator"] == "Jana Nováková <jana@example.org>"
    assert catalog.header["PO-Revision-Date"] == time.strftime(
        "%Y-%m-%d %H:%M+0000", time.gmtime(1765000000)
    )
    # The sentence comes back: its translation is active again, reviewed as before.
    _edit_source(project, "Dezerter with the Russian group KRAS.", "Dezerter with the Russian"
                 " group KRAS. We do so to provide information about the situation in Russia,"
                 " and the movement against war there.")  # fmt: skip
    assert run_cli(project, "update") == 0
    back = read_catalog(project / PO).find(removed.msgid)
    assert back is not None and not back.fuzzy and back.msgstr == removed.msgstr


def test_second_update_writes_nothing_and_files_are_canonical(project: Path) -> None:
    _edit_source(project, "Greetings to Russia.", "Greetings to all of Russia.")
    assert run_cli(project, "update") == 0
    before = snapshot(project)
    assert run_cli(project, "update") == 0
    assert snapshot(project) == before  # same bytes, same modification times
    for path in (project / "locales").rglob("*.po"):
        catted = subprocess.run(["msgcat", str(path)], capture_output=True, check=True)
        assert catted.stdout == path.read_bytes(), path


def test_purge_obsolete_setting_drops_removed_sentences(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace(
            "purge_obsolete = false", "purge_obsolete = true"
        ),
        encoding="utf-8",
    )
    _edit_source(project, "Greetings to Russia. ", "")
    assert run_cli(project, "update") == 0
    catalog = read_catalog(project / PO)
    assert not any(entry.obsolete for entry in catalog.entries)
    assert catalog.find("Greetings to Russia.") is None


@pytest.mark.parametrize("kind", ["syntax", "encoding", "duplicate", "language"])
def test_bad_catalog_stops_update_with_one_line_and_writes_nothing(
    project: Path, kind: str
) -> None:
    path = project / PO
    lines = _lines(path)
    first = next(n for n, line in enumerate(lines) if line.startswith(b"msgid") and n > 5)
    if kind == "syntax":
        lines.insert(first, b"this is not PO")
        line, words = first + 1, "PO syntax error"
    elif kind == "encoding":
        lines[first + 1] += b" \xe9"
        line, words = first + 2, "not valid UTF-8"
    elif kind == "duplicate":
        at = lines.index(b'msgid "Greetings to Russia."')
        lines += [lines[at], lines[at + 1], b""]
        line, words = len(lines) - 2, "duplicate msgid"
    else:
        lines = [b'"Language: ru\\n"' if x.startswith(b'"Language:') else x for x in lines]
        line = next(n for n, x in enumerate(lines, start=1) if x.startswith(b'"Language:'))
        words = "header says Language: ru"
    path.write_bytes(b"\n".join(lines))
    before = contents(project)
    result = run_process(project, "update")
    assert result.returncode == 5, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"pipeline: error: {PO}:{line}: " + result.stderr.split(f"{PO}:{line}: ", 1)[1].strip()
    ]
    assert words in result.stderr and "Traceback" not in result.stderr
    assert contents(project) == before


def test_update_waits_for_the_lock_or_fails_with_exit_6(project: Path, tmp_path: Path) -> None:
    _edit_source(project, "Greetings to Russia.", "Greetings to all of Russia.")
    released = tmp_path / "released"
    holder = _holder(project / ".pipeline", 1.0, released)
    result = run_process(project, "update")
    assert result.returncode == 6
    assert len(result.stderr.strip().splitlines()) == 1 and "--wait" in result.stderr
    assert read_catalog(project / PO).find("Greetings to all of Russia.") is None  # not written
    result = run_process(project, "update", "--wait")
    assert result.returncode == 0, result.stderr
    assert released.exists()  # it could only run after the holder let go
    assert holder.wait() == 0
    assert holder.stdout is not None
    holder.stdout.close()
    assert read_catalog(project / PO).find("Greetings to all of Russia.") is not None
