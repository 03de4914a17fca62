"""The Argos engines (through the engine registry), installed packages, model installation and
the MT cache, with real tiny Argos packages built by tests/argos_models.py."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from pathlib import Path

import argos_models
import pytest
from argos_fixtures import ArgosModels, open_engine, texts

from pipeline import engines
from pipeline.engines import Engine, EngineFactory, EngineOutput
from pipeline.engines.argos import ArgosEngine, ArgosFactory
from pipeline.engines.argos_batch import ArgosBatchEngine, ArgosBatchFactory
from pipeline.engines.argos_install import install_model_file
from pipeline.engines.argos_packages import MAX_DECODING_LENGTH, installed_packages
from pipeline.errors import ConfigError, ModelError
from pipeline.mt_cache import CacheKey, TranslationCache

REPO = Path(__file__).resolve().parent.parent

# Sentences where pre- and post-processing could go wrong: numbers, quotes, ellipses, underscores,
# placeholders, abbreviations, several sentences, odd whitespace, paragraphs, repeats.
TRICKY = [
    "Hello world.",
    "There were 3 meetings in 2024, and 12 people came; 4,096 and 3.14 too.",
    "He said: “This is only the beginning.” Then he left.",
    'She asked, "Why not?" and then she left.',
    "«Guillemets» and „low quotes“ and ‘single’ ones.",
    "Wait... what happened next? Nobody knows… yet.",
    "The file snake_case_name.txt and __init__ and %(user_name)s stay?",
    "You have %(count)d new messages from {user}.",
    "Mr. Smith met Dr. Jones at 10:30. Then   they left!  OK",
    "  padded  ",
    "first paragraph\nsecond paragraph\n\nafter a blank line",
    "\n\nleading newlines",
    "Emoji 😀 and ünusual äccents come back.",
    "42",
    "",
    "Hello world.",
]
MODELS = [("cs", "upper"), ("ru", "cyrillic"), ("de", "copy")]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the model builder ---------------------------------------------------------------------------


def test_builder_is_byte_reproducible(tmp_path: Path) -> None:
    first = argos_models.build_package(tmp_path / "a", "en", "cs", "upper")
    argos_models.tiny_tokenizer.cache_clear()
    argos_models._ct2_files.cache_clear()
    second = argos_models.build_package(tmp_path / "b", "en", "cs", "upper")
    assert _sha(first) == _sha(second)
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
    assert names == sorted(names)
    assert "translate-en_cs/metadata.json" in names
    assert "translate-en_cs/minisbd/en.onnx" in names
    assert first.stat().st_size < 2_000_000


# --- installed packages --------------------------------------------------------------------------


def test_installed_packages_lists_the_test_models(argos_models: ArgosModels) -> None:
    pairs = {(p.from_code, p.to_code): p for p in installed_packages()}
    assert {("en", "cs"), ("en", "sk"), ("en", "ru"), ("en", "uk"), ("en", "de")} <= set(pairs)
    cs = pairs[("en", "cs")]
    assert cs.name == "translate-en_cs"
    assert cs.version == "1.0"
    assert cs.path == argos_models.packages_dir / "translate-en_cs"


def test_listing_packages_does_not_import_argos_translate(argos_models: ArgosModels) -> None:
    code = (
        "import sys, pipeline.engines.argos_packages as t\n"
        "found = sorted(p.to_code for p in t.installed_packages())\n"
        "heavy = [m for m in ('argostranslate.translate', 'ctranslate2', 'torch', 'stanza',"
        " 'onnxruntime') if m in sys.modules]\n"
        "print(found, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "['cs', 'de', 'ru', 'sk', 'uk'] []"


def test_factories_answer_without_importing_argos(argos_models: ArgosModels) -> None:
    """What `pipeline build` asks before it has work (serves, fingerprint) loads no Argos at all."""
    code = (
        "import sys\n"
        "from pipeline import engines\n"
        "factory = engines.named('argos-batch')\n"
        "served = [t for t in ('cs', 'pl', 'ru') if factory.serves('en', t)]\n"
        "print(served, factory.fingerprint('en', 'cs').split()[:2])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('argostranslate', "
        "'ctranslate2', 'sentencepiece', 'minisbd', 'onnxruntime', 'torch')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == ["['cs', 'ru'] ['translate-en_cs', '1.0']", "[]"]


# --- the two engines give the same text ----------------------------------------------------------


@pytest.mark.parametrize(("target", "mode"), MODELS)
def test_batch_engine_matches_argos_exactly(
    argos_models: ArgosModels, target: str, mode: str
) -> None:
    reference = open_engine("argos", "en", target)
    batch = open_engine("argos-batch", "en", target)
    assert isinstance(reference, ArgosEngine) and isinstance(batch, ArgosBatchEngine)
    expected = reference.translate(TRICKY)
    assert batch.translate(TRICKY) == expected
    # One unit at a time gives the same as one batch: outputs do not depend on batch company.
    assert [batch.translate([text])[0] for text in TRICKY] == expected
    assert expected[0].text == argos_models_expected(mode, "Hello world.")


def argos_models_expected(mode: str, text: str) -> str:
    return {"upper": text.upper(), "copy": text, "cyrillic": "Хелло шорлд."}[mode]


def test_argos_quirks_are_reproduced_not_fixed(argos_models: ArgosModels) -> None:
    """The batch engine keeps Argos's post-processing, quirks included (docs, section 6)."""
    batch = open_engine("argos-batch", "en", "de")
    out = dict(zip(TRICKY, texts(batch.translate(TRICKY)), strict=True))
    assert out["The file snake_case_name.txt and __init__ and %(user_name)s stay?"] == (
        "The file snake case name.txt and   init   and %(user name)s stay?"
    )
    assert out["  padded  "] == "padded"
    assert out["Mr. Smith met Dr. Jones at 10:30. Then   they left!  OK"] == (
        "Mr. Smith met Dr. Jones at 10:30. Then   they left! OK"
    )
    assert out["first paragraph\nsecond paragraph\n\nafter a blank line"] == (
        "first paragraph\nsecond paragraph\n\nafter a blank line"
    )
    assert out["\n\nleading newlines"] == "leading newlines"
    assert out["Emoji 😀 and ünusual äccents come back."] == (
        "Emoji 😀 and ünusual äccents come back."
    )
    assert out[""] == ""


