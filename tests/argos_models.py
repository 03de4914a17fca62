"""Builds tiny but real Argos Translate packages offline, so tests translate with real Argos code.

A package is a SentencePiece tokenizer trained in-process, a CTranslate2 Transformer whose weights
are set by hand to copy its input token by token (the target vocabulary decides what comes out:
the same text, upper case, or Latin letters turned Cyrillic), and a hand-encoded MiniSBD sentence
splitter, so Argos never downloads anything. Builds are byte-reproducible. The construction is
explained in docs/offline-argos-models.md (sections 2 to 4).
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import math
import string
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODES = ("copy", "upper", "cyrillic")
LANGUAGE_NAMES = {
    "en": "English",
    "cs": "Czech",
    "sk": "Slovak",
    "ru": "Russian",
    "uk": "Ukrainian",
    "de": "German",
    "fr": "French",
}
POSITION_ROWS = 1100  # Argos feeds up to 1024 tokens plus </s>; CTranslate2 needs a row for each
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_CYRILLIC = {
    "a": "а", "b": "б", "c": "ц", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и",
    "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р",
    "s": "с", "t": "т", "u": "у", "v": "в", "w": "ш", "x": "кс", "y": "ы", "z": "з",
}  # fmt: skip

_SENTENCES = [
    "Hello world.",
    "The quick brown fox jumps over the lazy dog.",
    "Anarchists in Russia and Ukraine talked about the war, prisons and solidarity.",
    "What do you think about the situation in your country?",
    "We answered every question as honestly as we could!",
    "He said: “This is only the beginning.”",
    'She asked, "Why not?" and then she left.',
    "There were 3 meetings in 2024, and 12 people came to each one.",
    "Wait... what happened next?",
    "The file is called snake_case_name.txt and it lives in /tmp.",
    "Prices rose by 15% in one year; wages did not.",
    "Mr. Smith met Dr. Jones at 10:30 on Monday.",
    "You have %(count)d new messages from {user}.",
    "It’s the workers’ own struggle, isn’t it?",
    "Solidarity means that nobody is left alone.",
    "The union organised strikes, assemblies and a small newspaper.",
    "Repression grew stronger after the protests were crushed.",
    "Many comrades were arrested, and some of them are still in prison.",
    "Can you tell us more about your group and its history?",
    "We are a small collective of people who share anarchist ideas.",
    "Our goal is a free society without bosses, states or borders.",
    "The interview was recorded in October and edited later.",
    "Thank you for the conversation.",
    "Numbers like 1, 22, 333 and 4,096 should survive.",
    "Quotes «like these» and „these“ appear in other languages.",
    "A dash – and a long dash — are not the same.",
    "Question 1) How did it start?",
    "Answer: it started with a few friends.",
    "In the end, everyone went home.",
    "This sentence is here to make the vocabulary a little bigger.",
]


def _alphabet_lines() -> list[str]:
    czech_slovak = "áäčďéěíĺľňóôŕřšťúůýžÁÄČĎÉĚÍĹĽŇÓÔŔŘŠŤÚŮÝŽ"
    cyrillic = "".join(chr(c) for c in range(0x0410, 0x0450)) + "ёЁєЄіІїЇґҐ"
    punctuation = string.punctuation + "“”„«»…–—‘’"
    return [
        string.ascii_lowercase,
        string.ascii_uppercase,
        string.digits,
        punctuation,
        czech_slovak,
        cyrillic,
        " ".join(string.ascii_letters + string.digits + punctuation),
    ]


def tiny_corpus() -> list[str]:
    """The built-in training text of the tiny tokenizer: sentences plus every wanted character."""
    return _SENTENCES + _alphabet_lines()


# --- tokenizer -----------------------------------------------------------------------------------


def train_tokenizer(lines: Iterable[str], vocab_size: int) -> bytes:
    """Train a SentencePiece model from text in memory; same input gives the same bytes."""
    import sentencepiece as spm

    writer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=writer,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        byte_fallback=True,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        split_digits=True,
        hard_vocab_limit=False,
        num_threads=1,
        shuffle_input_sentence=False,
        input_sentence_size=0,
        minloglevel=2,
    )
    return writer.getvalue()


@functools.lru_cache(maxsize=4)
def tiny_tokenizer() -> bytes:
    return train_tokenizer(tiny_corpus(), 700)


def pieces_of(model: bytes) -> tuple[list[str], list[bool]]:
    """The piece list (the CTranslate2 vocabulary) and which pieces are plain text pieces."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=model)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    plain = [
        not (processor.is_control(i) or processor.is_unknown(i) or processor.is_byte(i))
        for i in range(len(pieces))
    ]
    return pieces, plain


