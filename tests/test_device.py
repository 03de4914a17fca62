"""The ``device`` setting of argos-batch: ``auto`` falls back to the CPU on a machine without a
GPU (this one), ``cuda`` asked for without one is one line, and the CPU keeps the cache's
fingerprint whichever way it was chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from argos_fixtures import ArgosModels, texts
from helpers import run_cli

from pipeline import engines
from pipeline.engines import ct2_batch
from pipeline.engines.argos_batch import ArgosBatchEngine
from pipeline.errors import ConfigError


@pytest.fixture
def no_gpu() -> None:
    if ct2_batch.cuda_devices() > 0:
        pytest.skip("this machine has a CUDA device")


def _project(root: Path, table: str) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "source" / "note.txt").write_text("Hello world.\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs"]\n[tool.pipeline.engines.argos-batch]\n' + table,
        encoding="utf-8",
    )
    return root


def test_auto_falls_back_to_the_cpu_without_a_gpu(argos_models: ArgosModels, no_gpu: None) -> None:
    factory = engines.named("argos-batch")
    auto = factory.open("en", "cs", {"device": "auto"})
    assert isinstance(auto, ArgosBatchEngine) and auto.device == "cpu"
    assert texts(auto.translate(["hello"])) == ["HELLO"]
    assert auto._model is not None and auto._model.translator.device == "cpu"
    # The CPU keeps one fingerprint, whether chosen, defaulted or fallen back to: cache hits stay.
    default = factory.open("en", "cs", {})
    chosen = factory.open("en", "cs", {"device": "cpu"})
    assert auto.fingerprint == default.fingerprint == chosen.fingerprint
    assert "device" not in auto.fingerprint


def test_cuda_without_a_gpu_is_one_line(
    argos_models: ArgosModels, no_gpu: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "project", 'device = "cuda"\n')
    capsys.readouterr()
    assert run_cli(project, "translate") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err == (
        "pipeline: error: pyproject.toml: [tool.pipeline.engines.argos-batch] device: "
        '"cuda" but CTranslate2 finds no CUDA device here; use "auto" or "cpu"\n'
    )
    assert "HELLO" not in (project / "locales" / "cs" / "note.po").read_text(encoding="utf-8")
    # With "auto" the same project translates on the CPU.
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text().replace('"cuda"', '"auto"'), encoding="utf-8"
    )
    assert run_cli(project, "translate") == 0
    assert 'msgstr "HELLO WORLD."' in (project / "locales" / "cs" / "note.po").read_text("utf-8")


@pytest.mark.parametrize("value", ["gpu", 1, "CPU"])
def test_device_must_be_one_of_three_words(argos_models: ArgosModels, value: object) -> None:
    with pytest.raises(ConfigError) as error:
        engines.named("argos-batch").open("en", "cs", {"device": value})
    assert str(error.value) == (
        'pyproject.toml: [tool.pipeline.engines.argos-batch] device: expected one of "auto", '
        '"cpu", "cuda", '
        f"got {value!r}"
    )
    assert error.value.exit_code == 2


def test_compute_type_follows_the_device() -> None:
    from argostranslate import settings

    assert ct2_batch.compute_type("cuda") == "int8_float16"
    assert ct2_batch.compute_type("cpu") == settings.compute_type  # as Argos loads it on the CPU