def test_upper_and_cyrillic_models_change_letters_only(argos_models: ArgosModels) -> None:
    text = "There were 3 meetings in 2024; “quotes” stay... and so do 4,096 items."
    assert texts(open_engine("argos-batch", "en", "cs").translate([text])) == [
        "THERE WERE 3 MEETINGS IN 2024; “QUOTES” STAY... AND SO DO 4,096 ITEMS."
    ]
    (russian,) = texts(open_engine("argos-batch", "en", "ru").translate([text]))
    assert russian.startswith("Тхере шере 3 ")
    assert "2024; “" in russian and "4,096" in russian


def test_output_cut_at_256_tokens_is_flagged_by_both_engines(argos_models: ArgosModels) -> None:
    # With the tiny tokenizer "▁the" is one piece, so n words are n tokens.
    long_text = " ".join(["the"] * (MAX_DECODING_LENGTH + 40))
    fits = " ".join(["the"] * (MAX_DECODING_LENGTH - 1))
    for kind in ("argos", "argos-batch"):
        engine = open_engine(kind, "en", "de")
        assert isinstance(engine, ArgosEngine | ArgosBatchEngine)
        cut, whole = engine.translate([long_text, fits])
        assert cut.cut_short, kind
        assert len(cut.text.split()) == MAX_DECODING_LENGTH, kind
        assert not whole.cut_short, kind
        assert whole.text == fits, kind


