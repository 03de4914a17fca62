"""argos-batch without Argos's heavy half: no argostranslate.translate, torch, stanza or spaCy;
sentence units go to the model unsplit, paragraph units through the pipeline's own splitter; the
same catalogs as the reference engine for sentence units; a confidence score per output."""

from __future__ import annotations

import math
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from argos_fixtures import ArgosModels, open_engine, texts
from helpers import REPO, run_cli

from pipeline import engines
from pipeline.engines import ct2_batch
from pipeline.engines.argos_batch import ArgosBatchEngine
from pipeline.sentences import sentences

HEAVY = ("argostranslate.translate", "torch", "stanza", "spacy", "minisbd", "onnxruntime")


def _imported(importtime_stderr: str) -> set[str]:
    """Module names from `python -X importtime` output ("import time: self | total | name")."""
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name)
    return names


def _heavy(names: set[str]) -> list[str]:
    return sorted(n for n in names if any(n == h or n.startswith(h + ".") for h in HEAVY))


def _project(root: Path, text: str, *, unit: str = "sentence", targets: str = '"cs"') -> Path:
    (root / "source").mkdir(parents=True)
    (root / "source" / "note.txt").write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        f'[tool.pipeline]\ntarget_languages = [{targets}]\nunit = "{unit}"\n', encoding="utf-8"
    )
    return root


def test_translate_imports_no_torch_stanza_or_spacy(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    """`python -X importtime -m pipeline translate`, with units to translate and with none."""
    project = _project(
        tmp_path / "p", "Hello world. How are you?\n\nThe end.\n", targets='"cs", "ru"'
    )
    first = _translate_with_importtime(project)
    assert first.returncode == 0, first.stderr[-2000:]
    catalog = (project / "locales" / "cs" / "note.po").read_text(encoding="utf-8")
    assert 'msgstr "HELLO WORLD."' in catalog and "# mt: argos-batch " in catalog
    names = _imported(first.stderr)
    assert {"ctranslate2", "sentencepiece", "pipeline.engines.ct2_batch"} <= names  # it translated
    assert _heavy(names) == []
    again = _translate_with_importtime(project)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "0 sent to the engine" in again.stderr
    assert _heavy(_imported(again.stderr)) == []
    assert (project / "locales" / "cs" / "note.po").read_text(encoding="utf-8") == catalog


def _translate_with_importtime(project: Path) -> subprocess.CompletedProcess[str]:
    """`python -X importtime -m pipeline translate`, run from inside the project."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipeline", "translate"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_package_with_a_stanza_folder_translates_without_stanza(
    private_argos_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package laid out like a real Argos 1.9 one (a ``stanza/`` folder where the tiny packages
    have ``minisbd/``): Argos would import stanza and torch, and stanza would go online for its
    resources; argos-batch never reads the splitter, for either kind of unit."""
    import argos_models

    from pipeline.engines.argos_install import install_model_file

    members = argos_models.package_files("en", "cs", "upper")
    top = "translate-en_cs"
    del members[f"{top}/minisbd/en.onnx"]
    members[f"{top}/stanza/en/tokenize/combined.pt"] = b"not a torch file"
    members[f"{top}/stanza/resources.json"] = b"{}"
    archive = tmp_path / "stanza-layout.argosmodel"
    archive.write_bytes(argos_models.zip_members(members))
    install_model_file(archive, {("en", "cs")})
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(private_argos_dir))
    assert " sbd=stanza " in engines.named("argos").open("en", "cs", {}).fingerprint
    for unit in ("sentence", "paragraph"):
        project = _project(tmp_path / unit, "Hello world. How are you?\n", unit=unit)
        result = _translate_with_importtime(project)
        assert result.returncode == 0, result.stderr[-2000:]
        catalog = (project / "locales" / "cs" / "note.po").read_text(encoding="utf-8")
        assert "HELLO WORLD." in catalog
        assert _heavy(_imported(result.stderr)) == [], unit


def test_sentence_units_reach_the_model_unsplit(argos_models: ArgosModels) -> None:
    """The difference from Argos for sentence units: no splitter runs, where Argos's splitter would
    cut this unit after "left!" and lose the two spaces there."""
    unit = "Then they left!  OK"
    batch = engines.named("argos-batch").open("en", "cs", {engines.UNIT: "sentence"})
    assert isinstance(batch, ArgosBatchEngine) and " sbd=none " in batch.fingerprint
    assert texts(batch.translate([unit])) == [unit.upper()]
    assert texts(open_engine("argos", "en", "cs").translate([unit])) == ["THEN THEY LEFT! OK"]


def test_paragraph_units_are_split_by_the_pipelines_own_splitter(
    argos_models: ArgosModels,
) -> None:
    """The difference from Argos for paragraph units: `pipeline.sentences` splits them, not Argos's
    stanza or MiniSBD; here ours keeps "Mr." with its name, the package's splitter does not."""
    paragraph = "Mr.  Smith arrived. He sat down."
    assert sentences(paragraph) == ["Mr.  Smith arrived.", "He sat down."]
    batch = engines.named("argos-batch").open("en", "cs", {engines.UNIT: "paragraph"})
    assert " sbd=pipeline " in batch.fingerprint
    assert texts(batch.translate([paragraph])) == ["MR.  SMITH ARRIVED. HE SAT DOWN."]
    reference = texts(open_engine("argos", "en", "cs").translate([paragraph]))
    assert reference == ["MR. SMITH ARRIVED. HE SAT DOWN."]


