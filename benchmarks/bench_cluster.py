"""The ``ray`` engine against in-process ``argos-batch``, on this machine, with the realistic model.

Builds (or reuses, with --workdir) the en→cs Argos package of realistic compute that
benchmarks/bench_mt.py builds (6+6 layers, d_model 512, 32,000 SentencePiece pieces, int8),
starts a local Ray with this machine's CPUs (127.0.0.1, no dashboard), and translates the first
units of source/kras-interview.txt with, in alternating order over several rounds:

- ``argos-batch`` in this process (inter 2, intra 1): the reference;
- ``ray`` with 1 actor of 2 CPUs, and with 2 actors of 1 CPU (each run starts its actors and
  loads the model in them, as a build does per language);
- ``ray`` with 1 actor of 2 CPUs and batches of 16 sentences, and the same batches translated in
  this process by `ct2_batch.translate_tokens` with the same threads (what that actor computes,
  without Ray), for Ray's overhead per batch: (that run − start-up − these batches) / batches.

It prints units per second, the ratios against argos-batch measured in the same run, the start-up
cost of a run (one short unit), the overhead per batch, the driver's CPU per unit, and the
projection for N nodes of docs/cluster.md:

    T(N) = S + U × max(1 / (N × r), d)

where S is the start-up of a run, U the units, r the units per second of one node (2 actors here,
start-up excluded) and d the driver's CPU-seconds per unit: the driver is the bottleneck from
N* = 1 / (r × d) nodes on.

    python benchmarks/bench_cluster.py [--units 160] [--rounds 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

import bench_mt  # noqa: E402  (after the path: the model builder and the units of bench_mt)

SMALL_BATCH = 16


def build_model(workdir: Path) -> Path:
    """The realistic en→cs package of bench_mt (reused from the workdir when it is there)."""
    import argos_models

    path = workdir / "models" / "translate-en_cs-upper-1.0.argosmodel"
    if path.is_file():
        print(f"reusing {path}")
        return path
    started = time.perf_counter()
    lines = bench_mt._corpus()
    tokenizer = argos_models.train_tokenizer(lines + argos_models.tiny_corpus(), 32_000)
    built = argos_models.build_package(
        workdir / "models", "en", "cs", "upper", tokenizer=tokenizer, shape=argos_models.REALISTIC
    )
    print(f"built {built.name} in {time.perf_counter() - started:.0f} s")
    return built


def _timed(job: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock seconds and this process's CPU seconds (the driver's, not the actors')."""
    cpu, started = time.process_time(), time.perf_counter()
    job()
    return time.perf_counter() - started, time.process_time() - cpu


