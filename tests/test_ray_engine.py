"""The ``ray`` engine on a real local Ray (one cluster for this module, two CPUs), with the tiny
Argos packages: the same text and catalogs as ``argos`` and ``argos-batch``, results streamed
batch by batch, an actor killed mid-run, a worker without the model, and no Ray installed.

Ray's driver talks to its own processes over gRPC on 127.0.0.1 (C++, which the socket guard does
not see); the tests are marked `loopback` all the same. Ray's workers are separate processes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argos_fixtures import ArgosModels

from pipeline import engines
from pipeline.engines import Engine, EngineOutput
from pipeline.engines.ray_engine import MISSING_RAY, RayEngine, import_ray, ray_settings
from pipeline.errors import ConfigError, ModelError

pytestmark = pytest.mark.loopback

REPO = Path(__file__).resolve().parent.parent
TEXTS = [
    "Hello world.",
    "There were 3 meetings in 2024, and 12 people came; 4,096 and 3.14 too.",
    "He said: “This is only the beginning.” Then he left. Nobody followed.",
    "The file snake_case_name.txt and __init__ and %(user_name)s stay?",
    "First paragraph.\nSecond paragraph, after a line break.",
    "",
    "Hello world.",  # a repeated unit
    "word " * 300,  # cut short at 256 target tokens
]
HEADER = {
    "Project-Id-Version": "ray-test",
    "Language": "cs",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    """One local Ray for the module: two CPUs, 127.0.0.1 only, no dashboard, shut down after."""
    ray = import_ray()
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
        _node_ip_address="127.0.0.1",
    )
    yield ray
    ray.shutdown()


def open_engine(name: str, source: str, target: str, **settings: Any) -> Engine:
    """The engine as `pipeline build` opens it (settings may hold strings here)."""
    return engines.named(name).open(source, target, settings)


def open_ray(target: str, **settings: Any) -> RayEngine:
    engine = open_engine("ray", "en", target, **settings)
    assert isinstance(engine, RayEngine)
    return engine


def many_sentences(count: int) -> list[str]:
    return [f"Sentence number {number} of the run is here." for number in range(count)]


def test_ray_gives_argos_batch_text_streamed_batch_by_batch(
    argos_models: ArgosModels, ray_cluster: Any
) -> None:
    texts = TEXTS + many_sentences(40)
    expected = open_engine("argos-batch", "en", "cs", unit="sentence").translate(texts)
    engine = open_ray("cs", unit="sentence", batch_size=8)
    chunks = list(engine.translate_stream(texts))
    got: dict[int, EngineOutput] = {}
    for indices, outputs in chunks:
        assert len(indices) == len(outputs)
        assert not set(indices) & set(got)  # each text exactly once
        got.update(zip(indices, outputs, strict=True))
    assert sorted(got) == list(range(len(texts)))
    ordered = [got[index] for index in range(len(texts))]
    assert ordered == expected  # text and cut-short flag
    assert [o.score for o in ordered] == [o.score for o in expected]
    assert ordered[len(TEXTS) - 1].cut_short  # the 300-word unit
    assert len(chunks) > 3  # 48 distinct sentences in batches of 8: several arrivals
    assert engine.fingerprint == expected_fingerprint("cs")


def expected_fingerprint(target: str) -> str:
    batch = open_engine("argos-batch", "en", target, unit="sentence")
    return batch.fingerprint.replace("argos-batch ", "ray ", 1)


def test_paragraph_units_are_split_as_argos_batch_splits_them(
    argos_models: ArgosModels, ray_cluster: Any
) -> None:
    texts = ["One sentence here. Another one there! A third? Yes.", *TEXTS[:5]]
    expected = open_engine("argos-batch", "en", "cs", unit="paragraph").translate(texts)
    assert open_ray("cs", unit="paragraph").translate(texts) == expected


def _translate_with(engine: str, project: Path, language: str) -> bytes:
    from helpers import run_cli

    assert run_cli(project, "translate", "--quiet", "--engine", engine, "--lang", language) == 0
    return (project / "locales" / language / "kras-interview.po").read_bytes()


def _same_but_engine(catalog: bytes, engine: str) -> bytes:
    """The catalog with the engine's name in `# mt:` comments read as argos-batch's, and the
    header's dates blanked (they say when, not what)."""
    text = catalog.decode("utf-8").replace(f"# mt: {engine} ", "# mt: argos-batch ")
    text = re.sub(r'"(POT-Creation-Date|PO-Revision-Date): [^"\\]*', r'"\1: ', text)
    return text.encode("utf-8")


