"""A small review project, a real uvicorn serving it on 127.0.0.1, and an HTTP client with
cookies: what tests/test_serve*.py share."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pipeline.catalog import read_catalog, save_catalog, set_machine_output
from pipeline.config import Config, load_config
from pipeline.model import Catalog, Entry
from pipeline.serve.saving import entry_key

LANGUAGES = ("cs", "uk", "ru")
MODEL = ("argos", "translate-en_{}", "1.9")
SOURCE = (
    "Welcome to the review.\n\n"
    "We publish below an interview with KRAS. The group has 25 members. "
    "Beware of <script>window.pwned=1;alert(1)</script> tags.\n\n"
    "Thank you.\n"
)
SCRIPT_SOURCE = "Beware of <script>window.pwned=1;alert(1)</script> tags."
SCRIPT_TEXT = (
    'Pozor na <script>window.pwned=1;alert("x")</script><img src=x onerror="window.pwned=2">.'
)
MACHINE = {
    "Welcome to the review.": "Vítejte u revize.",
    "We publish below an interview with KRAS.": "Níže zveřejňujeme rozhovor s KRAS.",
    "The group has 25 members.": "Skupina má 25 členů.",
    SCRIPT_SOURCE: SCRIPT_TEXT,
}
STALE_SOURCE = "The group has 25 members."
STALE_OLD = "The group has 20 members."
PASSWORD = "correct horse battery"


def write_project(root: Path, *, editions: str = '["html", "txt"]') -> Config:
    """A project with source/doc.txt and locales/<lang>/doc.po in every review state: four
    machine entries (one of them carrying a script), one stale (English changed), one empty."""
    (root / "source").mkdir(parents=True, exist_ok=True)
    targets = ", ".join(f'"{language}"' for language in LANGUAGES)
    (root / "pyproject.toml").write_text(
        f"[tool.pipeline]\ntarget_languages = [{targets}]\neditions = {editions}\n",
        encoding="utf-8",
    )
    (root / "source" / "doc.txt").write_text(SOURCE, encoding="utf-8")
    for language in LANGUAGES:
        entries = []
        for line, msgid in enumerate([*MACHINE, "Thank you."], start=1):
            entry = Entry(msgid, references=[f"source/doc.txt:{line}"])
            if msgid == STALE_SOURCE:
                entry.msgstr, entry.flags, entry.previous_msgid = (
                    "Skupina má 20 členů.",
                    ["fuzzy"],
                    STALE_OLD,
                )
            elif msgid in MACHINE:
                name, package, version = MODEL[0], MODEL[1].format(language), MODEL[2]
                set_machine_output(entry, MACHINE[msgid], name, package, version)
            entries.append(entry)
        header = {
            "Project-Id-Version": "doc",
            "PO-Revision-Date": "2025-01-01 00:00+0000",
            "Last-Translator": "Automatically generated",
            "Language": language,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
        }
        save_catalog(Catalog(header, entries), root / "locales" / language / "doc.po")
    return load_config(root)


def key_of(msgid: str) -> str:
    return entry_key(Entry(msgid))


def po(config: Config, language: str) -> Path:
    return config.locales_dir / language / "doc.po"


def entries_of(path: Path) -> dict[tuple[str | None, str], Entry]:
    """The parsed entries by key, line numbers aside (a changed entry moves the lines below)."""
    found = {}
    for entry in read_catalog(path).entries:
        entry.line = 0
        found[entry.key] = entry
    return found


class Server:
    """The app on a real uvicorn, on 127.0.0.1 and a free port, in a thread of this process."""

    def __init__(
        self, config: Config, *, lock_wait: float = 2.0, proxy_headers: bool = False
    ) -> None:
        import uvicorn

        from pipeline.serve.app import create_app

        self.app = create_app(config, lock_wait=lock_wait)
        settings = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_level="critical",
            lifespan="off",
            proxy_headers=proxy_headers,
        )
        self.server = uvicorn.Server(settings)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.port = 0

    def start(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        assert not self.thread.is_alive(), "uvicorn did not stop"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serving(config: Config, **options: Any) -> Iterator[Server]:
    server = Server(config, **options).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    def csrf(self) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.text)
        assert found is not None, "no CSRF token on the page"
        return found.group(1)

    def version(self) -> str:
        found = re.search(r'name="version" value="([^"]+)"', self.text)
        assert found is not None, "no version on the page"
        return found.group(1)


@dataclass
class Client:
    """HTTP/1.1 to the server, keeping cookies; redirects are not followed."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        *,
        origin: str | None = "same",
    ) -> Reply:
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST" and origin is not None:
            sent["Origin"] = f"http://127.0.0.1:{self.port}" if origin == "same" else origin
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, content = cookie.partition("=")
                    if content and "max-age=0" not in value.lower():
                        self.cookies[key] = content.strip('"')
                    else:
                        self.cookies.pop(key, None)
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            connection.close()

    def get(self, path: str, **options: Any) -> Reply:
        return self.request("GET", path, **options)

    def post(self, path: str, form: dict[str, str], **options: Any) -> Reply:
        return self.request("POST", path, form, **options)

    def login(self, name: str, password: str = PASSWORD) -> Reply:
        return self.post("/login", {"name": name, "password": password})
