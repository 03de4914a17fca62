"""Environment errors (issue 12): the machine's refusals are one line naming the path, exit 8.

Each test runs `python -m pipeline` in a real child process. Permission tests need the permission
bits to apply: as root the child runs with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from
its bounding set (setpriv), because the Python installation lives under /root (mode 0700), where
an unprivileged user such as `nobody` cannot import the pipeline's dependencies. The disk-full
test mounts a small tmpfs in a private mount namespace (unshare), so it needs root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from test_review import EDITED_SOURCE, MACHINE_SOURCE, entry_in, write_project
from test_review_terminal import REVIEW, Tmux

from pipeline.catalog import read_catalog, state_of
from pipeline.errors import ConfigError, FileSystemError
from pipeline.model import State

REPO = Path(__file__).resolve().parent.parent
EXIT_FS = FileSystemError.exit_code
PO = "locales/cs/kras-interview.po"


def pipeline(
    cwd: Path,
    *args: str,
    prefix: Sequence[str] = (),
    stdout: int | None = subprocess.PIPE,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`[prefix...] python -m pipeline ARGS...` run from `cwd` in a child process."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        env=full_env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "Exception ignored" not in result.stderr
    return lines[0]


def unprivileged() -> list[str]:
    """A command prefix under which permission bits apply to the child."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's file capabilities")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


# --- permission denied, disk full, stdout on a full device ----------------------------------------


def test_unreadable_catalog_is_one_line_naming_it(repo_copy: Path) -> None:
    (repo_copy / PO).chmod(0)
    result = pipeline(repo_copy, "status", prefix=unprivileged())
    assert result.returncode == EXIT_FS
    line = one_line(result)
    assert PO in line and "ermission denied" in line


def test_unwritable_output_folder_is_one_line_naming_it(repo_copy: Path) -> None:
    output = repo_copy / "output"
    output.mkdir()
    output.chmod(0o555)
    result = pipeline(repo_copy, "build", "-q", prefix=unprivileged())
    output.chmod(0o755)
    assert result.returncode == EXIT_FS
    line = one_line(result)
    assert "output/" in line and "ermission denied" in line
    assert not (repo_copy / ".pipeline" / "state.json").exists()  # stamps only after outputs


def test_unwritable_state_folder_is_one_line_naming_the_lock(repo_copy: Path) -> None:
    state = repo_copy / ".pipeline"
    state.mkdir()
    state.chmod(0o555)
    result = pipeline(repo_copy, "build", "-q", prefix=unprivileged())
    state.chmod(0o755)
    assert result.returncode == EXIT_FS
    line = one_line(result)
    assert ".pipeline/lock" in line and "ermission denied" in line


def test_stdout_on_a_full_device(repo_copy: Path) -> None:
    """`pipeline status > /dev/full`: one line on stderr, exit 8, no second complaint at exit."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = pipeline(repo_copy, "status", stdout=full.fileno())
    assert result.returncode == EXIT_FS
    line = one_line(result)
    assert "<stdout>: cannot write: No space left on device" in line


def build_on_small_tmpfs(
    project: Path, folder: Path, size: str
) -> subprocess.CompletedProcess[str]:
    """`pipeline build` with `folder` on a tmpfs of `size`, mounted in a private namespace."""
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None:
        pytest.skip("needs root and unshare to mount a small tmpfs privately")
    folder.mkdir(parents=True)
    script = f'mount -t tmpfs -o size={size} tmpfs "$1" && shift && exec "$@"'
    command = [unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh"]
    result = pipeline(project, "build", "-q", prefix=[*command, str(folder)])
    if "mount" in result.stderr and result.returncode != EXIT_FS:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    return result


def test_disk_full_while_writing_editions(
    repo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output folder on a 24 KiB tmpfs: the build stops with one line, no temporaries left."""
    # No model, whatever an earlier test installed: the catalogs must stay as they are.
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    catalogs = {p: p.read_bytes() for p in (repo_copy / "locales").rglob("*.po")}
    result = build_on_small_tmpfs(repo_copy, repo_copy / "output", "24k")
    assert result.returncode == EXIT_FS
    line = one_line(result)
    assert "output/" in line and "No space left on device" in line
    assert {p: p.read_bytes() for p in catalogs} == catalogs
    assert not [p for p in repo_copy.rglob("*") if "tmp" in p.name]  # the tmpfs is gone again
    assert not (repo_copy / ".pipeline" / "state.json").exists()


def test_disk_full_in_the_cache_folder(repo_copy: Path) -> None:
    """SQLite's "database or disk is full" is the machine's refusal too: exit 8 naming cache_dir."""
    result = build_on_small_tmpfs(repo_copy, repo_copy / ".pipeline" / "cache", "4k")
    assert result.returncode == EXIT_FS
    assert one_line(result) == (
        "pipeline: error: .pipeline/cache: cannot use the cache: the disk is full"
    )
    assert not (repo_copy / ".pipeline" / "state.json").exists()


# --- a folder where a file belongs, and the other way round --------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "output/cs/kras-interview.html",
        "output/index.html",
        ".pipeline/state.json",
        ".pipeline/lock",
    ],
)
def test_folder_where_a_file_belongs(repo_copy: Path, path: str) -> None:
    (repo_copy / path).mkdir(parents=True)
    result = pipeline(repo_copy, "build", "-q")
    assert result.returncode == EXIT_FS
    assert f"{path}: " in one_line(result)
    assert (repo_copy / path).is_dir()