def test_argos_argos_batch_and_ray_give_identical_catalogs(
    argos_models: ArgosModels, ray_cluster: Any, repo_copy: Path, tmp_path: Path
) -> None:
    catalogs = {}
    for engine in ("argos", "argos-batch", "ray"):
        project = tmp_path / engine
        shutil.copytree(repo_copy, project)
        shutil.rmtree(project / "locales", ignore_errors=True)
        catalogs[engine] = _translate_with(engine, project, "cs")
        assert f"# mt: {engine} translate-en_cs 1.0 ".encode() in catalogs[engine]
    reference = _same_but_engine(catalogs["argos"], "argos")
    assert reference.count(b"# mt: argos-batch ") > 100
    assert _same_but_engine(catalogs["argos-batch"], "argos-batch") == reference
    assert _same_but_engine(catalogs["ray"], "ray") == reference


def _alive_translators(ray: Any) -> list[dict[str, Any]]:
    actors = ray._private.state.actors().values()  # the GCS table: no dashboard needed
    return [
        actor
        for actor in actors
        if "RayTranslator" in actor["ActorClassName"] and actor["State"] == "ALIVE"
    ]


def test_an_actor_killed_mid_run_does_not_spoil_the_catalog(
    argos_models: ArgosModels, ray_cluster: Any, tmp_path: Path
) -> None:
    from pipeline.catalog import dump_catalog
    from pipeline.machine import translate_catalog
    from pipeline.model import Catalog, Entry
    from pipeline.mt_cache import TranslationCache

    sentences = many_sentences(200)

    def catalog() -> Catalog:
        return Catalog(header=dict(HEADER), entries=[Entry(text) for text in sentences])

    expected = catalog()
    with TranslationCache(tmp_path / "batch.sqlite") as cache:
        translate_catalog(expected, open_engine("argos-batch", "en", "cs", unit="sentence"), cache)

    killed: list[str] = []
    arrivals_after_kill: list[int] = []

    def kill_one_actor(done: int) -> None:
        if killed:
            arrivals_after_kill.append(done)
            return
        # The newest actor: one of this run's (an earlier run's actors are being torn down).
        victim = max(_alive_translators(ray_cluster), key=lambda actor: actor["StartTime"])
        os.kill(int(victim["Pid"]), signal.SIGKILL)
        killed.append(victim["ActorID"])

    got = catalog()
    with TranslationCache(tmp_path / "ray.sqlite") as cache:
        engine = open_ray("cs", unit="sentence", batch_size=2, actors=2)
        report = translate_catalog(got, engine, cache, progress=kill_one_actor)
        assert cache.count() == len(sentences)
    assert report.filled == len(sentences) and not report.rejected
    restarted = ray_cluster._private.state.actors(killed[0])
    assert restarted["NumRestarts"] >= 1  # it was restarted: it still had work to do
    assert arrivals_after_kill
    assert _same_but_engine(dump_catalog(got), "ray") == dump_catalog(expected)


def test_results_reach_the_cache_batch_by_batch(
    argos_models: ArgosModels, ray_cluster: Any, tmp_path: Path
) -> None:
    """Each arrival is committed before the next: a driver killed mid-run keeps what came."""
    from pipeline.machine import translate_catalog
    from pipeline.model import Catalog, Entry
    from pipeline.mt_cache import TranslationCache

    sentences = many_sentences(60)
    committed: list[int] = []
    with TranslationCache(tmp_path / "cache.sqlite") as cache:
        engine = open_ray("cs", unit="sentence", batch_size=4)

        def seen() -> None:  # runs after each arrival's commit, from another connection
            with TranslationCache(tmp_path / "cache.sqlite") as reader:
                committed.append(reader.count())

        translate_catalog(
            Catalog(header=dict(HEADER), entries=[Entry(s) for s in sentences]),
            engine,
            cache,
            on_batch_done=seen,
        )
    assert len(committed) > 3 and committed == sorted(committed)
    assert committed[0] < len(sentences) and committed[-1] == len(sentences)


