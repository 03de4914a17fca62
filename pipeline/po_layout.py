"""A PO file's own layout, kept when the pipeline writes the file back (the way Poedit does it).

Pure text functions, no polib: `split_blocks` cuts a PO file into the text of its entries,
`detect_wrap` finds how the file wraps its strings, and `assemble` joins kept and new entry texts.
`catalog.dump_catalog` uses them so that an entry nobody changed keeps its bytes, and a changed or
new one is laid out by ``msgcat`` at the width the file already uses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

GETTEXT_WIDTH = 79
"""msgcat's default: what gettext, Poedit (by default) and Weblate (translate-toolkit) write."""
POLIB_WIDTH = 78
"""polib's default ``wrapwidth``; Lokalize also wraps at 78."""

Key = tuple[str | None, str]
Wrap = int | None
"""A wrapping width in columns, or None for no wrapping (``msgcat --no-wrap``)."""

_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s*(\".*)?$")
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


@dataclass(frozen=True)
class Block:
    """One entry as the file has it: its lines (each ending in a newline) and what follows it."""

    text: str
    gap: str
    """The blank lines between this entry and the next one, as in the file."""
    key: Key
    obsolete: bool

    @property
    def is_header(self) -> bool:
        return self.key == (None, "") and not self.obsolete


@dataclass
class _Pending:
    lines: list[str]
    fields: dict[str, list[str]]
    field: str = ""
    obsolete: bool = False
    seen_msgstr: bool = False


def split_blocks(text: str) -> list[Block]:
    """The entries of a PO file in file order, each with its comments, as the exact text.

    An entry starts at its first comment or keyword after the previous entry's msgstr; the blank
    lines between entries become the previous block's ``gap``. Concatenating ``text + gap`` of
    every block gives the file back (less any blank lines before the first entry).
    """
    blocks: list[Block] = []
    current: _Pending | None = None
    gap: list[str] = []
    for line in _lines(text):
        body = line.strip()
        if not body:
            if current is not None and current.seen_msgstr:
                gap.append(line)
            elif current is not None:
                current.lines.append(line)
            continue
        obsolete = body.startswith("#~")
        rest = body[2:].lstrip() if obsolete else body
        starts = rest.startswith("#") or rest.startswith("|") or (obsolete and not rest)
        keyword = _KEYWORD.match(rest)
        if keyword is not None and keyword.group(1) in ("msgctxt", "msgid"):
            starts = True
        if current is not None and current.seen_msgstr and starts:
            blocks.append(_finish(current, "".join(gap)))
            current, gap = None, []
        if current is None:
            current = _Pending([], {})
        current.lines.append(line)
        current.obsolete = current.obsolete or (obsolete and not rest.startswith("|"))
        if keyword is not None:
            current.field = keyword.group(1)
            current.seen_msgstr = current.seen_msgstr or current.field.startswith("msgstr")
            current.fields.setdefault(current.field, []).append(keyword.group(2) or "")
        elif rest.startswith('"') and current.field:
            current.fields[current.field].append(rest)
        elif rest.startswith('"'):
            pass  # a string before any keyword: msgfmt rejects the file before we get here
    if current is not None:
        blocks.append(_finish(current, "".join(gap)))
    return blocks


