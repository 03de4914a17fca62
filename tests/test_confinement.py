"""Confinement (issue 12): configured folders stay inside the project, sources too.

Every test runs the real command line (`python -m pipeline`) in a child process on a private copy
of the repository's project, and checks the one line it prints, its exit code, and that nothing
outside the project (or, when refused, inside it) was touched.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from helpers import run_process

from pipeline.errors import SourceError
from pipeline.sources import check_control_characters

DOC = "source/kras-interview.txt"


@pytest.fixture(autouse=True)
def _no_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Argos model, whatever other tests of the session installed: editions show the source."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def set_key(project: Path, key: str, value: str) -> None:
    """Set `key = "value"` in the project's [tool.pipeline] table (replacing it if present)."""
    path = project / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    line = f"{key} = {value}"
    pattern = re.compile(rf"^{re.escape(key)} = .*$", re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: line, text, count=1)
    else:
        text = text.replace("[tool.pipeline]\n", f"[tool.pipeline]\n{line}\n", 1)
    path.write_text(text, encoding="utf-8")


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a refused command prints on stderr (and never a traceback)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines[0]


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("output_dir", '".."', "lies outside the project"),
        ("output_dir", '"/"', "lies outside the project"),
        ("output_dir", '"../elsewhere"', "lies outside the project"),
        ("state_dir", '"locales"', "overlaps locales_dir"),
        ("source_dir", '"."', "is the project folder itself"),
        ("cache_dir", '"output/cache"', "overlaps output_dir"),
    ],
)
def test_folder_outside_or_overlapping_is_refused(
    repo_copy: Path, key: str, value: str, message: str
) -> None:
    """`output_dir = ".."` once deleted `../*.tmp` and overwrote `../index.html`: now exit 2."""
    parent = repo_copy.parent
    (parent / "index.html").write_text("<p>not ours</p>\n", encoding="utf-8")
    (parent / "notes.tmp").write_text("not ours either\n", encoding="utf-8")
    (parent / ".draft.abc.tmp").write_text("someone's temporary\n", encoding="utf-8")
    set_key(repo_copy, key, value)
    before = tree(parent)

    result = run_process(repo_copy, "build")

    assert result.returncode == 2
    line = one_line(result)
    assert f"[tool.pipeline] {key}: {value}" in line and message in line
    assert line.startswith("pipeline: error: pyproject.toml: ")
    assert tree(parent) == before  # nothing inside or outside the project written or deleted
    assert not (repo_copy / ".pipeline").exists() and not (repo_copy / "output").exists()
    assert not (repo_copy / "locales" / ".gitignore").exists()


def test_folder_symlinked_out_of_the_project_is_refused(repo_copy: Path) -> None:
    """Resolved paths are compared: a folder inside the project that is a symlink out is refused."""
    outside = repo_copy.parent / "elsewhere"
    outside.mkdir()
    (repo_copy / "out").symlink_to(outside, target_is_directory=True)
    set_key(repo_copy, "output_dir", '"out"')

    result = run_process(repo_copy, "build")

    assert result.returncode == 2
    assert "output_dir" in one_line(result) and "lies outside the project" in result.stderr
    assert list(outside.iterdir()) == []


def test_state_gitignore_is_written_only_into_the_state_dir(repo_copy: Path) -> None:
    set_key(repo_copy, "state_dir", '"build-state"')
    set_key(repo_copy, "cache_dir", '"build-state/cache"')

    result = run_process(repo_copy, "build", "-q")

    assert result.returncode == 0, result.stderr
    assert (repo_copy / "build-state" / ".gitignore").read_text(encoding="utf-8") == "*\n"
    ignores = sorted(p.relative_to(repo_copy).as_posix() for p in repo_copy.rglob(".gitignore"))
    assert ignores == ["build-state/.gitignore"]
    assert (repo_copy / "build-state" / "cache").is_dir()


