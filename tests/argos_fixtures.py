"""Pytest fixtures: tiny real Argos packages, built once per session and installed into the
temporary ARGOS_PACKAGES_DIR that conftest.py sets up before anything imports Argos."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import engines
from pipeline.engines import Engine, EngineOutput
from pipeline.engines.argos_packages import PackageInfo

# One OpenMP thread: the tiny models are ~20x faster per call than with Argos's default of one
# thread per core (docs/offline-argos-models.md, section 7). Read when Argos is first imported.
os.environ.setdefault("ARGOS_INTRA_THREADS", "1")

# Where the session's tiny models are installed: the folder conftest.py set before Argos loaded.
MODELS_DIR = Path(os.environ["ARGOS_PACKAGES_DIR"])

# (source, target, mode) of every package the suite installs; cs/sk/ru/uk are the configured pairs.
INSTALLED = (
    ("en", "cs", "upper"),
    ("en", "sk", "upper"),
    ("en", "ru", "cyrillic"),
    ("en", "uk", "cyrillic"),
    ("en", "de", "copy"),
)
# Built but not installed: for install, replace and wrong-pair tests.
SPARE = (
    ("en", "cs", "cyrillic", "2.0"),
    ("en", "fr", "copy", "1.0"),
)


def open_engine(name: str, source: str, target: str, **settings: int) -> Engine:
    """The engine registered as ``name`` for source→target, opened as `pipeline build` does."""
    return engines.named(name).open(source, target, settings)


def texts(outputs: list[EngineOutput]) -> list[str]:
    """The translated texts of engine outputs."""
    return [output.text for output in outputs]


@dataclass(frozen=True)
class ArgosModels:
    """The installed test packages and the .argosmodel files they came from."""

    packages: dict[str, PackageInfo]  # "en-cs" → the installed package
    files: dict[str, Path]  # "en-cs" → .argosmodel; spares as "en-cs-cyrillic-2.0"
    packages_dir: Path


@pytest.fixture(scope="session")
def argos_model_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build every test package once per session (a few seconds in all)."""
    import argos_models

    folder = tmp_path_factory.mktemp("argosmodels")
    files: dict[str, Path] = {}
    for source, target, mode in INSTALLED:
        files[f"{source}-{target}"] = argos_models.build_package(folder, source, target, mode)
    for source, target, mode, version in SPARE:
        files[f"{source}-{target}-{mode}-{version}"] = argos_models.build_package(
            folder, source, target, mode, version=version
        )
    return files


@pytest.fixture(scope="session")
def argos_models(argos_model_files: dict[str, Path]) -> ArgosModels:
    """The test packages installed into the session's Argos folder (checked like a user's)."""
    from argostranslate import settings

    from pipeline.engines.argos_install import install_model_file

    # Argos reads its folders once, at import: point it at the session's models folder, whichever
    # folder the test that first imported it was given.
    settings.package_data_dir = MODELS_DIR
    settings.package_dirs = [MODELS_DIR]
    packages: dict[str, PackageInfo] = {}
    for source, target, _mode in INSTALLED:
        key = f"{source}-{target}"
        packages[key] = install_model_file(argos_model_files[key], {(source, target)})
    return ArgosModels(packages, dict(argos_model_files), MODELS_DIR)


@pytest.fixture
def private_argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty Argos packages folder for one test, so installs do not touch the shared one."""
    from argostranslate import settings

    from pipeline.engines.argos_packages import forget_loaded_argos_models

    folder = tmp_path / "argos-packages"
    folder.mkdir()
    monkeypatch.setattr(settings, "package_data_dir", folder)
    monkeypatch.setattr(settings, "package_dirs", [folder])
    forget_loaded_argos_models()
    yield folder
    forget_loaded_argos_models()


@pytest.fixture(autouse=True)
def argos_packages_of_this_test(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """A test sees the session's tiny models only if it asks for them (through `argos_models`).

    Every other test, in process and in its child processes, finds an empty Argos folder, so
    whether a model is installed never depends on which tests ran before.
    """
    if "private_argos_dir" in request.fixturenames:
        yield
        return
    from pipeline.engines.argos_packages import forget_loaded_argos_models

    folder = tmp_path_factory.getbasetemp() / "argos-no-models"
    if "argos_models" in request.fixturenames:
        folder = MODELS_DIR
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    settings = sys.modules.get("argostranslate.settings")
    if settings is not None:
        monkeypatch.setattr(settings, "package_data_dir", folder)
        monkeypatch.setattr(settings, "package_dirs", [folder])
    forget_loaded_argos_models()
    yield
    forget_loaded_argos_models()