def measure(units: int, rounds: int, workdir: Path) -> dict[str, Any]:
    from pipeline import engines
    from pipeline.engines import ct2_batch
    from pipeline.engines.argos_install import install_model_file
    from pipeline.engines.ray_engine import RayEngine, import_ray

    install_model_file(build_model(workdir), {("en", "cs")})
    texts = bench_mt.source_units(units)
    ray = import_ray()
    started = time.perf_counter()
    ray.init(
        address="local",
        num_cpus=os.cpu_count(),
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
        _node_ip_address="127.0.0.1",
    )
    results: dict[str, Any] = {"units": len(texts), "ray_init": time.perf_counter() - started}
    settings = {"unit": "sentence"}
    batch = engines.named("argos-batch").open("en", "cs", settings)
    one = engines.named("ray").open("en", "cs", {**settings, "actors": 1, "cpus_per_actor": 2})
    two = engines.named("ray").open("en", "cs", {**settings, "actors": 2, "cpus_per_actor": 1})
    # For the overhead per batch: 1 actor with small batches, against the same batches here.
    small = engines.named("ray").open(
        "en", "cs", {**settings, "actors": 1, "cpus_per_actor": 2, "batch_size": SMALL_BATCH}
    )
    assert isinstance(one, RayEngine) and isinstance(two, RayEngine)
    batch.translate(["Warm up."])
    outputs: dict[str, list[str]] = {}

    # What the single actor of `one` computes, without Ray: the same batches, the same threads.
    model = ct2_batch.load_model(one.package.path, device="cpu", inter_threads=1, intra_threads=2)
    prepared = ct2_batch.prepare(texts, encode=model.encode, split=ct2_batch.whole)
    size = SMALL_BATCH
    batches = [prepared.batch[i : i + size] for i in range(0, len(prepared.batch), size)]
    results["sentences"], results["batches"], results["size"] = (
        len(prepared.batch),
        len(batches),
        size,
    )

    def local_batches() -> None:
        for part in batches:
            ct2_batch.translate_tokens(
                model.translator,
                part,
                target_prefix="",
                max_batch_size=32,
                beam_size=one.local.beam_size,
            )

    def run(name: str, engine: Any) -> Callable[[], None]:
        def job() -> None:
            outputs[name] = [output.text for output in engine.translate(texts)]

        return job

    jobs: list[tuple[str, Callable[[], None]]] = [
        ("argos-batch", run("argos-batch", batch)),
        ("ray-1", run("ray-1", one)),
        ("ray-2", run("ray-2", two)),
        ("ray-1-small", run("ray-1-small", small)),
        ("local-batches", local_batches),
        ("ray-startup", lambda: one.translate(["Start."])),
    ]
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in jobs}
    for round_ in range(rounds):
        for name, job in jobs if round_ % 2 == 0 else jobs[::-1]:
            timings[name].append(_timed(job))
            print(f"round {round_ + 1} {name}: {timings[name][-1][0]:.2f} s", flush=True)
    for name, values in timings.items():
        results[name] = bench_mt._median([wall for wall, _ in values])
        results[name + "_driver_cpu"] = bench_mt._median([cpu for _, cpu in values])
    results["identical"] = (
        outputs["argos-batch"] == outputs["ray-1"] == outputs["ray-2"] == outputs["ray-1-small"]
    )
    ray.shutdown()
    return results


def report(results: dict[str, Any]) -> None:
    units = results["units"]
    rate = {name: units / results[name] for name in ("argos-batch", "ray-1", "ray-2")}
    startup = results["ray-startup"]
    ray_small = results["ray-1-small"] - startup
    per_batch = (ray_small - results["local-batches"]) / max(1, results["batches"])
    node_rate = units / max(1e-9, results["ray-2"] - startup)
    driver = results["ray-2_driver_cpu"] / units
    print(
        f"\n{units} units ({results['sentences']} distinct sentences; batches of 64), "
        f"realistic en→cs model, beam 4, int8, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"local Ray started in {results['ray_init']:.1f} s (once per process)")
    print("                                         units/s   ratio to argos-batch")
    print(f"argos-batch, in process (inter 2)      {rate['argos-batch']:8.1f}   1.00x")
    for name, label in (("ray-1", "ray, 1 actor x 2 CPUs"), ("ray-2", "ray, 2 actors x 1 CPU")):
        print(f"{label:<38} {rate[name]:8.1f}   {rate[name] / rate['argos-batch']:.2f}x")
    print(f"start-up of a ray run (actors, model load, one unit): {startup:.2f} s")
    print(
        f"Ray's overhead per batch: 1 actor x 2 CPUs, {results['batches']} batches of "
        f"{results['size']} sentences: {ray_small:.2f} s after start-up, the same batches in "
        f"this process with the same threads {results['local-batches']:.2f} s: "
        f"{per_batch * 1000:.0f} ms per batch"
    )
    print(f"one node (2 actors), start-up excluded: r = {node_rate:.1f} units/s")
    print(f"driver CPU per unit: d = {driver * 1000:.2f} ms")
    print(f"same text from argos-batch and ray: {results['identical']}")
    print("projection T(N) = S + U x max(1/(N r), d) for U = 100,000 units:")
    for nodes in (1, 2, 4, 8, 16, 32):
        seconds = startup + 100_000 * max(1 / (nodes * node_rate), driver)
        print(f"  N = {nodes:2d}: {seconds / 60:7.1f} min")
    print(f"the driver limits from N* = 1/(r d) = {1 / max(1e-9, node_rate * driver):.0f} nodes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=160, help="units of the source to translate")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every job")
    parser.add_argument("--workdir", type=Path, help="keep the model here (default: temporary)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    os.environ.update(bench_mt._argos_env(workdir))  # before anything imports Argos
    sys.path.insert(0, str(REPO))
    try:
        report(measure(args.units, args.rounds, workdir))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
