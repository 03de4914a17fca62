"""The batched Argos engine: an Argos package through one CTranslate2 `translate_batch` per run.

Registered as ``argos-batch`` in the entry-point group ``pipeline.engines``; importing this module
is cheap. It never imports argostranslate.translate, torch, stanza or spaCy: the steps are in
`pipeline.engines.ct2_batch` (ctranslate2 and sentencepiece, imported when it first translates).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError, ModelError
from . import UNIT, EngineOutput, ct2_batch
from .argos_packages import (
    LENGTH_PENALTY,
    MAX_DECODING_LENGTH,
    MAX_INPUT_LENGTH,
    ArgosFactoryBase,
    Choice,
    PackageInfo,
    beam_size,
    check_package_folder,
    engine_settings,
    model_fingerprint,
    package_for,
)

# Fastest on a 2-core CPU for large batches (docs/offline-argos-models.md, section 7, row d).
BATCH_INTER_THREADS = 2
BATCH_INTRA_THREADS = 1
BATCH_MAX_BATCH_SIZE = 32
SETTINGS: dict[str, int | Choice] = {
    "inter_threads": BATCH_INTER_THREADS,
    "intra_threads": BATCH_INTRA_THREADS,
    "max_batch_size": BATCH_MAX_BATCH_SIZE,
    "device": Choice("auto", ct2_batch.DEVICES),
}
# Which sentence splitter each kind of unit gets, as named in the fingerprint.
SPLITTERS = {"sentence": "none", "paragraph": "pipeline"}


def target_prefix(package: PackageInfo) -> str:
    """The package's ``target_prefix`` from metadata.json ("" for most packages)."""
    try:
        metadata = json.loads((package.path / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot read Argos package: {error}", path=str(package.path)) from None
    prefix = metadata.get("target_prefix", "") if isinstance(metadata, dict) else ""
    return prefix if isinstance(prefix, str) else ""


class ArgosBatchEngine:
    """An Argos package with the model call batched across all units of a run.

    Per unit: split on "\\n" into paragraphs; a paragraph of a sentence unit is one sentence, a
    paragraph of a paragraph unit is split by the pipeline's own splitter (`pipeline.sentences`)
    where Argos would use stanza or MiniSBD; SentencePiece-encode each sentence; one
    `translate_batch` for every distinct sentence of every unit (Argos's beam size, length
    penalty, target prefix and limits); then per paragraph decode the concatenated pieces as
    Argos does (``_`` and ``▁`` become spaces), strip the prefix and one leading space, and join
    the paragraphs the way Argos does. Each output carries a confidence score
    (`ct2_batch.confidence`).
    """

    name = "argos-batch"

    def __init__(
        self,
        package: PackageInfo,
        *,
        inter_threads: int = BATCH_INTER_THREADS,
        intra_threads: int = BATCH_INTRA_THREADS,
        max_batch_size: int = BATCH_MAX_BATCH_SIZE,
        device: str = "auto",
        unit: str = "paragraph",
    ) -> None:
        check_package_folder(package)
        if unit not in SPLITTERS:
            raise ConfigError(f"unit: expected sentence or paragraph, got {unit!r}")
        self.package = package
        self.model = package.name
        self.version = package.version
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self.max_batch_size = max_batch_size
        self.unit = unit
        self.device = ct2_batch.resolve_device(
            device, setting=f"[tool.pipeline.engines.{self.name}] device"
        )
        self.target_prefix = target_prefix(package)
        self.beam_size = beam_size()
        self.fingerprint = (
            f"{self.name} beam={self.beam_size} lp={LENGTH_PENALTY} "
            f"max_dec={MAX_DECODING_LENGTH} max_in={MAX_INPUT_LENGTH} "
            f"sbd={SPLITTERS[unit]} model={model_fingerprint(package.path)}"
        )
        if self.device != "cpu":  # another device computes other numbers; CPU keeps its cache
            compute = ct2_batch.compute_type(self.device)
            self.fingerprint += f" device={self.device} compute={compute}"
        self._model: ct2_batch.Ct2Model | None = None

    def _load(self) -> ct2_batch.Ct2Model:
        if self._model is None:
            self._model = ct2_batch.load_model(
                self.package.path,
                device=self.device,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
        return self._model

    def translate(self, texts: list[str]) -> list[EngineOutput]:
        if not texts:
            return []
        model = self._load()
        split = ct2_batch.whole if self.unit == "sentence" else ct2_batch.pipeline_splitter
        prepared = ct2_batch.prepare(texts, encode=model.encode, split=split)
        try:
            hypotheses = ct2_batch.translate_tokens(
                model.translator,
                prepared.batch,
                target_prefix=self.target_prefix,
                max_batch_size=self.max_batch_size,
                beam_size=self.beam_size,
            )
        except ModelError as error:
            raise ModelError(str(error), path=str(self.package.path)) from None
        return ct2_batch.finish(
            prepared, hypotheses, target_prefix=self.target_prefix, decode=model.decode
        )

    def close(self) -> None:
        """Drop the loaded model (memory is freed once nothing else holds it)."""
        self._model = None


class ArgosBatchFactory(ArgosFactoryBase):
    """``argos-batch``; ``[tool.pipeline.engines.argos-batch]`` may set ``inter_threads``,
    ``intra_threads``, ``max_batch_size`` (the output does not depend on them) and ``device``
    ("auto", "cpu" or "cuda"). The build adds ``unit`` (see `pipeline.engines.UNIT`)."""

    name = "argos-batch"

    def open(self, source: str, target: str, settings: Mapping[str, Any]) -> ArgosBatchEngine:
        """The engine for source→target; nothing heavy is loaded until it translates."""
        values = engine_settings(self.name, settings, SETTINGS)
        unit = str(settings.get(UNIT, "paragraph"))
        return ArgosBatchEngine(package_for(source, target), **values, unit=unit)