def _to_cyrillic(text: str) -> str:
    out = []
    for char in text:
        mapped = _CYRILLIC.get(char.lower())
        if mapped is None:
            out.append(char)
        elif char.isupper():
            out.append(mapped.upper())
        else:
            out.append(mapped)
    return "".join(out)


MAPPINGS: dict[str, Callable[[str], str]] = {
    "copy": lambda piece: piece,
    "upper": str.upper,
    "cyrillic": _to_cyrillic,
}


def target_vocabulary(pieces: list[str], plain: list[bool], mode: str) -> list[str]:
    """What the model writes for each source piece; Argos decodes unknown pieces verbatim."""
    mapping = MAPPINGS[mode]
    return [
        mapping(piece) if is_plain else piece for piece, is_plain in zip(pieces, plain, strict=True)
    ]


# --- CTranslate2 model with hand-set weights -----------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """Model dimensions; `realistic` adds random weights everywhere outside the copy circuit."""

    layers: int = 1
    d_model: int = 96
    heads: int = 1
    ffn: int = 96
    realistic: bool = False
    seed: int = 1234


TINY = Shape()
REALISTIC = Shape(layers=6, d_model=512, heads=8, ffn=2048, realistic=True)


def _token_dims(vocab_size: int) -> int:
    k = 2
    while k * (k - 1) // 2 < vocab_size:
        k += 1
    return k


def _token_codes(vocab_size: int, k: int) -> np.ndarray:
    codes = np.zeros((vocab_size, k), dtype=np.float32)
    for token, (i, j) in zip(range(vocab_size), itertools.combinations(range(k), 2), strict=False):
        codes[token, i] = codes[token, j] = 1.0
    return codes


def _position_codes(rows: int) -> np.ndarray:
    """Degree-2 polynomials over GF(11) at x=0..4: 5 ones in 55 dims, any two share at most 2."""
    codes = np.zeros((rows, 55), dtype=np.float32)
    polynomials = itertools.product(range(11), repeat=3)
    for row, (a0, a1, a2) in zip(range(rows), polynomials, strict=False):
        for x in range(5):
            codes[row, x * 11 + (a0 + a1 * x + a2 * x * x) % 11] = 1.0
    return codes


def _layer_norm(x: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-6)


@dataclass(frozen=True)
class _Circuit:
    lam: float
    sink: float
    beta: float


def _solve_circuit(d: int, k: int, head_dim: int) -> _Circuit:
    """Query scale, sink bias and output scale giving ≥40-logit attention and ≥60 output margins."""
    pos = _position_codes(POSITION_ROWS)
    base = k
    flag = k + 55

    def residual(with_flag: bool) -> np.ndarray:
        x = np.zeros((POSITION_ROWS, d), dtype=np.float64)
        x[:, base : base + 55] = pos
        x[:, 0] = x[:, 1] = 1.0  # a token code: which token does not matter for the norms
        if with_flag:
            x[:, flag] = 1.0
        return _layer_norm(x)

    enc_regular, enc_eos = residual(False), residual(True)
    dec = np.zeros((POSITION_ROWS, d))
    dec[:, base : base + 55] = pos
    dec = _layer_norm(dec)
    scale = 1.0 / math.sqrt(head_dim)
    q = dec[:, base : base + 55]
    a_regular = q @ enc_regular[:, base : base + 55].T * scale
    a_eos = q @ enc_eos[:, base : base + 55].T * scale
    exact = np.diag(a_regular)
    off = ~np.eye(POSITION_ROWS, dtype=bool)
    m1 = float(np.min(exact - np.max(np.where(off, a_eos, -np.inf), axis=1)))
    m1 = min(m1, float(np.min(exact - np.max(np.where(off, a_regular, -np.inf), axis=1))))
    worst_partial_regular = np.max(np.where(off, a_regular, -np.inf), axis=1)
    best_partial_eos = np.min(np.where(off, a_eos, np.inf), axis=1)
    m3 = float(np.min(best_partial_eos - worst_partial_regular))
    lam = 80.0 / (m1 + m3)
    bonus = lam * (m1 - m3) / 2.0
    flag_gap = float(enc_eos[0, flag] - enc_regular[0, flag]) * scale
    sink = bonus / flag_gap
    # Output: the residual holds the position code plus the attended token's normalised code.
    codes = np.zeros((2, d))
    codes[:, 0] = codes[:, 1] = 1.0
    worst = math.inf
    for enc in (enc_regular, enc_eos):
        token_part = np.zeros(d)
        token_part[:k] = enc[0, :k]
        x = np.zeros(d)
        x[base : base + 55] = pos[0]
        z = _layer_norm(x + token_part)
        worst = min(worst, float(z[0] - z[2]))  # an on-dim minus an off-dim of the token code
    beta = 60.0 / worst
    return _Circuit(lam=lam, sink=sink, beta=beta)


