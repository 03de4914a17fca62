"""The text of an HTML source: UTF-8, or the charset the page declares. Pure.

The declaration is looked for as browsers prescan for it, in the first 1024 bytes:
``<meta charset="…">`` or ``<meta http-equiv="Content-Type" content="…; charset=…">``. Labels are
resolved by the WHATWG Encoding Standard (`webencodings`, html5lib's own dependency), so
``latin1`` means windows-1252 as in every browser. A page that is not UTF-8 and declares nothing
is refused: guessing would put wrong letters into every catalog.
"""

from __future__ import annotations

import re

from ...errors import SourceError
from ...sources import check_control_characters

PRESCAN = 1024
_DECLARED = re.compile(
    rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.+\-]+)", re.IGNORECASE | re.DOTALL
)


def declared_charset(raw: bytes) -> tuple[str, int] | None:
    """The charset label a page declares in its first 1024 bytes, and the declaration's line."""
    found = _DECLARED.search(raw[:PRESCAN])
    if found is None:
        return None
    return found.group(1).decode("ascii"), raw.count(b"\n", 0, found.start()) + 1


def decode_html(raw: bytes, shown: str) -> tuple[str, str]:
    """(text, encoding name) of an HTML source, or a `SourceError` naming the file."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _decode(raw[3:], "utf-8", "utf-8", shown), "utf-8"
    declared = declared_charset(raw)
    if declared is None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SourceError(
                f"neither UTF-8 nor declares its charset (byte 0x{raw[error.start]:02x} at byte "
                f'offset {error.start} is not UTF-8); add <meta charset="…"> or save it as UTF-8',
                path=shown,
                line=raw.count(b"\n", 0, error.start) + 1,
            ) from None
        check_control_characters(text, shown)
        return text, "utf-8"
    import webencodings  # type: ignore[import-untyped]

    label, line = declared
    encoding = webencodings.lookup(label)
    if encoding is None or encoding.name == "replacement":
        raise SourceError(f"unknown charset {label!r} declared", path=shown, line=line)
    name = encoding.name
    if name in ("utf-16be", "utf-16le"):  # a declaration read as ASCII cannot be UTF-16
        name = "utf-8"
    codec = "utf-8" if name == "utf-8" else encoding.codec_info.name
    return _decode(raw, codec, name, shown), name


def _decode(raw: bytes, codec: str, name: str, shown: str) -> str:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        raise SourceError(
            f"not {name} as declared: byte 0x{raw[error.start]:02x} at byte offset {error.start}",
            path=shown,
            line=raw.count(b"\n", 0, error.start) + 1,
        ) from None
    check_control_characters(text, shown)
    return text
