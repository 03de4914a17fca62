"""Hostile and damaged model packages (issue 12, item 8 and the damaged-model case of item 9).

A package's metadata, not its folder name, decides where it is installed, so it can never replace
another pair's model; sizes are limited before anything is unpacked; a damaged tokenizer, sentence
splitter or CTranslate2 model is one line naming the file, exit 3. Real tiny Argos packages
(tests/argos_models.py), installed into a private Argos folder per test.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import argos_models
import pytest
from argos_fixtures import open_engine, texts
from helpers import run_cli

from pipeline.config import parse_config
from pipeline.engines.argos_archive import MAX_MEMBER_RATIO
from pipeline.engines.argos_install import install_model_file
from pipeline.engines.argos_packages import installed_packages, read_package
from pipeline.errors import ConfigError, ModelError

WANTED = {("en", "cs"), ("en", "ru")}


def _project(tmp_path: Path, extra: str = "") -> Path:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "pyproject.toml").write_text(
        f'[tool.pipeline]\ntarget_languages = ["cs", "ru"]\n{extra}', encoding="utf-8"
    )
    return project


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    path.write_bytes(argos_models.zip_members(members))
    return path


def _folders(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def _no_leftovers(argos_dir: Path) -> None:
    """No staging folder beside the packages folder: nothing half-installed."""
    assert not [p for p in argos_dir.parent.iterdir() if p.name.startswith(".pipeline-install")]


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


# --- the metadata decides the folder -------------------------------------------------------------


def test_package_named_for_another_pair_leaves_that_model_alone(
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = _project(tmp_path)
    assert run_cli(project, "models", "install", str(argos_model_files["en-cs"])) == 0
    # An en→ru package whose top folder claims to be the en→cs one.
    hostile = _zip(
        tmp_path / "hostile.argosmodel",
        argos_models.package_files("en", "ru", "cyrillic", folder="translate-en_cs"),
    )
    capsys.readouterr()
    assert run_cli(project, "models", "install", str(hostile)) == 0
    assert "installed en→ru: translate-en_ru 1.0" in capsys.readouterr().err
    assert _folders(private_argos_dir) == ["translate-en_cs", "translate-en_ru"]
    pairs = {p.pair: p.path.name for p in installed_packages()}
    assert pairs == {("en", "cs"): "translate-en_cs", ("en", "ru"): "translate-en_ru"}
    assert texts(open_engine("argos-batch", "en", "cs").translate(["hello"])) == ["HELLO"]
    assert texts(open_engine("argos-batch", "en", "ru").translate(["hello"])) == ["хелло"]
    _no_leftovers(private_argos_dir)


def test_a_misnamed_folder_of_another_pair_is_never_replaced(
    private_argos_dir: Path, argos_model_files: dict[str, Path]
) -> None:
    # Argos's own installer names the folder after the archive: en→cs may sit in translate-en_ru.
    cs = install_model_file(argos_model_files["en-cs"], WANTED)
    cs.path.rename(private_argos_dir / "translate-en_ru")
    ru_file = argos_models.build_package(private_argos_dir.parent / "built", "en", "ru", "cyrillic")
    ru = install_model_file(ru_file, WANTED)
    assert ru.path.name == "translate-en_ru-2"
    misnamed = read_package(private_argos_dir / "translate-en_ru")
    assert misnamed is not None and misnamed.pair == ("en", "cs")
    assert texts(open_engine("argos", "en", "cs").translate(["hello"])) == ["HELLO"]
    # A package for the same pair does replace it, wherever it sits.
    again = install_model_file(argos_model_files["en-cs-cyrillic-2.0"], WANTED)
    assert again.path.name == "translate-en_cs"
    assert _folders(private_argos_dir) == ["translate-en_cs", "translate-en_ru-2"]
    assert [p.version for p in installed_packages() if p.to_code == "cs"] == ["2.0"]


def test_malformed_language_code_cannot_name_a_folder(
    private_argos_dir: Path, tmp_path: Path
) -> None:
    members = argos_models.package_files("en", "cs", "upper")
    members["translate-en_cs/metadata.json"] = (
        b'{"type": "translate", "from_code": "en", "to_code": "../../cs"}'
    )
    with pytest.raises(ModelError, match="malformed language code"):
        install_model_file(_zip(tmp_path / "codes.argosmodel", members), None)
    assert _folders(private_argos_dir) == []


# --- sizes ---------------------------------------------------------------------------------------


def _set_member(data: bytes, name: str, *, method: int, crc: int, size: int) -> bytes:
    """Rewrite a member's compression method, CRC and uncompressed size in both zip headers."""
    buffer = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
        position = archive.start_dir  # type: ignore[attr-defined]
    struct.pack_into("<H", buffer, local + 8, method)
    struct.pack_into("<I", buffer, local + 14, crc)
    struct.pack_into("<I", buffer, local + 22, size)
    while buffer[position : position + 4] == b"PK\x01\x02":
        name_length, extra, comment = struct.unpack_from("<HHH", buffer, position + 28)
        if bytes(buffer[position + 46 : position + 46 + name_length]) == name.encode():
            struct.pack_into("<H", buffer, position + 10, method)
            struct.pack_into("<I", buffer, position + 16, crc)
            struct.pack_into("<I", buffer, position + 24, size)
        position += 46 + name_length + extra + comment
    return bytes(buffer)


