"""Machine translation speed: Argos one unit at a time vs our argos-batch vs bare CTranslate2.

Builds, offline, Argos packages of realistic compute (6+6 layers, d_model 512, 8 heads, ffn 2048,
a 32,000-piece SentencePiece vocabulary trained on text from the installed site-packages, int8)
with tests/argos_models.py, installs them into a temporary Argos folder, translates the units of
source/kras-interview.txt and prints sentences per second, the ratios, and the peak memory (RSS)
of a fresh process running argos-batch over all four languages in a row.

    python benchmarks/bench_mt.py [--units 200] [--workdir DIR]

Nothing is written to the repository: models go to a temporary folder (or --workdir) and are
deleted at the end unless --workdir is given. Aim (issue 5): argos-batch ≥ 8× the one-at-a-time
path and ≥ 0.9× bare CTranslate2; peak RSS < 1.5 GB for the four languages.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = (("cs", "upper"), ("ru", "cyrillic"), ("uk", "cyrillic"), ("sk", "upper"))
CORPUS_LINES = 300_000


def _argos_env(workdir: Path) -> dict[str, str]:
    home = workdir / "argos"
    return {
        "ORT_DISABLE_TELEMETRY": "1",
        "ARGOS_PACKAGES_DIR": str(home / "data" / "argos-translate" / "packages"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ARGOS_DEVICE_TYPE": "cpu",
    }


def _corpus() -> list[str]:
    """English-like lines (docs, docstrings, comments) from the installed site-packages."""
    import sysconfig

    root = Path(sysconfig.get_paths()["purelib"])
    lines: list[str] = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".md", ".rst", ".txt") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for raw in text.splitlines():
            line = raw.strip().lstrip("#").strip()
            letters = sum(char.isalpha() for char in line)
            if 30 <= len(line) <= 300 and line.count(" ") >= 4 and letters > 0.7 * len(line):
                lines.append(line)
                if len(lines) >= CORPUS_LINES:
                    return lines
    return lines


def build_models(workdir: Path) -> dict[str, Path]:
    sys.path.insert(0, str(REPO / "tests"))
    import argos_models

    existing = {
        language: workdir / "models" / f"translate-en_{language}-{mode}-1.0.argosmodel"
        for language, mode in LANGUAGES
    }
    if all(path.is_file() for path in existing.values()):
        print(f"reusing the models in {workdir / 'models'}")
        return existing

    started = time.perf_counter()
    lines = _corpus()
    tokenizer = argos_models.train_tokenizer(lines + argos_models.tiny_corpus(), 32_000)
    pieces, _ = argos_models.pieces_of(tokenizer)
    print(
        f"tokenizer: {len(pieces)} pieces from {len(lines)} lines "
        f"in {time.perf_counter() - started:.1f} s"
    )
    files = {}
    for language, mode in LANGUAGES:
        started = time.perf_counter()
        files[language] = argos_models.build_package(
            workdir / "models",
            "en",
            language,
            mode,
            tokenizer=tokenizer,
            shape=argos_models.REALISTIC,
        )
        size = files[language].stat().st_size / 1e6
        print(
            f"built en→{language} ({mode}): {size:.0f} MB in {time.perf_counter() - started:.1f} s"
        )
    return files


def source_units(limit: int) -> list[str]:
    from pipeline.segment import segment_text

    text = (REPO / "source" / "kras-interview.txt").read_text(encoding="utf-8")
    document = segment_text(text, name="kras-interview", source_path="source/kras-interview.txt")
    units = list(dict.fromkeys(unit.msgid for unit in document.units))
    return units[:limit]


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: the latter survives exec, so a child
    started from a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def four_languages_child(units: int) -> None:
    """Runs in a fresh process: argos-batch for all four languages in a row, prints peak RSS."""
    from pipeline import engines

    texts = source_units(units)
    started = time.perf_counter()
    for language, _mode in LANGUAGES:
        engine = engines.named("argos-batch").open("en", language, {})
        engine.translate(texts)
        engine.close()
        del engine
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(), "units": len(texts)}))


def _timed(job: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and process CPU seconds of one call."""
    cpu, started = time.process_time(), time.perf_counter()
    job()
    return time.perf_counter() - started, time.process_time() - cpu


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def measure(units: int, workdir: Path, rounds: int) -> dict[str, float]:
    import ctranslate2

    from pipeline import engines
    from pipeline.engines import ct2_batch
    from pipeline.engines.argos_batch import ArgosBatchEngine
    from pipeline.engines.argos_install import install_model_file
    from pipeline.engines.argos_packages import (
        LENGTH_PENALTY,
        MAX_DECODING_LENGTH,
        MAX_INPUT_LENGTH,
    )

    for language, path in build_models(workdir).items():
        install_model_file(path, {("en", language)})
    texts = source_units(units)
    results: dict[str, float] = {"units": len(texts)}

    # argos-batch (our engine, sentence splitting and tokenizing included) against bare
    # CTranslate2 (same options and threads, sentences tokenized beforehand). Rounds alternate
    # which goes first, so other load on the machine hits both alike; medians count.
    batch = engines.named("argos-batch").open("en", "cs", {})
    assert isinstance(batch, ArgosBatchEngine)
    batch.translate(["Warm up."])
    model = batch._load()  # the engine's own tokenizer; opened without a unit, it splits as below
    sentences = [
        model.encode(sentence)
        for text in texts
        for paragraph in text.split("\n")
        for sentence in ct2_batch.pipeline_splitter(paragraph)
    ]
    results["tokens_per_unit"] = sum(len(s) for s in sentences) / len(texts)
    translator = ctranslate2.Translator(
        str(batch.package.path / "model"),
        device="cpu",
        inter_threads=batch.inter_threads,
        intra_threads=batch.intra_threads,
        compute_type="auto",
    )
    translator.translate_batch([sentences[0]], beam_size=4)
    outputs: dict[str, list[str]] = {}

    def run_batch() -> None:
        outputs["batch"] = [output.text for output in batch.translate(texts)]

    def run_bare() -> None:
        translator.translate_batch(
            sentences,
            replace_unknowns=True,
            max_batch_size=batch.max_batch_size,
            batch_type="examples",
            beam_size=4,
            num_hypotheses=1,
            length_penalty=LENGTH_PENALTY,
            max_decoding_length=MAX_DECODING_LENGTH,
            max_input_length=MAX_INPUT_LENGTH,
            return_scores=True,
        )

    jobs: list[tuple[str, Callable[[], None]]] = [("batch", run_batch), ("bare", run_bare)]
    timings: dict[str, list[tuple[float, float]]] = {"batch": [], "bare": []}
    for round_ in range(rounds):
        for name, job in jobs if round_ % 2 == 0 else jobs[::-1]:
            timings[name].append(_timed(job))
    for name in ("batch", "bare"):
        walls = [wall for wall, _ in timings[name]]
        results[name] = _rate(len(texts), _median(walls))
        results[name + "_cpu"] = _rate(len(texts), _median([cpu for _, cpu in timings[name]]))
        shown = " ".join(f"{_rate(len(texts), wall):.1f}" for wall in walls)
        print(f"{name} rounds: {shown} units/s")
    batch.close()

    # The reference path: argostranslate.translate, one unit per call, Argos's own settings.
    from argostranslate import settings
    from argostranslate import translate as argos

    argos.translate("Warm up.", "en", "cs")
    argos_out: list[str] = []
    wall, cpu = _timed(lambda: argos_out.extend(argos.translate(t, "en", "cs") for t in texts))
    results["one"] = _rate(len(texts), wall)
    results["one_cpu"] = _rate(len(texts), cpu)
    results["argos_intra_threads"] = settings.intra_threads
    results["identical_output"] = float(argos_out == outputs["batch"])
    results["copies_input"] = float(
        all(out == text.upper() for out, text in zip(argos_out, texts, strict=True))
    )
    results["parent_peak_rss_mb"] = peak_rss_mb()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=200, help="units of the source to translate")
    parser.add_argument("--workdir", type=Path, help="keep the models here (default: temporary)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the two batch paths")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        four_languages_child(args.units)
        return 0
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-mt-"))
    env = _argos_env(workdir)
    os.environ.update(env)  # before anything imports Argos
    sys.path.insert(0, str(REPO))
    try:
        results = measure(args.units, workdir, args.rounds)
        child = subprocess.run(
            [sys.executable, __file__, "--child", "--units", str(args.units)],
            env={**os.environ, **env, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            check=True,
        )
        four = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    one, batch, bare = results["one"], results["batch"], results["bare"]
    one_cpu, batch_cpu, bare_cpu = results["one_cpu"], results["batch_cpu"], results["bare_cpu"]
    threads = int(results["argos_intra_threads"])
    print(
        f"\n{int(results['units'])} units, {results['tokens_per_unit']:.1f} tokens per unit, "
        f"beam 4, int8, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print("                                              units/s   units per CPU-second")
    print(f"argostranslate, one unit per call (intra {threads}) {one:8.1f}   {one_cpu:8.1f}")
    print(f"argos-batch (inter 2, intra 1, batch 32)     {batch:8.1f}   {batch_cpu:8.1f}")
    print(f"bare ctranslate2 translate_batch, same opts  {bare:8.1f}   {bare_cpu:8.1f}")
    print(f"argos-batch / one-at-a-time:     {batch / one:5.2f}x   (aim >= 8)")
    print(f"argos-batch / bare CTranslate2:  {batch / bare:5.2f}x   (aim >= 0.9)")
    print(
        f"same text from argos and argos-batch: {bool(results['identical_output'])}; "
        f"the model copies its input: {bool(results['copies_input'])}"
    )
    print(
        "peak RSS, argos-batch for cs, ru, uk, sk in a row in a fresh process: "
        f"{four['peak_rss_mb']:.0f} MB ({four['seconds']:.1f} s)   (aim < 1500 MB)"
    )
    print(
        "peak RSS of this process (argostranslate.translate, torch and stanza imported too): "
        f"{results['parent_peak_rss_mb']:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
