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
