"""The load run of `pipeline serve`, shared by tests/test_serve_load.py and bench_serve.py.

Reviewers (threads, real HTTP on 127.0.0.1) each own some entries and save them over and over
(every fifth save an approval), while `pipeline build` runs in a loop in a child process and
takes the project lock each time. A save the server answers 503 ("try again") is retried; every
answered save is counted. Afterwards every entry must hold the text of its reviewer's last save.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from serve_helpers import LANGUAGES, PASSWORD, Client, key_of, serving

from pipeline.config import Config, load_config
from pipeline.serve.users import add_user

REPO = Path(__file__).resolve().parent.parent
SENTENCES = 36


def load_project(root: Path) -> Config:
    """A project of one document with `SENTENCES` sentences, its catalogs made by a real
    `pipeline build` (no models: every entry untranslated)."""
    (root / "source").mkdir(parents=True, exist_ok=True)
    targets = ", ".join(f'"{language}"' for language in LANGUAGES)
    (root / "pyproject.toml").write_text(
        f'[tool.pipeline]\ntarget_languages = [{targets}]\neditions = ["txt"]\n',
        encoding="utf-8",
    )
    paragraphs = [
        " ".join(f"Sentence number {n + k} of the load test." for k in range(4))
        for n in range(0, SENTENCES, 4)
    ]
    (root / "source" / "doc.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    return load_config(root)


def build(root: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PIPELINE_OFFLINE"] = "1"
    env["ARGOS_PACKAGES_DIR"] = str(root.parent / "no-models")
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--wait", "-q"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


TEMPLATES = {
    "cs": ("Věta číslo {} zátěžového testu ({}).", "abcdefghij"),
    "uk": ("Речення номер {} навантажувального тесту ({}).", "абвгдежзик"),
    "ru": ("Предложение номер {} нагрузочного теста ({}).", "абвгдежзик"),
}


def load_text(language: str, sentence: int, reviewer: int, save: int) -> str:
    """A translation that passes the checks (same number, the language's script) and names its
    reviewer and save in letters, so every save's text is different."""
    template, letters = TEMPLATES[language]
    marker = "".join(letters[int(d)] for d in f"{reviewer:02d}{save:04d}")
    return template.format(sentence, marker)


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    """Seconds per answered save (the HTTP round trip of the POST that saved)."""
    busy: int = 0
    """Saves answered 503 (a build held the lock past the wait) and retried."""
    conflicts: int = 0
    builds: int = 0
    build_failures: list[str] = field(default_factory=list)
    expected: dict[tuple[str, str], str] = field(default_factory=dict)
    """(language, msgid) → the text of the last answered save."""
    errors: list[str] = field(default_factory=list)


def run_load(
    config: Config,
    *,
    reviewers: int = 20,
    saves: int = 1000,
    deadline: float = 600.0,
    build_pause: float = 0.5,
    builds: bool = True,
) -> LoadResult:
    """``saves`` answered saves by ``reviewers`` threads while builds run in a loop."""
    sources = [f"Sentence number {n} of the load test." for n in range(SENTENCES)]
    names = [f"reviewer{r}" for r in range(reviewers)]
    for r, name in enumerate(names):
        add_user(config, name, [LANGUAGES[r % len(LANGUAGES)]], PASSWORD)
    result = LoadResult()
    lock = threading.Lock()
    stop_builds = threading.Event()
    give_up = time.monotonic() + deadline

    def build_loop() -> None:
        while not stop_builds.is_set() and time.monotonic() < give_up:
            done = build(config.root)
            with lock:
                result.builds += 1
                if done.returncode != 0:
                    result.build_failures.append(done.stderr.strip()[-500:])
            stop_builds.wait(build_pause)  # a scheduled build, not a busy loop

    def reviewer(r: int, count: int, port: int) -> None:
        language = LANGUAGES[r % len(LANGUAGES)]
        peers = [p for p in range(reviewers) if LANGUAGES[p % len(LANGUAGES)] == language]
        mine = [s for i, s in enumerate(sources) if i % len(peers) == peers.index(r)]
        client = Client(port)
        if client.login(names[r]).status != 303:
            with lock:
                result.errors.append(f"{names[r]} could not log in")
            return
        csrf = client.get("/").csrf()
        versions: dict[str, str] = {}
        done = 0
        while done < count and time.monotonic() < give_up:
            source = mine[done % len(mine)]
            path = f"/e/{language}/doc/{key_of(source)}"
            if source not in versions:
                versions[source] = client.get("/api" + path).json()["version"]
            text = load_text(language, sources.index(source), r, done)
            form = {"csrf": csrf, "version": versions[source], "text": text}
            form["action"] = "approve" if done % 5 == 4 else "edit"
            started = time.perf_counter()
            reply = client.post(path, form, headers={"Accept": "application/json"})
            took = time.perf_counter() - started
            if reply.status == 200:
                versions[source] = reply.json()["version"]
                done += 1
                with lock:
                    result.latencies.append(took)
                    result.expected[(language, source)] = text
            elif reply.status == 503:
                with lock:
                    result.busy += 1
                time.sleep(0.05)
            elif reply.status == 409:
                with lock:
                    result.conflicts += 1
                versions.pop(source, None)
            else:
                with lock:
                    result.errors.append(f"{names[r]}: HTTP {reply.status}: {reply.text[:200]}")
                return

    with serving(config) as server:
        builder = threading.Thread(target=build_loop if builds else stop_builds.wait)
        builder.start()
        shares = [
            saves // reviewers + (1 if r < saves % reviewers else 0) for r in range(reviewers)
        ]
        threads = [
            threading.Thread(target=reviewer, args=(r, shares[r], server.port))
            for r in range(reviewers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(1.0, give_up - time.monotonic()))
        stop_builds.set()
        builder.join(180)
    if any(thread.is_alive() for thread in threads) or builder.is_alive():
        result.errors.append("the load run did not end in time")
    return result
