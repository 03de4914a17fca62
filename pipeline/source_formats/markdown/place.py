"""Translations placed into a Markdown skeleton without changing its block structure. Pure."""

from __future__ import annotations

import re

from .front_matter import yaml_scalar
from .markup import _HARD_BREAK

_BLOCK_START = re.compile(
    r"(?P<hash>#{1,6}(?=[ \t]|$))|(?P<quote>>)|(?P<bullet>[-+*](?=[ \t]|$))"
    r"|(?P<number>\d{1,9})(?P<dot>[.)])(?=[ \t]|$)|(?P<fence>```+(?=[^`]*$)|~~~)"
    r"|(?P<rule>(?:[-*_=][ \t]*){3,}$)|(?P<reference>\[[^\]]*\]:)"
)
# The starts of CommonMark HTML blocks (kinds 1 to 7); an autolink like <https://…> is none.
_HTML_BLOCK_START = re.compile(
    r"<(?:script|pre|style|textarea)(?:[\s>]|$)|<!--|<\?|<![A-Za-z]|<!\[CDATA\["
    r"|</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd"
    r"|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset"
    r"|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol"
    r"|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr"
    r"|track|ul)(?:\s|/?>|$)"
    r"|(?:<[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)\s*$",
    re.IGNORECASE,
)
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def place_translation(kind: str, text: str) -> str:
    """A translation as it must be written into a Markdown skeleton block of `kind`.

    Front matter values become YAML double-quoted scalars. Elsewhere the text goes on one line
    (inline code keeps its spaces), and a start that Markdown would read as a heading, list,
    quote, fence, rule or HTML block is escaped: a Czech date like "15. března" at the start of a
    line would otherwise turn the paragraph into an ordered list.
    """
    if kind == "front matter":
        return yaml_scalar(text)
    # A hard break the msgid had (inside emphasis or a link) stays; the next line is a lazy
    # continuation of the same paragraph, so it needs no container prefix.
    lines = [_placed_line(kind, line) for line in re.split(r"\\\r?\n", text)]
    return _HARD_BREAK.join(line for line in lines if line)


def _placed_line(kind: str, text: str) -> str:
    flat = _LINE_BREAKS.sub(" ", text).strip()
    match = _BLOCK_START.match(flat)
    if match:
        if match.group("number"):
            cut = match.start("dot")
            flat = flat[:cut] + "\\" + flat[cut:]
        elif match.group("fence") and flat[0] == "`":
            # Every backtick: a shorter run left behind could pair with another into code.
            run = match.end("fence")
            flat = "\\`" * run + flat[run:]
        else:
            flat = "\\" + flat
    elif _HTML_BLOCK_START.match(flat):
        flat = "\\" + flat
    if kind == "table":
        flat = re.sub(r"(?<!\\)\|", r"\\|", flat)
    if kind == "heading":
        flat = re.sub(r"([ \t])(#+)$", r"\1\\\2", flat)
    return flat
