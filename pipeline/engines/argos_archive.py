"""Checking and unpacking an .argosmodel file (a zip) before it is installed; zipfile only.

Everything the archive declares is checked before a byte is decompressed: one top folder, no
member escaping it or linking out, a metadata.json naming a wanted pair with well-formed language
codes, a model and a tokenizer, the total unpacked size within the configured limit and no member
compressed more than MAX_MEMBER_RATIO:1. Unpacking then counts what is really written.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ModelError


def pairs_text(pairs: set[tuple[str, str]]) -> str:
    """`en→cs, en→ru`, for messages."""
    return ", ".join(f"{a}→{b}" for a, b in sorted(pairs)) or "none"


MIB = 1024 * 1024
DEFAULT_MAX_UNPACKED_MB = 2048  # `[tool.pipeline.models] max_unpacked_mb`
MAX_MEMBER_RATIO = 200  # uncompressed:compressed, for each member over RATIO_FREE_BYTES
RATIO_FREE_BYTES = MIB  # members up to this size may compress better (text, zero padding)
LANGUAGE_CODE = re.compile(r"[A-Za-z0-9]{1,8}(?:[_-][A-Za-z0-9]{1,8}){0,3}")


def check_members(archive: zipfile.ZipFile, shown: str, max_unpacked: int) -> str:
    """The single top folder of the archive; every member must stay inside it, and the sizes the
    archive declares must stay within the limits (checked before anything is decompressed)."""
    tops: set[str] = set()
    seen: set[str] = set()
    total = 0
    for info in archive.infolist():
        name = info.filename
        parts = PurePosixPath(name).parts
        if (
            not parts
            or name.startswith("/")
            or "\\" in name
            or ":" in parts[0]
            or any(part in ("..", ".") for part in parts)
        ):
            raise ModelError(f"member {name!r} would land outside the package folder", path=shown)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ModelError(f"member {name!r} is a symbolic link", path=shown)
        if len(parts) == 1 and not info.is_dir():
            raise ModelError(f"member {name!r} is not inside a package folder", path=shown)
        key = "/".join(parts)
        if key in seen:
            raise ModelError(f"member {name!r} is in the archive twice", path=shown)
        seen.add(key)
        size = info.file_size
        if size > RATIO_FREE_BYTES and size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
            raise ModelError(
                f"member {name!r} would unpack {size // MIB} MiB from "
                f"{info.compress_size // 1024} KiB (more than {MAX_MEMBER_RATIO}:1); refused",
                path=shown,
            )
        total += size
        if total > max_unpacked:
            raise ModelError(
                f"the package would unpack to more than {max_unpacked // MIB} MiB; refused "
                "(raise [tool.pipeline.models] max_unpacked_mb if it is genuine)",
                path=shown,
            )
        tops.add(parts[0])
    if len(tops) != 1:
        found = ", ".join(sorted(tops)) or "nothing"
        raise ModelError(f"expected one top folder in the archive, found: {found}", path=shown)
    return tops.pop()


def check_archive(
    path: Path, expected: set[tuple[str, str]] | None, max_unpacked: int
) -> tuple[str, dict[str, Any]]:
    shown = str(path)
    if not path.is_file():
        raise ModelError("model file not found", path=shown)
    if not zipfile.is_zipfile(path):
        raise ModelError("not an Argos model: not a zip archive", path=shown)
    try:
        with zipfile.ZipFile(path) as archive:
            top = check_members(archive, shown, max_unpacked)
            names = set(archive.namelist())
            if f"{top}/metadata.json" not in names:
                raise ModelError(f"no {top}/metadata.json in the archive", path=shown)
            try:
                metadata = json.loads(archive.read(f"{top}/metadata.json").decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as error:
                raise ModelError(
                    f"{top}/metadata.json is not valid JSON: {error}", path=shown
                ) from None
            if not isinstance(metadata, dict):
                raise ModelError(f"{top}/metadata.json is not a JSON object", path=shown)
            kind = metadata.get("type", "translate")
            if kind != "translate":
                raise ModelError(f"package type is {kind!r}, not 'translate'", path=shown)
            pair = (metadata.get("from_code"), metadata.get("to_code"))
            if not all(isinstance(code, str) and code for code in pair):
                raise ModelError("metadata.json lacks from_code or to_code", path=shown)
            if not all(LANGUAGE_CODE.fullmatch(str(code)) for code in pair):
                raise ModelError(
                    f"metadata.json has a malformed language code: {pair[0]!r}→{pair[1]!r}",
                    path=shown,
                )
            if expected is not None and pair not in expected:
                raise ModelError(
                    f"this model translates {pair[0]}→{pair[1]}; "
                    f"the configured pairs are {pairs_text(expected)}",
                    path=shown,
                )
            if f"{top}/model/model.bin" not in names:
                raise ModelError(f"no CTranslate2 model ({top}/model/model.bin)", path=shown)
            if not {f"{top}/sentencepiece.model", f"{top}/bpe.model"} & names:
                raise ModelError(f"no tokenizer ({top}/sentencepiece.model)", path=shown)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise ModelError(f"damaged zip archive: {error}", path=shown) from None
    except OSError as error:
        raise ModelError(f"cannot read model file: {error.strerror or error}", path=shown) from None
    return top, metadata


def unpack(path: Path, into: Path, max_unpacked: int) -> None:
    """Extract the checked archive member by member, counting what is really written (a member
    that inflates past its declared size fails its CRC check in zipfile) and never following or
    replacing anything already there."""
    shown = str(path)
    written = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                target = into.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "xb") as out:
                    while chunk := source.read(MIB):
                        written += len(chunk)
                        if written > max_unpacked:
                            raise ModelError(
                                f"the package unpacks to more than {max_unpacked // MIB} MiB; "
                                "refused",
                                path=shown,
                            )
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise ModelError(f"damaged zip archive: {error}", path=shown) from None
    except OSError as error:
        raise ModelError(f"cannot unpack model: {error.strerror or error}", path=shown) from None
