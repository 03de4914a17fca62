"""Argos's package index and its downloads: read with a short timeout, every file checked for size,
digest and zip integrity, each download retried once; urllib only, no Argos import but its settings.

Failing to reach a host (no DNS, refused, a timeout) is `Unreachable`: the caller may treat it as
being offline. Anything wrong with what a host sends is a `ModelError`.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import ModelError
from .argos_archive import check_members

CONNECT_TIMEOUT = 3.0  # seconds to resolve and connect: being offline must not slow a build down
READ_TIMEOUT = 30.0  # seconds without a byte before a download counts as failed
ATTEMPTS = 2  # each download is tried twice in all
CHUNK = 64 * 1024


class Unreachable(ModelError):
    """A host could not be reached at all (DNS failure, connection refused, timeout)."""


class Refused(ModelError):
    """A download breaks a rule of the archive checks: refused at once, never tried again."""


class Bar(Protocol):
    def advance(self, count: int) -> None: ...

    def close(self) -> None: ...


class Bars(Protocol):
    """Where download progress goes (`pipeline.run_report.ProgressFactory` fits)."""

    def start(self, label: str, total: int) -> Bar: ...


@dataclass(frozen=True)
class IndexEntry:
    """One translate package offered by the index; ``size`` and ``sha256`` only if it says."""

    from_code: str
    to_code: str
    version: str
    links: tuple[str, ...]
    size: int | None = None
    sha256: str | None = None

    @property
    def pair(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)

    @property
    def label(self) -> str:
        return f"{self.from_code}→{self.to_code}"


def index_url() -> str:
    """Argos's own setting: ``ARGOS_PACKAGE_INDEX`` (its folder) plus ``index.json``."""
    from argostranslate import settings

    return str(settings.remote_package_index)


def _resolve(host: str, port: int, timeout: float) -> list[Any]:
    """getaddrinfo with a deadline: a resolver that never answers counts as offline, quickly."""
    found: list[Any] = []
    failure: list[OSError] = []

    def lookup() -> None:
        try:
            found.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as error:
            failure.append(error)

    worker = threading.Thread(target=lookup, daemon=True, name="pipeline-dns")
    worker.start()
    worker.join(timeout)
    if failure:
        raise failure[0]
    if worker.is_alive():
        raise TimeoutError("name lookup timed out")
    return found


