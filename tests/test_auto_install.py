"""`pipeline build` fetches the models it lacks from Argos's package index (issue 15, part 4).

The index and the tiny real Argos packages (tests/argos_models.py) are served by an `http.server`
on 127.0.0.1 in a thread of the test; the socket guard of conftest.py lets tests marked `loopback`
connect there and nowhere else, and other tests not even there. Every build runs the real command
line in this process, against a private Argos packages folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import argos_models
import pytest
from helpers import REPO, run_cli, snapshot

from pipeline.catalog import read_catalog
from pipeline.engines.argos_install import install_missing
from pipeline.engines.argos_packages import installed_packages

LANGUAGES = ("cs", "ru", "uk", "sk")
SOURCE = (
    "Hello world.\n\n"
    "The union organised strikes, assemblies and a small newspaper.\n\n"
    "Solidarity means that nobody is left alone. Thank you for the conversation.\n"
)


@dataclass
class Site:
    """What the loopback server serves, and what it was asked for."""

    files: dict[str, bytes] = field(default_factory=dict)
    truncate: dict[str, int] = field(default_factory=dict)  # path → how many more cut-off replies
    requests: list[str] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            site.requests.append(path)
            data = site.files.get(path)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if site.truncate.get(path, 0) > 0:
                site.truncate[path] -= 1
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                return
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    """An HTTP server on 127.0.0.1 (port 0) in a thread, shut down after the test."""
    served = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    server.daemon_threads = True
    served.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.fixture
def index(
    site: Site,
    private_argos_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Site:
    """Argos's settings point at the loopback index (as ARGOS_PACKAGE_INDEX does); builds in this
    test may go online (the suite sets PIPELINE_OFFLINE=1 for every other test)."""
    from argostranslate import settings

    monkeypatch.delenv("PIPELINE_OFFLINE", raising=False)
    monkeypatch.setattr(settings, "remote_package_index", site.url("index.json"))
    monkeypatch.setattr(settings, "local_package_index", tmp_path / "argos-data" / "index.json")
    monkeypatch.setattr(settings, "downloads_dir", tmp_path / "argos-downloads")
    return site


def _offer(site: Site, entries: dict[str, bytes], *, sha256: bool = False) -> None:
    """Serve `index.json` listing one package per pair ("en-cs" → archive bytes)."""
    index = []
    for key, data in entries.items():
        source, target = key.split("-")
        name = f"translate-{source}_{target}-1_0.argosmodel"
        site.files[name] = data
        meta: dict[str, object] = {
            "type": "translate",
            "package_version": "1.0",
            "from_code": source,
            "to_code": target,
            "links": [site.url(name)],
        }
        if sha256:
            meta["sha256"] = hashlib.sha256(data).hexdigest()
            meta["size"] = len(data)
        index.append(meta)
    site.files["index.json"] = json.dumps(index).encode()


def _project(tmp_path: Path, extra: str = "") -> Path:
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "source" / "talk.txt").write_text(SOURCE, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs", "ru", "uk", "sk"]\neditions = ["txt"]\n'
        + extra,
        encoding="utf-8",
    )
    return project


def _files(argos_model_files: dict[str, Path], *languages: str) -> dict[str, bytes]:
    return {f"en-{lang}": argos_model_files[f"en-{lang}"].read_bytes() for lang in languages}


def _pairs() -> set[tuple[str, str]]:
    return {package.pair for package in installed_packages()}


def _error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pipeline: error: ")
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


# --- the first build fetches the models ----------------------------------------------------------


@pytest.mark.loopback
def test_build_installs_missing_models_from_the_index_and_fills_the_catalogs(
    index: Site,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _offer(index, _files(argos_model_files, *LANGUAGES), sha256=True)
    project = _project(tmp_path)
    assert _pairs() == set()

    assert run_cli(project, "build") == 0

    err = capsys.readouterr().err
    assert _pairs() == {("en", lang) for lang in LANGUAGES}
    for lang in LANGUAGES:
        assert f"installed en→{lang}: translate-en_{lang} 1.0" in err
    assert "no Argos model" not in err and "not fetched" not in err
    assert sorted(index.requests) == sorted(["index.json", *index.files.keys() - {"index.json"}])
    for lang in LANGUAGES:
        catalog = read_catalog(project / "locales" / lang / "talk.po")
        entries = [entry for entry in catalog.entries if not entry.obsolete]
        assert entries and all(entry.msgstr for entry in entries)
        assert all(entry.fuzzy for entry in entries)  # machine output, for review
        assert all(any(note.startswith("mt:") for note in e.translator_comments) for e in entries)
        mode = "upper" if lang in ("cs", "sk") else "cyrillic"  # what the tiny models do
        assert all(e.msgstr == argos_models.MAPPINGS[mode](e.msgid) for e in entries)
        edition = (project / "output" / lang / "talk.txt").read_text(encoding="utf-8")
        assert entries[0].msgstr in edition
    # The models are there now: the next build asks the index nothing.
    asked = len(index.requests)
    assert run_cli(project, "build") == 0
    assert len(index.requests) == asked


@pytest.mark.loopback
def test_download_progress_counts_every_byte(
    index: Site, argos_model_files: dict[str, Path]
) -> None:
    _offer(index, _files(argos_model_files, "cs", "uk"))
    events: list[tuple[str, str, int]] = []

    class Bar:
        def __init__(self, label: str) -> None:
            self.label = label

        def advance(self, count: int) -> None:
            events.append(("advance", self.label, count))

        def close(self) -> None:
            events.append(("close", self.label, 0))

    class Bars:
        def start(self, label: str, total: int) -> Bar:
            events.append(("start", label, total))
            return Bar(label)

    result = install_missing("en", ["cs", "uk"], bars=Bars())
    assert [p.pair for p in result.installed] == [("en", "cs"), ("en", "uk")]
    assert result.offline == "" and result.not_offered == []
    for lang in ("cs", "uk"):
        label = f"download en→{lang}"
        size = argos_model_files[f"en-{lang}"].stat().st_size
        mine = [event for event in events if event[1] == label]
        assert mine[0] == ("start", label, size)
        assert sum(count for kind, _, count in mine if kind == "advance") == size
        assert mine[-1] == ("close", label, 0)


@pytest.mark.loopback
def test_a_language_the_index_does_not_offer_keeps_todays_warning(
    index: Site,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _offer(index, _files(argos_model_files, "cs"))
    project = _project(tmp_path)
    assert run_cli(project, "build") == 0
    err = capsys.readouterr().err
    assert _pairs() == {("en", "cs")}
    assert "no Argos model for en→uk: machine translation skipped" in err
    assert read_catalog(project / "locales" / "cs" / "talk.po").entries[0].msgstr


# --- offline: one warning, and the build goes on -------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.loopback
def test_unreachable_index_warns_once_and_the_build_goes_on(
    index: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from argostranslate import settings

    url = f"http://127.0.0.1:{_closed_port()}/index.json"
    monkeypatch.setattr(settings, "remote_package_index", url)
    project = _project(tmp_path)
    assert run_cli(project, "build") == 0
    err = capsys.readouterr().err
    offline = [line for line in err.splitlines() if "not fetched" in line]
    assert len(offline) == 1, err
    assert offline[0].startswith(
        f"pipeline: warning: missing models not fetched from Argos's "
        f"package index ({url}): cannot reach 127.0.0.1"
    )
    assert "--offline" in offline[0]
    for lang in LANGUAGES:  # as today: one warning per language, editions in English
        assert f"no Argos model for en→{lang}: machine translation skipped" in err
        assert "Hello world." in (project / "output" / lang / "talk.txt").read_text("utf-8")
    assert _pairs() == set()


@pytest.mark.loopback
def test_a_page_that_is_not_the_index_warns_once_and_the_build_goes_on(
    index: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index.files["index.json"] = b"<html>Sign in to the hotel network</html>"
    project = _project(tmp_path)
    assert run_cli(project, "build", "--lang", "cs") == 0
    err = capsys.readouterr().err
    offline = [line for line in err.splitlines() if "not fetched" in line]
    assert len(offline) == 1 and "is not valid JSON" in offline[0], err
    assert (project / "output" / "cs" / "talk.txt").is_file()
    assert _pairs() == set()


_CONNECTS: list[str] = []
_WATCHING: list[bool] = []


def _watch(event: str, args: tuple[object, ...]) -> None:
    if _WATCHING and event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        _CONNECTS.append(f"{event} {args!r}")


sys.addaudithook(_watch)


@pytest.mark.loopback
@pytest.mark.loopback
@pytest.mark.parametrize("how", ["--offline", "PIPELINE_OFFLINE=1", "auto_install = false"])
def test_offline_makes_no_connection_at_all(
    how: str,
    index: Site,
    argos_model_files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _offer(index, _files(argos_model_files, *LANGUAGES))
    args = ["build"]
    extra = ""
    if how == "--offline":
        args.append("--offline")
    elif how.startswith("PIPELINE_OFFLINE"):
        monkeypatch.setenv("PIPELINE_OFFLINE", "1")
    else:
        extra = "[tool.pipeline.models]\nauto_install = false\n"
    project = _project(tmp_path, extra)
    _WATCHING.append(True)
    try:
        assert run_cli(project, *args) == 0
    finally:
        _WATCHING.clear()
    assert _CONNECTS == []
    assert index.requests == []
    assert _pairs() == set()
    err = capsys.readouterr().err
    assert "not fetched" not in err
    assert err.count("no Argos model for") == len(LANGUAGES)


@pytest.mark.loopback
def test_check_mode_fetches_nothing(
    index: Site, argos_model_files: dict[str, Path], tmp_path: Path
) -> None:
    _offer(index, _files(argos_model_files, *LANGUAGES))
    project = _project(tmp_path)
    assert run_cli(project, "build", "--check") == 1  # would write everything
    assert index.requests == []
    assert _pairs() == set()


def test_auto_install_setting_is_validated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, '[tool.pipeline.models]\nauto_install = "yes"\n')
    assert run_cli(project, "build") == 2
    assert _error_line(capsys.readouterr().err).endswith(
        "[tool.pipeline.models] auto_install: expected true or false, got 'yes'"
    )


# --- refusals: one line, exit 3, nothing installed -----------------------------------------------


def _refused(project: Path, capsys: pytest.CaptureFixture[str], private_argos_dir: Path) -> str:
    assert run_cli(project, "build", "--lang", "uk") == 3
    line = _error_line(capsys.readouterr().err)
    assert list(private_argos_dir.iterdir()) == []
    assert not (project / "locales").exists() and not (project / "output").exists()
    leftovers = [p for p in private_argos_dir.parent.rglob("*") if ".pipeline-" in p.name]
    assert leftovers == []
    return line


@pytest.mark.loopback
def test_zip_escaping_its_folder_is_refused(
    index: Site,
    private_argos_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    members = argos_models.package_files("en", "uk", "cyrillic")
    members["translate-en_uk/../../escaped.txt"] = b"outside\n"
    _offer(index, {"en-uk": argos_models.zip_members(members)})
    project = _project(tmp_path)
    line = _refused(project, capsys, private_argos_dir)
    assert "model for en→uk refused, nothing installed: member" in line
    assert "would land outside the package folder" in line
    assert index.url("translate-en_uk-1_0.argosmodel") in line
    assert list(tmp_path.rglob("escaped.txt")) == []
    assert index.requests.count("translate-en_uk-1_0.argosmodel") == 1  # refused, not retried


@pytest.mark.loopback
def test_package_for_the_wrong_pair_is_refused(
    index: Site,
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The index says en→uk; the archive holds the en→ru model.
    _offer(index, {"en-uk": argos_model_files["en-ru"].read_bytes()})
    line = _refused(_project(tmp_path), capsys, private_argos_dir)
    assert "model for en→uk refused, nothing installed: this model translates en→ru" in line


@pytest.mark.loopback
def test_truncated_download_is_retried_once_then_refused(
    index: Site,
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _offer(index, _files(argos_model_files, "uk"))
    name = "translate-en_uk-1_0.argosmodel"
    index.truncate[name] = 2
    line = _refused(_project(tmp_path), capsys, private_argos_dir)
    size = len(index.files[name])
    assert f"model for en→uk not installed after 2 tries: {index.url(name)}" in line
    assert f"truncated download: {size // 2} of {size} bytes" in line
    assert index.requests.count(name) == 2


@pytest.mark.loopback
def test_one_truncated_download_is_retried(
    index: Site,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
) -> None:
    _offer(index, _files(argos_model_files, "uk"))
    name = "translate-en_uk-1_0.argosmodel"
    index.truncate[name] = 1
    assert run_cli(_project(tmp_path), "build", "--lang", "uk") == 0
    assert index.requests.count(name) == 2
    assert _pairs() == {("en", "uk")}


@pytest.mark.loopback
def test_digest_other_than_the_index_says_is_refused(
    index: Site,
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _offer(index, _files(argos_model_files, "uk"), sha256=True)
    entries = json.loads(index.files["index.json"])
    entries[0]["sha256"] = "0" * 64
    index.files["index.json"] = json.dumps(entries).encode()
    line = _refused(_project(tmp_path), capsys, private_argos_dir)
    assert f"is not the index's {'0' * 64}" in line


@pytest.mark.loopback
def test_a_link_that_is_not_http_is_refused(
    index: Site,
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _offer(index, _files(argos_model_files, "uk"))
    entries = json.loads(index.files["index.json"])
    entries[0]["links"] = [argos_model_files["en-uk"].as_uri()]  # a file on this machine
    index.files["index.json"] = json.dumps(entries).encode()
    line = _refused(_project(tmp_path), capsys, private_argos_dir)
    assert "not an http or https link; refused" in line


@pytest.mark.loopback
def test_a_refused_package_installs_none_of_the_others(
    index: Site,
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = _files(argos_model_files, "cs", "ru", "sk")
    files["en-uk"] = argos_model_files["en-de"].read_bytes()  # the wrong pair, listed last
    _offer(index, files)
    assert run_cli(_project(tmp_path), "build") == 3
    assert "this model translates en→de" in _error_line(capsys.readouterr().err)
    assert list(private_argos_dir.iterdir()) == []


# --- `pipeline models install --online` shares the download and its checks ---------------------


@pytest.mark.loopback
def test_models_install_online_uses_the_same_checks(
    index: Site,
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = _files(argos_model_files, "cs")
    files["en-ru"] = argos_model_files["en-uk"].read_bytes()  # listed as en→ru, holds en→uk
    _offer(index, files)
    project = _project(tmp_path)
    assert run_cli(project, "models", "install", "--online", "cs") == 0
    assert "installed en→cs: translate-en_cs 1.0" in capsys.readouterr().err
    assert run_cli(project, "models", "install", "--online", "ru") == 3
    assert "this model translates en→uk" in _error_line(capsys.readouterr().err)
    assert _pairs() == {("en", "cs")}


def test_the_socket_guard_refuses_loopback_to_unmarked_tests() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe,
        pytest.raises(RuntimeError, match="test opened a network socket"),
    ):
        probe.connect(("127.0.0.1", _closed_port()))


# --- the README's first command on a machine without a network -----------------------------------


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare -rn (a private network namespace)")
def test_fresh_clone_build_without_network_warns_once_and_changes_no_committed_file(
    repo_copy: Path, tmp_path: Path
) -> None:
    """As `.ci/run` does: `pipeline build` in a clone, Argos's real index address, no network."""
    committed = subprocess.run(
        ["git", "ls-files", "source", "locales", "output"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    shutil.copytree(REPO / "output", repo_copy / "output")
    before = snapshot(repo_copy)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PIPELINE_OFFLINE", "ARGOS_PACKAGE_INDEX")
    }
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "argos" / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "argos" / "config"),
        XDG_CACHE_HOME=str(tmp_path / "argos" / "cache"),
        ARGOS_PACKAGES_DIR=str(tmp_path / "argos" / "packages"),
        PYTHONPATH=str(REPO),
        SOURCE_DATE_EPOCH="1700000000",
    )
    result = subprocess.run(
        ["unshare", "-rn", sys.executable, "-m", "pipeline", "build"],
        cwd=repo_copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    offline = [line for line in result.stderr.splitlines() if "not fetched" in line]
    assert len(offline) == 1, result.stderr
    assert "cannot reach raw.githubusercontent.com" in offline[0]
    after = snapshot(repo_copy)
    changed = [path for path in committed if before.get(path, ("", 0))[0] != after[path][0]]
    assert changed == []
    assert list((tmp_path / "argos").rglob("*.argosmodel")) == []
