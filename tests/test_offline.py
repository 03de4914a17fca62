"""Translation never touches the network and writes nothing outside the Argos folders and the
project: checked in-process with an audit hook, and in a child process under strace in a network
namespace of its own (where onnxruntime's C++ telemetry, invisible to Python, would show up)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from argos_fixtures import ArgosModels, open_engine

from pipeline.machine import translate_catalog
from pipeline.model import Catalog, Entry
from pipeline.mt_cache import TranslationCache

REPO = Path(__file__).resolve().parent.parent
_EVENTS: list[str] = []
_RECORDING: list[bool] = []


_NETWORK_EVENTS = (
    "socket.connect",
    "socket.connect_ex",
    "socket.sendto",
    "socket.sendmsg",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "urllib.Request",
)
_LOOPBACK = ("::1", "127.0.0.1", "localhost")


def _record(event: str, args: tuple[object, ...]) -> None:
    """Note every attempt to reach another host (binding a loopback probe socket is fine:
    urllib3 does that at import to learn whether IPv6 exists)."""
    if not _RECORDING:
        return
    if event in _NETWORK_EVENTS:
        _EVENTS.append(f"{event} {args[1:]!r}")
    elif event == "socket.bind":
        address = args[1] if len(args) > 1 else None
        host = address[0] if isinstance(address, tuple) and address else address
        if host not in _LOOPBACK:
            _EVENTS.append(f"{event} {address!r}")


sys.addaudithook(_record)


def test_translation_run_opens_no_socket_in_process(
    argos_models: ArgosModels, tmp_path: Path
) -> None:
    catalog = Catalog(
        header={"Language": "ru"},
        entries=[Entry(msgid=text) for text in ("Hello world.", "Wait... what? Yes.")],
    )
    _RECORDING.append(True)
    try:
        with TranslationCache(tmp_path / "translations.sqlite3") as cache:
            for kind in ("argos-batch", "argos"):
                translate_catalog(catalog, open_engine(kind, "en", "ru"), cache)
    finally:
        _RECORDING.clear()
    assert _EVENTS == []
    assert catalog.entries[0].msgstr == "Хелло шорлд."


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pipeline.catalog import save_catalog
    from pipeline.machine import translate_catalog
    from pipeline.model import Catalog, Entry
    from pipeline import engines
    from pipeline.engines.argos_install import install_model_file
    from pipeline.mt_cache import TranslationCache

    model, project, linger = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    install_model_file(model, {("en", "cs")})
    catalog = Catalog(
        header={"Language": "cs", "Content-Type": "text/plain; charset=UTF-8"},
        entries=[Entry(msgid=text) for text in ("Hello world.", "Wait... what? Yes.")],
    )
    with TranslationCache(project / "cache" / "translations.sqlite3") as cache:
        for kind in ("argos-batch", "argos"):
            translate_catalog(catalog, engines.named(kind).open("en", "cs", {}), cache)
    save_catalog(catalog, project / "cs.po")
    print(catalog.entries[0].msgstr, flush=True)
    time.sleep(linger)  # onnxruntime's telemetry thread would fire 7-9 s after its import
    """
)
WRITE = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|^\d+\s+(?:mkdir|rename|unlink|link|symlink|creat)")
PATH = re.compile(r'^\d+\s+\w+\((?:(?:AT_FDCWD|\d+)<([^>]*)>, )?"([^"]*)"')


def _child_env(root: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ARGOS_", "XDG_", "ORT_"))
    }
    env.update(
        HOME=str(root / "home"),
        ARGOS_PACKAGES_DIR=str(root / "argos" / "data" / "argos-translate" / "packages"),
        XDG_DATA_HOME=str(root / "argos" / "data"),
        XDG_CONFIG_HOME=str(root / "argos" / "config"),
        XDG_CACHE_HOME=str(root / "argos" / "cache"),
        ARGOS_INTRA_THREADS="1",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=str(REPO),
    )
    # ORT_DISABLE_TELEMETRY is left out on purpose: pipeline.engines.argos_packages must set it.
    return env


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def _written_paths(trace: str, cwd: Path) -> set[Path]:
    written = set()
    for line in trace.splitlines():
        if "= -1" in line or not WRITE.search(line):
            continue
        match = PATH.match(line)
        if match is None:
            continue
        base, name = match.group(1), match.group(2)
        path = Path(name) if name.startswith("/") else Path(base or cwd) / name
        written.add(path)
    return written


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
@pytest.mark.skipif(not _can_unshare(), reason="needs unshare -rn (a private network namespace)")
def test_child_translation_has_no_network_and_writes_only_argos_and_project(
    argos_model_files: dict[str, Path], tmp_path: Path
) -> None:
    for folder in ("home", "argos", "project"):
        (tmp_path / folder).mkdir()
    project = tmp_path / "project"
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    trace = tmp_path / "trace"
    syscalls = "connect,sendto,sendmsg,open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2"
    syscalls += ",unlink,unlinkat,link,symlink"
    command = ["unshare", "-rn", "strace", "-f", "-y", "-qq", "-o", str(trace)]
    command += ["-e", f"trace={syscalls}", sys.executable, str(script)]
    command += [str(argos_model_files["en-cs"]), str(project), "10"]
    result = subprocess.run(
        command,
        cwd=project,
        env=_child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "HELLO WORLD."
    log = trace.read_text(encoding="utf-8", errors="replace")
    network = [
        line
        for line in log.splitlines()
        if re.search(r"\b(connect|sendto|sendmsg)\(", line) and re.search(r"AF_INET6?\b", line)
    ]
    assert network == []
    allowed = [
        tmp_path / "argos" / "data" / "argos-translate",
        tmp_path / "argos" / "config" / "argos-translate",
        tmp_path / "argos" / "cache" / "argos-translate",
        project,
    ]
    stray = sorted(
        str(path)
        for path in _written_paths(log, project)
        # an ancestor of an Argos folder is only ever created (mkdir), never written
        if not any(path == root or root in path.parents or path in root.parents for root in allowed)
        and str(path) not in ("/dev/null", "/dev/tty")
    )
    assert stray == []
    assert (project / "cs.po").is_file()
    assert not (tmp_path / "argos" / "cache" / "Microsoft").exists()


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare -rn (a private network namespace)")
def test_online_install_without_network_fails_fast_in_one_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs", "ru"]\n', encoding="utf-8"
    )
    for folder in ("home", "argos"):
        (tmp_path / folder).mkdir()
    result = subprocess.run(
        ["unshare", "-rn", sys.executable, "-m", "pipeline", "models", "install", "--online"],
        cwd=project,
        env=_child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "pipeline: error: no network: cannot reach raw.githubusercontent.com"
    )
    assert "pipeline models install FILE.argosmodel" in lines[0]
    assert list((tmp_path / "argos").rglob("*.argosmodel")) == []
