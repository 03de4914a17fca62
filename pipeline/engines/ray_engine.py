"""The Ray engine: ``argos-batch``'s translation spread over the actors of a Ray cluster.

Registered as ``ray`` in the entry-point group ``pipeline.engines``. The driver (the process that
runs ``pipeline build``) splits and encodes the units exactly as ``argos-batch`` does
(`ct2_batch.prepare`), sends each distinct sentence's pieces as a row of a Ray Dataset through
``map_batches`` to a pool of actors, each of which loads the CTranslate2 model once in its
constructor and runs `ct2_batch.translate_tokens` with ``argos-batch``'s options; the driver
decodes and joins the hypotheses with `ct2_batch.finish`. The text is therefore the same as
``argos-batch``'s by construction. Results come back batch by batch (`RayEngine.translate_stream`),
so `pipeline.machine` commits them to the cache as they arrive: a killed driver loses at most the
batches in flight. Only the driver writes catalogs.

Ray is an optional extra (``pip install '.[cluster]'``) and is imported only when the engine
opens; usage statistics are switched off before it is imported, the local cluster listens on
127.0.0.1 only and starts no dashboard. See docs/cluster.md.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ModelError
from . import UNIT, EngineOutput, ct2_batch
from .argos_batch import ArgosBatchEngine
from .argos_packages import (
    ArgosFactoryBase,
    Choice,
    engine_settings,
    model_fingerprint,
    package_for,
)

RAY_VERSION = "2.60.0"  # the pin of the `cluster` extra in pyproject.toml
INSTALL_HINT = "pip install '.[cluster]'"
MISSING_RAY = (
    f"engine ray needs Ray, which is not installed; run `{INSTALL_HINT}` in the pipeline's "
    f"folder (or `pip install 'ray[data]=={RAY_VERSION}'`)"
)
# Settings checked by `engine_settings` (positive integers, choices) and their defaults; the
# default ``actors`` 0 means one actor per ``cpus_per_actor`` CPUs of the cluster.
SETTINGS: dict[str, int | Choice] = {
    "actors": 0,
    "cpus_per_actor": 1,
    "batch_size": 64,
    "models": Choice("path", ("path", "runtime_env")),
}
MAX_BATCH_SIZE = 32  # CTranslate2's own batches inside one actor call, as argos-batch
MAX_RESTARTS = 3  # an actor killed mid-run is restarted; its batch is tried again
MAX_TASK_RETRIES = 3
_WHERE = "[tool.pipeline.engines.ray]"


@dataclass(frozen=True)
class RaySettings:
    """The ``[tool.pipeline.engines.ray]`` table, checked."""

    actors: int = 0
    """Actors in the pool; 0: the cluster's CPUs divided by ``cpus_per_actor`` (at least 1)."""
    cpus_per_actor: int = 1
    """CPUs Ray reserves per actor; CTranslate2's intra threads."""
    gpus_per_actor: float = 0
    """GPUs per actor (0: CPU only; more than 0 runs CTranslate2 on CUDA, int8_float16)."""
    batch_size: int = 64
    """Sentences per actor call (one Ray batch); results reach the cache per batch."""
    models: str = "path"
    """How models reach the workers: "path" (the same folder on every node, or
    ``worker_models``) or "runtime_env" (Ray copies the package to each node)."""
    worker_models: str = ""
    """The folder of Argos packages on the workers, when it is not the driver's folder."""


def ray_settings(settings: Mapping[str, Any]) -> RaySettings:
    """The settings table checked: unknown keys and bad values are one ConfigError line."""
    table = dict(settings)
    table.pop(UNIT, None)
    gpus = table.pop("gpus_per_actor", 0)
    if isinstance(gpus, bool) or not isinstance(gpus, int | float) or gpus < 0:
        raise ConfigError(
            f"{_WHERE} gpus_per_actor: expected a number ≥ 0, got {gpus!r}", path="pyproject.toml"
        )
    worker_models = table.pop("worker_models", "")
    if not isinstance(worker_models, str):
        raise ConfigError(
            f"{_WHERE} worker_models: expected a folder name, got {worker_models!r}",
            path="pyproject.toml",
        )
    # gpus_per_actor and worker_models are checked above; named here for the "known" list.
    values = engine_settings("ray", table, {**SETTINGS, "gpus_per_actor": 0, "worker_models": 0})
    return RaySettings(
        actors=values["actors"],
        cpus_per_actor=values["cpus_per_actor"],
        gpus_per_actor=gpus,
        batch_size=values["batch_size"],
        models=values["models"],
        worker_models=worker_models,
    )


