"""`pipeline build` as a scheduled job: incremental, --check, reports, narrowing, locking."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import REPO, contents, run_cli, run_process, snapshot

from pipeline.files import project_lock

HEAVY = ("argostranslate", "torch", "stanza", "ctranslate2", "spacy", "onnxruntime")


def _report(project: Path) -> dict[str, object]:
    data = json.loads((project / ".pipeline" / "last-build.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_build_after_build_does_nothing_and_imports_no_argos(project: Path) -> None:
    assert run_cli(project, "build") == 0
    before = snapshot(project)
    code = (
        "import sys; from pipeline.cli import main; rc = main(['build']);"
        f"print(rc, sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0 []"
    assert "0/4 document-language pairs rebuilt, 0 file(s) changed" in result.stderr
    assert snapshot(project) == before
    report = _report(project)
    assert report["engine_calls"] == 0
    assert report["changed"] == []
    assert all(not pair["rebuilt"] for pair in report["pairs"])  # type: ignore[index,union-attr]


def test_changed_source_rebuilds_and_reports(project: Path) -> None:
    assert run_cli(project, "build") == 0
    source = project / "source" / "kras-interview.txt"
    source.write_text(
        source.read_text(encoding="utf-8").replace("Greetings, comrades!", "Hello, comrades!"),
        encoding="utf-8",
    )
    assert run_cli(project, "build") == 0
    report = _report(project)
    changed = report["changed"]
    assert isinstance(changed, list)
    assert "locales/kras-interview.pot" in changed
    assert "output/cs/kras-interview.txt" in changed
    pairs = report["pairs"]
    assert isinstance(pairs, list) and len(pairs) == 4
    assert all(pair["rebuilt"] for pair in pairs)
    assert pairs[0]["states"]["untranslated"] == 179 or pairs[0]["states"]["untranslated"] > 150


def test_reviewer_edit_rebuilds_only_that_language(project: Path) -> None:
    import polib

    assert run_cli(project, "build") == 0
    po_file = project / "locales" / "sk" / "kras-interview.po"
    po = polib.pofile(str(po_file))
    po[0].msgstr = "Nižšie uverejňujeme rozhovor."
    po.save(str(po_file))
    assert run_cli(project, "build") == 0
    report = _report(project)
    rebuilt = [(p["document"], p["language"]) for p in report["pairs"] if p["rebuilt"]]  # type: ignore[union-attr,index]
    assert rebuilt == [("kras-interview", "sk")]
    edition = (project / "output" / "sk" / "kras-interview.txt").read_text(encoding="utf-8")
    assert edition.startswith("Nižšie uverejňujeme rozhovor. We do so")


def test_check_mode_changes_nothing_and_lists_what_would(project: Path) -> None:
    assert run_cli(project, "build") == 0
    assert run_process(project, "build", "--check").returncode == 0
    source = project / "source" / "kras-interview.txt"
    source.write_text(source.read_text(encoding="utf-8") + "A new closing line.\n")
    before = contents(project)
    state_before = (project / ".pipeline" / "state.json").read_bytes()
    result = run_process(project, "build", "--check")
    assert result.returncode == 1
    assert "would change locales/kras-interview.pot" in result.stderr
    assert "would change output/ru/kras-interview.txt" in result.stderr
    assert contents(project) == before
    assert (project / ".pipeline" / "state.json").read_bytes() == state_before


def test_second_document_is_picked_up_and_names_narrow(project: Path) -> None:
    (project / "source" / "notes.txt").write_text(
        "Short notes.\n1) Why?\nBecause.\n", encoding="utf-8"
    )
    assert run_cli(project, "build", "--lang", "cs", "notes") == 0
    edition = (project / "output" / "cs" / "notes.txt").read_text(encoding="utf-8")
    assert edition.startswith("Short notes.\n1) Why?\nBecause.\n")
    assert not (project / "output" / "ru" / "notes.txt").exists()
    assert not (project / "output" / "cs" / "kras-interview.txt").exists()
    assert run_cli(project, "build") == 0
    for lang in ("cs", "ru", "uk", "sk"):
        assert (project / "output" / lang / "notes.txt").exists()
        assert (project / "locales" / lang / "notes.po").exists()


def test_report_file_and_json_logs(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = run_process(project, "build", "--report", str(target), "--log-format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["pairs"][0]["document"] == "kras-interview"
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records[-1]["level"] == "summary"
    assert records[-1]["report"]["seconds"] >= 0
    assert {r["level"] for r in records} <= {"warning", "summary", "info"}


def test_missing_model_warns_or_fails_with_require_models(project: Path, tmp_path: Path) -> None:
    empty = {"ARGOS_PACKAGES_DIR": str(tmp_path / "no-packages")}
    result = run_process(project, "build", env=empty)
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 4
    assert "pipeline models install" in warnings[0]
    shutil.rmtree(project / "output")
    result = run_process(project, "build", "--require-models", env=empty)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1
    assert not (project / "output").exists()


def test_second_build_waits_or_fails_on_the_lock(project: Path) -> None:
    with project_lock(project / ".pipeline"):
        result = run_process(project, "build")
        assert result.returncode == 6
        assert "another pipeline process" in result.stderr
        assert not (project / "output").exists()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, sys.argv[1]);"
            "from pathlib import Path; from pipeline.files import project_lock;"
            "cm = project_lock(Path(sys.argv[2]));  cm.__enter__(); print('locked', flush=True);"
            "time.sleep(1.5)",
            str(REPO),
            str(project / ".pipeline"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    result = run_process(project, "build", "--wait")
    assert result.returncode == 0, result.stderr
    # The build could only take the lock once the holder had exited.
    assert holder.poll() == 0
    holder.stdout.close()


def test_a_bad_second_document_stops_the_build_before_any_write(project: Path) -> None:
    assert run_cli(project, "build") == 0
    source = project / "source" / "kras-interview.txt"
    source.write_text(source.read_text(encoding="utf-8") + "One more line.\n", encoding="utf-8")
    (project / "source" / "zz-broken.txt").write_bytes(b"Fine.\n\xff\xfe broken\n")
    before = contents(project)
    result = run_process(project, "build")
    assert result.returncode == 4
    assert "source/zz-broken.txt:2: not UTF-8" in result.stderr
    assert contents(project) == before  # kras-interview's changes were not written either


TSV_EDITION = '''
"""A third party's edition format: one line per unit, the source and the text shown, tab apart."""

