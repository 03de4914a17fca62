"""The Markdown parser and inline markup: template-tag masks, the parser and the renderer, and
where the markup of an inline text sits (links, emphasis, code, HTML, template tags).

Parsing is markdown-it-py with the CommonMark preset plus GFM tables: the same parser family as the
static-site generators these posts come from (Eleventy uses markdown-it). Inline rules are wrapped
so every inline token knows where it sits in its paragraph: markdown-it keeps line maps for blocks
only. Template tags (``{{ … }}``, ``{% … %}``, ``{# … #}``) are masked before parsing with
same-length private-use characters, so the parser sees one opaque word, as a site generator's
Markdown stage does after its template stage. See docs/markdown.md.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# --- template tags ------------------------------------------------------------------------------

# A tag never spans a blank line: an unclosed `{{` in prose must not swallow the rest of the file.
_NO_BLANK_LINE = r"(?:(?!\n[ \t]*\r?\n).)*?"
_TEMPLATE = re.compile(
    rf"\{{\{{{_NO_BLANK_LINE}\}}\}}|\{{%{_NO_BLANK_LINE}%\}}|\{{#{_NO_BLANK_LINE}#\}}", re.DOTALL
)
# Mask of tag i: one start character (U+E000 + i % 4096) then fill characters (U+F000 + i // 4096);
# line breaks inside the tag are kept so line numbers and block structure do not move.
_MASK_START = 0xE000
_MASK_FILL = 0xF000
_MASK = re.compile("[\ue000-\uefff](?:[\uf000-\uf8ff]|[\r\n]+(?=[\uf000-\uf8ff]))*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WHITESPACE = re.compile(r"\s+")
_ALNUM = re.compile(r"[^\W_]")

# A hard line break as a msgid writes it (and as a placed translation keeps it).
_HARD_BREAK = "\\\n"


def template_tags(text: str) -> list[str]:
    """The static-site template tags of a text, in order."""
    return [match.group(0) for match in _TEMPLATE.finditer(text)]


def _mask_templates(text: str, start: int = 0) -> tuple[str, list[tuple[int, int]]]:
    """`text` with each template tag from `start` on replaced by its same-length mask."""
    spans: list[tuple[int, int]] = []
    pieces: list[str] = []
    cursor = 0
    for index, match in enumerate(_TEMPLATE.finditer(text, start)):
        first = chr(_MASK_START + index % 4096)
        fill = chr(_MASK_FILL + (index // 4096) % 2304)
        tag = match.group(0)
        masked = first + "".join(c if c in "\r\n" else fill for c in tag[1:])
        pieces.append(text[cursor : match.start()])
        pieces.append(masked)
        cursor = match.end()
        spans.append((match.start(), match.end()))
    pieces.append(text[cursor:])
    return "".join(pieces), spans


def _unmask(rendered: str, tags: list[str], escape: bool) -> str:
    """Put the template tags back where their masks ended up."""

    def back(match: re.Match[str]) -> str:
        mask = match.group(0)
        fills = [c for c in mask[1:] if c not in "\r\n"]
        if not fills:
            return mask
        index = (ord(mask[0]) - _MASK_START) + 4096 * (ord(fills[0]) - _MASK_FILL)
        if index >= len(tags):
            return mask
        # Escaped as markdown-it escapes attributes and text: & < > and the double quote.
        return html.escape(tags[index]).replace("&#x27;", "'") if escape else tags[index]

    return _MASK.sub(back, rendered)


# --- the parser ----------------------------------------------------------------------------------


def _track(name: str, rule: Callable[[Any, bool], bool]) -> Callable[[Any, bool], bool]:
    """Wrap an inline rule so the tokens it pushes remember their span in the paragraph."""

    def tracked(state: Any, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        start = state.pos
        before = len(state.tokens)
        label_end = -1
        trailing = 0
        if name == "link" and state.src[start] == "[":
            label_end = state.md.helpers.parseLinkLabel(state, start, True)
        elif name == "image" and state.src.startswith("![", start):
            label_end = state.md.helpers.parseLinkLabel(state, start + 1, False)
        elif name == "newline":
            pending = state.pending
            trailing = len(pending) - len(pending.rstrip(" "))
        if not rule(state, silent):
            return False
        end = state.pos
        new = state.tokens[before:]
        if name == "emphasis":
            count = end - start
            state.env["delimiters"] = state.env.get("delimiters", 0) + count
            for offset, token in enumerate(new[len(new) - count :]):
                token.meta["pos"] = start + offset
        elif name in ("link", "image"):
            for token in new:
                if token.type in ("link_open", "link_close", "image") and "span" not in token.meta:
                    token.meta["span"] = (start, end)
                    token.meta["label_end"] = label_end
        elif name == "autolink":
            for token in new[-3:]:
                token.meta["span"] = (start, end)
                token.meta["autolink"] = True
        elif name == "newline":
            if new:
                new[-1].meta["span"] = (start - trailing, end)
        elif new and new[-1].type != "text":
            new[-1].meta["span"] = (start, end)
        return True

    return tracked


# markdown-it stops parsing, silently, below `maxNesting` levels (CommonMark preset: 20, so 12
# nested lists or 20 `>` lost the rest of the file). Its block parser recurses about twice per
# level; 200 levels stay far from Python's recursion limit, and a deeper source is refused.
MAX_NESTING = 200
_CONTAINERS = frozenset({"blockquote_open", "list_item_open"})


def _too_deep(tokens: list[Any]) -> int | None:
    """The 0-based line of the first block quote or list item whose content markdown-it skipped
    because it lies deeper than MAX_NESTING levels, or None."""
    for token in tokens:
        if token.type in _CONTAINERS and token.level >= MAX_NESTING - 1 and token.map:
            return int(token.map[0])
    return None


@functools.cache
def _parser() -> Any:
    """The segmenting parser: CommonMark + GFM tables, raw HTML recognised, spans tracked."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable("table")
    # text_join would merge escapes and entities into plain text and lose their spans.
    md.core.ruler.disable("text_join")
    for rule in md.inline.ruler.__rules__:
        md.inline.ruler.at(rule.name, _track(rule.name, rule.fn))
    return md


