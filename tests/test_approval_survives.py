"""Machine output a person approved as it was is never overwritten, even after its English
changes: the entry becomes stale for a person to look at, and `translate` leaves it alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
from argos_fixtures import ArgosModels
from helpers import run_cli

from pipeline.catalog import read_catalog, state_of
from pipeline.model import State


def test_approved_machine_text_survives_a_source_change(
    argos_models: ArgosModels, repo_copy: Path
) -> None:
    shutil.rmtree(repo_copy / "locales", ignore_errors=True)
    assert run_cli(repo_copy, "translate", "--lang", "cs") == 0
    po_file = repo_copy / "locales" / "cs" / "kras-interview.po"
    po = polib.pofile(str(po_file))
    entry = po.find("Greetings, comrades!")
    assert entry is not None and "fuzzy" in entry.flags
    approved_text = entry.msgstr
    entry.flags.remove("fuzzy")  # approved as it was, as Poedit does it
    po.save(str(po_file))

    source = repo_copy / "source" / "kras-interview.txt"
    source.write_text(
        source.read_text(encoding="utf-8").replace("Greetings, comrades!", "Greetings, friends!"),
        encoding="utf-8",
    )
    assert run_cli(repo_copy, "translate", "--lang", "cs") == 0
    assert run_cli(repo_copy, "build", "--lang", "cs") in (0, 1)

    catalog = read_catalog(po_file)
    moved = catalog.find("Greetings, friends!")
    assert moved is not None
    assert moved.msgstr == approved_text  # not re-translated
    assert moved.previous_msgid == "Greetings, comrades!"
    assert state_of(moved) is State.STALE
    assert any(c.startswith("mt-approved: argos-batch") for c in moved.translator_comments)
    assert not any(c.startswith("mt: ") for c in moved.translator_comments)
