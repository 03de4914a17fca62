"""What the Argos engines share: installed packages, the model fingerprint, Argos's decoding
limits, engine settings and the factory answering cheap questions; for ``argos`` also Argos's
sentence splitter, tokenizer and CTranslate2 loading.

Only the modules of `pipeline.engines` import argostranslate, ctranslate2, sentencepiece or
minisbd, always inside functions: `pipeline status`, and a build with nothing to translate, never
pay for them. Two engines share one installed package: ``argos`` goes through
``argostranslate.translate`` (the reference), ``argos-batch`` feeds all sentences of a run to
``ctranslate2.Translator.translate_batch`` with Argos's tokenizer, decoding options and
post-processing (`pipeline.engines.ct2_batch`), so both give the same text, only much faster; it
splits no sentence unit, and paragraph units with the pipeline's own splitter.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigError, ModelError, PipelineError
from . import UNIT, EngineOutput

# onnxruntime (pulled in by Argos's sentence splitter) phones home unless this is set before it is
# imported; setting it later has no effect (docs/offline-argos-models.md, section 5).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

# What argostranslate 1.11 passes (or leaves at CTranslate2's defaults) for one hypothesis.
LENGTH_PENALTY = 0.2
MAX_DECODING_LENGTH = 256
MAX_INPUT_LENGTH = 1024
_T = TypeVar("_T")


def missing_model_message(source: str, target: str) -> str:
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


def packages_dirs_cheaply() -> list[Path]:
    """`packages_dirs` without importing Argos when it is not imported yet: the folder computed
    as argostranslate.settings does from the environment, so a build with nothing to do stays
    fast."""
    settings = sys.modules.get("argostranslate.settings")
    if settings is not None:
        return [Path(folder) for folder in settings.package_dirs]
    explicit = os.environ.get("ARGOS_PACKAGES_DIR")
    if explicit:
        return [Path(explicit)]
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return [Path(data_home) / "argos-translate" / "packages"]


def installed_packages(dirs: Sequence[Path] | None = None) -> list[PackageInfo]:
    """Installed translate packages in the order Argos finds them (its first one wins a pair)."""
    found: list[PackageInfo] = []
    for directory in packages_dirs() if dirs is None else dirs:
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
    raise ModelError(missing_model_message(source, target))


def forget_loaded_argos_models() -> None:
    """Argos keeps the first model it loaded per pair for the life of the process; reset that."""
    module = sys.modules.get("argostranslate.translate")
    if module is not None:
        module.installed_translates.clear()
        module.get_installed_languages.cache_clear()


# --- what both engines do with a package ----------------------------------------------------------


def model_fingerprint(folder: Path) -> str:
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


def check_package_folder(package: PackageInfo) -> None:
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


def beam_size() -> int:
    from argostranslate import settings

    return max(1, int(settings.beam_size))


def sentence_splitter_kind(argos_pkg: Any) -> str:
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


def bundled_onnx(argos_pkg: Any) -> Path | None:
    folder = Path(argos_pkg.package_path) / "minisbd"
    if folder.is_dir():
        onnx = [name for name in os.listdir(folder) if name.endswith(".onnx")]
        if onnx:
            return folder / onnx[0]  # Argos takes the first in listdir order too
    return None


def make_splitter(argos_pkg: Any, kind: str) -> Callable[[str], list[str]]:
    """Argos's sentence splitter; a bundled MiniSBD model is used without importing stanza."""
    from argostranslate import settings

    onnx = bundled_onnx(argos_pkg) if kind == "minisbd" else None
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


def combine(parts: list[str]) -> str:
    """Argos's `combine_paragraphs` loop followed by its lstrip of newlines."""
    value = ""
    for part in parts:
        value = "\n".join([value, part])
    return value.lstrip("\n")


def loading(path: Path, what: str, load: Callable[[], _T]) -> _T:
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