def build_ct2_model(
    out_dir: Path, source_vocab: list[str], target_vocab: list[str], shape: Shape = TINY
) -> None:
    """Write a CTranslate2 model directory whose output is source token i → target token i."""
    from ctranslate2.specs import transformer_spec

    vocab_size = len(source_vocab)
    d, heads = shape.d_model, shape.heads
    head_dim = d // heads
    k = _token_dims(vocab_size)
    per_head = math.ceil(k / heads)
    if k + 56 > d or head_dim < 56 or per_head > head_dim:
        raise ValueError(f"d_model {d} with {heads} heads is too small for {vocab_size} tokens")
    circuit = _solve_circuit(d, k, head_dim)
    rng = np.random.default_rng(shape.seed)
    f32 = np.float32
    flag = k + 55

    def zeros(*dims: int) -> np.ndarray:
        return np.zeros(dims, dtype=f32)

    def weight(rows: int, cols: int, *, output_side: bool = False) -> np.ndarray:
        if not shape.realistic:
            return zeros(rows, cols)
        std = (1e-4 if output_side else 1.0) / math.sqrt(cols)
        return rng.normal(0.0, std, size=(rows, cols)).astype(f32)

    def norm(layer: object) -> None:
        layer.gamma = np.ones(d, dtype=f32)  # type: ignore[attr-defined]
        layer.beta = zeros(d)  # type: ignore[attr-defined]

    def self_attention(att: object) -> None:
        norm(att.layer_norm)  # type: ignore[attr-defined]
        att.linear[0].weight = weight(3 * d, d)  # type: ignore[attr-defined]
        att.linear[1].weight = weight(d, d, output_side=True)  # type: ignore[attr-defined]

    def ffn(block: object) -> None:
        norm(block.layer_norm)  # type: ignore[attr-defined]
        block.linear_0.weight = weight(shape.ffn, d)  # type: ignore[attr-defined]
        block.linear_1.weight = weight(d, shape.ffn, output_side=True)  # type: ignore[attr-defined]

    spec = transformer_spec.TransformerSpec.from_config((shape.layers, shape.layers), heads)
    spec.config.add_source_eos = True
    codes = _token_codes(vocab_size, k)
    positions = zeros(POSITION_ROWS, d)
    positions[:, k : k + 55] = _position_codes(POSITION_ROWS)

    encoder = spec.encoder
    source_embeddings = zeros(vocab_size, d)
    source_embeddings[:, :k] = codes
    source_embeddings[2, flag] = 1.0  # </s>
    encoder.embeddings[0].weight = source_embeddings
    encoder.scale_embeddings = False
    encoder.position_encodings.encodings = positions
    norm(encoder.layer_norm)
    for layer in encoder.layer:
        self_attention(layer.self_attention)
        ffn(layer.ffn)

    decoder = spec.decoder
    decoder.embeddings.weight = zeros(vocab_size, d)
    decoder.scale_embeddings = False
    decoder.position_encodings.encodings = positions.copy()
    norm(decoder.layer_norm)
    projection = zeros(vocab_size, d)
    projection[:, :k] = codes * circuit.beta
    decoder.projection.weight = projection
    for index, layer in enumerate(decoder.layer):
        self_attention(layer.self_attention)
        ffn(layer.ffn)
        cross = layer.attention
        norm(cross.layer_norm)
        if index > 0:
            cross.linear[0].weight = weight(d, d)
            cross.linear[1].weight = weight(2 * d, d)
            cross.linear[2].weight = weight(d, d, output_side=True)
            continue
        query, query_bias = zeros(d, d), zeros(d)
        key_value, out = zeros(2 * d, d), zeros(d, d)
        for head in range(heads):
            first = head * head_dim
            for i in range(55):
                query[first + i, k + i] = circuit.lam
                key_value[first + i, k + i] = 1.0
            query_bias[first + 55] = circuit.sink
            key_value[first + 55, flag] = 1.0
            for j in range(per_head):
                token_dim = head * per_head + j
                if token_dim < k:
                    key_value[d + first + j, token_dim] = 1.0
                    out[token_dim, first + j] = 1.0
        cross.linear[0].weight = query
        cross.linear[0].bias = query_bias
        cross.linear[1].weight = key_value
        cross.linear[2].weight = out

    spec.register_source_vocabulary(source_vocab)
    spec.register_target_vocabulary(target_vocab)
    spec.validate()
    spec.optimize(quantization="int8")
    out_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(out_dir))


