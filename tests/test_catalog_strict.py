"""Issue 12 reproductions on catalog and file I/O: strict PO input, no write through a symlink,
a lock that follows nothing, temporaries only the pipeline's own, modes kept, and environment
errors as one line with exit 8 and nothing half-written."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import REPO, run_cli, snapshot

from pipeline.catalog import read_catalog, save_catalog
from pipeline.errors import CatalogError, FileSystemError
from pipeline.files import TEMP_SUFFIX, project_lock, remove_stale_temporaries, write_atomic

PO = "locales/cs/kras-interview.po"


@pytest.fixture
def project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared project without catalogs or models (conftest.py) after a first `update`."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    assert run_cli(project, "update") == 0
    return project


def _edit_source(project: Path) -> None:
    """Change the source so that the next update must rewrite every catalog."""
    source = project / "source" / "kras-interview.txt"
    source.write_text(
        source.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8"
    )


def _first_msgstr_line(path: Path) -> int:
    lines = path.read_bytes().split(b"\n")
    return next(n for n, line in enumerate(lines) if line.startswith(b'msgstr "') and n > 5) + 1


# --- strict input (issue 12, item 4) --------------------------------------------------------------


def test_msgstr_missing_its_closing_quote_stops_the_update_with_file_and_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / PO
    line = _first_msgstr_line(path)
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = b'msgstr "Ahoj'  # polib alone reads this and a save would drop a char
    path.write_bytes(b"\n".join(lines))
    _edit_source(project)
    before = snapshot(project)
    capsys.readouterr()
    assert run_cli(project, "update") == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f" {PO}:{line}: " in err[0] and "end-of-line within string" in err[0]
    assert snapshot(project) == before  # nothing written, not even the POT


def test_utf8_file_declaring_latin1_is_rejected_not_rewritten_as_mojibake(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / PO
    catalog = read_catalog(path)
    catalog.entries[0].msgstr = "Příliš žluťoučký kůň"
    save_catalog(catalog, path)
    raw = path.read_bytes().replace(b"charset=UTF-8", b"charset=ISO-8859-1")
    path.write_bytes(raw)
    header_line = raw[: raw.index(b"charset=")].count(b"\n") + 1
    _edit_source(project)
    before = snapshot(project)
    capsys.readouterr()
    assert run_cli(project, "update") == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f" {PO}:{header_line}: " in err[0]
    assert "charset=ISO-8859-1" in err[0] and "UTF-8" in err[0]
    assert snapshot(project) == before
    assert path.read_bytes() == raw


def test_real_latin1_file_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "cs.po"
    path.write_bytes(
        b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n\n'
        b'msgid "cafe"\nmsgstr "caf\xe9"\n'
    )
    assert read_catalog(path).entries[0].msgstr == "café"


def test_reading_a_large_catalog_runs_msgfmt_alongside_the_parse(tmp_path: Path) -> None:
    """A broken entry near the end of a 10,000-entry catalog is found, with its line."""
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for n in range(10_000):
        lines += [f'msgid "Sentence {n}."', f'msgstr "Věta {n}."', ""]
    broken = len(lines) - 1  # the last msgstr line, 1-based
    lines[broken - 1] = 'msgstr "Věta 9999.'
    path = tmp_path / "big.po"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        read_catalog(path, display="big.po")
    assert raised.value.line == broken and raised.value.exit_code == 5


# --- symlinks, the lock, temporaries, modes (items 2, 3, 10) -------------------------------------


def test_write_atomic_refuses_a_symlink_and_leaves_its_target_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    link = tmp_path / "cs.po"
    link.symlink_to(outside)
    with pytest.raises(FileSystemError) as raised:
        write_atomic(link, b"ours")
    assert "symlink" in str(raised.value) and raised.value.exit_code == 8
    assert outside.read_text() == "precious\n" and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cs.po", "outside.txt"]


@pytest.mark.parametrize("command", ["extract", "update", "build", "translate"])
def test_a_symlinked_lock_is_refused_and_its_target_never_touched(
    project: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = project.parent / "outside.txt"
    outside.write_text("precious\n")
    lock = project / ".pipeline" / "lock"
    lock.parent.mkdir(exist_ok=True)
    lock.unlink(missing_ok=True)
    lock.symlink_to(outside)
    capsys.readouterr()
    assert run_cli(project, command) == 8
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "lock" in err[0] and "symlink" in err[0]
    assert outside.read_text() == "precious\n"


def test_review_approval_refuses_a_symlinked_lock(tmp_path: Path) -> None:
    """`review` takes the lock through the same `project_lock` (review.apply_change)."""
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    state = tmp_path / ".pipeline"
    state.mkdir()
    (state / "lock").symlink_to(outside)
    with pytest.raises(FileSystemError), project_lock(state, wait=True, timeout=1):
        pass
    assert outside.read_text() == "precious\n"


def test_the_lock_is_never_truncated_and_a_folder_there_is_one_line(tmp_path: Path) -> None:
    state = tmp_path / ".pipeline"
    state.mkdir()
    (state / "lock").write_text("left by someone\n")
    with project_lock(state):
        pass
    assert (state / "lock").read_text() == "left by someone\n"
    other = tmp_path / "other"
    (other / "lock").mkdir(parents=True)
    with pytest.raises(FileSystemError) as raised, project_lock(other):
        pass
    assert raised.value.exit_code == 8 and str(other / "lock") in str(raised.value)


def test_only_the_pipelines_own_temporaries_are_removed_and_not_recursively(
    tmp_path: Path,
) -> None:
    ours = tmp_path / f".cs.po.0a1b2c{TEMP_SUFFIX}"
    foreign = [tmp_path / ".editor.tmp", tmp_path / "notes.tmp"]
    nested = tmp_path / "deeper" / f".x.po.123{TEMP_SUFFIX}"
    nested.parent.mkdir()
    for path in (ours, *foreign, nested):
        path.write_text("x")
    assert remove_stale_temporaries([tmp_path]) == [ours]
    assert all(path.exists() for path in (*foreign, nested)) and not ours.exists()


def test_build_leaves_other_tools_tmp_files_alone(project: Path) -> None:
    foreign = [project / "locales" / ".poedit.tmp", project / "output" / "cs" / ".x.tmp"]
    stale = project / "locales" / "cs" / f".kras-interview.po.dead{TEMP_SUFFIX}"
    for path in (*foreign, stale):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert run_cli(project, "build") in (0, 1)
    assert all(path.read_text() == "x" for path in foreign)
    assert not stale.exists()


def test_a_rewritten_catalog_keeps_its_mode(project: Path) -> None:
    path = project / PO
    path.chmod(0o600)
    before = path.read_bytes()
    _edit_source(project)
    assert run_cli(project, "update") == 0
    assert path.read_bytes() != before  # it was rewritten
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_new_file_gets_0644_less_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.po", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.po").stat().st_mode) == 0o640


# --- environment errors (item 9) -----------------------------------------------------------------


def test_a_folder_where_the_catalog_belongs_is_exit_8(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "locales" / "sk" / "kras-interview.po"
    path.unlink()
    path.mkdir()
    capsys.readouterr()
    assert run_cli(project, "update") == 8
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "locales/sk/kras-interview.po" in err[0] and "folder" in err[0]


def test_locales_being_a_file_is_exit_8(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(project / "locales")
    (project / "locales").write_text("not a folder\n")
    capsys.readouterr()
    assert run_cli(project, "update") == 8
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "locales" in err[0]
    assert (project / "locales").read_text() == "not a folder\n"


@contextlib.contextmanager
def _tiny_tmpfs(folder: Path, size: str) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root in a mount namespace)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_disk_full_is_one_line_and_leaves_no_temporary(tmp_path: Path) -> None:
    folder = tmp_path / "full"
    with _tiny_tmpfs(folder, "64k"):
        (folder / "cs.po").write_bytes(b"old\n")
        with pytest.raises(FileSystemError) as raised:
            write_atomic(folder / "cs.po", b"x" * 1_000_000)
        assert raised.value.exit_code == 8
        assert "No space left on device" in str(raised.value) and "cs.po" in str(raised.value)
        assert (folder / "cs.po").read_bytes() == b"old\n"
        assert [p.name for p in folder.iterdir()] == ["cs.po"]


def test_permission_denied_is_exit_8_naming_the_folder(project: Path) -> None:
    """Run without CAP_DAC_OVERRIDE (root otherwise ignores permission bits) on a project whose
    Czech folder belongs to someone else and is not writable."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop the permission-override capabilities")
    folder = project / "locales" / "cs"
    os.chown(folder, 65534, 65534)
    folder.chmod(0o755)
    _edit_source(project)
    before = snapshot(project)
    result = subprocess.run(
        [
            *("setpriv", "--bounding-set=-dac_override,-dac_read_search"),
            *(sys.executable, "-m", "pipeline", "update"),
        ],
        cwd=project,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 8, result.stderr
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "Permission denied" in err[0] and "locales/cs" in err[0]
    assert not list(project.rglob(f"*{TEMP_SUFFIX}"))
    # Catalogs written before the refusal are whole; the refused one is untouched.
    assert (
        snapshot(project)["locales/cs/kras-interview.po"] == before["locales/cs/kras-interview.po"]
    )


@pytest.mark.parametrize("where", ["output/index.html", ".pipeline/state.json"])
def test_a_folder_where_an_output_belongs_is_exit_8(
    project: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / where).mkdir(parents=True)
    capsys.readouterr()
    assert run_cli(project, "build") == 8
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and where.split("/")[-1] in err[0] and "folder" in err[0]
    assert (project / where).is_dir()