def load_translator(folder: Path, inter_threads: int | None, intra_threads: int | None) -> Any:
    """A package's CTranslate2 translator; threads None means Argos's settings, as Argos does."""
    import ctranslate2
    from argostranslate import settings

    return loading(
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


class ArgosEngineBase:
    """An opened Argos package: the `Engine` attributes, its tokenizer and sentence splitter.

    ``model`` and ``version`` name the package (they go into the `# mt:` comment); the
    ``fingerprint`` names the engine, Argos's decoding options, the splitter and a hash of the
    package's files, so a swapped model or other options never reuse cached output.
    """

    name = ""

    def __init__(self, package: PackageInfo) -> None:
        check_package_folder(package)
        self.package = package
        self.model = package.name
        self.version = package.version
        self.model_hash = model_fingerprint(package.path)
        self._argos_pkg: Any = None
        self._split: Callable[[str], list[str]] | None = None
        self._tokenizer_checked = False
        self.splitter_kind = ""
        self.fingerprint = self._options_key()

    def _options_key(self) -> str:
        from argostranslate import package as argos_package

        try:
            self._argos_pkg = argos_package.Package(self.package.path)
        except (OSError, ValueError) as error:
            raise ModelError(
                f"cannot read Argos package: {error}", path=str(self.package.path)
            ) from None
        self.splitter_kind = sentence_splitter_kind(self._argos_pkg)
        return (
            f"{self.name} beam={beam_size()} lp={LENGTH_PENALTY} "
            f"max_dec={MAX_DECODING_LENGTH} max_in={MAX_INPUT_LENGTH} "
            f"sbd={self.splitter_kind} model={self.model_hash}"
        )

    def _splitter(self) -> Callable[[str], list[str]]:
        if self._split is None:
            onnx = bundled_onnx(self._argos_pkg) if self.splitter_kind == "minisbd" else None
            where = onnx or self.package.path
            split = loading(
                where,
                "sentence splitter",
                lambda: make_splitter(self._argos_pkg, self.splitter_kind),
            )
            loading(where, "sentence splitter", lambda: split("One. Two."))
            self._split = split
        return self._split

    def _check_model_files(self) -> None:
        """Load the tokenizer and the splitter once, so a damaged file is named in one line."""
        if not self._tokenizer_checked:
            tokenizer = self._argos_pkg.tokenizer
            where = Path(getattr(tokenizer, "model_file", self.package.path))
            loading(where, "tokenizer", lambda: tokenizer.encode("a"))
            self._tokenizer_checked = True
        self._splitter()

    def translate(self, texts: list[str]) -> list[EngineOutput]:
        raise NotImplementedError

    def close(self) -> None:
        """Drop the loaded model (memory is freed once nothing else holds it)."""


# --- the factory ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """An engine setting that takes one of a few strings (``device = "auto"``)."""

    default: str
    options: tuple[str, ...]


def engine_settings(
    name: str, settings: Mapping[str, Any], allowed: Mapping[str, int | Choice]
) -> dict[str, Any]:
    """The ``[tool.pipeline.engines.<name>]`` table checked: known keys, each a positive integer
    or one of its `Choice`'s strings; missing keys get their defaults. The `UNIT` key the build
    adds is not a setting of the table and is left out."""
    where = f"[tool.pipeline.engines.{name}]"
    values: dict[str, Any] = {
        key: spec.default if isinstance(spec, Choice) else spec for key, spec in allowed.items()
    }
    for key, value in settings.items():
        if key == UNIT:
            continue
        spec = allowed.get(key)
        if spec is None:
            known = ", ".join(allowed) or "none"
            raise ConfigError(f"{where} {key}: unknown key (known: {known})", path="pyproject.toml")
        if isinstance(spec, Choice):
            if value not in spec.options:
                options = ", ".join(f'"{option}"' for option in spec.options)
                raise ConfigError(
                    f"{where} {key}: expected one of {options}, got {value!r}",
                    path="pyproject.toml",
                )
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"{where} {key}: expected a positive integer, got {value!r}", path="pyproject.toml"
            )
        values[key] = value
    return values


class ArgosFactoryBase:
    """The cheap questions of both Argos engines, answered from metadata.json files alone."""

    name = ""
    display_name = "Argos Translate"  # how editions name the engine in their colophon

    def _package(self, source: str, target: str) -> PackageInfo | None:
        for package in installed_packages(packages_dirs_cheaply()):
            if package.pair == (source, target):
                return package
        return None

    def serves(self, source: str, target: str) -> bool:
        return self._package(source, target) is not None

    def fingerprint(self, source: str, target: str) -> str:
        """ "name version hash" of the package Argos would load for the pair."""
        package = self._package(source, target)
        if package is None:
            return "none"
        return f"{package.name} {package.version} {model_fingerprint(package.path)}"

    def unserved(self, source: str, targets: Sequence[str]) -> tuple[str, str]:
        """What is missing for these pairs, and how to get it."""
        pairs = ", ".join(f"{source}→{target}" for target in targets)
        return (
            f"no Argos model for {pairs}",
            f"`pipeline models install --online {' '.join(targets)}` "
            "(or `pipeline models install FILE.argosmodel`)",
        )