def check_reachable(url: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Fail fast, in one line, when the host of `url` (or the proxy before it) is unreachable."""
    parsed = urllib.parse.urlsplit(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(parsed.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxied = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        host, port = proxied.hostname or host, proxied.port or 80
    try:
        failure: OSError = OSError(f"no address for {host}")
        for family, kind, protocol, _name, address in _resolve(host, port, timeout):
            with socket.socket(family, kind, protocol) as probe:
                probe.settimeout(timeout)
                try:
                    probe.connect(address)
                    return
                except OSError as error:
                    failure = error
        raise failure
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise Unreachable(
            f"no network: cannot reach {host} ({reason}); download the .argosmodel file "
            "elsewhere and run `pipeline models install FILE.argosmodel`"
        ) from None


def _open(url: str, timeout: float) -> http.client.HTTPResponse:
    request = urllib.request.Request(url, headers={"User-Agent": "ArgosTranslate"})
    try:
        response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        raise ModelError(f"{url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        text = getattr(reason, "strerror", None) or str(reason)
        raise Unreachable(f"cannot reach {urllib.parse.urlsplit(url).hostname} ({text})") from None
    except (TimeoutError, ConnectionError) as error:
        raise Unreachable(f"cannot reach {urllib.parse.urlsplit(url).hostname} ({error})") from None
    return response


def parse_index(raw: bytes, url: str) -> list[IndexEntry]:
    """The translate packages of an index.json; other entries and odd fields are passed over."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelError(f"Argos's package index {url} is not valid JSON: {error}") from None
    if not isinstance(data, list):
        raise ModelError(f"Argos's package index {url} is not a list")
    entries = []
    for meta in data:
        if not isinstance(meta, dict) or meta.get("type", "translate") != "translate":
            continue
        codes = meta.get("from_code"), meta.get("to_code")
        links = meta.get("links", [])
        if not all(isinstance(code, str) and code for code in codes) or not isinstance(links, list):
            continue
        size, digest = meta.get("size"), meta.get("sha256")
        entries.append(
            IndexEntry(
                from_code=str(codes[0]),
                to_code=str(codes[1]),
                version=str(meta.get("package_version", "")),
                links=tuple(link for link in links if isinstance(link, str)),
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                sha256=digest.lower() if isinstance(digest, str) else None,
            )
        )
    return entries


def read_index(url: str, timeout: float = CONNECT_TIMEOUT) -> tuple[list[IndexEntry], bytes]:
    """The index's entries and its bytes; `Unreachable` when its host cannot be reached."""
    check_reachable(url, timeout)
    try:
        with _open(url, timeout) as response:
            raw = response.read()
    except (TimeoutError, ConnectionError, http.client.HTTPException) as error:
        raise Unreachable(f"cannot read Argos's package index {url}: {error}") from None
    return parse_index(raw, url), raw


def choose(entries: list[IndexEntry], source: str, target: str) -> IndexEntry | None:
    """The package for source→target: the first one the index lists, as Argos's own `argospm`."""
    for entry in entries:
        if entry.pair == (source, target):
            return entry
    return None


def _fetch(entry: IndexEntry, link: str, into: Path, limit: int, bars: Bars | None) -> None:
    """One download of `link` into `into`, checked against the size and digest it should have."""
    if urllib.parse.urlsplit(link).scheme not in ("http", "https"):
        raise ModelError(f"{link}: not an http or https link; refused")
    digest = hashlib.sha256()
    received = 0
    bar: Bar | None = None
    try:
        with _open(link, READ_TIMEOUT) as response, open(into, "wb") as out:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else entry.size
            if entry.size is not None and expected != entry.size:
                raise ModelError(
                    f"{link}: the server sends {expected} bytes, the index says {entry.size}"
                )
            if expected is not None and expected > limit:
                raise ModelError(f"{link}: {expected} bytes is more than the package size limit")
            if bars is not None:
                bar = bars.start(f"download {entry.label}", expected or 0)
            while chunk := response.read(CHUNK):
                received += len(chunk)
                if received > limit:
                    raise ModelError(f"{link}: more than the package size limit; refused")
                digest.update(chunk)
                out.write(chunk)
                if bar is not None:
                    bar.advance(len(chunk))
    except (TimeoutError, ConnectionError, http.client.HTTPException) as error:
        raise ModelError(f"{link}: download broken off after {received} bytes ({error})") from None
    finally:
        if bar is not None:
            bar.close()
    if expected is not None and received != expected:
        raise ModelError(f"{link}: truncated download: {received} of {expected} bytes")
    if entry.sha256 is not None and digest.hexdigest() != entry.sha256:
        raise ModelError(f"{link}: sha256 {digest.hexdigest()} is not the index's {entry.sha256}")
    try:
        with zipfile.ZipFile(into) as archive:
            try:  # the declared sizes first, so that the CRC test never inflates a zip bomb
                check_members(archive, link, limit)
            except ModelError as error:
                raise Refused(error.message) from None
            damaged = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ModelError(f"{link}: damaged download: not a whole zip archive ({error})") from None
    if damaged is not None:
        raise ModelError(f"{link}: damaged download: {damaged!r} fails its CRC check")


def download(entry: IndexEntry, into: Path, limit: int, bars: Bars | None = None) -> str:
    """Download the package of `entry` to `into`, trying its links, twice in all; returns the link
    it came from.

    `Unreachable` when no host could be reached at all; `Refused` at once for an archive that
    breaks the rules (a member escaping its folder, too large); a `ModelError` naming the last
    problem when a host sent something wrong both times (truncated, damaged, another digest).
    """
    if not entry.links:
        raise ModelError(f"Argos's package index has no download link for {entry.label}")
    problems: list[ModelError] = []
    for _attempt in range(ATTEMPTS):
        for link in entry.links:
            try:
                _fetch(entry, link, into, limit, bars)
                return link
            except Refused as error:
                raise Refused(
                    f"model for {entry.label} refused, nothing installed: {error.message}",
                    path=link,
                ) from None
            except ModelError as error:
                problems.append(error)
    if all(isinstance(problem, Unreachable) for problem in problems):
        raise problems[-1]
    last = next(p for p in reversed(problems) if not isinstance(p, Unreachable))
    raise ModelError(
        f"model for {entry.label} not installed after {ATTEMPTS} tries: {last.message}"
    )
