"""Untidy text (pasted from a PDF or a web page) tidied for splitting, with a map back to it.

`clean(text)` is the tidy text, as pySBD's `clean=True` makes it: one paragraph a line, markup
and page furniture gone. `tidy_paragraph(paragraph)` tidies one paragraph the same way but keeps
its line breaks as spaces, and remembers where each tidy character came from, so that
`sentences.sentence_spans` can cut where the tidy text cuts and still return exact spans of the
source. See docs/segmentation.md ("Untidy text").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

# Cleaning stays linear in the length of the text: a repeated part that may have to be given
# back starts only where the run begins (the look-behinds), and a tag is looked for at most
# 300 characters ahead (a line of 5 MB of `<a ` must not make the search quadratic).

# `\r\n` or `\n` written out as two characters (`Hello. \r\n Hello.`), also with stray spaces.
_ESCAPED_BREAK = re.compile(r"(?<!\S)(?:\\ ?[rn](?=\s|\\|[A-Z]|$) ?)+")
# Inline formatting codes of translation tools: `{b^>1<b^}` and its escaped form.
_TOOL_CODE = re.compile(r"\{b\^(?:>|&gt;)\d{0,5}(?:<|&lt;)b\^\}")
# HTML or XML tags, also escaped ones (`&lt;b&gt;`). Block tags end a paragraph, others vanish.
_TAG = re.compile(r"</?([A-Za-z][\w:-]{0,30})(?:\s[^<>]{0,300})?/?>")
_ESCAPED_TAG = re.compile(r"&lt;/?[A-Za-z][\w:-]{0,30}(?:\s(?:[^&<>]|&(?!lt;|gt;)){0,300})?/?&gt;")
# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "title",
    "tr", "ul",
})
# fmt: on
_CRLF = re.compile(r"\r\n?")
# Line breaks that are not paragraph ends.
_STACKED_LETTERS = re.compile(r"\n(?=[^\W\d_]{1,2}\n)")  # "W\nA\nRN\nI\nNG" is one word
_BROKEN_SENTENCE = re.compile(r"(?<![ \t])[ \t]+\n(?=[a-z(])")  # "It was a cold \nnight"
_STOP_ON_NEXT_LINE = re.compile(r"(?<!\n)\n+(?=\.(?:\s|$))")  # "for pricing\n.\nPricing"
# Tables of contents and rules drawn with characters.
_LEADER_AND_PAGE = re.compile(
    r"(?<!\.)\.{4,}[ \t]*\d{1,5}(?:[-–]\d{1,5})?(?=\s|$)"
)  # "About Me....5"
_DOT_RUN = re.compile(r"\.{5,}")  # four dots are an ellipsis and a full stop
_SLASH_RUN = re.compile(r"/{3,}")
# Page furniture alone on a line: a page number, a separator such as "/" or "|".
_FURNITURE = re.compile(r"^[ \t]*(?:\d{1,4}|[/\\|]+)[ \t]*$", re.M)
_SPACES = re.compile(r"[^\S\n]{3,}")  # two spaces may be meant ("[15:  12:32]")
# Anything that makes a paragraph's tidy text differ in more than single characters.
_UNTIDY = re.compile(r"\\|\{b\^|&lt;|<[A-Za-z/]|\r|\.{4}|///")
_LINE_BREAK = re.compile(r"\r\n|\n")

# One pass's replacements: (start, end) in its input, (start, length) in its output.
_Edit = tuple[int, int, int, int]


class Tidied:
    """Tidy text and, for each of its characters, the index in the source it came from."""

    def __init__(self, text: str, passes: list[tuple[list[_Edit], list[int]]]) -> None:
        self.text = text
        self._passes = passes  # each pass's edits, and their output starts for bisect

    def source(self, index: int) -> int:
        """Index in the source of tidy character `index` (a replacement maps to the start of
        what it replaced). Monotone; O(passes × log edits)."""
        for edits, starts in reversed(self._passes):
            k = bisect.bisect_right(starts, index) - 1
            if k >= 0:
                start, end, out_start, out_length = edits[k]
                index = (
                    start
                    if index < out_start + out_length
                    else end + index - out_start - out_length
                )
        return index


def needs_tidying(paragraph: str) -> bool:
    """Does this paragraph hold anything `tidy_paragraph` removes or turns into a break?"""
    return _UNTIDY.search(paragraph) is not None


def clean(text: str) -> str:
    """`text` tidied for splitting: one paragraph a line, markup removed, spaces collapsed.

    A line break inside a sentence is joined: after a space when the next line starts in lower
    case or with `(`, before a full stop alone on the next line, and between letters stacked one
    or two to a line. Other line breaks end a paragraph. Tags, tool codes, dot leaders with their
    page numbers, runs of five dots or more, runs of slashes and lines that hold only a page
    number or a separator (`/`, `|`) are removed. Backticks become apostrophes, and runs of three
    spaces or more one space.
    """
    return _tidy(text, [], dot_run=" ").text


def tidy_paragraph(paragraph: str) -> Tidied:
    """One paragraph tidied as `clean` does, where its own line breaks are spaces (a paragraph
    is one unit, whatever its lines); a line break in the tidy text comes from a block tag, a
    written-out `\\r\\n` or a lone carriage return, and ends a sentence. A run of five dots or
    more is an ellipsis here (`Wait..... What?` still ends a sentence; `dots.....please` does
    not), where `clean` makes it a space."""
    text = _LINE_BREAK.sub(lambda match: " " * len(match.group()), paragraph)
    return _tidy(text, [], dot_run="…")


def _tidy(text: str, passes: list[tuple[list[_Edit], list[int]]], dot_run: str) -> Tidied:
    # Each pass only runs when its trigger occurs: most paragraphs need none of them.
    def run(pattern: re.Pattern[str], new: str | Callable[[re.Match[str]], str]) -> None:
        nonlocal text
        text = _sub(pattern, new, text, passes)

    if "\\" in text:
        run(_ESCAPED_BREAK, "\n")
    if "{b^" in text:
        run(_TOOL_CODE, "")
    if "&lt;" in text:
        run(_ESCAPED_TAG, "")
    if "<" in text:
        run(_TAG, _replace_tag)
    if "\r" in text:
        run(_CRLF, "\n")
    if "\n" in text:
        run(_STACKED_LETTERS, "")
        run(_BROKEN_SENTENCE, " ")
        run(_STOP_ON_NEXT_LINE, "")
    if "...." in text:
        run(_LEADER_AND_PAGE, " ")
        run(_DOT_RUN, dot_run)
    if "///" in text:
        run(_SLASH_RUN, "")
    run(_FURNITURE, "")
    text = text.replace("`", "'")  # one character for one: the map stays as it is
    run(_SPACES, " ")
    return Tidied(text, passes)


def _sub(
    pattern: re.Pattern[str],
    new: str | Callable[[re.Match[str]], str],
    text: str,
    passes: list[tuple[list[_Edit], list[int]]],
) -> str:
    """`pattern.sub(new, text)`, recording each replacement in `passes`. Linear."""
    pieces: list[str] = []
    edits: list[_Edit] = []
    starts: list[int] = []
    position = length = 0
    for match in pattern.finditer(text):
        replacement = new if isinstance(new, str) else new(match)
        start, end = match.span()
        pieces.append(text[position:start])
        length += start - position
        edits.append((start, end, length, len(replacement)))
        starts.append(length)
        pieces.append(replacement)
        length += len(replacement)
        position = end
    if not edits:
        return text
    pieces.append(text[position:])
    passes.append((edits, starts))
    return "".join(pieces)


def _replace_tag(match: re.Match[str]) -> str:
    return "\n" if match.group(1).lower() in _BLOCK_TAGS else ""
