"""The batched Argos engine: Argos's own pipeline with one CTranslate2 `translate_batch` per run.

Registered as ``argos-batch`` in the entry-point group ``pipeline.engines``; importing this module
is cheap (CTranslate2 and Argos are imported when the engine first translates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ModelError
from ..sentences import bounded_pieces
from . import EngineOutput
from .argos_packages import (
    LENGTH_PENALTY,
    MAX_DECODING_LENGTH,
    MAX_INPUT_LENGTH,
    ArgosEngineBase,
    ArgosFactoryBase,
    PackageInfo,
    beam_size,
    combine,
    engine_settings,
    load_translator,
    package_for,
)

# Fastest on a 2-core CPU for large batches (docs/offline-argos-models.md, section 7, row d).
BATCH_INTER_THREADS = 2
BATCH_INTRA_THREADS = 1
BATCH_MAX_BATCH_SIZE = 32
SETTINGS = {
    "inter_threads": BATCH_INTER_THREADS,
    "intra_threads": BATCH_INTRA_THREADS,
    "max_batch_size": BATCH_MAX_BATCH_SIZE,
}


class ArgosBatchEngine(ArgosEngineBase):
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
            self._translator = load_translator(
                self.package.path, self.inter_threads, self.intra_threads
            )
        return self._translator

    def translate(self, texts: list[str]) -> list[EngineOutput]:
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
                beam_size=beam_size(),
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
                values.append(combine([value]))  # PackageTranslation's join of one paragraph
            text_out = combine(values)  # CachedTranslation's join of the paragraphs
            was_cut = any(cut[slot] for slots_ in paragraphs for slot in slots_)
            outputs.append(EngineOutput(text_out, was_cut))
        return outputs

    def close(self) -> None:
        self._translator = None


class ArgosBatchFactory(ArgosFactoryBase):
    """``argos-batch``; ``[tool.pipeline.engines.argos-batch]`` may set ``inter_threads``,
    ``intra_threads`` and ``max_batch_size`` (the output does not depend on them)."""

    name = "argos-batch"

    def open(self, source: str, target: str, settings: Mapping[str, Any]) -> ArgosBatchEngine:
        """The engine for source→target; nothing heavy is loaded until it translates."""
        values = engine_settings(self.name, settings, SETTINGS)
        return ArgosBatchEngine(package_for(source, target), **values)