def test_both_engines_write_the_same_catalogs_for_sentence_units(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    """The repository's interview, sentence units, translated by `argos` and by `argos-batch`:
    the catalogs differ only in the engine named in the `# mt:` comments."""
    catalogs = {}
    for engine in ("argos", "argos-batch"):
        project = tmp_path / engine
        (project / "source").mkdir(parents=True)
        shutil.copy2(REPO / "source" / "kras-interview.txt", project / "source")
        (project / "pyproject.toml").write_text(
            f'[tool.pipeline]\ntarget_languages = ["ru"]\nengine = "{engine}"\n', encoding="utf-8"
        )
        assert run_cli(project, "translate") == 0
        text = (project / "locales" / "ru" / "kras-interview.po").read_text(encoding="utf-8")
        catalogs[engine] = text.replace("# mt: argos-batch ", "# mt: argos ")
        assert text.count(f"# mt: {engine} ") > 100
    assert catalogs["argos"] == catalogs["argos-batch"]


def test_the_build_tells_the_engine_the_kind_of_unit(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    """The unit reaches `EngineFactory.open` (`engines.UNIT`): the cached outputs carry the
    fingerprint of the matching splitter."""
    for unit, splitter in (("sentence", "none"), ("paragraph", "pipeline")):
        project = _project(tmp_path / unit, "Hello world. How are you?\n", unit=unit)
        assert run_cli(project, "build") == 0
        cache = project / ".pipeline" / "cache" / "translations.sqlite3"
        with closing(sqlite3.connect(cache)) as db:
            options = {row[0] for row in db.execute("SELECT DISTINCT options FROM translations")}
        assert len(options) == 1 and f" sbd={splitter} " in options.pop(), unit


def test_unit_is_not_a_key_of_an_engine_table(tmp_path: Path) -> None:
    """`unit` reaches engines from `[tool.pipeline] unit` only; in an engine's table it would be
    overridden unseen, so it is one line instead."""
    from pipeline.config import parse_config
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError) as error:
        parse_config({"engines": {"argos-batch": {"unit": "paragraph"}}}, tmp_path)
    assert str(error.value) == (
        "pyproject.toml: [tool.pipeline.engines.argos-batch] unit: not an engine setting; "
        "set unit in [tool.pipeline]"
    )
    assert error.value.exit_code == 2


# --- the steps of ct2_batch, as another engine would call them ----------------------------------


def test_the_four_steps_give_what_the_engine_gives(argos_models: ArgosModels) -> None:
    package = argos_models.packages["en-ru"]
    model = ct2_batch.load_model(package.path, device="cpu", inter_threads=1, intra_threads=1)
    units = ["Hello world.", "first\nsecond", "Hello world.", ""]
    prepared = ct2_batch.prepare(units, encode=model.encode, split=ct2_batch.whole)
    assert len(prepared.batch) == 3  # "Hello world." once; the empty unit has no sentence
    assert prepared.layout[0] == prepared.layout[2] and prepared.layout[3] == [[]]
    hypotheses = ct2_batch.translate_tokens(
        model.translator, prepared.batch, target_prefix="", max_batch_size=2, beam_size=4
    )
    outputs = ct2_batch.finish(prepared, hypotheses, target_prefix="", decode=model.decode)
    engine = engines.named("argos-batch").open("en", "ru", {engines.UNIT: "sentence"})
    assert outputs == engine.translate(units)
    assert [o.score for o in outputs] == [o.score for o in engine.translate(units)]


def test_a_damaged_tokenizer_is_a_model_error_naming_it(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    from pipeline.errors import ModelError

    copy = tmp_path / "package"
    shutil.copytree(argos_models.packages["en-cs"].path, copy)
    (copy / "sentencepiece.model").write_bytes(b"not a model " * 50)
    with pytest.raises(ModelError) as error:
        ct2_batch.load_model(copy, device="cpu", inter_threads=1, intra_threads=1)
    assert error.value.path == str(copy / "sentencepiece.model")
    assert "damaged or unreadable tokenizer" in str(error.value)


# --- the confidence score ------------------------------------------------------------------------


def test_confidence_is_the_token_weighted_mean_log_probability() -> None:
    lp = ct2_batch.LENGTH_PENALTY
    # CTranslate2's score is the log-probability sum divided by len(tokens) ** length penalty.
    short = ct2_batch.Hypothesis(["▁a", "b"], -1.2 / 2**lp)
    long = ct2_batch.Hypothesis(["▁c", "d", "e", "f"], -0.5 / 4**lp)
    assert math.isclose(short.log_prob, -1.2) and math.isclose(long.log_prob, -0.5)
    # Per unit: all log-probabilities over all scored tokens (pieces and end of sentence).
    expected = (-1.2 - 0.5) / (3 + 5)
    assert math.isclose(ct2_batch.confidence([short, long]) or 0.0, expected)
    assert ct2_batch.confidence([]) is None


def test_outputs_carry_a_score_and_argos_gives_none(argos_models: ArgosModels) -> None:
    batch = open_engine("argos-batch", "en", "cs").translate(["Hello world.", ""])
    assert batch[1].score is None  # nothing was translated
    score = batch[0].score
    assert score is not None and score <= 0.0
    assert score > -1e-3  # the tiny test models are certain of every token
    reference = open_engine("argos", "en", "cs").translate(["Hello world."])
    assert reference == batch[:1] and reference[0].score is None  # equal texts, scores aside
