"""The `control` check: no control character other than tab and newline in a translation."""

from __future__ import annotations

from ..controls import control_characters, picture


def _control_messages(translation: str) -> list[str]:
    """A control character other than tab and newline in a translation is an error: it would
    reach terminals (ESC sequences retitle windows and hide text), HTML and readers' files."""
    found = control_characters(translation)
    if not found:
        return []
    shown = ", ".join(f"{picture(c)} (U+{ord(c):04X})" for c in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return [f"control character {shown}{more} in the translation"]
