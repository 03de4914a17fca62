"""Machine translation engines (Argos Translate), installed Argos packages, and the SQLite MT cache.

The only module that imports argostranslate, ctranslate2, sentencepiece or minisbd, always inside
functions: `pipeline status` and friends never pay for them. Two engines share one installed
package: ``argos`` goes through ``argostranslate.translate`` (the reference), ``argos-batch`` feeds
all sentences of a run to ``ctranslate2.Translator.translate_batch`` with Argos's own splitting,
tokenizer, decoding options and post-processing, so both give the same text, only much faster.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from .errors import ConfigError, ModelError, PipelineError
from .model_archive import DEFAULT_MAX_UNPACKED_MB, MIB, check_archive, unpack
from .sentences import PIECE_LIMIT, bounded_pieces

if TYPE_CHECKING:
    from .config import Config
    from .model import Entry

# onnxruntime (pulled in by Argos's sentence splitter) phones home unless this is set before it is
# imported; setting it later has no effect (docs/offline-argos-models.md, section 5).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

ENGINES = ("argos", "argos-batch")
# What argostranslate 1.11 passes (or leaves at CTranslate2's defaults) for one hypothesis.
LENGTH_PENALTY = 0.2
MAX_DECODING_LENGTH = 256
MAX_INPUT_LENGTH = 1024
# Fastest on a 2-core CPU for large batches (docs/offline-argos-models.md, section 7, row d).
BATCH_INTER_THREADS = 2
BATCH_INTRA_THREADS = 1
BATCH_MAX_BATCH_SIZE = 32
_T = TypeVar("_T")


def _missing_model_message(source: str, target: str) -> str:
    return (
        f"no Argos model for {source}→{target}; run `pipeline models install FILE.argosmodel` "
        f"or `pipeline models install --online {target}`"
    )


# --- installed packages --------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageInfo:
    """An installed Argos package, read from its metadata.json alone (no Argos import)."""

    name: str
    from_code: str
    to_code: str
    version: str
    path: Path

    @property
    def pair(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)


def packages_dirs() -> list[Path]:
    """The folders Argos loads packages from (the first is where it installs)."""
    from argostranslate import settings

    return [Path(folder) for folder in settings.package_dirs]


def _token(text: str) -> str:
    """A name or version usable as one field of the `# mt:` comment."""
    return "_".join(text.split()) or "0"


def read_package(folder: Path) -> PackageInfo | None:
    """The package in `folder` from its metadata.json, or None if it is not a translate package."""
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(metadata, dict) or metadata.get("type", "translate") != "translate":
        return None
    from_code, to_code = metadata.get("from_code"), metadata.get("to_code")
    if not isinstance(from_code, str) or not isinstance(to_code, str):
        return None
    return PackageInfo(
        name=_token(folder.name),
        from_code=from_code,
        to_code=to_code,
        version=_token(str(metadata.get("package_version", ""))),
        path=folder,
    )


def installed_packages() -> list[PackageInfo]:
    """Installed translate packages in the order Argos finds them (its first one wins a pair)."""
    found: list[PackageInfo] = []
    for directory in packages_dirs():
        if not directory.is_dir():
            continue
        for folder in directory.iterdir():
            if folder.is_dir():
                package = read_package(folder)
                if package is not None:
                    found.append(package)
    return found


def broken_package_folders() -> list[Path]:
    """Folders without a metadata.json: Argos refuses to load *any* package while one exists."""
    return [
        folder
        for directory in packages_dirs()
        if directory.is_dir()
        for folder in directory.iterdir()
        if folder.is_dir() and not (folder / "metadata.json").is_file()
    ]


def package_for(source: str, target: str) -> PackageInfo:
    for package in installed_packages():
        if package.pair == (source, target):
            return package
    raise ModelError(_missing_model_message(source, target))


def _forget_loaded_argos_models() -> None:
    """Argos keeps the first model it loaded per pair for the life of the process; reset that."""
    module = sys.modules.get("argostranslate.translate")
    if module is not None:
        module.installed_translates.clear()
        module.get_installed_languages.cache_clear()


# --- installing packages -------------------------------------------------------------------------


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
    _forget_loaded_argos_models()
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
    from .files import write_atomic

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


# --- engines -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineOutput:
    """One translation, and whether the engine had to cut it short (Argos's 256-token limit)."""

    text: str
    cut_short: bool = False


class Engine(Protocol):
    """Translates a list of units of one language pair; names the package for provenance."""

    name: str
    package_name: str
    package_version: str
    options_key: str

    def translate(self, texts: list[str]) -> list[str]: ...


@runtime_checkable
class DetailedEngine(Protocol):
    """An engine that also says which outputs were cut short (both Argos engines do)."""

    def translate_detailed(self, texts: list[str]) -> list[EngineOutput]: ...


def _model_fingerprint(folder: Path) -> str:
    """Short hash of a package's small files, so a swapped model never reuses cached output."""
    digest = hashlib.sha256()
    for relative in (
        "metadata.json",
        "sentencepiece.model",
        "bpe.model",
        "model/config.json",
        "model/shared_vocabulary.json",
        "model/source_vocabulary.json",
        "model/target_vocabulary.json",
        "model/shared_vocabulary.txt",
        "model/source_vocabulary.txt",
        "model/target_vocabulary.txt",
    ):
        with contextlib.suppress(OSError):
            digest.update(relative.encode() + b"\0" + (folder / relative).read_bytes())
    with contextlib.suppress(OSError):
        digest.update(str((folder / "model" / "model.bin").stat().st_size).encode())
    return digest.hexdigest()[:12]


def _check_package_folder(package: PackageInfo) -> None:
    if not (package.path / "model" / "model.bin").is_file():
        raise ModelError(
            "Argos package is incomplete (no model/model.bin); install it again",
            path=str(package.path),
        )
    tokenizers = ("sentencepiece.model", "bpe.model")
    if not any((package.path / name).is_file() for name in tokenizers):
        raise ModelError(
            "Argos package has no tokenizer (sentencepiece.model); install it again",
            path=str(package.path),
        )


def _beam_size() -> int:
    from argostranslate import settings

    return max(1, int(settings.beam_size))


def _sentence_splitter_kind(argos_pkg: Any) -> str:
    """Which splitter Argos's PackageTranslation would pick for this package (same rules)."""
    from argostranslate import settings

    chunk = settings.chunk_type
    kinds = settings.ChunkType
    if chunk in (kinds.ARGOSTRANSLATE, kinds.DEFAULT):
        return "stanza" if "stanza" in str(argos_pkg.packaged_sbd_path) else "minisbd"
    names = {kinds.STANZA: "stanza", kinds.MINISBD: "minisbd", kinds.SPACY: "spacy"}
    if chunk not in names:
        raise ModelError(f"Argos chunk type {chunk.name} cannot translate; unset ARGOS_CHUNK_TYPE")
    return names[chunk]


def _bundled_onnx(argos_pkg: Any) -> Path | None:
    folder = Path(argos_pkg.package_path) / "minisbd"
    if folder.is_dir():
        onnx = [name for name in os.listdir(folder) if name.endswith(".onnx")]
        if onnx:
            return folder / onnx[0]  # Argos takes the first in listdir order too
    return None


def _make_splitter(argos_pkg: Any, kind: str) -> Callable[[str], list[str]]:
    """Argos's sentence splitter; a bundled MiniSBD model is used without importing stanza."""
    from argostranslate import settings

    onnx = _bundled_onnx(argos_pkg) if kind == "minisbd" else None
    if onnx is not None:
        from minisbd import SBDetect

        detector = SBDetect(str(onnx), use_gpu=settings.device == "cuda")

        def split(text: str) -> list[str]:
            return list(detector.sentences(text))

        return split
    from argostranslate import sbd

    classes = {
        "minisbd": sbd.MiniSBDSentencizer,
        "stanza": sbd.StanzaSentencizer,
        "spacy": sbd.SpacySentencizerSmall,
    }
    sentencizer = classes[kind](argos_pkg)

    def split_with_argos(text: str) -> list[str]:
        return list(sentencizer.split_sentences(text))

    return split_with_argos


def _combine(parts: list[str]) -> str:
    """Argos's `combine_paragraphs` loop followed by its lstrip of newlines."""
    value = ""
    for part in parts:
        value = "\n".join([value, part])
    return value.lstrip("\n")


def _loading(path: Path, what: str, load: Callable[[], _T]) -> _T:
    """Run `load`; whatever a damaged model file makes the native library raise (RuntimeError from
    SentencePiece and CTranslate2, classes of its own from onnxruntime) becomes one ModelError
    naming the file."""
    try:
        return load()
    except PipelineError:
        raise
    except Exception as error:  # native libraries raise classes of their own
        reason = " ".join(str(error).split())[:300] or type(error).__name__
        raise ModelError(
            f"damaged or unreadable {what} ({reason}); install the package again", path=str(path)
        ) from None


def _load_translator(folder: Path, inter_threads: int | None, intra_threads: int | None) -> Any:
    """A package's CTranslate2 translator; threads None means Argos's settings, as Argos does."""
    import ctranslate2
    from argostranslate import settings

    return _loading(
        folder / "model" / "model.bin",
        "CTranslate2 model",
        lambda: ctranslate2.Translator(
            str(folder / "model"),
            device=settings.device,
            inter_threads=settings.inter_threads if inter_threads is None else inter_threads,
            intra_threads=settings.intra_threads if intra_threads is None else intra_threads,
            compute_type=settings.compute_type,
        ),
    )


class _ArgosBase:
    name = ""

    def __init__(self, package: PackageInfo) -> None:
        _check_package_folder(package)
        self.package = package
        self.package_name = package.name
        self.package_version = package.version
        self.fingerprint = _model_fingerprint(package.path)
        self._argos_pkg: Any = None
        self._split: Callable[[str], list[str]] | None = None
        self._tokenizer_checked = False
        self.splitter_kind = ""
        self.options_key = self._options_key()

    def _options_key(self) -> str:
        from argostranslate import package as argos_package

        try:
            self._argos_pkg = argos_package.Package(self.package.path)
        except (OSError, ValueError) as error:
            raise ModelError(
                f"cannot read Argos package: {error}", path=str(self.package.path)
            ) from None
        self.splitter_kind = _sentence_splitter_kind(self._argos_pkg)
        return (
            f"{self.name} beam={_beam_size()} lp={LENGTH_PENALTY} "
            f"max_dec={MAX_DECODING_LENGTH} max_in={MAX_INPUT_LENGTH} "
            f"sbd={self.splitter_kind} model={self.fingerprint}"
        )

    def _splitter(self) -> Callable[[str], list[str]]:
        if self._split is None:
            onnx = _bundled_onnx(self._argos_pkg) if self.splitter_kind == "minisbd" else None
            where = onnx or self.package.path
            split = _loading(
                where,
                "sentence splitter",
                lambda: _make_splitter(self._argos_pkg, self.splitter_kind),
            )
            _loading(where, "sentence splitter", lambda: split("One. Two."))
            self._split = split
        return self._split

    def _check_model_files(self) -> None:
        """Load the tokenizer and the splitter once, so a damaged file is named in one line."""
        if not self._tokenizer_checked:
            tokenizer = self._argos_pkg.tokenizer
            where = Path(getattr(tokenizer, "model_file", self.package.path))
            _loading(where, "tokenizer", lambda: tokenizer.encode("a"))
            self._tokenizer_checked = True
        self._splitter()

    def translate(self, texts: list[str]) -> list[str]:
        return [output.text for output in self.translate_detailed(texts)]

    def translate_detailed(self, texts: list[str]) -> list[EngineOutput]:
        raise NotImplementedError

    def close(self) -> None:
        """Drop the loaded model (memory is freed once nothing else holds it)."""


class ArgosEngine(_ArgosBase):
    """The reference path: one `argostranslate` call per unit, exactly as Argos users get it.

    Argos does not say when it stopped at 256 target tokens; a unit counts as cut short when one
    of its sentences has at least that many source tokens (an estimate: exact for test models).
    """

    name = "argos"

    def __init__(self, package: PackageInfo) -> None:
        super().__init__(package)
        self._translation: Any = None

    def _load(self) -> Any:
        if self._translation is not None:
            return self._translation
        broken = broken_package_folders()
        if broken:
            raise ModelError(
                "a folder without metadata.json stops Argos loading any package; remove it",
                path=str(broken[0]),
            )
        self._check_model_files()
        from argostranslate import translate as argos

        source, target = self.package.pair
        for attempt in range(2):
            translation = _loading(
                self.package.path,
                "Argos package",
                lambda: argos.get_translation_from_codes(source, target),
            )
            underlying: Any = getattr(translation, "underlying", None)
            pkg = getattr(underlying, "pkg", None)
            if pkg is not None and Path(pkg.package_path) == self.package.path:
                if getattr(underlying, "translator", "") is None:
                    # Argos would load it at the first translate; loaded here (with Argos's own
                    # arguments) so a damaged model.bin is named instead of "Argos failed".
                    underlying.translator = _load_translator(self.package.path, None, None)
                self._translation = translation
                return translation
            if attempt == 0:
                _forget_loaded_argos_models()
        raise ModelError(
            f"Argos does not load {self.package.path.name} for {source}→{target}; "
            "another package for the pair is installed",
            path=str(self.package.path),
        )

    def _cut_short(self, text: str) -> bool:
        split = self._splitter()
        for paragraph in text.split("\n"):
            for sentence in (s for piece in bounded_pieces(paragraph) for s in split(piece)):
                count = len(self._argos_pkg.tokenizer.encode(sentence))
                if count >= MAX_DECODING_LENGTH or count >= MAX_INPUT_LENGTH:
                    return True
        return False

    def translate_detailed(self, texts: list[str]) -> list[EngineOutput]:
        translation = self._load()
        outputs = []
        for text in texts:
            try:
                if max(map(len, text.split("\n"))) <= PIECE_LIMIT:
                    value = translation.translate(text)
                else:  # an over-long paragraph goes in bounded pieces (Argos's splitter is slow)
                    value = "\n".join(
                        " ".join(str(translation.translate(piece)) for piece in bounded_pieces(p))
                        for p in text.split("\n")
                    )
            except RuntimeError as error:
                raise ModelError(f"Argos failed: {error}", path=str(self.package.path)) from None
            outputs.append(EngineOutput(str(value), self._cut_short(text)))
        return outputs

    def close(self) -> None:
        self._translation = None
        _forget_loaded_argos_models()


class ArgosBatchEngine(_ArgosBase):
    """Argos's pipeline with the model call batched across all units of a run.

    Per unit, as Argos does: split on "\\n" into paragraphs, each into sentences with the package's
    splitter, SentencePiece-encode each sentence; then one `translate_batch` for every sentence of
    every unit (same beam size, length penalty, target prefix, limits); then per paragraph decode
    the concatenated tokens with Argos's tokenizer (so `_` and `▁` become spaces, as in Argos),
    strip the prefix and one leading space, and join paragraphs the way Argos does.
    """

    name = "argos-batch"

    def __init__(
        self,
        package: PackageInfo,
        *,
        inter_threads: int = BATCH_INTER_THREADS,
        intra_threads: int = BATCH_INTRA_THREADS,
        max_batch_size: int = BATCH_MAX_BATCH_SIZE,
    ) -> None:
        super().__init__(package)
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self.max_batch_size = max_batch_size
        self._translator: Any = None

    def _load(self) -> Any:
        if self._translator is None:
            self._check_model_files()
            self._translator = _load_translator(
                self.package.path, self.inter_threads, self.intra_threads
            )
        return self._translator

    def translate_detailed(self, texts: list[str]) -> list[EngineOutput]:
        if not texts:
            return []
        translator = self._load()
        split = self._splitter()
        tokenizer = self._argos_pkg.tokenizer
        prefix = str(self._argos_pkg.target_prefix or "")
        # units → paragraphs → sentence slots; identical sentences are translated once.
        slots: dict[tuple[str, ...], int] = {}
        layout: list[list[list[int]]] = []
        for text in texts:
            paragraphs = []
            for paragraph in text.split("\n"):
                sentence_slots = []
                # An over-long paragraph reaches the splitter in bounded pieces (linear time).
                for sentence in (s for piece in bounded_pieces(paragraph) for s in split(piece)):
                    tokens = tuple(tokenizer.encode(sentence))
                    sentence_slots.append(slots.setdefault(tokens, len(slots)))
                paragraphs.append(sentence_slots)
            layout.append(paragraphs)
        batch = [list(tokens) for tokens in slots]
        try:
            results = translator.translate_batch(
                batch,
                target_prefix=[[prefix]] * len(batch) if prefix else None,
                replace_unknowns=True,
                max_batch_size=self.max_batch_size,
                batch_type="examples",
                beam_size=_beam_size(),
                num_hypotheses=1,
                length_penalty=LENGTH_PENALTY,
                max_decoding_length=MAX_DECODING_LENGTH,
                max_input_length=MAX_INPUT_LENGTH,
                return_scores=True,
            )
        except RuntimeError as error:
            raise ModelError(f"CTranslate2 failed: {error}", path=str(self.package.path)) from None
        hypotheses = [list(result.hypotheses[0]) for result in results]
        cut = [
            len(hypothesis) >= MAX_DECODING_LENGTH or len(source) >= MAX_INPUT_LENGTH
            for hypothesis, source in zip(hypotheses, batch, strict=True)
        ]
        outputs = []
        for paragraphs in layout:
            values = []
            for sentence_slots in paragraphs:
                pieces = [piece for slot in sentence_slots for piece in hypotheses[slot]]
                value = tokenizer.decode(pieces)
                if prefix and value.startswith(prefix):
                    value = value[len(prefix) :]
                if value and value[0] == " ":
                    value = value[1:]
                values.append(_combine([value]))  # PackageTranslation's join of one paragraph
            text_out = _combine(values)  # CachedTranslation's join of the paragraphs
            was_cut = any(cut[slot] for slots_ in paragraphs for slot in slots_)
            outputs.append(EngineOutput(text_out, was_cut))
        return outputs

    def close(self) -> None:
        self._translator = None


def open_engine(kind: str, source: str, target: str) -> ArgosEngine | ArgosBatchEngine:
    """The engine of that kind for source→target; nothing heavy is loaded until it translates."""
    if kind not in ENGINES:
        raise ConfigError(f"unknown engine {kind!r}; expected one of {', '.join(ENGINES)}")
    package = package_for(source, target)
    if kind == "argos":
        return ArgosEngine(package)
    return ArgosBatchEngine(package)


# --- cache ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CacheKey:
    """Everything besides the source text that decides a machine output."""

    package: str
    version: str
    options: str

    @classmethod
    def of(cls, engine: Engine) -> CacheKey:
        return cls(engine.package_name, engine.package_version, engine.options_key)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    package TEXT NOT NULL,
    version TEXT NOT NULL,
    options TEXT NOT NULL,
    source TEXT NOT NULL,
    output TEXT NOT NULL,
    output_hash TEXT NOT NULL,
    cut_short INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    PRIMARY KEY (package, version, options, source)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS translations_by_source ON translations (package, source);
"""
_CHUNK = 500  # SQLite's limit on host parameters is 999 in old builds
CACHE_FILE = "translations.sqlite3"


def cache_path(cache_dir: Path) -> Path:
    """The cache file inside the configured cache folder (outside locales/)."""
    return cache_dir / CACHE_FILE


class TranslationCache:
    """Machine outputs in SQLite, keyed by (package, version, engine options, source text).

    Each `put_many` is one committed transaction, so a run killed mid-way loses at most the batch
    in flight. The cache only saves time: deleting the file is always safe.
    """

    def __init__(self, path: Path, warnings: list[str] | None = None) -> None:
        """Open (or make) the cache; a damaged file is rebuilt, with a line in ``warnings``."""
        from .cachedb import open_database

        def setup(db: sqlite3.Connection) -> None:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)

        self.path = path
        self._db = open_database(path, setup, warnings, timeout=30.0)

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def get_outputs(self, key: CacheKey, texts: Sequence[str]) -> dict[str, EngineOutput]:
        found: dict[str, EngineOutput] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT source, output, cut_short FROM translations "
                f"WHERE package=? AND version=? AND options=? AND source IN ({marks})",
                (key.package, key.version, key.options, *chunk),
            )
            for source, output, cut_short in rows:
                found[source] = EngineOutput(output, bool(cut_short))
        return found

    def get_many(self, key: CacheKey, texts: Sequence[str]) -> dict[str, str]:
        """source text → cached output, for the texts that are cached."""
        return {text: out.text for text, out in self.get_outputs(key, texts).items()}

    def put_many(self, key: CacheKey, outputs: Mapping[str, EngineOutput | str]) -> None:
        """Store outputs and commit: one transaction per batch."""
        from .catalog import output_hash

        now = time.time()
        rows = []
        for source, output in outputs.items():
            value = output if isinstance(output, EngineOutput) else EngineOutput(output)
            rows.append(
                (
                    key.package,
                    key.version,
                    key.options,
                    source,
                    value.text,
                    output_hash(value.text),
                    int(value.cut_short),
                    now,
                )
            )
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    def lookup_original(
        self,
        package: str,
        source: str,
        *,
        version: str | None = None,
        output_hash: str | None = None,
    ) -> str | None:
        """The machine output a package gave for a source text (newest first), for measuring how
        much a reviewer changed it. With the `# mt:` comment's version and hash it is exact."""
        query = "SELECT output FROM translations WHERE package=? AND source=?"
        params: list[str] = [package, source]
        if version is not None:
            query += " AND version=?"
            params.append(version)
        if output_hash is not None:
            query += " AND output_hash=?"
            params.append(output_hash)
        row = self._db.execute(query + " ORDER BY created DESC LIMIT 1", params).fetchone()
        return None if row is None else str(row[0])

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])


@contextlib.contextmanager
def open_cache(path: Path) -> Iterator[TranslationCache]:
    cache = TranslationCache(path)
    try:
        yield cache
    finally:
        cache.close()


def open_cache_for_lookup(
    config: Config,
) -> Callable[[str, Entry, tuple[str, str, str, str]], str | None] | None:
    """For review: (language, entry, `# mt:` mark) → the machine output the entry started as.

    None when there is no cache yet; never creates one.
    """
    path = cache_path(config.cache_dir)
    if not path.is_file():
        return None
    cache = TranslationCache(path)

    def lookup(language: str, entry: Entry, mark: tuple[str, str, str, str]) -> str | None:
        return cache.lookup_original(mark[1], entry.msgid, version=mark[2], output_hash=mark[3])

    return lookup
