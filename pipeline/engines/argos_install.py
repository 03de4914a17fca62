"""`pipeline models install` and `pipeline models list`: Argos packages checked, then installed.

Argos-specific, like the commands: an .argosmodel file is checked by
`pipeline.engines.argos_archive` before anything is unpacked, and installed with one rename;
`--online` reads Argos's package index with a timeout and sends every download through the same
checks.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, ModelError
from .argos_archive import DEFAULT_MAX_UNPACKED_MB, MIB, check_archive, unpack
from .argos_packages import (
    PackageInfo,
    forget_loaded_argos_models,
    installed_packages,
    packages_dirs,
    read_package,
)


def _install_folder(root: Path, pair: tuple[str, str]) -> Path:
    """Where a package for `pair` goes: named from its metadata, never a folder of another pair."""
    base = f"translate-{pair[0]}_{pair[1]}"
    for number in range(1, 100):
        candidate = root / (base if number == 1 else f"{base}-{number}")
        if not os.path.lexists(candidate):
            return candidate
        if candidate.is_dir() and not candidate.is_symlink():
            existing = read_package(candidate)
            if existing is not None and existing.pair == pair:
                return candidate
    raise ModelError(f"no free folder for {pair[0]}→{pair[1]} in {root}")


def install_model_file(
    path: Path,
    expected_pairs: set[tuple[str, str]] | None = None,
    *,
    max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB,
) -> PackageInfo:
    """Check an .argosmodel file, then install it, replacing any package for the same pair.

    Checked first: a zip, one top folder, a parseable metadata.json for a wanted pair, no member
    escaping the folder, a model and a tokenizer, the declared sizes within `max_unpacked_mb` and
    no member compressed more than MAX_MEMBER_RATIO:1. The metadata's pair names the folder
    (`translate-<from>_<to>`), so a package never lands on, or replaces, another pair's model.
    Argos's own installer checks only the zip. The files are unpacked beside the packages folder
    and moved in with one rename, so Argos never sees half a package.
    """
    max_unpacked = max_unpacked_mb * MIB
    top, metadata = check_archive(path, expected_pairs, max_unpacked)
    pair = (str(metadata["from_code"]), str(metadata["to_code"]))
    target_root = packages_dirs()[0]
    target_root.mkdir(parents=True, exist_ok=True)
    destination = _install_folder(target_root, pair)
    replaced = [p.path for p in installed_packages() if p.pair == pair and p.path != destination]
    staging = Path(tempfile.mkdtemp(prefix=".pipeline-install-", dir=target_root.parent))
    try:
        unpack(path, staging / "new", max_unpacked)
        old = staging / "old"
        old.mkdir()
        for index, folder in enumerate([destination, *replaced]):
            if os.path.lexists(folder):
                os.replace(folder, old / str(index))
        os.replace(staging / "new" / top, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    forget_loaded_argos_models()
    package = read_package(destination)
    if package is None:  # pragma: no cover - the archive was checked above
        raise ModelError("installed package has no readable metadata.json", path=str(destination))
    return package


def _reachable(url: str, timeout: float) -> None:
    """Fail fast, in one line, when the index host (or the proxy in front of it) is unreachable."""
    parsed = urllib.parse.urlsplit(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(parsed.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxied = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        host, port = proxied.hostname or host, proxied.port or 80
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise ModelError(
            f"no network: cannot reach {host} ({reason}); download the .argosmodel file "
            "elsewhere and run `pipeline models install FILE.argosmodel`"
        ) from None


def _download(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "ArgosTranslate"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: bytes = response.read()
    return data


def install_online(
    langs: list[str],
    source: str,
    *,
    expected_pairs: set[tuple[str, str]] | None = None,
    timeout: float = 10.0,
    max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB,
) -> list[PackageInfo]:
    """Fetch and install the packages for source→lang through Argos's package index.

    Argos's own `get_available_packages` recurses until RecursionError when the index cannot be
    fetched, and its downloads have no timeout; so the host is probed first, the index is read
    here with a timeout, and every downloaded file goes through `install_model_file`'s checks.
    """
    from argostranslate import package as argos_package
    from argostranslate import settings

    index_url = settings.remote_package_index
    _reachable(index_url, timeout)
    try:
        raw = _download(index_url, timeout)
        index = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise ModelError(f"cannot read Argos's package index {index_url}: {error}") from None
    if not isinstance(index, list):
        raise ModelError(f"Argos's package index {index_url} is not a list")
    from ..files import write_atomic

    write_atomic(Path(settings.local_package_index), raw)
    available = [argos_package.AvailablePackage(meta) for meta in index if isinstance(meta, dict)]
    chosen = []
    for lang in langs:
        matches = [
            p
            for p in available
            if p.type == "translate" and p.from_code == source and p.to_code == lang
        ]
        if not matches:
            raise ModelError(f"Argos's package index has no model for {source}→{lang}")
        chosen.append(matches[0])
    installed = []
    downloads = Path(settings.downloads_dir)
    downloads.mkdir(parents=True, exist_ok=True)
    for available_package in chosen:
        data = None
        errors = []
        for link in available_package.links:
            try:
                data = _download(link, max(timeout, 60.0))
                break
            except OSError as error:
                errors.append(f"{link}: {error}")
        if data is None:
            raise ModelError(
                f"download failed for {available_package.from_code}→{available_package.to_code}: "
                + ("; ".join(errors) or "no download links in the index")
            )
        fd, name = tempfile.mkstemp(suffix=".argosmodel", dir=downloads)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            pair = (available_package.from_code, available_package.to_code)
            installed.append(
                install_model_file(
                    Path(name), expected_pairs or {pair}, max_unpacked_mb=max_unpacked_mb
                )
            )
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    return installed


@dataclass
class ModelListing:
    """What `pipeline models list` shows: installed packages and configured pairs without one."""

    packages: list[PackageInfo]
    missing: list[str] = field(default_factory=list)  # target languages without a package


def list_models(source: str, targets: Sequence[str]) -> ModelListing:
    """Installed packages sorted by pair and name, and the targets that have no package."""
    packages = installed_packages()
    pairs = {package.pair for package in packages}
    return ModelListing(
        sorted(packages, key=lambda p: (p.from_code, p.to_code, p.name)),
        [target for target in targets if (source, target) not in pairs],
    )


def install_models(
    files: Sequence[Path],
    online: Sequence[str] | None,
    source: str,
    targets: Sequence[str],
    *,
    max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB,
) -> list[PackageInfo]:
    """`pipeline models install`: the files given, or with ``online`` (a list, empty for every
    target language) the packages from Argos's index; only configured pairs are accepted."""
    wanted = {(source, language) for language in targets}
    if online is not None:
        if files:
            raise ConfigError("give FILE.argosmodel or --online [LANG...], not both")
        languages = list(online) or list(targets)
        for language in languages:
            if language not in targets:
                raise ConfigError(
                    f"--online {language}: not a configured target language ({', '.join(targets)})"
                )
        return install_online(
            languages, source, expected_pairs=wanted, max_unpacked_mb=max_unpacked_mb
        )
    if not files:
        raise ConfigError("nothing to install: give FILE.argosmodel or --online [LANG...]")
    return [install_model_file(path, wanted, max_unpacked_mb=max_unpacked_mb) for path in files]