# --- MiniSBD sentence splitter as a hand-encoded ONNX file ---------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field_int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field_bytes(number: int, value: bytes | str) -> bytes:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _tensor(name: str, array: np.ndarray) -> bytes:
    data_type = {np.dtype(np.float32): 1, np.dtype(np.int64): 7}[array.dtype]
    dims = b"".join(_field_int(1, size) for size in array.shape)
    body = array.astype(array.dtype.newbyteorder("<")).tobytes()
    return dims + _field_int(2, data_type) + _field_bytes(8, name) + _field_bytes(9, body)


def _value_info(name: str, elem_type: int, dims: list[str | int]) -> bytes:
    shape = b"".join(
        _field_bytes(1, _field_int(1, dim) if isinstance(dim, int) else _field_bytes(2, dim))
        for dim in dims
    )
    tensor_type = _field_int(1, elem_type) + _field_bytes(2, shape)
    return _field_bytes(1, name) + _field_bytes(2, _field_bytes(1, tensor_type))


def _node(op: str, inputs: list[str], output: str, axis: int | None = None) -> bytes:
    body = b"".join(_field_bytes(1, name) for name in inputs)
    body += _field_bytes(2, output) + _field_bytes(3, output) + _field_bytes(4, op)
    if axis is not None:
        body += _field_bytes(5, _field_bytes(1, "axis") + _field_int(3, axis) + _field_int(20, 2))
    return body


SENTENCE_END = ".!?…"
CLOSERS = "\"'”’»)]"


def _sbd_units() -> list[str]:
    chars = set(string.printable) - set(string.whitespace) | {" "}
    chars |= {chr(c) for c in range(0x00C0, 0x0180)} | {chr(c) for c in range(0x0400, 0x0500)}
    chars |= set("“”„«»…–—‘’‚‹›")
    return ["<PAD>", "<UNK>", *sorted(chars)]


def build_minisbd_onnx() -> bytes:
    """A MiniSBD model whose rule is: a sentence ends at . ! ? … (or a closing quote or bracket
    right after one) when next comes whitespace or the end, and then no lowercase letter."""
    units = _sbd_units()
    table = np.zeros((len(units), 4), dtype=np.float32)  # not-space, end, closer, lowercase
    for index, unit in enumerate(units):
        if unit == "<PAD>":
            continue
        if unit == "<UNK>":
            table[index, 0] = 1.0
            continue
        table[index] = [unit != " ", unit in SENTENCE_END, unit in CLOSERS, unit.islower()]
    i64 = np.int64
    inits = {
        "table": table,
        "one": np.array(1.0, dtype=np.float32),
        "c0": np.array([0], dtype=i64),
        "c1": np.array([1], dtype=i64),
        "c2": np.array([2], dtype=i64),
        "c3": np.array([3], dtype=i64),
        "c4": np.array([4], dtype=i64),
        "cm1": np.array([-1], dtype=i64),
        "big": np.array([1 << 62], dtype=i64),
        "pad_end1": np.array([0, 0, 0, 0, 1, 0], dtype=i64),
        "pad_end2": np.array([0, 0, 0, 0, 2, 0], dtype=i64),
        "pad_begin1": np.array([0, 1, 0, 0, 0, 0], dtype=i64),
    }
    nodes = [
        _node("Gather", ["table", "units"], "g"),
        _node("Slice", ["g", "c0", "c1", "c2"], "ns"),
        _node("Slice", ["g", "c1", "c2", "c2"], "end"),
        _node("Slice", ["g", "c2", "c3", "c2"], "close"),
        _node("Slice", ["g", "c3", "c4", "c2"], "low"),
        _node("Pad", ["ns", "pad_end1"], "ns_padded"),
        _node("Slice", ["ns_padded", "c1", "big", "c1"], "ns_next"),
        _node("Pad", ["low", "pad_end2"], "low_padded"),
        _node("Slice", ["low_padded", "c2", "big", "c1"], "low_next2"),
        _node("Pad", ["end", "pad_begin1"], "end_padded"),
        _node("Slice", ["end_padded", "c0", "cm1", "c1"], "end_prev"),
        _node("Mul", ["close", "end_prev"], "closing"),
        _node("Add", ["end", "closing"], "ending"),
        _node("Sub", ["one", "ns_next"], "space_next"),
        _node("Sub", ["one", "low_next2"], "not_lower"),
        _node("Mul", ["ending", "space_next"], "s1"),
        _node("Mul", ["s1", "not_lower"], "split"),
        _node("Add", ["split", "split"], "split2"),
        _node("Sub", ["one", "ns"], "inside"),
        _node("Sub", ["ns", "ns"], "zero"),
        _node("Sub", ["zero", "one"], "minus"),
        _node("Concat", ["inside", "ns", "split2", "minus", "minus"], "logits", axis=2),
    ]
    graph = b"".join(_field_bytes(1, node) for node in nodes)
    graph += _field_bytes(2, "minisbd-test-rule")
    graph += b"".join(_field_bytes(5, _tensor(name, value)) for name, value in inits.items())
    graph += _field_bytes(11, _value_info("units", 7, ["B", "T"]))
    graph += _field_bytes(11, _value_info("features", 1, ["B", "T", "F"]))
    graph += _field_bytes(12, _value_info("logits", 1, ["B", "T", 5]))
    config = {
        "skip_newline": False,
        "max_seqlen": 1000,
        "no_ssplit": False,
        "batch_size": 32,
        "feat_funcs": [],
        "use_dictionary": False,
        "num_dict_feat": 0,
    }
    vocab = {
        "lang": "en",
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_unit2id": {unit: i for i, unit in enumerate(units)},
        "_id2unit": units,
    }
    metadata = {
        "config": json.dumps(config),
        "vocab": json.dumps(vocab, ensure_ascii=False),
        "lexicon": "null",
        "lang_code": "en",
    }
    model = _field_int(1, 8) + _field_bytes(2, "pipeline-tests")
    model += _field_bytes(7, graph)
    model += _field_bytes(8, _field_bytes(1, "") + _field_int(2, 13))
    for key, value in metadata.items():
        model += _field_bytes(14, _field_bytes(1, key) + _field_bytes(2, value))
    return model


