"""Session-wide test setup (no network, no telemetry, Argos confined to temporary folders) and
the fixtures tests share."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

# Must happen before anything imports argostranslate or onnxruntime
# (see docs/offline-argos-models.md, section 5).
_ARGOS_HOME = Path(tempfile.mkdtemp(prefix="pipeline-tests-argos-"))
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("ARGOS_PACKAGES_DIR", str(_ARGOS_HOME / "packages"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ.setdefault(_name, str(_ARGOS_HOME / _name.lower()))
os.environ.setdefault("ARGOS_DEVICE_TYPE", "cpu")
# No build in a test (or its child processes) reaches for Argos's package index; the tests of
# that (tests/test_auto_install.py) clear this and serve an index on 127.0.0.1.
os.environ["PIPELINE_OFFLINE"] = "1"

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

if TYPE_CHECKING:
    from helpers import Tmux

pytest_plugins = ("argos_fixtures",)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class NetworkAccessError(RuntimeError):
    """Raised when a test tries to reach the network."""


_LOOPBACK_ALLOWED: list[bool] = []  # non-empty during a test marked `loopback`


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event in ("socket.connect", "socket.connect_ex", "socket.sendto"):
        address = args[1] if len(args) > 1 else None
        family = getattr(args[0], "family", None)
        host = address[0] if isinstance(address, tuple) and address else None
        if _LOOPBACK_ALLOWED and host in ("127.0.0.1", "::1"):
            return
        if family in (socket.AF_INET, socket.AF_INET6):
            raise NetworkAccessError(f"test opened a network socket to {address!r}")
    if event == "socket.getaddrinfo":
        host = args[0] if args else None
        if host not in (None, "localhost", "127.0.0.1", "::1"):
            raise NetworkAccessError(f"test looked up host {host!r}")


sys.addaudithook(_audit)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A test marked `@pytest.mark.loopback` (or its module, through `pytestmark`) may connect to
    127.0.0.1 and ::1, nowhere else; from its setup, module-scoped fixtures included, to its
    teardown."""
    if item.get_closest_marker("loopback") is not None:
        _LOOPBACK_ALLOWED.append(True)
    try:
        yield
    finally:
        _LOOPBACK_ALLOWED.clear()


@pytest.fixture
def repo_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the repository's project files (pyproject, source/, locales/)."""
    import shutil

    target = tmp_path / "project"
    target.mkdir()
    shutil.copy2(REPO / "pyproject.toml", target / "pyproject.toml")
    shutil.copytree(REPO / "source", target / "source")
    if (REPO / "locales").exists():
        shutil.copytree(REPO / "locales", target / "locales")
    yield target


@pytest.fixture
def project(repo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository with no catalogs or editions yet, and no Argos model: for tests
    of the pipeline without machine translation. A test module that needs more starts from it by
    overriding `project` with a fixture that takes `project`."""
    import shutil

    shutil.rmtree(repo_copy / "locales", ignore_errors=True)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    return repo_copy


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """A private tmux server for one test (skipped where tmux is not installed)."""
    import shutil

    from helpers import Tmux

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    session = Tmux(tmp_path)
    yield session
    session.stop()