from pipeline.assemble import chosen_text


class TsvEdition:
    name = "tsv"
    suffix = ".tsv"
    media_type = "text/tab-separated-values"
    label = "tab-separated"

    def fits(self, source_format):
        return True

    def render(self, edition):
        rows = []
        for unit in edition.document.units:
            text = chosen_text(unit, edition.translations, edition.policy)
            rows.append(unit.msgid + "\\t" + (unit.source_text if text is None else text))
        return ("\\n".join(rows) + "\\n").encode("utf-8")


class SlidesEdition:
    """Only for Markdown sources."""

    name = "slides"
    suffix = ".slides.html"
    media_type = "text/html"

    def fits(self, source_format):
        return source_format == "markdown"

    def render(self, edition):
        return b"<section></section>\\n"
'''


def _edition_plugin(folder: Path) -> Path:
    """A distribution as pip installs one (module and .dist-info), declaring an edition format."""
    folder.mkdir()
    (folder / "tsv_edition.py").write_text(TSV_EDITION, encoding="utf-8")
    info = folder / "tsv_edition-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tsv-edition\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[pipeline.edition_formats]\ntsv = tsv_edition:TsvEdition\n"
        "slides = tsv_edition:SlidesEdition\n",
        encoding="utf-8",
    )
    return folder


def test_adding_or_removing_an_edition_format_renders_only_that_format(
    project: Path, tmp_path: Path
) -> None:
    with_plugin = {
        "PYTHONPATH": os.pathsep.join([str(_edition_plugin(tmp_path / "site")), str(REPO)])
    }
    tsv = project / "output" / "cs" / "kras-interview.tsv"

    def rebuilt() -> list[bool]:
        return [bool(pair["rebuilt"]) for pair in _report(project)["pairs"]]  # type: ignore[index,union-attr]

    def stamped_outputs() -> set[str]:
        state = json.loads((project / ".pipeline" / "state.json").read_text(encoding="utf-8"))
        return set(state["pairs"]["kras-interview/cs"]["outputs"])

    assert run_process(project, "build").returncode == 0
    assert not tsv.exists()
    assert "output/cs/kras-interview.tsv" not in stamped_outputs()
    before = snapshot(project)

    added = run_process(project, "build", env=with_plugin)
    assert added.returncode == 0, added.stderr
    assert rebuilt() == [False] * 4  # the pairs' inputs are unchanged: only the new format renders
    changed = {path for path, data in snapshot(project).items() if before.get(path) != data}
    assert {path for path in changed if not path.startswith(".pipeline/")} == {
        *(f"output/{lang}/kras-interview.tsv" for lang in ("cs", "ru", "uk", "sk")),
        "output/index.html",
    }
    first_unit = tsv.read_text(encoding="utf-8").splitlines()[0]
    source, shown = first_unit.split("\t")
    assert shown == source  # no model: the edition shows the English
    assert (
        (project / "source" / "kras-interview.txt").read_text(encoding="utf-8").startswith(source)
    )
    assert "output/cs/kras-interview.tsv" in stamped_outputs()
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert '<a href="cs/kras-interview.tsv">tab-separated</a>' in index
    # A format that does not fit the document's source format writes nothing for it.
    assert not (project / "output" / "cs" / "kras-interview.slides.html").exists()
    assert "slides" not in index

    again = run_process(project, "build", env=with_plugin)
    assert again.returncode == 0, again.stderr
    assert rebuilt() == [False] * 4

    removed = run_process(project, "build")
    assert removed.returncode == 0, removed.stderr
    assert rebuilt() == [False] * 4
    assert "output/cs/kras-interview.tsv" not in stamped_outputs()
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert "kras-interview.tsv" not in index
    assert '<a href="cs/kras-interview.txt">text</a>' in index