def _lines(text: str) -> list[str]:
    """Lines with their newline; only LF ends a line (a form feed inside a string does not)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _finish(pending: _Pending, gap: str) -> Block:
    def value(field: str) -> str | None:
        strings = pending.fields.get(field)
        if strings is None:
            return None
        return "".join(unquote(string) for string in strings)

    key = (value("msgctxt"), value("msgid") or "")
    return Block("".join(pending.lines), gap, key, pending.obsolete)


def unquote(string: str) -> str:
    """The value of one quoted PO string (``"a\\tb"`` → ``a<TAB>b``)."""
    inner = string.strip()
    if len(inner) >= 2 and inner.startswith('"') and inner.endswith('"'):
        inner = inner[1:-1]
    return _ESCAPE.sub(_unescape, inner)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code.startswith("x") and len(code) > 1:
        return chr(int(code[1:], 16))
    if code[0] in "01234567":
        return chr(int(code, 8))
    return _ESCAPES.get(code, code)


# --- wrapping ------------------------------------------------------------------------------------


def detect_wrap(text: str) -> Wrap:
    """How the file wraps long strings: a width in columns, or None for no wrapping.

    Like Poedit: the width is the longest line of a string that continues on the next line (a
    break that is not after ``\\n``), among lines holding at least two words; comments never
    count. A file with no such break but a string line longer than gettext's width is not
    wrapped. Where the file cannot tell (a small file), gettext's 79 is taken when the breaks
    allow it (78 for polib's style, which starts continuation lines with the space).
    """
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and not lines[-1]:
        lines.pop()
    longest = 0
    bound = 1 << 30
    polib_style = False
    # Only a line followed by a continuation line can show a break: find those first (cheap
    # string tests), then look at each such pair; a file of 10,000 entries takes milliseconds.
    for index in range(1, len(lines)):
        following = _continuation_string(lines[index])
        if following is None:
            continue
        line = lines[index - 1]
        string = _string_of(line)
        content = string[1:-1] if string is not None and len(string) >= 2 else ""
        if not content or content.endswith("\\n"):
            continue
        width = columns(line.rstrip())
        if " " in content.rstrip(" "):
            longest = max(longest, width)
        next_content = following[1:-1]
        chunk = next_content.lstrip(" ").split(" ", 1)[0]
        spaces = len(next_content) - len(next_content.lstrip(" "))
        bound = min(bound, width + spaces + columns(chunk))
        polib_style = polib_style or spaces > 0  # gettext leaves the space at the line's end
    if not longest:
        return None if _has_unwrapped_line(lines) else GETTEXT_WIDTH
    preferred = POLIB_WIDTH if polib_style else GETTEXT_WIDTH
    if longest <= preferred <= bound:
        return preferred
    return longest


def _continuation_string(line: str) -> str | None:
    """The string of a continuation line (a quoted string alone, obsolete too), else None."""
    if not line or line[0] == "m" or (line[0] == "#" and line[1:2] != "~"):
        return None  # the usual cases, a keyword or comment line: no strip needed
    body = line.strip()
    if body.startswith("#~"):
        body = body[2:].lstrip()
    if len(body) >= 2 and body[0] == '"' and body[-1] == '"':
        return body
    return None


def _has_unwrapped_line(lines: list[str]) -> bool:
    """Some string line of two words or more, not continued, is wider than gettext's width."""
    for index, line in enumerate(lines):
        if len(line) * 2 <= GETTEXT_WIDTH:
            continue  # even if every character took two columns it would fit
        string = _string_of(line)
        if string is None:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        content = string[1:-1] if len(string) >= 2 else ""
        if _continuation_string(following) is not None and content and not content.endswith("\\n"):
            continue  # a break, not an unwrapped line
        if " " in content.strip(" ") and columns(line) > GETTEXT_WIDTH:
            return True
    return False


def _string_of(line: str) -> str | None:
    """The quoted string on a keyword or continuation line (obsolete ones too), else None."""
    body = line.strip()
    if body.startswith("#~"):
        body = body[2:].lstrip()
    elif body.startswith("#"):
        return None
    keyword = _KEYWORD.match(body)
    if keyword is not None:
        return (keyword.group(2) or "").strip() or None
    return body if body.startswith('"') and body.endswith('"') and len(body) >= 2 else None


def _is_continuation(line: str) -> bool:
    body = line.strip()
    if body.startswith("#~"):
        body = body[2:].lstrip()
    return body.startswith('"')


def columns(text: str) -> int:
    """Display width as gettext counts it: wide (CJK) characters take two columns."""
    if text.isascii() or _MAYBE_WIDE.search(text) is None:
        return len(text)  # no character that may be wide (Latin, Cyrillic, ...)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


_MAYBE_WIDE = re.compile(
    "["
    + "".join(
        re.escape(chr(c)) for c in range(0x1100) if unicodedata.east_asian_width(chr(c)) in "WF"
    )
    + "\u1100-\U0010ffff]"
)
"""Characters that may be wide: all from U+1100 (the first assigned wide one) on, and the few
code points below it that `unicodedata` calls wide (unassigned ones); the rest take one column."""


# --- assembling ----------------------------------------------------------------------------------


_SOURCE_FIELDS = ("msgctxt", "msgid", "msgid_plural")


def keep_source_lines(new: str, old: str) -> str:
    """``new`` (an entry's fresh layout) with its msgctxt, msgid and msgid_plural lines as in
    ``old``, the same entry as the file had it; the caller knows those strings are equal."""
    old_sections = dict(_sections(old)[1])
    comments, sections = _sections(new)
    if {name for name, _ in sections if name in _SOURCE_FIELDS} != {
        name for name in old_sections if name in _SOURCE_FIELDS
    }:
        return new
    parts = [comments]
    for name, text in sections:
        parts.append(old_sections[name] if name in _SOURCE_FIELDS else text)
    return "".join(parts)


def _sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """An active entry's comment lines, and its keyword sections (keyword, lines) in order."""
    comments: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in _lines(text):
        body = line.strip()
        keyword = _KEYWORD.match(body)
        if keyword is not None:
            sections.append((keyword.group(1), [line]))
        elif body.startswith('"') and sections:
            sections[-1][1].append(line)
        elif not sections:
            comments.append(line)
        else:
            sections[-1][1].append(line)  # a stray line stays where it was
    return "".join(comments), [(name, "".join(lines)) for name, lines in sections]


def assemble(pieces: list[tuple[str, str]], newline: str = "\n") -> str:
    """Join entry texts, each with the gap to put after it ("" for the usual one blank line).

    With ``newline`` "\r\n" (a file from Windows), new lines get it too, as Poedit keeps it.
    """
    out: list[str] = []
    for index, (text, gap) in enumerate(pieces):
        if newline != "\n" and not text.endswith(newline):
            text = text.replace(newline, "\n").replace("\n", newline)
        out.append(text if text.endswith("\n") else text + newline)
        if index < len(pieces) - 1:
            out.append(gap or newline)
    return "".join(out)


def newline_of(text: str) -> str:
    """ "\r\n" when most lines of the file end so, else "\n"."""
    return "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