# --- packaging -----------------------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(info, files[name])
    return buffer.getvalue()


@functools.lru_cache(maxsize=8)
def _ct2_files(tokenizer: bytes, mode: str, shape: Shape) -> tuple[tuple[str, bytes], ...]:
    pieces, plain = pieces_of(tokenizer)
    with tempfile.TemporaryDirectory(prefix="argos-test-ct2-") as tmp:
        out = Path(tmp) / "model"
        build_ct2_model(out, pieces, target_vocabulary(pieces, plain, mode), shape)
        return tuple(
            (path.relative_to(out).as_posix(), path.read_bytes())
            for path in sorted(out.rglob("*"))
            if path.is_file()
        )


def package_files(
    from_code: str,
    to_code: str,
    mode: str,
    *,
    version: str = "1.0",
    folder: str | None = None,
    tokenizer: bytes | None = None,
    shape: Shape = TINY,
    extra_metadata: dict[str, object] | None = None,
) -> dict[str, bytes]:
    """The members of an .argosmodel zip: ``{path inside the zip: bytes}``."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
    spm_model = tokenizer if tokenizer is not None else tiny_tokenizer()
    top = folder or f"translate-{from_code}_{to_code}"
    metadata: dict[str, object] = {
        "package_version": version,
        "argos_version": "1.11",
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
        "pipeline_test_mode": mode,
    }
    metadata.update(extra_metadata or {})
    files = {
        f"{top}/metadata.json": (json.dumps(metadata, indent=2, sort_keys=True) + "\n").encode(),
        f"{top}/sentencepiece.model": spm_model,
        f"{top}/minisbd/{from_code}.onnx": build_minisbd_onnx(),
        f"{top}/README.md": f"Test model ({mode}) built by tests/argos_models.py.\n".encode(),
    }
    for name, data in _ct2_files(spm_model, mode, shape):
        files[f"{top}/model/{name}"] = data
    return files


def build_package(
    dest_dir: Path,
    from_code: str,
    to_code: str,
    mode: str,
    *,
    version: str = "1.0",
    folder: str | None = None,
    tokenizer: bytes | None = None,
    shape: Shape = TINY,
    extra_metadata: dict[str, object] | None = None,
) -> Path:
    """Write ``<dest_dir>/translate-<from>_<to>-<mode>.argosmodel`` and return its path."""
    files = package_files(
        from_code,
        to_code,
        mode,
        version=version,
        folder=folder,
        tokenizer=tokenizer,
        shape=shape,
        extra_metadata=extra_metadata,
    )
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / f"translate-{from_code}_{to_code}-{mode}-{version}.argosmodel"
    path.write_bytes(_zip(files))
    return path


def zip_members(files: dict[str, bytes]) -> bytes:
    """Zip arbitrary members the reproducible way (tests build broken packages with it)."""
    return _zip(files)