def test_source_symlink_out_of_the_project_is_refused(repo_copy: Path) -> None:
    secret = repo_copy.parent / "secret.txt"
    secret.write_text("The password is swordfish.\n", encoding="utf-8")
    (repo_copy / "source" / "leak.txt").symlink_to(secret)
    locales = tree(repo_copy / "locales")

    result = run_process(repo_copy, "build")

    assert result.returncode == SourceError.exit_code == 4
    line = one_line(result)
    assert "source/leak.txt: " in line and "leads out of the project" in line
    assert not (repo_copy / "output").exists()
    assert tree(repo_copy / "locales") == locales
    assert not any(b"swordfish" in data for data in tree(repo_copy).values())


def test_source_symlink_inside_the_project_is_published(repo_copy: Path) -> None:
    drafts = repo_copy / "drafts"
    drafts.mkdir()
    (drafts / "extra.txt").write_text("A short note on confinement.\n", encoding="utf-8")
    (repo_copy / "source" / "extra.txt").symlink_to(Path("..") / "drafts" / "extra.txt")

    result = run_process(repo_copy, "build", "-q", "--lang", "cs")

    assert result.returncode == 0, result.stderr
    edition = (repo_copy / "output" / "cs" / "extra.txt").read_text(encoding="utf-8")
    assert "A short note on confinement." in edition


@pytest.mark.parametrize(
    "control",
    ["\x00", "\x1b]2;pwned\x07", "\x1b[8m", "\x0c", "\x08", "lone\rreturn"],
    ids=["NUL", "OSC-title", "SGR-hide", "form-feed", "backspace", "lone-CR"],
)
def test_control_character_in_a_source_is_refused_with_its_offset(
    repo_copy: Path, control: str
) -> None:
    """A NUL once cut a msgid short and broke every later build (exit 5): now exit 4 at once."""
    path = repo_copy / DOC
    original = path.read_bytes()
    lines = original.split(b"\n")
    lines[2] = lines[2][:10] + control.encode() + lines[2][10:]  # in line 3, after 10 bytes
    path.write_bytes(b"\n".join(lines))
    raw = path.read_bytes()
    first = re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\r(?!\n)", raw)
    assert first is not None
    offset = first.start()
    line = raw.count(b"\n", 0, offset) + 1
    locales = tree(repo_copy / "locales")

    result = run_process(repo_copy, "build")

    assert result.returncode == 4
    message = one_line(result)
    assert message.startswith(f"pipeline: error: {DOC}:{line}: control character U+00")
    assert f"at byte offset {offset};" in message
    assert not (repo_copy / "output").exists()
    assert tree(repo_copy / "locales") == locales

    path.write_bytes(original)  # repaired, the next build works: nothing was left broken
    repaired = run_process(repo_copy, "build", "-q", "--lang", "cs")
    assert repaired.returncode == 0, repaired.stderr


def test_tab_newline_and_crlf_line_ends_are_accepted(repo_copy: Path) -> None:
    (repo_copy / "source" / "windows.txt").write_bytes(
        b"A line with a\ttab.\r\nAnother line ends in CRLF.\r\n"
    )

    result = run_process(repo_copy, "build", "-q", "--lang", "cs", "windows")

    assert result.returncode == 0, result.stderr
    edition = (repo_copy / "output" / "cs" / "windows.txt").read_bytes()
    assert edition.startswith(b"A line with a\ttab.\r\nAnother line ends in CRLF.\r\n")


def test_control_character_offset_counts_bytes_not_characters() -> None:
    text = "Žluťoučký kůň\nskáče\x00 dál\n"
    with pytest.raises(SourceError) as caught:
        check_control_characters(text, "source/x.txt")
    offset = text.encode("utf-8").index(b"\x00")
    assert offset != text.index("\x00")  # the multibyte letters before it make the two differ
    assert caught.value.line == 2
    assert f"U+0000 (NUL) at byte offset {offset}" in caught.value.message
