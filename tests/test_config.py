"""Configuration: defaults, validation with Babel, one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import find_project_root, load_config, parse_config
from pipeline.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_repository_configuration() -> None:
    config = load_config(REPO)
    assert config.source_language == "en"
    assert config.target_languages == ("cs", "ru", "uk", "sk")
    assert config.unit == "sentence"
    assert config.source_dir == REPO / "source"
    assert config.locales_dir == REPO / "locales"
    assert config.output_dir == REPO / "output"
    assert config.policy == "draft"
    assert config.minimum_for("cs") == 0.0
    assert config.documents["kras-interview"].title


def test_defaults_from_an_empty_table(tmp_path: Path) -> None:
    config = parse_config({}, tmp_path)
    assert config.target_languages == ("cs", "ru", "uk", "sk")
    assert config.engine == "argos-batch"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"target_languages": ["cs", "xx"]}, "target_languages: unknown language code 'xx'"),
        ({"source_language": "english!"}, "source_language: unknown language code"),
        ({"target_languages": []}, "target_languages: empty list"),
        ({"target_languages": ["cs", "cs"]}, "listed twice"),
        ({"target_languages": ["en"]}, "is the source language"),
        ({"unit": "word"}, "unit: expected one of sentence, paragraph"),
        ({"engine": "google"}, "engine: expected one of"),
        ({"publish": {"policy": "maybe"}}, "policy: expected draft or reviewed"),
        ({"publish": {"minimum_share": 2}}, "minimum_share: expected a share between 0 and 1"),
        ({"publish": {"minimum_share": {"de": 0.5}}}, "'de' is not a target language"),
        ({"colour": "blue"}, "colour: unknown key"),
        ({"purge_obsolete": "yes"}, "purge_obsolete: expected bool"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(table, tmp_path)
    line = caught.value.one_line()
    assert message in line
    assert "\n" not in line


def test_per_language_minimum(tmp_path: Path) -> None:
    config = parse_config({"publish": {"minimum_share": {"cs": 0.5, "*": 0.1}}}, tmp_path)
    assert config.minimum_for("cs") == 0.5
    assert config.minimum_for("ru") == 0.1


def test_broken_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pipeline]\nunit = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"invalid TOML.*line 2"):
        load_config(tmp_path)


def test_find_project_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pipeline]\n", encoding="utf-8")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_project_root(nested) == tmp_path
    with pytest.raises(ConfigError, match=r"no pyproject.toml with a \[tool.pipeline\]"):
        find_project_root(Path("/"))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"output_dir": ".."}, 'output_dir: ".." lies outside the project'),
        ({"output_dir": "/"}, 'output_dir: "/" lies outside the project'),
        ({"locales_dir": "/etc"}, 'locales_dir: "/etc" lies outside the project'),
        ({"source_dir": "src/../../x"}, 'source_dir: "src/../../x" lies outside the project'),
        ({"output_dir": "."}, 'output_dir: "." is the project folder itself'),
        ({"output_dir": ""}, 'output_dir: "" is the project folder itself'),
        ({"state_dir": "locales"}, 'state_dir: "locales" overlaps locales_dir ("locales")'),
        ({"output_dir": "source/out"}, 'output_dir: "source/out" overlaps source_dir'),
        ({"locales_dir": ".pipeline/l"}, 'state_dir: ".pipeline" overlaps locales_dir'),
        ({"cache_dir": ".pipeline"}, 'cache_dir: ".pipeline" overlaps state_dir'),
        ({"state_dir": ".pipeline/cache/s"}, 'cache_dir: ".pipeline/cache" overlaps state_dir'),
        ({"output_dir": "out\0"}, "contains a NUL character"),
    ],
)
def test_folders_are_confined_and_separate(
    tmp_path: Path, table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(table, tmp_path)
    assert message in caught.value.one_line()
    assert caught.value.exit_code == 2
    assert caught.value.path == "pyproject.toml"


def test_folder_through_a_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "out").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError, match=r'output_dir: "out" lies outside the project'):
        parse_config({"output_dir": "out"}, project)


def test_allowed_folder_layouts(tmp_path: Path) -> None:
    """The default (cache inside state), absolute paths inside the project, nested names."""
    assert parse_config({}, tmp_path).cache_dir == tmp_path / ".pipeline" / "cache"
    config = parse_config(
        {
            "source_dir": "docs/en",
            "locales_dir": "docs/po",
            "output_dir": str(tmp_path / "public"),
            "state_dir": "state",
            "cache_dir": "state/mt",
        },
        tmp_path,
    )
    assert config.output_dir == tmp_path / "public"
    assert config.cache_dir == tmp_path / "state" / "mt"
