"""What a source may be: a file inside the project, of UTF-8 text without control characters.

Pure checks used when the sources are listed (`pipeline.layout`) and decoded (every source
format's `segment`, through `decode_source`); each failure is a `SourceError` (exit 4) naming the
file, and for a control character or a broken byte its line and byte offset.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import SourceError

# C0 control characters except tab and line feed, and a carriage return that does not end a
# CRLF line: a NUL cuts a msgid short in gettext's tools, ESC and friends reach terminals.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f]|\r(?!\n)")

CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x0B: "VT",
    0x0C: "FF",
    0x0D: "CR not followed by LF",
    0x1B: "ESC",
}


def check_control_characters(text: str, shown: str) -> None:
    """Refuse a C0 control character other than tab, newline and the CR of a CRLF line end."""
    found = _CONTROL.search(text)
    if found is None:
        return
    index = found.start()
    code = ord(text[index])
    name = CONTROL_NAMES.get(code, "control character")
    offset = len(text[:index].encode("utf-8"))
    line = text.count("\n", 0, index) + 1
    raise SourceError(
        f"control character U+{code:04X} ({name}) at byte offset {offset}; "
        "sources may hold tab, newline and CRLF line ends but no other control characters",
        path=shown,
        line=line,
    )


def decode_source(raw: bytes, shown: str) -> str:
    """The text of a source, or a `SourceError` naming the byte where UTF-8 breaks or where a
    control character is (tab, newline and CRLF line ends aside: docs/security.md)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SourceError(
            f"not UTF-8: byte 0x{raw[error.start]:02x} at byte offset {error.start}",
            path=shown,
            line=line,
        ) from None
    check_control_characters(text, shown)
    return text


def check_inside_project(root: Path, path: Path, shown: str) -> None:
    """Refuse a source whose real path (symlinks followed) lies outside the project folder."""
    try:
        real = path.resolve()
        real_root = root.resolve()
    except (OSError, RuntimeError) as error:
        raise SourceError(f"cannot resolve the source's path: {error}", path=shown) from None
    if not real.is_relative_to(real_root):
        raise SourceError(
            f"a symlink that leads out of the project (to {real}); "
            "copy the file into the project instead",
            path=shown,
        )