def test_a_worker_without_the_model_is_one_line_naming_node_and_model(
    argos_models: ArgosModels, ray_cluster: Any, tmp_path: Path
) -> None:
    import socket

    empty = tmp_path / "workers-models"
    empty.mkdir()
    engine = open_ray("cs", unit="sentence", worker_models=str(empty))
    with pytest.raises(ModelError) as error:
        engine.translate(["Hello world."])
    line = error.value.one_line()
    assert "\n" not in line
    assert f"node {socket.gethostname()} (" in line
    assert "has no model translate-en_cs" in line and str(empty) in line


def test_models_reach_the_workers_through_the_runtime_environment(
    argos_models: ArgosModels, ray_cluster: Any
) -> None:
    texts = TEXTS[:5]
    expected = open_engine("argos-batch", "en", "ru", unit="sentence").translate(texts)
    assert open_ray("ru", unit="sentence", models="runtime_env").translate(texts) == expected


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"actor": 2}, "[tool.pipeline.engines.ray] actor: unknown key (known: actors, "),
        ({"batch_size": 0}, "[tool.pipeline.engines.ray] batch_size: expected a positive"),
        ({"gpus_per_actor": -1}, "[tool.pipeline.engines.ray] gpus_per_actor: expected a num"),
        ({"models": "s3"}, '[tool.pipeline.engines.ray] models: expected one of "path", '),
        ({"worker_models": 3}, "[tool.pipeline.engines.ray] worker_models: expected a folder"),
    ],
)
def test_settings_are_checked_in_one_line(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        ray_settings(settings)
    assert error.value.one_line().startswith("pyproject.toml: " + message)


def test_settings_defaults_and_values() -> None:
    checked = ray_settings({"unit": "sentence", "actors": 3, "gpus_per_actor": 0.5})
    assert (checked.actors, checked.cpus_per_actor, checked.gpus_per_actor) == (3, 1, 0.5)
    assert (checked.batch_size, checked.models, checked.worker_models) == (64, "path", "")


def test_without_ray_the_engine_is_one_line_saying_how_to_install_it(project: Path) -> None:
    """A real process in which `import ray` fails, as it does where Ray is not installed."""
    blocked = (
        "import sys; sys.modules['ray'] = None; "
        "from pipeline.cli import main; raise SystemExit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for command in ("translate", "build"):
        done = subprocess.run(
            [sys.executable, "-c", blocked, "--project", str(project), command, "--engine", "ray"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines() == [f"pipeline: error: {MISSING_RAY}"]
        assert "pip install '.[cluster]'" in done.stderr
        assert not (project / "locales").exists()  # nothing written


def test_a_ray_address_that_does_not_answer_is_one_line(
    argos_models: ArgosModels, project: Path
) -> None:
    """--ray-address (RAY_ADDRESS) pointing at a closed port on 127.0.0.1: one line, exit 2,
    within seconds (Ray alone would retry for minutes)."""
    import socket

    from helpers import run_process

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends
    env = {"ARGOS_PACKAGES_DIR": str(argos_models.packages_dir), "RAY_ADDRESS": ""}
    done = run_process(
        project,
        "translate",
        "--engine",
        "ray",
        "--lang",
        "cs",
        "--ray-address",
        f"127.0.0.1:{port}",
        env=env,
    )
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("pipeline: error:")]
    assert errors == [
        f"pipeline: error: cannot connect to the Ray cluster at 127.0.0.1:{port}: Connection "
        "refused (RAY_ADDRESS or --ray-address: the head node's host:port, as `ray start "
        "--head` printed it)"
    ]