@functools.cache
def _renderer() -> Any:
    """The edition renderer: the segmenter's rules (raw HTML recognised, so both see the same
    blocks), but every raw HTML token is written out as escaped text and comments are dropped:
    nothing in a source or a translation becomes markup the pipeline did not write."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable("table")
    plain = md.normalizeLink

    def normalize_link(url: str) -> str:
        # Masks must reach the output unencoded so the tags can be put back.
        pieces = re.split("([\ue000-\uf8ff]+)", url)
        return "".join(p if p[:1] and "\ue000" <= p[0] <= "\uf8ff" else plain(p) for p in pieces)

    def html_block(_self: Any, tokens: list[Any], index: int, options: Any, env: Any) -> str:
        content = tokens[index].content
        if content.lstrip().startswith("<!--"):
            return ""
        return f'<pre class="raw-html"><code>{html.escape(content, quote=False)}</code></pre>\n'

    def html_inline(_self: Any, tokens: list[Any], index: int, options: Any, env: Any) -> str:
        content = tokens[index].content
        return "" if content.startswith("<!--") else html.escape(content, quote=False)

    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    md.add_render_rule("html_block", html_block)
    md.add_render_rule("html_inline", html_inline)
    return md


# --- inline markup -------------------------------------------------------------------------------

# Span kinds that are markup, not words: they are masked for the sentence splitter and replaced by
# placeholders for machine translation.
_OPAQUE = frozenset({"code", "html", "autolink", "template", "escape", "entity"})
_NON_TEXT = _OPAQUE | {"link_tail", "image_tail", "image_open", "link_open", "emphasis", "break"}


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str


@dataclass
class _Image:
    start: int
    end: int
    alt: tuple[int, int]
    title: tuple[int, int] | None


@dataclass
class _Markup:
    """Where the markup of one inline text sits (offsets into that text)."""

    spans: list[_Span] = field(default_factory=list)
    pairs: list[tuple[int, int, str, int]] = field(default_factory=list)  # start, end, kind, inner
    images: list[_Image] = field(default_factory=list)
    link_titles: list[tuple[int, int]] = field(default_factory=list)
    breaks: list[tuple[int, int]] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    emphasis: Counter[str] = field(default_factory=Counter)
    delimiters: int = 0


def _title_span(src: str, label_end: int, end: int) -> tuple[int, int] | None:
    """Where the title of an inline link `[x](url "title")` sits, if it has one."""
    from markdown_it.helpers import parseLinkDestination, parseLinkTitle

    pos = label_end + 1
    if pos >= end or src[pos] != "(":
        return None
    pos += 1
    while pos < end and src[pos] in " \t\n":
        pos += 1
    destination = parseLinkDestination(src, pos, end)
    if not destination.ok:
        return None
    pos = after = destination.pos
    while pos < end and src[pos] in " \t\n":
        pos += 1
    if pos == after:
        return None
    title = parseLinkTitle(src, pos, end)
    if not title.ok or title.pos - 1 <= pos + 1:
        return None
    return (pos + 1, title.pos - 1)


def _analyse(
    tokens: list[Any], src: str, offset: int = 0, markup: _Markup | None = None
) -> _Markup:
    """Collect the markup spans of parsed inline tokens of `src` (shifted by `offset`)."""
    found = markup if markup is not None else _Markup()
    stack: list[tuple[str, int]] = []
    skip_autolink = False
    for token in tokens:
        kind = token.type
        span = token.meta.get("span")
        if skip_autolink:
            skip_autolink = kind != "link_close"
            continue
        if kind == "code_inline" and span:
            found.spans.append(_Span(span[0] + offset, span[1] + offset, "code"))
            found.code.append(src[span[0] : span[1]])
        elif kind == "html_inline" and span:
            found.spans.append(_Span(span[0] + offset, span[1] + offset, "html"))
            found.html.append(token.content)
        elif kind == "text_special" and span:
            which = "entity" if token.info == "entity" else "escape"
            found.spans.append(_Span(span[0] + offset, span[1] + offset, which))
        elif kind == "hardbreak" and span:
            found.spans.append(_Span(span[0] + offset, span[1] + offset, "break"))
            found.breaks.append((span[0] + offset, span[1] + offset))
        elif kind == "link_open" and span:
            start, end = span[0] + offset, span[1] + offset
            found.hrefs.append(str(token.attrs.get("href", "")))
            if token.meta.get("autolink"):
                found.spans.append(_Span(start, end, "autolink"))
                skip_autolink = True
                continue
            label_end = token.meta["label_end"] + offset
            found.spans.append(_Span(start, start + 1, "link_open"))
            found.spans.append(_Span(label_end, end, "link_tail"))
            found.pairs.append((start, end, "link", label_end))
            title = _title_span(src, token.meta["label_end"], span[1])
            if title:
                found.link_titles.append((title[0] + offset, title[1] + offset))
        elif kind == "image" and span:
            start, end = span[0] + offset, span[1] + offset
            label_end = token.meta["label_end"] + offset
            found.sources.append(str(token.attrs.get("src", "")))
            found.spans.append(_Span(start, start + 2, "image_open"))
            found.spans.append(_Span(label_end, end, "image_tail"))
            found.pairs.append((start, end, "image", label_end))
            title = _title_span(src, token.meta["label_end"], span[1])
            shifted = (title[0] + offset, title[1] + offset) if title else None
            found.images.append(_Image(start, end, (start + 2, label_end), shifted))
            if token.children:
                _analyse(
                    token.children, src[span[0] + 2 : token.meta["label_end"]], start + 2, found
                )
        elif kind in ("em_open", "strong_open") and "pos" in token.meta:
            width = len(token.markup)
            position = token.meta["pos"] + offset - (width - 1)
            found.spans.append(_Span(position, position + width, "emphasis"))
            found.emphasis[token.markup] += 1
            stack.append((kind, position))
        elif kind in ("em_close", "strong_close") and "pos" in token.meta:
            width = len(token.markup)
            position = token.meta["pos"] + offset
            found.spans.append(_Span(position, position + width, "emphasis"))
            if stack:
                _, opened = stack.pop()
                found.pairs.append((opened, position + width, "emphasis", opened + width))
    return found


def _inline_markup(text: str) -> _Markup:
    """Parse one inline text (a msgid or msgstr) and collect its markup, template tags included."""
    masked, templates = _mask_templates(text)
    env: dict[str, Any] = {}
    tokens = _parser().parseInline(masked, env)
    markup = _analyse(tokens[0].children or [], masked)
    markup.delimiters = env.get("delimiters", 0)
    markup.spans.extend(_Span(a, b, "template") for a, b in templates)
    markup.spans = _outermost(markup.spans)
    tags = [text[a:b] for a, b in templates]
    for found in (markup.hrefs, markup.sources, markup.code, markup.html):
        found[:] = [_unmask(item, tags, escape=False) for item in found]
    return markup


def _outermost(spans: list[_Span]) -> list[_Span]:
    """Sorted spans without those inside another (a template tag inside inline code)."""
    result: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if result and span.start < result[-1].end:
            last = result[-1]
            if span.end > last.end:  # `\{{ x }}`: an escape that took a tag's first character
                kind = "template" if "template" in (span.kind, last.kind) else last.kind
                result[-1] = _Span(last.start, span.end, kind)
            continue
        result.append(span)
    return result


def normalise(text: str) -> str:
    """The msgid form of a text: whitespace runs become one space, no space at either end."""
    return _WHITESPACE.sub(" ", text).strip()