def _zeros_deflated(mib: int) -> tuple[bytes, int]:
    """A raw deflate stream of `mib` MiB of zero bytes (about 1 KB per MiB), and its CRC-32.

    Each MiB is one fully flushed block, so the same bytes repeat: the stream of 1 GiB is built
    without compressing 1 GiB.
    """
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return block * mib + end, crc


def test_zip_bomb_member_is_refused_before_anything_is_unpacked(
    private_argos_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream, crc = _zeros_deflated(1024)
    name = "translate-en_cs/model/padding.bin"
    members = {**argos_models.package_files("en", "cs", "upper"), name: stream}
    data = _set_member(
        argos_models.zip_members(members), name, method=zipfile.ZIP_DEFLATED, crc=crc, size=1 << 30
    )
    bomb = tmp_path / "bomb.argosmodel"
    bomb.write_bytes(data)
    assert bomb.stat().st_size < 2 << 20  # under 2 MB on disk
    with zipfile.ZipFile(bomb) as archive:  # a real, valid 1 GiB member, not a broken header
        info = archive.getinfo(name)
        assert info.file_size == 1 << 30
        with archive.open(info) as member:
            assert member.read(4 << 20) == bytes(4 << 20)
    project = _project(tmp_path)
    assert run_cli(project, "models", "install", str(bomb)) == 3
    line = _one_error_line(capsys.readouterr().err)
    assert line == (
        f"pipeline: error: {bomb}: member {name!r} would unpack 1024 MiB from "
        f"{info.compress_size // 1024} KiB (more than {MAX_MEMBER_RATIO}:1); refused"
    )
    assert _folders(private_argos_dir) == []
    _no_leftovers(private_argos_dir)


def test_total_unpacked_size_is_limited_and_configurable(
    private_argos_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = argos_models.package_files("en", "cs", "upper")
    members["translate-en_cs/padding.bin"] = bytes(3 << 19)  # 1.5 MiB, stored: ratio 1:1
    package = _zip(tmp_path / "big.argosmodel", members)
    project = _project(tmp_path, "[tool.pipeline.models]\nmax_unpacked_mb = 2\n")
    assert run_cli(project, "models", "install", str(package)) == 3
    line = _one_error_line(capsys.readouterr().err)
    assert "the package would unpack to more than 2 MiB; refused" in line
    assert _folders(private_argos_dir) == []
    _no_leftovers(private_argos_dir)
    project = _project(tmp_path, "[tool.pipeline.models]\nmax_unpacked_mb = 3\n")
    assert run_cli(project, "models", "install", str(package)) == 0
    assert _folders(private_argos_dir) == ["translate-en_cs"]
    assert (private_argos_dir / "translate-en_cs" / "padding.bin").stat().st_size == 3 << 19


def test_models_size_limit_setting_is_validated(tmp_path: Path) -> None:
    assert parse_config({}, tmp_path).models_max_unpacked_mb == 2048
    table = {"models": {"max_unpacked_mb": 10}}
    assert parse_config(table, tmp_path).models_max_unpacked_mb == 10
    for bad, message in (
        ({"max_unpacked_mb": 0}, "expected a positive integer, got 0"),
        ({"max_unpacked_mb": "1 GB"}, "expected a positive integer, got '1 GB'"),
        ({"max_unpacked_mb": True}, "expected a positive integer, got True"),
        ({"max_size": 10}, "max_size: unknown key"),
    ):
        with pytest.raises(ConfigError, match=message) as error:
            parse_config({"models": bad}, tmp_path)
        assert error.value.exit_code == 2


def test_member_escaping_the_folder_is_refused_on_the_command_line(
    private_argos_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = {
        **argos_models.package_files("en", "cs", "upper"),
        "translate-en_cs/../../escaped.txt": b"written outside",
    }
    package = _zip(tmp_path / "escape.argosmodel", members)
    project = _project(tmp_path)
    assert run_cli(project, "models", "install", str(package)) == 3
    line = _one_error_line(capsys.readouterr().err)
    assert "member 'translate-en_cs/../../escaped.txt' would land outside" in line
    assert not list(tmp_path.rglob("escaped.txt"))
    assert _folders(private_argos_dir) == []
    _no_leftovers(private_argos_dir)


def test_member_failing_its_crc_leaves_the_installed_model_as_it_was(
    private_argos_dir: Path, argos_model_files: dict[str, Path], tmp_path: Path
) -> None:
    install_model_file(argos_model_files["en-cs"], WANTED)
    data = bytearray(argos_model_files["en-cs-cyrillic-2.0"].read_bytes())
    name = "translate-en_cs/model/model.bin"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(name)
    name_length, extra = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_length + extra + info.compress_size // 2] ^= 0xFF
    damaged = tmp_path / "damaged.argosmodel"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"damaged zip archive: Bad CRC-32") as error:
        install_model_file(damaged, WANTED)
    assert str(error.value).startswith(f"{damaged}: ")
    assert [(p.name, p.version) for p in installed_packages()] == [("translate-en_cs", "1.0")]
    assert texts(open_engine("argos-batch", "en", "cs").translate(["hello"])) == ["HELLO"]
    _no_leftovers(private_argos_dir)


# --- damaged model files -------------------------------------------------------------------------

DAMAGED = {
    "sentencepiece.model": ("tokenizer", "garbage"),
    "minisbd/en.onnx": ("sentence splitter", "garbage"),
    "model/model.bin": ("CTranslate2 model", "truncated"),
}


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if how == "truncated" else b"not a model " * 50)


@pytest.mark.parametrize("engine", ["argos-batch", "argos"])
@pytest.mark.parametrize("command", ["translate", "build"])
@pytest.mark.parametrize("file", sorted(DAMAGED))
def test_damaged_model_file_is_one_line_naming_it(
    private_argos_dir: Path,
    argos_model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    file: str,
    command: str,
    engine: str,
) -> None:
    """Corrupted in a private copy of the package; the session's shared packages stay intact."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(private_argos_dir))  # what builds look at
    package = install_model_file(argos_model_files["en-cs"], WANTED)
    what, how = DAMAGED[file]
    _damage(package.path / file, how)
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        f'[tool.pipeline]\ntarget_languages = ["cs"]\nengine = "{engine}"\n', encoding="utf-8"
    )
    (project / "source" / "doc.md").write_text("# Hello\n\nHello world. How are you?\n")
    capsys.readouterr()
    if engine == "argos-batch" and what == "sentence splitter":
        # argos-batch splits with the pipeline's own rules: the package's splitter is never read.
        assert run_cli(project, command) == 0
        assert "HELLO WORLD." in (project / "locales" / "cs" / "doc.po").read_text("utf-8")
        return
    assert run_cli(project, command) == 3
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(errors) == 1, errors
    assert errors[0].startswith(
        f"pipeline: error: {package.path / file}: damaged or unreadable {what} ("
    )
    assert errors[0].endswith("); install the package again")
    assert not list(project.rglob("*.tmp"))
