"""The reference Argos engine: `argostranslate.translate`, one call per unit, as Argos users get it.

Registered as ``argos`` in the entry-point group ``pipeline.engines``; importing this module is
cheap (Argos is imported when the engine first translates).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ModelError
from ..sentences import PIECE_LIMIT, bounded_pieces
from . import EngineOutput
from .argos_packages import (
    MAX_DECODING_LENGTH,
    MAX_INPUT_LENGTH,
    ArgosEngineBase,
    ArgosFactoryBase,
    PackageInfo,
    broken_package_folders,
    engine_settings,
    forget_loaded_argos_models,
    load_translator,
    loading,
    package_for,
)


class ArgosEngine(ArgosEngineBase):
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
            translation = loading(
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
                    underlying.translator = load_translator(self.package.path, None, None)
                self._translation = translation
                return translation
            if attempt == 0:
                forget_loaded_argos_models()
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

    def translate(self, texts: list[str]) -> list[EngineOutput]:
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
        forget_loaded_argos_models()


class ArgosFactory(ArgosFactoryBase):
    """``argos``: the reference engine; it takes no settings."""

    name = "argos"

    def open(self, source: str, target: str, settings: Mapping[str, Any]) -> ArgosEngine:
        """The engine for source→target; nothing heavy is loaded until it translates."""
        engine_settings(self.name, settings, {})
        return ArgosEngine(package_for(source, target))
