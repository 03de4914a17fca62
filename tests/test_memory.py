"""Translation memory: reviewed units of one document fill the same English in another before
machine translation (fuzzy, `# tm: <document>`, no engine call); compendia; similar reviewed units
as suggestions in the terminal review and the HTML report, never written; `status --json` counts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from argos_fixtures import ArgosModels
from helpers import run_cli, snapshot

from pipeline.catalog import machine_mark, read_catalog, save_catalog, state_of
from pipeline.config import load_config
from pipeline.machine import is_untouched_machine_output
from pipeline.memory import (
    THRESHOLD,
    Memory,
    MemoryUnit,
    ProjectMemory,
    fill_from_memory,
    memory_origin,
    units_of,
)
from pipeline.model import Catalog, Entry, State
from pipeline.review.report import write_report
from pipeline.review.session import approve_entry, review_queue
from pipeline.review.terminal import run_review

SHARED = "The union meets every Sunday in the old library."
SHARED_CS = "Odbory se scházejí každou neděli ve staré knihovně."
ONLY_A = "Nobody wants this war."
ONLY_B = "Bread costs more every month."
SIMILAR = "The union meets every Monday in the old library."
HEADER = {
    "Project-Id-Version": "doc",
    "Language": "cs",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}


# --- the pure core -------------------------------------------------------------------------------


def _memory(*units: tuple[str, str, str]) -> Memory:
    return Memory(MemoryUnit(None, msgid, text, origin) for msgid, text, origin in units)


def test_units_are_the_reviewed_singular_entries_only() -> None:
    reviewed = Entry(SHARED, SHARED_CS)
    fuzzy = Entry(ONLY_A, "Nikdo nechce tuto válku.", flags=["fuzzy"])
    empty = Entry(ONLY_B)
    plural = Entry("a cat", msgid_plural="cats", msgstr_plural={0: "kočka", 1: "kočky"})
    obsolete = Entry("Gone.", "Pryč.", obsolete=True)
    catalog = Catalog(dict(HEADER), [reviewed, fuzzy, empty, plural, obsolete])
    assert units_of(catalog, "a") == [MemoryUnit(None, SHARED, SHARED_CS, "a")]


def test_exact_match_fills_a_new_entry_fuzzy_with_its_origin() -> None:
    memory = _memory((SHARED, SHARED_CS, "a"))
    catalog = Catalog(dict(HEADER), [Entry(SHARED), Entry(ONLY_B)])
    assert fill_from_memory(catalog, memory) == 1
    filled, other = catalog.entries
    assert filled.msgstr == SHARED_CS
    assert filled.fuzzy and filled.translator_comments == ["tm: a"]
    assert memory_origin(filled) == "a"
    # Needs review, and is no machine output that MT could overwrite later.
    assert state_of(filled) is State.EDITED
    assert machine_mark(filled) is None and not is_untouched_machine_output(filled)
    assert other.msgstr == "" and other.translator_comments == []
    # A second pass finds nothing to fill: the entry is not filled twice.
    assert fill_from_memory(catalog, memory) == 0


def test_msgctxt_must_match_too() -> None:
    memory = Memory([MemoryUnit("menu", "Open", "Otevřít", "a")])
    catalog = Catalog(dict(HEADER), [Entry("Open"), Entry("Open", msgctxt="door")])
    assert fill_from_memory(catalog, memory) == 0
    catalog.entries.append(Entry("Open", msgctxt="menu"))
    assert fill_from_memory(catalog, memory) == 1
    assert catalog.entries[2].msgstr == "Otevřít"


def test_approve_mode_approves_only_what_every_source_agrees_on() -> None:
    memory = _memory(
        (SHARED, SHARED_CS, "a"),
        (ONLY_A, "Nikdo nechce tuto válku.", "a"),
        (ONLY_A, "Tuto válku nikdo nechce.", "b"),
    )
    catalog = Catalog(dict(HEADER), [Entry(SHARED), Entry(ONLY_A)])
    assert fill_from_memory(catalog, memory, approve=True) == 2
    agreed, disputed = catalog.entries
    assert state_of(agreed) is State.REVIEWED and agreed.translator_comments == ["tm: a"]
    # The sources disagree: the first (by document name) is filled, left for a person to settle.
    assert disputed.msgstr == "Nikdo nechce tuto válku." and state_of(disputed) is State.EDITED


def test_similar_units_above_the_threshold_best_first() -> None:
    memory = _memory(
        (SHARED, SHARED_CS, "a"),
        (SIMILAR, "Odbory se scházejí každé pondělí ve staré knihovně.", "b"),
        (ONLY_A, "Nikdo nechce tuto válku.", "a"),
    )
    found = memory.similar("The union meets every Sunday in the new library.")
    assert [s.source for s in found] == [SHARED, SIMILAR]
    assert found[0].score > found[1].score >= THRESHOLD
    assert (found[0].translation, found[0].origin) == (SHARED_CS, "a")
    assert memory.similar("Something else entirely.") == []
    assert len(memory.similar(SHARED, limit=1)) == 1


# --- projects ------------------------------------------------------------------------------------


def _project(root: Path, tm: str = "") -> Path:
    """Two documents sharing SHARED: a.txt (with ONLY_A) and b.txt (with ONLY_B); Czech only."""
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[tool.pipeline]\ntarget_languages = ["cs"]\n{tm}', encoding="utf-8"
    )
    (root / "source" / "a.txt").write_text(f"{SHARED}\n\n{ONLY_A}\n", encoding="utf-8")
    return root


def _review_in_a(root: Path, text: str = SHARED_CS) -> None:
    """A person translates and approves SHARED in a.po (as a PO editor would)."""
    path = root / "locales" / "cs" / "a.po"
    catalog = read_catalog(path)
    entry = catalog.find(SHARED)
    assert entry is not None
    entry.msgstr = text
    approve_entry(entry)
    save_catalog(catalog, path)


def _add_b(root: Path) -> None:
    (root / "source" / "b.txt").write_text(f"{SHARED}\n\n{ONLY_B}\n", encoding="utf-8")


def _report(root: Path) -> dict[str, object]:
    data = json.loads((root / ".pipeline" / "last-build.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _pair(root: Path, document: str) -> dict[str, object]:
    pairs = _report(root)["pairs"]
    assert isinstance(pairs, list)
    found = [pair for pair in pairs if pair["document"] == document]
    assert len(found) == 1
    pair = found[0]
    assert isinstance(pair, dict)
    return pair


def test_build_fills_from_memory_and_sends_it_to_no_engine(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    root = _project(tmp_path / "p")
    assert run_cli(root, "build") == 0
    _review_in_a(root)
    _add_b(root)
    assert run_cli(root, "build") == 0

    b = read_catalog(root / "locales" / "cs" / "b.po")
    shared = b.find(SHARED)
    assert shared is not None
    assert shared.msgstr == SHARED_CS and shared.fuzzy
    assert "tm: a" in shared.translator_comments and machine_mark(shared) is None
    assert state_of(shared) is State.EDITED
    other = b.find(ONLY_B)
    assert other is not None and state_of(other) is State.MACHINE
    # One engine call, for ONLY_B: SHARED (in the MT cache from a's build) is neither looked up
    # there nor sent to the engine.
    machine = _pair(root, "b")["machine"]
    assert isinstance(machine, dict)
    assert (machine["from_memory"], machine["engine_calls"], machine["from_cache"]) == (1, 1, 0)
    assert machine["filled"] == 1

    # Nothing changed: the next build writes no file, and translate leaves the entry alone.
    before = snapshot(root)
    assert run_cli(root, "build") == 0
    assert _report(root)["changed"] == []
    assert snapshot(root) == before
    assert run_cli(root, "translate") == 0
    assert snapshot(root) == before


def test_memory_fills_without_a_model_and_approves_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    root = _project(tmp_path / "p", '[tool.pipeline.tm]\nexact = "approve"\n')
    assert run_cli(root, "build") == 0
    _review_in_a(root)
    _add_b(root)
    assert run_cli(root, "build") == 0
    shared = read_catalog(root / "locales" / "cs" / "b.po").find(SHARED)
    assert shared is not None
    assert shared.msgstr == SHARED_CS and not shared.fuzzy
    assert state_of(shared) is State.REVIEWED and shared.translator_comments == ["tm: a"]
    machine = _pair(root, "b")["machine"]
    assert machine == {"from_memory": 1}
    assert (root / "output" / "cs" / "b.txt").read_text(encoding="utf-8").startswith(SHARED_CS)


def _compendium(
    path: Path, language: str = "cs", text: str = "Chléb je každý měsíc dražší."
) -> None:
    header = {**HEADER, "Language": language}
    save_catalog(Catalog(header, [Entry(ONLY_B, text), Entry(ONLY_A, "", flags=[])]), path)


def test_compendium_fills_and_names_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    root = _project(tmp_path / "p", '[tool.pipeline.tm]\ncompendia = ["tm/cs.po", "tm/sk.po"]\n')
    _compendium(root / "tm" / "cs.po")
    _compendium(root / "tm" / "sk.po", "sk", "Chlieb je každý mesiac drahší.")
    _add_b(root)
    assert run_cli(root, "build") == 0
    b = read_catalog(root / "locales" / "cs" / "b.po")
    filled = b.find(ONLY_B)
    assert filled is not None
    assert filled.msgstr == "Chléb je každý měsíc dražší."  # the Czech one, not the Slovak one
    assert filled.fuzzy and filled.translator_comments == ["tm: tm/cs.po"]
    untouched = b.find(SHARED)
    assert untouched is not None and untouched.msgstr == ""


def test_bad_compendia_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    root = _project(tmp_path / "p", '[tool.pipeline.tm]\ncompendia = ["tm/cs.po"]\n')
    assert run_cli(root, "build") == 5  # missing: a catalog error naming it, nothing written
    err = capsys.readouterr().err.strip()
    assert err.startswith("pipeline: error: tm/cs.po:") and "does not exist" in err
    assert len(err.splitlines()) == 1
    assert not (root / "locales").exists()

    (root / "tm").mkdir()
    (root / "tm" / "cs.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: cs\\n"\n\nmsgid "x"\nmsgstr "y\n', encoding="utf-8"
    )
    assert run_cli(root, "build") == 5
    err = capsys.readouterr().err.strip()
    assert err.startswith("pipeline: error: tm/cs.po:6:") and len(err.splitlines()) == 1

    _compendium(root / "tm" / "cs.po", language="")
    assert run_cli(root, "build") == 5
    err = capsys.readouterr().err.strip()
    assert "tm/cs.po" in err and "no Language header" in err and len(err.splitlines()) == 1

    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs"]\n[tool.pipeline.tm]\ncompendia = ["../x.po"]\n',
        encoding="utf-8",
    )
    assert run_cli(root, "build") == 2
    err = capsys.readouterr().err.strip()
    assert "compendia" in err and "outside the project" in err and len(err.splitlines()) == 1


# --- suggestions in review, and status -----------------------------------------------------------


class _Keys:
    """A terminal that quits at once and keeps what it was shown."""

    def __init__(self) -> None:
        self.screens: list[str] = []

    def show(self, screen: str) -> None:
        self.screens.append(screen)

    def key(self) -> str:
        return "q"

    def edit_text(self, current: str, context: str) -> str | None:
        return None

    def width(self) -> int:
        return 80


def _reviewed_and_similar(root: Path) -> None:
    """locales/cs/a.po with SHARED reviewed; b.po with SIMILAR as a person's fuzzy draft."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs"]\n', encoding="utf-8"
    )
    folder = root / "locales" / "cs"
    save_catalog(Catalog(dict(HEADER), [Entry(SHARED, SHARED_CS)]), folder / "a.po")
    draft = Entry(SIMILAR, "Koncept.", flags=["fuzzy"])
    save_catalog(Catalog(dict(HEADER), [draft, Entry(ONLY_B)]), folder / "b.po")