# --- Ray itself ----------------------------------------------------------------------------------


def ray_missing() -> bool:
    """Whether Ray cannot be imported here (answered without importing it)."""
    if "ray" in sys.modules:
        return sys.modules["ray"] is None
    try:
        return importlib.util.find_spec("ray") is None
    except (ImportError, ValueError):
        return True


def import_ray() -> Any:
    """Ray, with usage statistics off before it is imported; a missing Ray is one line."""
    import warnings

    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    with warnings.catch_warnings():
        # Ray 2.60 warns about its own deprecated settings while making its defaults.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import ray
            import ray.data
        except ImportError:
            raise ConfigError(MISSING_RAY) from None
        context = ray.data.DataContext.get_current()
    for name in ("ray", "ray.data"):  # Ray's own chatter; the pipeline reports what matters
        logging.getLogger(name).setLevel(logging.ERROR)
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    context.enable_auto_log_stats = False
    return ray


def connect(address: str | None = None) -> Any:
    """Ray, connected: to ``address`` or ``RAY_ADDRESS`` when given, else to a new single-node
    Ray on this machine (127.0.0.1 only, no dashboard). A Ray already connected in this process
    is used as it is."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    address = address or os.environ.get("RAY_ADDRESS") or None
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR}
    try:
        if address:
            check_reachable(address)
            ray.init(address=address, **quiet)
        else:
            ray.init(
                address="local",
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                **quiet,
            )
    except (ConnectionError, RuntimeError, ValueError) as error:
        shown = address or "a local Ray"
        reason = " ".join(str(error).split())[:300]
        raise ConfigError(f"cannot connect to the Ray cluster at {shown}: {reason}") from None
    return ray


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """A ``host:port`` address that does not answer is one line within seconds (Ray itself would
    retry for minutes, logging as it goes). Other forms ("auto", ``ray://``) go to Ray as they
    are."""
    import socket

    host, colon, port = address.rpartition(":")
    if not colon or "/" in address or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(
            f"cannot connect to the Ray cluster at {address}: {reason} (RAY_ADDRESS or "
            "--ray-address: the head node's host:port, as `ray start --head` printed it)"
        ) from None


def node_name() -> str:
    """This node as an operator finds it: host name and Ray's IP address."""
    import socket

    try:
        import ray

        util: Any = ray.util
        address = str(util.get_node_ip_address())
    except Exception:  # outside a Ray worker: the host name says enough
        address = "?"
    return f"{socket.gethostname()} ({address})"


def upload_package(folder: Path) -> dict[str, Any]:
    """A runtime environment whose working directory is the package: Ray zips the folder into
    the cluster's own store (GCS, at most 512 MiB), as it does for a job's ``working_dir``, and
    each node unpacks it once; the actors start in that copy. Ray's public API does this only
    for a whole job (`ray.init`); the engine needs it per package, so it calls the same
    function (`working_dir.upload_working_dir_if_needed` of the pinned Ray)."""
    import tempfile

    from ray._private.runtime_env.working_dir import upload_working_dir_if_needed

    with tempfile.TemporaryDirectory(prefix="pipeline-ray-") as scratch:
        try:
            uploaded: dict[str, Any] = upload_working_dir_if_needed(
                {"working_dir": str(folder)},
                include_gitignore=False,
                scratch_dir=scratch,
                logger=logging.getLogger("ray"),
            )
        except (OSError, ValueError) as error:
            reason = " ".join(str(error).split())[:300]
            raise ModelError(f"cannot send the model to the Ray cluster: {reason}") from None
    return uploaded


# --- the actors ----------------------------------------------------------------------------------


class RayTranslator:
    """One actor of the pool: loads the package's CTranslate2 model once, then translates batches
    of sentence pieces. A node without the model (or with another one) answers every row with
    one line naming the node and the model, which the driver raises as a ModelError."""

    def __init__(
        self,
        *,
        folder: str,
        model: str,
        model_hash: str,
        device: str,
        intra_threads: int,
        target_prefix: str,
        beam_size: int,
    ) -> None:
        package = Path(folder) if folder else Path.cwd()  # "": runtime_env's working dir
        self.target_prefix = target_prefix
        self.beam_size = beam_size
        self.problem = ""
        self.model: ct2_batch.Ct2Model | None = None
        where = f"node {node_name()}"
        if not (package / "model" / "model.bin").is_file():
            self.problem = f"{where} has no model {model} (looked in {package})"
        elif model_fingerprint(package) != model_hash:
            self.problem = f"{where} has another model {model} than the driver (in {package})"
        else:
            try:
                self.model = ct2_batch.load_model(
                    package, device=device, inter_threads=1, intra_threads=intra_threads
                )
            except (ModelError, ConfigError) as error:
                self.problem = f"{where}, model {model}: {error.one_line()}"

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        slots = [int(slot) for slot in batch["slot"]]
        if self.model is None:
            empty: list[list[str]] = [[] for _ in slots]
            return {
                "slot": slots,
                "tokens": empty,
                "score": [0.0] * len(slots),
                "source_length": [0] * len(slots),
                "error": [self.problem] * len(slots),
            }
        pieces = [[str(piece) for piece in tokens] for tokens in batch["tokens"]]
        try:
            hypotheses = ct2_batch.translate_tokens(
                self.model.translator,
                pieces,
                target_prefix=self.target_prefix,
                max_batch_size=MAX_BATCH_SIZE,
                beam_size=self.beam_size,
            )
        except ModelError as error:
            problem = f"node {node_name()}: {error.one_line()}"
            return {
                "slot": slots,
                "tokens": [[] for _ in slots],
                "score": [0.0] * len(slots),
                "source_length": [0] * len(slots),
                "error": [problem] * len(slots),
            }
        return {
            "slot": slots,
            "tokens": [h.tokens for h in hypotheses],
            "score": [h.score for h in hypotheses],
            "source_length": [h.source_length for h in hypotheses],
            "error": [""] * len(slots),
        }


# --- the engine ----------------------------------------------------------------------------------


class RayEngine:
    """``argos-batch`` on a Ray cluster: same text, same cache fingerprint apart from the name."""

    name = "ray"

    def __init__(self, local: ArgosBatchEngine, settings: RaySettings) -> None:
        self.local = local  # the driver's half: package, options, splitting; no model loaded
        self.settings = settings
        self.package = local.package
        self.model = local.model
        self.version = local.version
        self.model_hash = model_fingerprint(local.package.path)
        self.device = "cuda" if settings.gpus_per_actor > 0 else "cpu"
        self.fingerprint = local.fingerprint.replace("argos-batch", self.name, 1)
        if self.device == "cuda":
            self.fingerprint += f" device=cuda compute={ct2_batch.CUDA_COMPUTE_TYPE}"
        self._tokenizer: Any = None

    def _encode(self, text: str) -> list[str]:
        if self._tokenizer is None:
            self._tokenizer = ct2_batch.load_tokenizer(self.package.path)
        return list(self._tokenizer.encode(text))

    def _decode(self, pieces: list[str]) -> str:
        return str(self._tokenizer.decode(pieces))

    def _actors(self, ray: Any) -> int:
        if self.settings.actors:
            return self.settings.actors
        cpus = int(ray.cluster_resources().get("CPU", 1))
        return max(1, cpus // self.settings.cpus_per_actor)

    def _dataset(self, ray: Any, rows: list[dict[str, Any]]) -> Any:
        """The rows through ``map_batches`` on an actor pool of `RayTranslator`s."""
        import warnings

        settings = self.settings
        folder = str(self.package.path)
        runtime_env = None
        if settings.models == "runtime_env":
            folder = ""  # the actor's working directory: Ray's copy of the package
            runtime_env = upload_package(self.package.path)
        elif settings.worker_models:
            folder = str(Path(settings.worker_models) / self.package.path.name)
        blocks = max(1, -(-len(rows) // settings.batch_size))
        dataset = ray.data.from_items(rows, override_num_blocks=blocks)
        with warnings.catch_warnings():
            # Ray 2.60 calls passing max_restarts this way deprecated (removed in 2.64); the
            # `cluster` extra pins 2.60, whose default would retry a crashing batch forever.
            warnings.filterwarnings("ignore", "`ray_remote_args` is deprecated", DeprecationWarning)
            return dataset.map_batches(
                RayTranslator,
                fn_constructor_kwargs={
                    "folder": folder,
                    "model": self.model,
                    "model_hash": self.model_hash,
                    "device": self.device,
                    "intra_threads": settings.cpus_per_actor,
                    "target_prefix": self.local.target_prefix,
                    "beam_size": self.local.beam_size,
                },
                batch_size=settings.batch_size,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=min(blocks, self._actors(ray))),
                num_cpus=settings.cpus_per_actor,
                num_gpus=settings.gpus_per_actor or None,
                runtime_env=runtime_env,
                max_restarts=MAX_RESTARTS,
                max_task_retries=MAX_TASK_RETRIES,
            )

    def translate_stream(
        self, texts: Sequence[str]
    ) -> Iterator[tuple[list[int], list[EngineOutput]]]:
        """(indices of texts, their outputs) as the cluster finishes them, in no fixed order.

        Every text is split and encoded here, each distinct sentence goes to the actors once, and
        a text is finished (decoded, joined) as soon as all of its sentences are back.
        """
        if not texts:
            return
        split = ct2_batch.whole if self.local.unit == "sentence" else ct2_batch.pipeline_splitter
        units = [ct2_batch.prepare([text], encode=self._encode, split=split) for text in texts]
        slots: dict[tuple[str, ...], int] = {}
        waiting: dict[int, list[int]] = {}
        remaining: list[int] = []
        for index, unit in enumerate(units):
            mine = {slots.setdefault(tuple(tokens), len(slots)) for tokens in unit.batch}
            remaining.append(len(mine))
            for slot in mine:
                waiting.setdefault(slot, []).append(index)
        done: dict[int, ct2_batch.Hypothesis] = {}

        def finished(indices: list[int]) -> tuple[list[int], list[EngineOutput]]:
            outputs = []
            for index in indices:
                unit = units[index]
                hypotheses = [done[slots[tuple(tokens)]] for tokens in unit.batch]
                (output,) = ct2_batch.finish(
                    unit, hypotheses, target_prefix=self.local.target_prefix, decode=self._decode
                )
                outputs.append(output)
            return indices, outputs

        ready = [index for index, count in enumerate(remaining) if count == 0]
        if ready:
            yield finished(ready)
        if not slots:
            return
        ray = connect()
        rows = [{"slot": slot, "tokens": list(tokens)} for tokens, slot in slots.items()]
        try:
            for batch in self._dataset(ray, rows).iter_batches(
                batch_size=None, batch_format="numpy"
            ):
                problems = [str(problem) for problem in batch["error"] if problem]
                if problems:
                    raise ModelError(problems[0])
                ready = []
                for slot, tokens, score, length in zip(
                    batch["slot"],
                    batch["tokens"],
                    batch["score"],
                    batch["source_length"],
                    strict=True,
                ):
                    slot = int(slot)
                    if slot in done:  # a retried batch may come back twice
                        continue
                    done[slot] = ct2_batch.Hypothesis(
                        [str(piece) for piece in tokens], float(score), int(length)
                    )
                    for index in waiting[slot]:
                        remaining[index] -= 1
                        if remaining[index] == 0:
                            ready.append(index)
                if ready:
                    yield finished(ready)
        except (ray.exceptions.RayError, RuntimeError, ValueError, OSError) as error:
            # Ray Data re-raises its own failures as these; the pipeline's errors pass through.
            reason = " ".join(str(error).split())[:300] or type(error).__name__
            raise ModelError(f"the Ray run failed: {reason}") from None
        if len(done) != len(slots):
            raise ModelError(f"the Ray run returned {len(done)} of {len(slots)} sentences")

    def translate(self, texts: list[str]) -> list[EngineOutput]:
        outputs: list[EngineOutput | None] = [None] * len(texts)
        for indices, values in self.translate_stream(texts):
            for index, output in zip(indices, values, strict=True):
                outputs[index] = output
        return [output for output in outputs if output is not None]

    def close(self) -> None:
        """Nothing to let go of here: the actors end with their run; Ray stays connected for the
        next language (it shuts down when the process exits)."""
        self._tokenizer = None


class RayFactory(ArgosFactoryBase):
    """``ray``: serves the pairs whose Argos package the driver has installed (the workers find
    it through a shared path or Ray's runtime environment, docs/cluster.md)."""

    name = "ray"
    display_name = "Argos Translate"  # the same translation as argos-batch

    def serves(self, source: str, target: str) -> bool:
        """Whether a package for the pair is installed; without Ray this is one line (asked
        before anything is written)."""
        if ray_missing():
            raise ConfigError(MISSING_RAY)
        return super().serves(source, target)

    def open(self, source: str, target: str, settings: Mapping[str, Any]) -> RayEngine:
        """The engine for source→target; Ray is connected when it first translates."""
        if ray_missing():
            raise ConfigError(MISSING_RAY)
        checked = ray_settings(settings)
        local = ArgosBatchEngine(
            package_for(source, target), device="cpu", unit=str(settings.get(UNIT, "paragraph"))
        )
        return RayEngine(local, checked)