def test_missing_pair_and_unknown_engine_are_one_line_errors(argos_models: ArgosModels) -> None:
    with pytest.raises(ModelError) as missing:
        open_engine("argos-batch", "en", "pl")
    assert str(missing.value) == (
        "no Argos model for en→pl; run `pipeline models install FILE.argosmodel` "
        "or `pipeline models install --online pl`"
    )
    assert missing.value.exit_code == 3
    with pytest.raises(ConfigError, match="unknown engine 'deepl'; installed: argos, argos-batch"):
        open_engine("deepl", "en", "cs")


def test_fingerprint_names_engine_decoding_and_model(argos_models: ArgosModels) -> None:
    batch = open_engine("argos-batch", "en", "cs")
    reference = open_engine("argos", "en", "cs")
    assert batch.fingerprint.startswith("argos-batch beam=4 lp=0.2 max_dec=256 max_in=1024 ")
    # The same options and model; only the sentence splitter differs (the pipeline's own).
    same = reference.fingerprint.replace("argos ", "argos-batch ", 1)
    assert same.replace(" sbd=minisbd ", " sbd=pipeline ") == batch.fingerprint
    # The model fingerprint covers metadata.json too: another package never shares cache rows.
    assert open_engine("argos-batch", "en", "sk").fingerprint != batch.fingerprint
    assert (batch.name, batch.model, batch.version) == ("argos-batch", "translate-en_cs", "1.0")


# --- the engines through the registry ------------------------------------------------------------


def test_both_argos_engines_are_registered_factories(argos_models: ArgosModels) -> None:
    assert {"argos", "argos-batch"} <= set(engines.registered_names())
    reference, batch = engines.named("argos"), engines.named("argos-batch")
    assert isinstance(reference, ArgosFactory) and isinstance(batch, ArgosBatchFactory)
    for factory in (reference, batch):
        assert isinstance(factory, EngineFactory)
        assert factory.serves("en", "cs") and factory.serves("en", "de")
        assert not factory.serves("en", "pl") and not factory.serves("cs", "en")
        engine = factory.open("en", "cs", {})
        assert isinstance(engine, Engine)
        assert texts(engine.translate(["hello"])) == ["HELLO"]
        engine.close()
    package = argos_models.packages["en-cs"]
    cs, sk = reference.fingerprint("en", "cs"), reference.fingerprint("en", "sk")
    assert cs.startswith(f"{package.name} {package.version} ") and cs != sk
    assert batch.fingerprint("en", "cs") == cs  # the same package: stamps follow the model
    assert engines.display_name("argos") == engines.display_name("argos-batch")
    assert engines.display_name("argos") == "Argos Translate"
    assert engines.display_name("no-longer-installed") == "no-longer-installed"
    what, how = engines.unserved(batch, "en", ["pl", "fr"])
    assert what == "no Argos model for en→pl, en→fr"
    assert how.startswith("`pipeline models install --online pl fr`")


def test_engine_settings_reach_the_engine_and_are_checked(argos_models: ArgosModels) -> None:
    batch = engines.named("argos-batch").open("en", "cs", {"max_batch_size": 4})
    assert isinstance(batch, ArgosBatchEngine)
    assert (batch.max_batch_size, batch.inter_threads, batch.intra_threads) == (4, 2, 1)
    assert texts(batch.translate(["hello"])) == ["HELLO"]
    for name, settings, message in [
        ("argos-batch", {"beam": 2}, "[tool.pipeline.engines.argos-batch] beam: unknown key"),
        ("argos-batch", {"max_batch_size": 0}, "max_batch_size: expected a positive integer"),
        ("argos-batch", {"inter_threads": True}, "inter_threads: expected a positive integer"),
        ("argos", {"max_batch_size": 4}, "[tool.pipeline.engines.argos] max_batch_size: unknown"),
    ]:
        with pytest.raises(ConfigError) as error:
            engines.named(name).open("en", "cs", settings)
        assert message in str(error.value) and "\n" not in str(error.value)
        assert error.value.exit_code == 2


