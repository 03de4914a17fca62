"""Batched translation with an Argos package, on CTranslate2 and SentencePiece directly.

Four steps any batching engine can reuse (``argos-batch`` runs them in one process, a distributed
engine may run `translate_tokens` elsewhere): `load_model`, `prepare` (units → sentence token
lists, each distinct sentence once), `translate_tokens` (one `translate_batch` with Argos's
decoding options) and `finish` (Argos's decoding and joining, cut-short flags, confidence).
Nothing here imports argostranslate.translate, torch, stanza or spaCy; ctranslate2 and
sentencepiece are imported inside functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ModelError
from ..sentences import bounded_pieces
from . import EngineOutput
from .argos_packages import (
    LENGTH_PENALTY,
    MAX_DECODING_LENGTH,
    MAX_INPUT_LENGTH,
    combine,
    loading,
)

DEVICES = ("auto", "cpu", "cuda")
CUDA_COMPUTE_TYPE = "int8_float16"

Split = Callable[[str], list[str]]


# --- the model -----------------------------------------------------------------------------------


class _SentencePiece:
    """Argos's SentencePieceTokenizer without importing argostranslate: the same encode and the
    same decode (SentencePiece's decode, then ``▁`` and ``_`` become spaces)."""

    def __init__(self, processor: Any) -> None:
        self.processor = processor

    def encode(self, text: str) -> list[str]:
        return list(self.processor.encode(text, out_type=str))

    def decode(self, pieces: list[str]) -> str:
        return str(self.processor.decode_pieces(pieces)).replace("▁", " ").replace("_", " ")


@dataclass
class Ct2Model:
    """A loaded package: the CTranslate2 translator and the package's tokenizer."""

    translator: Any
    tokenizer: Any
    device: str
    path: Path

    def encode(self, text: str) -> list[str]:
        """The source pieces of one sentence, as Argos tokenizes it."""
        return list(self.tokenizer.encode(text))

    def decode(self, pieces: list[str]) -> str:
        """Target pieces back to text, as Argos decodes them."""
        return str(self.tokenizer.decode(pieces))


def cuda_devices() -> int:
    """How many CUDA devices CTranslate2 can use here (0 without a GPU or a CUDA build)."""
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except RuntimeError:
        return 0


def resolve_device(choice: str, *, setting: str = "device") -> str:
    """ "cpu" or "cuda" for a ``device`` setting: ``auto`` takes CUDA only when a device is there;
    ``cuda`` without one is a one-line configuration error naming the setting."""
    if choice not in DEVICES:
        raise ConfigError(f"{setting}: expected one of {', '.join(DEVICES)}, got {choice!r}")
    if choice == "cpu":
        return "cpu"
    if cuda_devices() > 0:
        return "cuda"
    if choice == "cuda":
        raise ConfigError(
            f'{setting}: "cuda" but CTranslate2 finds no CUDA device here; use "auto" or "cpu"',
            path="pyproject.toml",
        )
    return "cpu"


def compute_type(device: str) -> str:
    """int8 weights with float16 activations on CUDA; on the CPU what Argos uses (its setting
    ARGOS_COMPUTE_TYPE, by default CTranslate2's "auto": int8 for Argos's int8 packages)."""
    if device == "cuda":
        return CUDA_COMPUTE_TYPE
    from argostranslate import settings

    return str(settings.compute_type)


def load_tokenizer(package_path: Path) -> Any:
    """The package's tokenizer: SentencePiece directly, or Argos's BPE tokenizer (sacremoses) for
    the few packages that have a bpe.model; checked on one word so a damaged file is named."""
    spm_file = package_path / "sentencepiece.model"
    if spm_file.is_file():
        import sentencepiece

        processor = loading(
            spm_file,
            "tokenizer",
            lambda: sentencepiece.SentencePieceProcessor(model_file=str(spm_file)),
        )
        tokenizer: Any = _SentencePiece(processor)
        where = spm_file
    else:
        where = package_path / "bpe.model"
        if not where.is_file():
            raise ModelError(
                "Argos package has no tokenizer (sentencepiece.model); install it again",
                path=str(package_path),
            )
        from argostranslate.tokenizer import BPETokenizer

        from .argos_packages import read_package

        info = read_package(package_path)
        from_code, to_code = info.pair if info else ("en", "en")
        tokenizer = BPETokenizer(where, from_code, to_code)
    loading(where, "tokenizer", lambda: tokenizer.encode("a"))
    return tokenizer


def load_model(
    package_path: Path, *, device: str, inter_threads: int, intra_threads: int
) -> Ct2Model:
    """The package's translator and tokenizer; ``device`` is "cpu", "cuda" or "auto" (resolved
    by `resolve_device`). A damaged model.bin or tokenizer is a ModelError naming the file."""
    import ctranslate2

    resolved = resolve_device(device)
    tokenizer = load_tokenizer(package_path)
    model_dir = package_path / "model"
    translator = loading(
        model_dir / "model.bin",
        "CTranslate2 model",
        lambda: ctranslate2.Translator(
            str(model_dir),
            device=resolved,
            inter_threads=inter_threads,
            intra_threads=intra_threads,
            compute_type=compute_type(resolved),
        ),
    )
    return Ct2Model(translator, tokenizer, resolved, package_path)


# --- units → sentences ---------------------------------------------------------------------------


def whole(piece: str) -> list[str]:
    """No splitting, for sentence units: a paragraph of a unit is one sentence (or none if it is
    blank)."""
    stripped = piece.strip()
    return [stripped] if stripped else []


def pipeline_splitter(piece: str) -> list[str]:
    """The pipeline's own English sentence splitter (`pipeline.sentences`), for paragraph units."""
    from ..sentences import sentences

    return sentences(piece)


@dataclass(frozen=True)
class Prepared:
    """Units laid out as paragraphs of sentence slots; each slot is one entry of ``batch``."""

    batch: list[list[str]]
    """The distinct sentences' source pieces, in first-seen order."""
    layout: list[list[list[int]]]
    """unit → paragraph → the slots (indices into ``batch``) of its sentences."""


def prepare(texts: Sequence[str], *, encode: Callable[[str], list[str]], split: Split) -> Prepared:
    """Split each unit on "\\n" into paragraphs, each paragraph into sentences with ``split``
    (over-long paragraphs first into bounded pieces, as the ``argos`` engine does), and encode
    each sentence; identical sentences share one slot."""
    slots: dict[tuple[str, ...], int] = {}
    layout: list[list[list[int]]] = []
    for text in texts:
        paragraphs = []
        for paragraph in text.split("\n"):
            sentence_slots = []
            for sentence in (s for piece in bounded_pieces(paragraph) for s in split(piece)):
                tokens = tuple(encode(sentence))
                sentence_slots.append(slots.setdefault(tokens, len(slots)))
            paragraphs.append(sentence_slots)
        layout.append(paragraphs)
    return Prepared([list(tokens) for tokens in slots], layout)


# --- the model call ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hypothesis:
    """The best translation of one sentence: its target pieces (with the target prefix, if any),
    CTranslate2's score and the length of the source pieces.

    CTranslate2 sums the log-probabilities of the generated tokens and of the end of sentence,
    then divides the sum by ``len(tokens) ** LENGTH_PENALTY`` (decoding.cc,
    finalize_hypothesis_score); `log_prob` undoes that division."""

    tokens: list[str]
    score: float
    source_length: int = 0

    @property
    def scored_length(self) -> int:
        """The number of tokens in the log-probability: the pieces and the end of sentence."""
        return len(self.tokens) + 1

    @property
    def log_prob(self) -> float:
        """The sum of the tokens' log-probabilities (the length penalty undone)."""
        if not self.tokens:
            return self.score if math.isfinite(self.score) else -math.inf
        return self.score * math.pow(len(self.tokens), LENGTH_PENALTY)

    @property
    def cut_short(self) -> bool:
        """Whether Argos's limits stopped the sentence (256 target or 1024 source tokens)."""
        return len(self.tokens) >= MAX_DECODING_LENGTH or self.source_length >= MAX_INPUT_LENGTH


def translate_tokens(
    translator: Any,
    batch: list[list[str]],
    *,
    target_prefix: str,
    max_batch_size: int,
    beam_size: int,
) -> list[Hypothesis]:
    """One `translate_batch` over every sentence, with the options argostranslate 1.11 passes
    (beam size, length penalty 0.2, its limits, unknowns replaced, one hypothesis)."""
    if not batch:
        return []
    try:
        results = translator.translate_batch(
            batch,
            target_prefix=[[target_prefix]] * len(batch) if target_prefix else None,
            replace_unknowns=True,
            max_batch_size=max_batch_size,
            batch_type="examples",
            beam_size=beam_size,
            num_hypotheses=1,
            length_penalty=LENGTH_PENALTY,
            max_decoding_length=MAX_DECODING_LENGTH,
            max_input_length=MAX_INPUT_LENGTH,
            return_scores=True,
        )
    except RuntimeError as error:
        raise ModelError(f"CTranslate2 failed: {' '.join(str(error).split())}") from None
    return [
        Hypothesis(list(result.hypotheses[0]), float(result.scores[0]), len(source))
        for result, source in zip(results, batch, strict=True)
    ]


# --- sentences → units ---------------------------------------------------------------------------


def confidence(hypotheses: Sequence[Hypothesis]) -> float | None:
    """A unit's confidence: the token-weighted mean log-probability of its sentences,
    ``sum(log_prob) / sum(scored_length)`` (≤ 0; 0 is certain), or None without sentences."""
    tokens = sum(h.scored_length for h in hypotheses)
    if tokens == 0:
        return None
    value = sum(h.log_prob for h in hypotheses) / tokens
    return value if math.isfinite(value) else None


def finish(
    prepared: Prepared,
    hypotheses: Sequence[Hypothesis],
    *,
    target_prefix: str,
    decode: Callable[[list[str]], str],
) -> list[EngineOutput]:
    """Per unit, as Argos: per paragraph decode its sentences' concatenated pieces, drop the
    target prefix and one leading space, and join the paragraphs with Argos's loop. A unit is cut
    short when one of its sentences was; its score is `confidence` of its sentences."""
    outputs = []
    for paragraphs in prepared.layout:
        values = []
        for sentence_slots in paragraphs:
            pieces = [piece for slot in sentence_slots for piece in hypotheses[slot].tokens]
            value = decode(pieces)
            if target_prefix and value.startswith(target_prefix):
                value = value[len(target_prefix) :]
            if value and value[0] == " ":
                value = value[1:]
            values.append(combine([value]))  # PackageTranslation's join of one paragraph
        used = [hypotheses[slot] for slots in paragraphs for slot in slots]
        outputs.append(
            EngineOutput(
                combine(values),  # CachedTranslation's join of the paragraphs
                any(h.cut_short for h in used),
                confidence(used),
            )
        )
    return outputs
