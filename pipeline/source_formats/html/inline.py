"""A run's msgid (readable HTML with its inline elements), its tokens and its sentences. Pure.

The msgid is the run serialized with HTML's whitespace collapsed to single spaces, except inside
``<code>``, which keeps its exact text. Tokens are what a translation must carry over unchanged:
tags, comments, whole ``<code>`` elements, entities, template tags and bare URLs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ...sentences import sentence_spans
from .tree import VOID, escape_text, is_comment, is_foreign, local, serialize, start_tag
from .walk import Run, get_slot

_HTML_SPACES = re.compile(r"[ \t\n\r\f]+")
_TAG = r"</?[A-Za-z][^\s/>]*(?:\s+[^\s/>=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>"
TOKEN = re.compile(
    r"<code\b(?:\"[^\"]*\"|[^>\"])*>.*?</code\s*>"
    r"|<!--.*?-->"
    rf"|{_TAG}"
    r"|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}"
    r"|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);"
    r"|https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]",
    re.DOTALL,
)
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_ALNUM = re.compile(r"[^\W_]")


def run_msgid(run: Run) -> str:
    """The run as translators read it: inline elements written out, whitespace collapsed."""
    out = [_HTML_SPACES.sub(" ", escape_text(get_slot(run.parent, run.start)))]
    for index in range(run.start, run.end):
        child = run.parent[index]
        _inline(child, out)
        out.append(_HTML_SPACES.sub(" ", escape_text(child.tail or "")))
    return "".join(out).strip(" ")


def _inline(node: ET.Element, out: list[str]) -> None:
    name = local(node.tag)
    if is_comment(node) or name == "code" or is_foreign(node):
        out.append(serialize(node))
        return
    out.append(start_tag(node))
    if name in VOID:
        return
    out.append(_HTML_SPACES.sub(" ", escape_text(node.text or "")))
    for child in node:
        _inline(child, out)
        out.append(_HTML_SPACES.sub(" ", escape_text(child.tail or "")))
    out.append(f"</{name}>")


def has_text(msgid: str) -> bool:
    """A letter or digit outside tags, code, entities, template tags and URLs."""
    return _ALNUM.search(TOKEN.sub(" ", msgid)) is not None


def _masked(msgid: str) -> str:
    """The msgid as the sentence splitter should see it: tags as spaces, opaque tokens as words."""
    chars = list(msgid)
    for match in TOKEN.finditer(msgid):
        a, b = match.span()
        text = match.group()
        fill = " " * (b - a) if text.startswith("<") and not text.startswith("<code") else ""
        chars[a:b] = fill or ("X" + "x" * (b - a - 1))
    return "".join(chars)


def _tag_name(token: str) -> tuple[str, bool] | None:
    """(element name, is a closing tag) for a start or end tag token; None for anything else."""
    found = re.match(r"<(/?)([A-Za-z][^\s/>]*)", token)
    if found is None or token.startswith("<code"):
        return None
    return found.group(2).lower(), bool(found.group(1))


def _balanced(msgid: str, start: int, end: int) -> bool:
    stack: list[str] = []
    for match in TOKEN.finditer(msgid, start, end):
        named = _tag_name(match.group())
        if named is None or match.group().endswith("/>") or named[0] in VOID:
            continue
        name, closing = named
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def sentence_ranges(msgid: str) -> list[tuple[int, int]]:
    """Sentences of a run's msgid; a sentence never cuts an element in two."""
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(msgid)]
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(_masked(msgid)):
        moved = True
        while moved:  # closing tags right after the end, opening tags right before the start
            moved = False
            for a, b, token in tokens:
                named = _tag_name(token)
                if named and named[1] and a == end:
                    end, moved = b, True
                elif named and not named[1] and b == start:
                    start, moved = a, True
        spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and not _balanced(msgid, *merged[-1]):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return [(a, b) for a, b in merged if has_text(msgid[a:b])] or [(0, len(msgid))]
