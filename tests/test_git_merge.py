"""`pipeline git-merge` as git's merge driver for PO files, and `pipeline git-setup` (issue 16.3).

Real git, real branches, real merges: the driver is run by git through the config that
`git-setup` writes. Catalogs are written by polib (its own wrapping, width 78), so the tests also
show that a merged file keeps the wrapping of the file it was merged into.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib
import pytest
from helpers import run_process

from pipeline import po_layout
from pipeline.catalog import parse_catalog
from pipeline.git_merge import ATTRIBUTES, CONFLICT_PREFIX, DRIVER_COMMAND

LONG = " ".join(f"word{index}" for index in range(40))  # wraps in every layout but --no-wrap
PO = "locales/cs/doc.po"


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=check,
    )


def _write(path: Path, entries: dict[str, str], revised: str, fuzzy: tuple[str, ...] = ()) -> None:
    po = polib.POFile()  # polib's layout: width 78, spaces at the start of continuation lines
    po.metadata = {
        "Project-Id-Version": "doc",
        "PO-Revision-Date": revised,
        "Language": "cs",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
    }
    for msgid, msgstr in entries.items():
        po.append(
            polib.POEntry(
                msgid=msgid,
                msgstr=msgstr,
                occurrences=[("source/doc.txt", str(len(po) + 1))],
                flags=["fuzzy"] if msgid in fuzzy else [],
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


BASE = {f"Sentence {number}. {LONG}": f"Věta {number}. {LONG} {number}" for number in range(1, 9)}
KEYS = list(BASE)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project in git with one catalog committed on `main` and the merge driver set up."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.pipeline]\ntarget_languages = ["cs"]\n')
    _git(root, "init", "-q", "-b", "main")
    result = run_process(root, "git-setup")
    assert result.returncode == 0, result.stderr
    _write(root / PO, BASE, "2026-01-01 10:00+0000")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    return root


def _branch(root: Path, name: str, entries: dict[str, str], revised: str, **kw: object) -> None:
    _git(root, "checkout", "-q", "-b", name, "main")
    _write(root / PO, entries, revised, **kw)  # type: ignore[arg-type]
    _git(root, "commit", "-qam", name)


def _merge(root: Path, ours: str, theirs: str) -> subprocess.CompletedProcess[str]:
    _git(root, "checkout", "-q", ours)
    return _git(root, "merge", "-q", "--no-edit", theirs, check=False)


def _msgfmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )


def _blocks(text: str) -> dict[tuple[str | None, str], str]:
    return {block.key: block.text for block in po_layout.split_blocks(text)}


def test_setup_writes_attributes_and_config_once(repo: Path) -> None:
    attributes = (repo / ".gitattributes").read_text().splitlines()
    assert [line for line in attributes if line in ATTRIBUTES] == list(ATTRIBUTES)
    config = _git(repo, "config", "--local", "--get", "merge.pipeline-po.driver")
    assert config.stdout.strip() == DRIVER_COMMAND
    assert _git(repo, "check-attr", "merge", "--", PO).stdout.strip().endswith("pipeline-po")

    again = run_process(repo, "git-setup")
    assert again.returncode == 0
    assert "already" in again.stderr and "added" not in again.stderr
    assert (repo / ".gitattributes").read_text().splitlines() == attributes


def test_setup_outside_git_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pipeline]\ntarget_languages = ["cs"]\n')
    result = run_process(tmp_path, "git-setup")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not inside a git work tree" in result.stderr
    assert not (tmp_path / ".gitattributes").exists()


def test_changes_to_different_entries_merge_cleanly(repo: Path) -> None:
    ours = dict(BASE)
    ours[KEYS[0]] = "Naše první věta. " + LONG
    del ours[KEYS[6]]  # removed on our side only
    ours["A sentence only we added."] = "Věta jen naše."
    _branch(repo, "ours", ours, "2026-02-01 09:00+0000")
    theirs = dict(BASE)
    theirs[KEYS[4]] = "Jejich pátá věta. " + LONG
    theirs["A sentence only they added."] = "Věta jen jejich."
    _branch(repo, "theirs", theirs, "2026-03-01 09:00+0000", fuzzy=(KEYS[2],))

    result = _merge(repo, "ours", "theirs")
    assert result.returncode == 0, result.stdout + result.stderr
    merged_path = repo / PO
    text = merged_path.read_text(encoding="utf-8")
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
    assert _msgfmt_check(merged_path).returncode == 0
    catalog = parse_catalog(text.encode("utf-8"), display=PO)
    found = {entry.msgid: entry for entry in catalog.entries}
    assert found[KEYS[0]].msgstr == ours[KEYS[0]]
    assert found[KEYS[4]].msgstr == theirs[KEYS[4]]
    assert found[KEYS[2]].fuzzy  # their flag change arrived
    assert KEYS[6] not in found
    assert found["A sentence only we added."].msgstr == "Věta jen naše."
    assert found["A sentence only they added."].msgstr == "Věta jen jejich."
    assert catalog.header["PO-Revision-Date"] == "2026-03-01 09:00+0000"  # the newer one
    assert not any(CONFLICT_PREFIX in line for line in text.splitlines())

    # Our wrapping is kept: every entry neither side changed is byte for byte as in ours.
    ours_text = _git(repo, "show", f"HEAD~1:{PO}").stdout
    before, after = _blocks(ours_text), _blocks(text)
    untouched = [key for key in before if key[1] in (KEYS[1], KEYS[3], KEYS[5], KEYS[7])]
    assert len(untouched) == 4
    assert all(after[key] == before[key] for key in untouched)
    assert po_layout.detect_wrap(text) == po_layout.POLIB_WIDTH
    their_text = _git(repo, "show", f"theirs:{PO}").stdout
    assert after[(None, KEYS[4])] == _blocks(their_text)[(None, KEYS[4])]  # as theirs had it


def test_entry_changed_on_both_sides_goes_fuzzy_with_theirs_in_a_comment(repo: Path) -> None:
    ours = dict(BASE)
    ours[KEYS[1]] = "Naše verze\ndruhé věty."
    _branch(repo, "ours", ours, "2026-02-01 09:00+0000")
    theirs = dict(BASE)
    theirs[KEYS[1]] = "Jejich verze\ndruhé věty."
    theirs[KEYS[3]] = "Jen jejich čtvrtá."
    _branch(repo, "theirs", theirs, "2026-01-15 09:00+0000")

    result = _merge(repo, "ours", "theirs")
    assert result.returncode == 0, result.stdout + result.stderr
    merged_path = repo / PO
    text = merged_path.read_text(encoding="utf-8")
    assert "<<<<<<<" not in text and "=======" not in text
    check = _msgfmt_check(merged_path)
    assert check.returncode == 0, check.stderr
    catalog = parse_catalog(text.encode("utf-8"), display=PO)
    entry = catalog.find(KEYS[1])
    assert entry is not None
    assert entry.msgstr == ours[KEYS[1]]  # ours is kept ...
    assert entry.fuzzy  # ... for a person to decide
    assert entry.translator_comments == [CONFLICT_PREFIX + "Jejich verze\\ndruhé věty."]
    other = catalog.find(KEYS[3])
    assert other is not None and other.msgstr == "Jen jejich čtvrtá." and not other.fuzzy
    assert catalog.header["PO-Revision-Date"] == "2026-02-01 09:00+0000"
    assert _git(repo, "status", "--porcelain").stdout == ""  # merged and committed, no conflict


def test_invalid_side_is_one_line_and_leaves_ours_alone(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / name for name in ("base.po", "ours.po", "theirs.po"))
    _write(base, BASE, "2026-01-01 10:00+0000")
    _write(ours, {**BASE, KEYS[0]: "naše"}, "2026-01-02 10:00+0000")
    theirs.write_text('msgid "broken\nmsgstr "x"\n', encoding="utf-8")
    before = ours.read_bytes()
    result = run_process(tmp_path, "git-merge", str(base), str(ours), str(theirs), PO)
    assert result.returncode == 5
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"{PO} (theirs):" in lines[0] and "Traceback" not in lines[0]
    assert ours.read_bytes() == before


def test_invalid_side_makes_git_report_a_conflict(repo: Path) -> None:
    _branch(repo, "ours", {**BASE, KEYS[0]: "naše"}, "2026-02-01 09:00+0000")
    _git(repo, "checkout", "-q", "-b", "theirs", "main")
    (repo / PO).write_text('msgid "broken\nmsgstr "x"\n', encoding="utf-8")
    _git(repo, "commit", "-qam", "broken")
    result = _merge(repo, "ours", "theirs")
    assert result.returncode != 0
    assert "CONFLICT" in result.stdout
    assert f"{PO} (theirs)" in result.stderr
