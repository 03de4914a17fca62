"""Control characters made visible, so text from catalogs and sources never drives a terminal.

A terminal obeys C0 controls (U+0000-U+001F), DEL and the C1 controls (U+0080-U+009F): ESC starts
the sequences that set the window title (``ESC ] 2 ; … BEL``) or hide text (``ESC [ 8 m``), and
U+009B is the same CSI in one character. `visible` replaces each with a harmless stand-in: a C0
control or DEL by its Unicode control picture (ESC → ␛, BEL → ␇, NUL → ␀, DEL → ␡), a C1 control
by ``\\x9b``-style text. Pure.
"""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
ALLOWED_IN_TRANSLATION = "\t\n"  # PO text may hold tabs and newlines; any other control is damage


def picture(char: str) -> str:
    """The visible stand-in of one control character (other characters are returned unchanged)."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if 0x80 <= code <= 0x9F:
        return f"\\x{code:02x}"
    return char


def visible(text: str, keep: str = "\n") -> str:
    """`text` with every control character except those in `keep` shown as its stand-in."""
    return CONTROL.sub(lambda m: m.group() if m.group() in keep else picture(m.group()), text)


def control_characters(text: str, allowed: str = ALLOWED_IN_TRANSLATION) -> list[str]:
    """The control characters of `text` other than `allowed`, in order, each once."""
    return list(dict.fromkeys(c for c in CONTROL.findall(text) if c not in allowed))