def test_review_shows_similar_reviewed_units_and_writes_none(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _reviewed_and_similar(root)
    config = load_config(root)
    before = snapshot(root)
    terminal = _Keys()
    run_review(config, "cs", review_queue(config, "cs", ["b"]), terminal)
    screen = terminal.screens[0]
    assert "Translation memory" in screen
    shown = memory_score(SIMILAR, SHARED)
    assert f"{shown} from a:" in screen and SHARED_CS in screen
    assert snapshot(root) == before

    path = write_report(config, "cs")
    page = path.read_text(encoding="utf-8")
    assert f"{shown} from a:" in page and SHARED_CS in page
    assert page.count('class="tm"') == 1  # only the draft: the reviewed row and ONLY_B get none
    assert {k: v for k, v in snapshot(root).items() if not k.startswith("output/")} == before


def memory_score(query: str, source: str) -> str:
    """The percentage the review shows for a suggestion, from the memory itself."""
    from pipeline.review.status import percent

    found = _memory((source, "x", "a")).similar(query)
    assert len(found) == 1
    return percent(found[0].score)


def test_status_json_counts_units_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    root = _project(tmp_path / "p")
    assert run_cli(root, "build") == 0
    _review_in_a(root)
    _add_b(root)
    assert run_cli(root, "build") == 0
    capsys.readouterr()
    assert run_cli(root, "status", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    rows = {row["document"]: row for row in data["catalogs"]}
    assert rows["b"]["memory"] == {"units": 1, "words": 9, "to_review": 1}
    assert rows["a"]["memory"] == {"units": 0, "words": 0, "to_review": 0}
    assert rows["b"]["units"]["edited"] == 1
    assert data["languages"]["cs"]["memory"]["units"] == 1
    assert run_cli(root, "status") == 0
    assert "from translation memory: 1 units, 1 still to review" in capsys.readouterr().out


def test_project_memory_reads_each_language_once(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _reviewed_and_similar(root)
    memory = ProjectMemory(load_config(root))
    first = memory.of("cs")
    shutil.rmtree(root / "locales")
    assert memory.of("cs") is first and len(first) == 1
