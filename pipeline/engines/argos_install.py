"""`pipeline models install` and `pipeline models list`: Argos packages checked, then installed.

Argos-specific, like the commands: an .argosmodel file is checked by
`pipeline.engines.argos_archive` before anything is unpacked, and installed with one rename;
`--online`, and `pipeline build` for the models it lacks (`install_missing`), read Argos's package
index with a short timeout (`pipeline.engines.argos_index`) and send every download through the
same checks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, ModelError
from .argos_archive import DEFAULT_MAX_UNPACKED_MB, MIB, check_archive, unpack
from .argos_index import (
    CONNECT_TIMEOUT,
    Bars,
    IndexEntry,
    Unreachable,
    choose,
    download,
    index_url,
    read_index,
)
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


def _save_index(raw: bytes) -> None:
    """Keep the index where Argos keeps its own copy, as `argospm update` does."""
    from argostranslate import settings

    from ..files import write_atomic

    write_atomic(Path(settings.local_package_index), raw)


def _fetch_and_install(
    chosen: list[IndexEntry],
    *,
    max_unpacked_mb: int,
    bars: Bars | None,
    expected_pairs: set[tuple[str, str]] | None = None,
) -> tuple[list[PackageInfo], Unreachable | None]:
    """Download every chosen package, check each, then install them: a package refused by the
    checks installs nothing at all. A host that cannot be reached stops the downloads; what was
    fetched by then is installed, and the reason is returned."""
    from argostranslate import settings

    max_unpacked = max_unpacked_mb * MIB
    downloads = Path(settings.downloads_dir)
    downloads.mkdir(parents=True, exist_ok=True)
    offline: Unreachable | None = None
    with tempfile.TemporaryDirectory(prefix=".pipeline-download-", dir=downloads) as folder:
        fetched: list[tuple[Path, set[tuple[str, str]]]] = []
        for number, entry in enumerate(chosen):
            path = Path(folder) / f"{number}.argosmodel"
            try:
                link = download(entry, path, max_unpacked + MIB, bars)
            except Unreachable as error:
                offline = error
                break
            wanted = {entry.pair} if expected_pairs is None else expected_pairs & {entry.pair}
            try:
                check_archive(path, wanted, max_unpacked)
            except ModelError as error:
                raise ModelError(
                    f"model for {entry.label} refused, nothing installed: {error.message}",
                    path=link,
                ) from None
            fetched.append((path, wanted))
        installed = [
            install_model_file(path, wanted, max_unpacked_mb=max_unpacked_mb)
            for path, wanted in fetched
        ]
    return installed, offline


def install_online(
    langs: list[str],
    source: str,
    *,
    expected_pairs: set[tuple[str, str]] | None = None,
    timeout: float = CONNECT_TIMEOUT,
    max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB,
    bars: Bars | None = None,
) -> list[PackageInfo]:
    """Fetch and install the packages for source→lang through Argos's package index.

    Argos's own `get_available_packages` recurses until RecursionError when the index cannot be
    fetched, and its downloads have no timeout; so the host is probed first, the index is read
    here with a timeout, and every download goes through `argos_index.download`'s checks and
    `install_model_file`'s.
    """
    url = index_url()
    entries, raw = read_index(url, timeout)
    _save_index(raw)
    chosen = []
    for lang in langs:
        entry = choose(entries, source, lang)
        if entry is None:
            raise ModelError(f"Argos's package index has no model for {source}→{lang}")
        chosen.append(entry)
    installed, offline = _fetch_and_install(
        chosen, max_unpacked_mb=max_unpacked_mb, bars=bars, expected_pairs=expected_pairs
    )
    if offline is not None:
        raise offline
    return installed


@dataclass
class AutoInstall:
    """What `pipeline build` fetched by itself: the packages installed, the languages the index
    does not offer, and why nothing (more) was fetched when a host could not be reached."""

    installed: list[PackageInfo] = field(default_factory=list)
    not_offered: list[str] = field(default_factory=list)
    offline: str = ""


def offline_by_environment() -> bool:
    """`PIPELINE_OFFLINE=1` (or true/yes): never reach for the network, as with `--offline`."""
    return os.environ.get("PIPELINE_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def install_missing(
    source: str,
    targets: Sequence[str],
    *,
    max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB,
    bars: Bars | None = None,
    timeout: float = CONNECT_TIMEOUT,
) -> AutoInstall:
    """Install the packages for source→target that Argos's index offers (`pipeline build`).

    An index that cannot be reached or read is not an error: the result says so and the build
    goes on without the models. A package that fails a check is a `ModelError`, and nothing is
    installed.
    """
    result = AutoInstall()
    url = index_url()
    try:
        entries, raw = read_index(url, timeout)
    except ModelError as error:  # unreachable, or a captive portal's page instead of the index
        result.offline = _offline_line(url, error)
        return result
    _save_index(raw)
    chosen = []
    for target in targets:
        entry = choose(entries, source, target)
        if entry is None:
            result.not_offered.append(target)
        else:
            chosen.append(entry)
    result.installed, offline = _fetch_and_install(
        chosen, max_unpacked_mb=max_unpacked_mb, bars=bars
    )
    if offline is not None:
        result.offline = _offline_line(url, offline)
    return result


def fetch_for_build(
    factory: object,
    source: str,
    missing: Sequence[str],
    *,
    max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB,
    bars: Bars | None = None,
) -> tuple[list[str], list[str]]:
    """`pipeline build`'s auto-install for the languages it lacks, when its engine loads Argos
    packages (`ArgosFactoryBase`) and `PIPELINE_OFFLINE` is not set: (what was installed, as
    lines; the one warning when the index could not be reached or read)."""
    from .argos_packages import ArgosFactoryBase

    if not isinstance(factory, ArgosFactoryBase) or offline_by_environment():
        return [], []
    result = install_missing(source, missing, max_unpacked_mb=max_unpacked_mb, bars=bars)
    installed = [
        f"{p.from_code}→{p.to_code}: {p.name} {p.version} in {p.path}" for p in result.installed
    ]
    return installed, [result.offline] if result.offline else []


def _offline_line(url: str, error: ModelError) -> str:
    reason = error.message.split(";")[0].removeprefix("no network: ")
    return (
        f"missing models not fetched from Argos's package index ({url}): {reason}; "
        "the build goes on without them (`--offline` or PIPELINE_OFFLINE=1 skips this)"
    )


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
    bars: Bars | None = None,
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
            languages, source, expected_pairs=wanted, max_unpacked_mb=max_unpacked_mb, bars=bars
        )
    if not files:
        raise ConfigError("nothing to install: give FILE.argosmodel or --online [LANG...]")
    return [install_model_file(path, wanted, max_unpacked_mb=max_unpacked_mb) for path in files]