def test_engine_tables_in_the_configuration_reach_the_engine(
    argos_models: ArgosModels, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`[tool.pipeline.engines.<name>]` goes to the engine as its settings; the engine and the
    table names are checked against the registry, each a one-line error with exit 2."""
    from helpers import run_cli

    from pipeline.config import parse_config

    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "source" / "note.txt").write_text("Hello world.\n", encoding="utf-8")
    config = parse_config({"engines": {"argos-batch": {"max_batch_size": 4}}}, project)
    assert config.engine_settings == {"argos-batch": {"max_batch_size": 4}}
    for table, message in [
        (
            {"engine": "deepl"},
            "engine: expected one of the installed engines (argos, argos-batch, ray)",
        ),
        ({"engines": {"deepl": {}}}, "[tool.pipeline.engines] deepl: not an installed engine"),
        ({"engines": {"argos": 3}}, "[tool.pipeline.engines] argos: expected a table"),
    ]:
        with pytest.raises(ConfigError) as error:
            parse_config(table, project)
        assert message in str(error.value) and error.value.exit_code == 2
    pyproject = project / "pyproject.toml"
    head = '[tool.pipeline]\ntarget_languages = ["cs"]\n[tool.pipeline.engines.argos-batch]\n'
    pyproject.write_text(head + "max_batch_size = 0\n", encoding="utf-8")
    assert run_cli(project, "translate") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argos-batch] max_batch_size: expected a positive" in err
    # The catalog was updated (a whole file) before the engine was opened, but got no MT.
    assert "HELLO" not in (project / "locales" / "cs" / "note.po").read_text(encoding="utf-8")
    pyproject.write_text(head + "max_batch_size = 1\n", encoding="utf-8")
    assert run_cli(project, "translate") == 0
    catalog = (project / "locales" / "cs" / "note.po").read_text(encoding="utf-8")
    assert 'msgstr "HELLO WORLD."' in catalog
    assert "# mt: argos-batch translate-en_cs 1.0 " in catalog


# --- installing model files ----------------------------------------------------------------------


def _package_members(target: str = "cs", mode: str = "upper") -> dict[str, bytes]:
    return argos_models.package_files("en", target, mode)


def _write_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.write_bytes(argos_models.zip_members(members))
    return path


def _broken_archives(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = _package_members()
    top = "translate-en_cs"
    cases: dict[str, tuple[dict[str, bytes] | bytes, str]] = {
        "not a zip": (b"PK but not really a zip archive", "not a zip archive"),
        "two folders": ({**good, "other/metadata.json": b"{}"}, "expected one top folder"),
        "escape": ({**good, f"{top}/../evil.txt": b"x"}, "would land outside"),
        "absolute": ({**good, "/etc/evil": b"x"}, "would land outside"),
        "no metadata": (
            {k: v for k, v in good.items() if not k.endswith("metadata.json")},
            "no translate-en_cs/metadata.json",
        ),
        "bad json": ({**good, f"{top}/metadata.json": b"{not json"}, "not valid JSON"),
        "no model": (
            {k: v for k, v in good.items() if "/model/" not in k},
            "no CTranslate2 model",
        ),
        "wrong pair": (argos_models.package_files("en", "fr", "copy"), "translates en→fr"),
    }
    built = {}
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name.replace(' ', '-')}.argosmodel"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            _write_zip(path, content)
        built[name] = (path, message)
    return built


def test_install_rejects_bad_files_in_one_line_and_installs_nothing(
    private_argos_dir: Path, tmp_path: Path
) -> None:
    wanted = {("en", "cs"), ("en", "ru")}
    for name, (path, message) in _broken_archives(tmp_path).items():
        with pytest.raises(ModelError) as error:
            install_model_file(path, wanted)
        text = str(error.value)
        assert message in text, name
        assert "\n" not in text and text.startswith(str(path)), name
    symlink = tmp_path / "symlink.argosmodel"
    with zipfile.ZipFile(symlink, "w") as archive:
        for member, data in _package_members().items():
            archive.writestr(member, data)
        link = zipfile.ZipInfo("translate-en_cs/link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ModelError, match="symbolic link"):
        install_model_file(symlink, wanted)
    with pytest.raises(ModelError, match="model file not found"):
        install_model_file(tmp_path / "absent.argosmodel", wanted)
    assert list(private_argos_dir.iterdir()) == []
    assert not [p for p in private_argos_dir.parent.iterdir() if p.name.startswith(".pipeline")]


def test_install_then_replace_uses_the_new_model_in_the_same_process(
    private_argos_dir: Path, argos_model_files: dict[str, Path]
) -> None:
    first = install_model_file(argos_model_files["en-cs"], {("en", "cs")})
    assert (first.name, first.version, first.path.parent) == (
        "translate-en_cs",
        "1.0",
        private_argos_dir,
    )
    assert texts(open_engine("argos", "en", "cs").translate(["hello"])) == ["HELLO"]
    second = install_model_file(argos_model_files["en-cs-cyrillic-2.0"], {("en", "cs")})
    assert second.version == "2.0"
    assert [p.version for p in installed_packages() if p.to_code == "cs"] == ["2.0"]
    # Argos alone would keep the old model loaded for the rest of the process (quirk 5).
    assert texts(open_engine("argos", "en", "cs").translate(["hello"])) == ["хелло"]
    assert texts(open_engine("argos-batch", "en", "cs").translate(["hello"])) == ["хелло"]
    assert sorted(p.name for p in private_argos_dir.iterdir()) == ["translate-en_cs"]


def test_install_replaces_another_folder_for_the_same_pair(
    private_argos_dir: Path, tmp_path: Path, argos_model_files: dict[str, Path]
) -> None:
    other = _write_zip(
        tmp_path / "renamed.argosmodel",
        argos_models.package_files("en", "cs", "copy", folder="translate-en_cs-1_9"),
    )
    install_model_file(other, None)
    install_model_file(argos_model_files["en-cs"], None)
    assert [p.name for p in installed_packages()] == ["translate-en_cs"]


def test_argos_engine_refuses_folder_without_metadata(
    private_argos_dir: Path, argos_model_files: dict[str, Path]
) -> None:
    install_model_file(argos_model_files["en-cs"], None)
    (private_argos_dir / "leftover").mkdir()
    engine = open_engine("argos", "en", "cs")
    with pytest.raises(ModelError, match=r"without metadata\.json"):
        engine.translate(["hello"])
    assert texts(open_engine("argos-batch", "en", "cs").translate(["hello"])) == ["HELLO"]


# --- the cache -----------------------------------------------------------------------------------


def test_cache_round_trip_keys_and_commits(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "translations.sqlite3"
    key = CacheKey("translate-en_cs", "1.0", "argos-batch beam=4")
    with TranslationCache(path) as cache:
        assert cache.get_many(key, ["a", "b"]) == {}
        cache.put_many(key, {"a": "A", "b": EngineOutput("B…", cut_short=True)})
        # Committed: a second connection sees the rows at once.
        with closing(sqlite3.connect(path)) as db:
            rows = db.execute("SELECT source, output FROM translations").fetchall()
        assert sorted(rows) == [("a", "A"), ("b", "B…")]
        assert cache.get_many(key, ["a", "b", "c"]) == {"a": "A", "b": "B…"}
        assert cache.get_outputs(key, ["b"]) == {"b": EngineOutput("B…", cut_short=True)}
        for other in (
            CacheKey("translate-en_cs", "2.0", key.fingerprint),
            CacheKey("translate-en_sk", "1.0", key.fingerprint),
            CacheKey("translate-en_cs", "1.0", "argos beam=4"),
        ):
            assert cache.get_many(other, ["a"]) == {}
        mode = cache._db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
    with TranslationCache(path) as reopened:
        assert reopened.get_many(key, ["a"]) == {"a": "A"}
        assert reopened.count() == 2


def test_cache_finds_the_original_machine_output(tmp_path: Path) -> None:
    from pipeline.catalog import output_hash

    with TranslationCache(tmp_path / "c.sqlite3") as cache:
        cache.put_many(CacheKey("pkg", "1.0", "x"), {"Hello.": "AHOJ."})
        cache.put_many(CacheKey("pkg", "2.0", "x"), {"Hello.": "Ahoj."})
        assert cache.lookup_original("pkg", "Hello.", version="1.0") == "AHOJ."
        assert cache.lookup_original("pkg", "Hello.", output_hash=output_hash("Ahoj.")) == "Ahoj."
        assert cache.lookup_original("pkg", "Hello.", version="3.0") is None
        assert cache.lookup_original("other", "Hello.") is None


def test_damaged_cache_file_is_rebuilt_with_one_warning(tmp_path: Path) -> None:
    """The cache only saves time: a damaged file is made again, never fatal (issue 12)."""
    path = tmp_path / "translations.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    warnings: list[str] = []
    key = CacheKey("translate-en_cs", "1.0", "argos-batch beam=4")
    with TranslationCache(path, warnings) as cache:
        assert cache.count() == 0
        cache.put_many(key, {"a": "A"})
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert warnings[0].startswith(f"{path}: damaged cache (")
    with TranslationCache(path) as reopened:
        assert reopened.get_many(key, ["a"]) == {"a": "A"}


def test_metadata_json_shape_of_test_packages(argos_models: ArgosModels) -> None:
    metadata = json.loads((argos_models.packages["en-ru"].path / "metadata.json").read_text())
    assert metadata["from_code"] == "en" and metadata["to_code"] == "ru"
    assert metadata["pipeline_test_mode"] == "cyrillic"


# --- the `pipeline models` commands --------------------------------------------------------------


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_languages = ["cs", "ru"]\n', encoding="utf-8"
    )
    return project


def test_models_install_and_list(
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from helpers import run_cli

    project = _project(tmp_path)
    assert run_cli(project, "models", "list") == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "no Argos model for en→cs, en→ru; run `pipeline models install --online cs ru`" in err
    assert run_cli(project, "models", "install", str(argos_model_files["en-cs"])) == 0
    assert "installed en→cs: translate-en_cs 1.0 in " in capsys.readouterr().err
    assert run_cli(project, "models", "list") == 0
    out, err = capsys.readouterr()
    assert out == f"en→cs\ttranslate-en_cs 1.0\t{private_argos_dir / 'translate-en_cs'}\n"
    assert "1 package(s) installed; 1 configured pair(s) without a model" in err
    # A model for a pair that is not configured is refused, in one line, with exit code 3.
    assert run_cli(project, "models", "install", str(argos_model_files["en-de"])) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "this model translates en→de" in err
    assert run_cli(project, "models", "install") == 2
    assert "nothing to install" in capsys.readouterr().err
    assert sorted(p.name for p in private_argos_dir.iterdir()) == ["translate-en_cs"]


def test_named_difference_between_the_engines(argos_models: ArgosModels) -> None:
    """The one difference between argos and argos-batch that cannot be removed: batching.

    Argos batches the sentences of one paragraph by tokens (32 per batch); argos-batch batches
    32 sentences of any units. CTranslate2 pads the sentences of a batch to one length, and with
    a real model the padded matrix products may round differently in the last bits, which can
    flip a near-tie between two beams. The text is the same otherwise (pre- and post-processing
    are Argos's own code). With these models the margins are wide, so batch company provably
    changes nothing: every sentence alone, in a batch of one, and in large batches agrees.
    """
    package = argos_models.packages["en-ru"]
    single = ArgosBatchEngine(package, max_batch_size=1)
    large = ArgosBatchEngine(package, max_batch_size=64)
    assert single.translate(TRICKY) == large.translate(TRICKY)
    assert ArgosEngine(package).translate(TRICKY) == large.translate(TRICKY)