def test_locales_is_a_file(repo_copy: Path) -> None:
    shutil.rmtree(repo_copy / "locales")
    (repo_copy / "locales").write_text("not a folder\n", encoding="utf-8")
    result = pipeline(repo_copy, "build", "-q")
    assert result.returncode == EXIT_FS
    assert "locales/" in one_line(result)
    assert (repo_copy / "locales").read_text(encoding="utf-8") == "not a folder\n"


# --- the project and the working folder ----------------------------------------------------------


def test_project_that_is_a_file(tmp_path: Path) -> None:
    result = pipeline(tmp_path, "--project", "/etc/passwd", "status")
    assert result.returncode == ConfigError.exit_code == 2
    assert one_line(result) == "pipeline: error: /etc/passwd: --project: not a folder"


def test_project_that_does_not_exist(tmp_path: Path) -> None:
    result = pipeline(tmp_path, "--project", str(tmp_path / "nowhere"), "status")
    assert result.returncode == 2
    assert "--project: no such folder" in one_line(result)


def test_deleted_working_folder(repo_copy: Path) -> None:
    gone = repo_copy / "gone"
    gone.mkdir()
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    result = subprocess.run(
        ["sh", "-c", script, "sh", str(gone), sys.executable, "-m", "pipeline", "status"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == EXIT_FS
    line = one_line(result)
    assert "the working folder no longer exists" in line and str(gone) in line


# --- --report, --lang ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("folder", "--report: this is a folder"),
        ("empty", "--report: empty file name"),
        ("missing", "--report: the folder does not exist"),
        ("catalogs", "--report: inside locales_dir"),
    ],
)
def test_bad_report_path_is_refused_before_building(
    repo_copy: Path, where: str, message: str
) -> None:
    target = {
        "folder": str(repo_copy.parent),
        "empty": "",
        "missing": str(repo_copy.parent / "nonexistent" / "dir" / "x.json"),
        "catalogs": "locales/cs/kras-interview.po",
    }[where]
    catalog = (repo_copy / PO).read_bytes()
    result = pipeline(repo_copy, "build", "--report", target)
    assert result.returncode == 2
    assert message in one_line(result)
    assert not (repo_copy / "output").exists()  # nothing was built
    assert not (repo_copy / ".pipeline" / "state.json").exists()
    assert not (repo_copy.parent / "nonexistent").exists()  # no `mkdir -p`
    assert (repo_copy / PO).read_bytes() == catalog


def test_report_into_an_existing_folder(repo_copy: Path) -> None:
    target = repo_copy.parent / "report.json"
    result = pipeline(repo_copy, "build", "-q", "--lang", "cs", "--report", str(target))
    assert result.returncode == 0, result.stderr
    report = json.loads(target.read_text(encoding="utf-8"))
    assert [(p["document"], p["language"]) for p in report["pairs"]] == [("kras-interview", "cs")]


def test_repeated_lang_counts_once(repo_copy: Path) -> None:
    target = repo_copy.parent / "report.json"
    result = pipeline(repo_copy, "build", "--lang", "cs", "--lang", "cs", "--report", str(target))
    assert result.returncode == 0, result.stderr
    report = json.loads(target.read_text(encoding="utf-8"))
    assert [p["language"] for p in report["pairs"]] == ["cs"]
    assert report["missing_models"] in ([], ["cs"])  # one entry, however many --lang cs
    assert result.stderr.count("en→cs") == len(report["missing_models"])

    status = pipeline(repo_copy, "status", "--json", "--lang", "cs", "--lang", "cs")
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)["catalogs"]
    assert [(row["document"], row["language"]) for row in rows] == [("kras-interview", "cs")]


# --- $EDITOR that cannot start --------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("editor", ["/nonexistent/editor", "vim 'unbalanced"])
def test_editor_that_cannot_start_falls_back_to_the_prompt(tmp_path: Path, editor: str) -> None:
    config = write_project(tmp_path / "project")
    po = config.locales_dir / "cs" / "doc.po"
    tmux = Tmux(tmp_path)
    try:
        tmux.start(config.root, *REVIEW, editor=editor)
        tmux.wait_for("entry 1/3  [machine]")
        tmux.send("e")
        screen = tmux.wait_for("edit the translation and press Enter")
        assert f"cannot start the editor {editor!r}" in screen
        tmux.send("C-u")
        tmux.type("Níže otiskujeme rozhovor s KRAS.")
        tmux.send("Enter")
        tmux.wait_for("saved; press a to approve")
        tmux.send("s")
        tmux.wait_for("entry 2/3  [edited]")
        tmux.send("e")  # the broken editor is not tried again: straight to the prompt
        screen = tmux.wait_for("edit the translation and press Enter")
        assert "cannot start the editor" not in screen
        tmux.send("Enter")  # an empty line keeps the old translation
        tmux.wait_for("edit cancelled")
        tmux.send("q")
        assert tmux.wait_exit() == 0
    finally:
        tmux.stop()
    entry = entry_in(po, MACHINE_SOURCE)
    assert entry.msgstr == "Níže otiskujeme rozhovor s KRAS."
    assert state_of(entry) is State.EDITED
    assert state_of(entry_in(po, EDITED_SOURCE)) is State.EDITED
    assert len(read_catalog(po).entries) == 5
