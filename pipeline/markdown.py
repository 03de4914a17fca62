"""Markdown sources: skeleton + units (the sibling of segment.py), and the Markdown side of machine
translation (placeholders), checks (markup differences) and editions (HTML rendering).

Parsing is markdown-it-py with the CommonMark preset plus GFM tables: the same parser family as the
static-site generators these posts come from (Eleventy uses markdown-it). Inline rules are wrapped
so every inline token knows where it sits in its paragraph: markdown-it keeps line maps for blocks
only. Template tags (``{{ … }}``, ``{% … %}``, ``{# … #}``) are masked before parsing with
same-length private-use characters, so the parser sees one opaque word, as a site generator's
Markdown stage does after its template stage. See docs/markdown.md.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import SourceError
from .model import Block, Document, Severity, Unit
from .sentences import sentence_spans

FORMAT = "markdown"

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


# --- front matter --------------------------------------------------------------------------------

_FENCE = re.compile(r"---[ \t]*(?:\r\n|\r|\n)")
_FENCE_END = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\r|\n|$)", re.MULTILINE)


@dataclass
class _FrontMatter:
    end: int  # offset just after the closing line
    units: list[tuple[int, int, Unit]]
    title: str


def _front_matter(text: str, keys: tuple[str, ...], path: str, start: int) -> _FrontMatter | None:
    """Find YAML front matter at `start`; its configured keys become units, spans kept exact."""
    import yaml

    opening = _FENCE.match(text, start)
    if opening is None:
        return None
    closing = _FENCE_END.search(text, opening.end())
    if closing is None:
        raise SourceError("front matter: no closing '---' line", path=path, line=1)
    body_start = opening.end()
    yaml_text = text[body_start : closing.start()]
    first_line = text.count("\n", 0, body_start) + 1
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        yaml.safe_load(yaml_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = first_line + mark.line if mark is not None else 1
        raise SourceError(f"front matter: invalid YAML: {problem}", path=path, line=line) from None
    except ValueError as error:
        raise SourceError(f"front matter: {error}", path=path, line=first_line) from None
    if node is None:
        return _FrontMatter(closing.end(), [], "")
    if not isinstance(node, yaml.MappingNode):
        raise SourceError("front matter: not a YAML mapping", path=path, line=first_line)
    units: list[tuple[int, int, Unit]] = []
    title = ""
    taken: set[int] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in keys:
            continue
        if isinstance(value_node, yaml.ScalarNode):
            items = [(value_node, f"front matter: {key}")]
        elif isinstance(value_node, yaml.SequenceNode):
            items = [
                (item, f"front matter: {key} {number}")
                for number, item in enumerate(value_node.value, start=1)
                if isinstance(item, yaml.ScalarNode)
            ]
        else:
            continue
        for item, where in items:
            value = item.value if isinstance(item.value, str) else ""
            if not _translatable_scalar(item, value) or item.start_mark.index in taken:
                continue
            taken.add(item.start_mark.index)  # an alias points at its anchor's node
            raw_start = body_start + item.start_mark.index
            raw = text[raw_start : body_start + item.end_mark.index].rstrip()
            line = first_line + item.start_mark.line
            units.append(
                (raw_start, raw_start + len(raw), Unit(normalise(value), line, where, raw))
            )
            if key == "title" and not title:
                title = normalise(value)
    return _FrontMatter(closing.end(), units, title)


def _translatable_scalar(node: Any, value: str) -> bool:
    if not value.strip():
        return False
    if node.tag == "tag:yaml.org,2002:str":
        return True
    # A plain `title: Yes` resolves to a boolean in YAML 1.1 but is still words to translate.
    return node.style is None and any(c.isalpha() for c in value)


def yaml_scalar(text: str) -> str:
    """A YAML double-quoted scalar holding `text` (one line), valid whatever the text contains."""
    out = ['"']
    for char in " ".join(text.split()):
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif ord(char) < 0x20 or char in "\x7f\x85\u2028\u2029\ufeff":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


# --- segmentation --------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """The msgid form of a text: whitespace runs become one space, no space at either end."""
    return _WHITESPACE.sub(" ", text).strip()


class _Source:
    """The source text with its line starts, for offset ↔ line arithmetic."""

    def __init__(self, text: str, masked: str) -> None:
        self.text = text
        self.masked = masked
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.ends = [m.start() for m in _LINE_BREAK.finditer(text)] + [len(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def line_start(self, index: int) -> int:
        return self.starts[index] if index < len(self.starts) else len(self.text)

    def masked_line(self, index: int) -> str:
        return self.masked[self.starts[index] : self.ends[index]]


def _place(line: str, piece: str) -> tuple[int, int] | None:
    """Where a content line sits in its source line: (leading characters the parser made up from
    a tab, position of the rest), or None."""
    if not piece:
        return (0, len(line.rstrip()))
    position = line.rfind(piece)
    if position >= 0:
        return (0, position)
    stripped = piece.lstrip()
    position = line.rfind(stripped) if stripped else -1
    if position < 0:
        return None
    return (len(piece) - len(stripped), position)


_MARKERS_ONLY = re.compile(r"[\s>*+\-.)\d]*")


def _blankish(line: str) -> bool:
    """A line with nothing but container markers (quote, list) and (Unicode) whitespace."""
    return _MARKERS_ONLY.fullmatch(line) is not None


@dataclass
class _Region:
    start: int
    end: int
    kind: str
    number: int | None
    units: list[tuple[int, int, Unit]]


class _Segmenter:
    def __init__(self, source: _Source, path: str, unit: str) -> None:
        self.source = source
        self.path = path
        self.unit = unit
        self.regions: list[_Region] = []
        self.paragraphs = 0
        self.headings = 0
        self.tables = 0

    def fail(self, message: str, line_index: int) -> SourceError:
        return SourceError(message, path=self.path, line=line_index + 1)

    # Content of an inline token → offsets in the source, one per character (and one past the end).
    def line_offsets(
        self, content: str, line_map: list[int], what: str, skip_blank: bool = True
    ) -> list[int]:
        """Offsets in the source of each character of a block's inline content (and one past it).

        Content line k is found at the end of source line map[0] + k, behind container markers;
        lines of Unicode-only whitespace the parser trimmed away are skipped.
        """
        offsets: list[int] = []
        lines = content.split("\n")
        line_index = line_map[0]
        for index, piece in enumerate(lines):
            while True:
                if line_index >= min(line_map[1], len(self.source.starts)):
                    raise self.fail(
                        f"cannot place the text of this {what} in the source", line_map[0]
                    )
                line = self.source.masked_line(line_index)
                placed = _place(line, piece)
                if placed is not None or not skip_blank or not _blankish(line):
                    break
                line_index += 1
            if placed is None:
                raise self.fail(
                    f"cannot place the text of this {what} in the source "
                    "(tabs or unusual indentation?)",
                    line_index,
                )
            base = self.source.starts[line_index]
            lead, found = placed
            offsets.extend([base + found] * lead)
            offsets.extend(range(base + found, base + found + len(piece) - lead))
            if index < len(lines) - 1:
                offsets.append(self.source.ends[line_index])
            line_index += 1
        end = offsets[-1] + 1 if offsets else self.source.line_start(line_map[0])
        offsets.append(end)
        return offsets

    def cell_offsets(self, content: str, line_index: int, cursor: int) -> tuple[list[int], int]:
        line = self.source.masked_line(line_index)
        base = self.source.starts[line_index]
        escaped = content.replace("|", "\\|")
        found = line.find(escaped, cursor) if "|" in content else -1
        if found >= 0:
            offsets = []
            position = found
            for char in content:
                if char == "|":
                    position += 1
                offsets.append(base + position)
                position += 1
            offsets.append(base + position)
            return offsets, position
        found = line.find(content, cursor)
        if found < 0:
            raise self.fail("cannot place this table cell in the source", line_index)
        offsets = list(range(base + found, base + found + len(content) + 1))
        return offsets, found + len(content)

    # --- blocks ---

    def run(self, tokens: list[Any]) -> None:
        context: list[str] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "blockquote_open":
                context.append("block quote")
            elif kind == "list_item_open":
                context.append("list item")
            elif kind in ("blockquote_close", "list_item_close"):
                context.pop()
            elif kind == "paragraph_open":
                self.paragraph(token, tokens[index + 1], context)
                index += 2
            elif kind == "heading_open":
                self.heading(token, tokens[index + 1], context)
                index += 2
            elif kind == "table_open":
                index = self.table(tokens, index, context)
            elif kind in ("fence", "code_block", "html_block", "hr") and token.map:
                leaf = {"fence": "code", "code_block": "code", "html_block": "html", "hr": "rule"}
                self.add_region(token.map, leaf[kind], None, [])
            index += 1

    def add_region(
        self, line_map: list[int], kind: str, number: int | None, units: list[tuple[int, int, Unit]]
    ) -> None:
        start = self.source.line_start(line_map[0])
        end = self.source.line_start(line_map[1])
        self.regions.append(_Region(start, end, kind, number, units))

    def paragraph(self, token: Any, inline: Any, context: list[str]) -> None:
        self.paragraphs += 1
        number = self.paragraphs
        content: str = inline.content
        offsets = self.line_offsets(content, token.map, "paragraph")
        lines = content.split("\n")
        table_like = len(lines) > 1 and all(
            line.strip().startswith("|") and line.strip().endswith("|") for line in lines
        )
        units = self.inline_units(
            content, inline.children or [], offsets, "paragraph", number, context, table_like
        )
        self.add_region(token.map, "paragraph", None, units)

    def heading(self, token: Any, inline: Any, context: list[str]) -> None:
        self.headings += 1
        content: str = inline.content
        offsets = self.line_offsets(content, token.map, "heading")
        units = self.inline_units(
            content, inline.children or [], offsets, "heading", self.headings, context, False
        )
        self.add_region(token.map, "heading", int(token.tag[1:]), units)

    def table(self, tokens: list[Any], index: int, context: list[str]) -> int:
        self.tables += 1
        table = tokens[index]
        units: list[tuple[int, int, Unit]] = []
        row = column = 0
        cursor = 0
        row_line = -1
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                row += 1
                column = 0
                cursor = 0
                row_line = token.map[0]
            elif token.type == "inline":
                column += 1
                content: str = token.content
                if content:
                    offsets, cursor = self.cell_offsets(content, row_line, cursor)
                    where = f"table {self.tables}, cell {row}:{column}"
                    units.extend(
                        self.inline_units(
                            content, token.children or [], offsets, "cell", 0, context, False, where
                        )
                    )
            index += 1
        self.add_region(table.map, "table", None, units)
        return index

    # --- inline ---

    def inline_units(
        self,
        content: str,
        children: list[Any],
        offsets: list[int],
        kind: str,
        number: int,
        context: list[str],
        table_like: bool,
        where: str = "",
    ) -> list[tuple[int, int, Unit]]:
        markup = _analyse(children, content)
        markup.spans.extend(_Span(m.start(), m.end(), "template") for m in _MASK.finditer(content))
        markup.spans = _outermost(markup.spans)
        view = _Inline(content, markup)
        pieces = view.pieces(self.unit == "sentence" and kind == "paragraph", table_like)
        units: list[tuple[int, int, Unit]] = []
        for count, (start, end, label) in enumerate(pieces, start=1):
            if where:
                place = where
            elif kind == "heading":
                place = f"heading {number}"
            elif label:
                place = f"paragraph {number}"
            elif table_like:
                place = f"paragraph {number}, cell {view.cells.get(start, '?')}"
            elif self.unit == "sentence":
                place = f"paragraph {number}, sentence {count}"
            elif len(pieces) > 1:
                place = f"paragraph {number}, line {count}"
            else:
                place = f"paragraph {number}"
            around = [*context, label] if label else context
            if around:
                place += "; " + ", ".join(around)
            source_start, source_end = offsets[start], offsets[end - 1] + 1
            raw = self.source.text[source_start:source_end]
            msgid = view.msgid(start, end, self.source.text, offsets)
            line = self.source.line_of(source_start)
            units.append((source_start, source_end, Unit(msgid, line, place, raw)))
        return units


class _Inline:
    """One inline text and its markup: cut into runs, sentences and units."""

    def __init__(self, content: str, markup: _Markup) -> None:
        self.content = content
        self.markup = markup
        self.cells: dict[int, str] = {}
        holes = [(s.start, s.end) for s in markup.spans if s.kind in _NON_TEXT]
        self._holes = _merged(holes)
        self._holes_and_images = _merged(holes + [(i.start, i.end) for i in markup.images])

    def has_text(self, start: int, end: int, without_images: bool = False) -> bool:
        """Whether the range has a letter or digit outside markup (and outside images)."""
        cursor = start
        for hole_start, hole_end in self._holes_and_images if without_images else self._holes:
            if hole_end <= cursor:
                continue
            if hole_start >= end:
                break
            if hole_start > cursor and _ALNUM.search(self.content, cursor, hole_start):
                return True
            cursor = max(cursor, hole_end)
        return cursor < end and _ALNUM.search(self.content, cursor, end) is not None

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """Shrink a range past whitespace, template tags and standalone HTML tags at its edges."""
        content = self.content
        changed = True
        while changed and start < end:
            changed = False
            while start < end and content[start].isspace():
                start += 1
            while end > start and content[end - 1].isspace():
                end -= 1
            for span in self.markup.spans:
                if span.kind in ("template", "break") and span.start == start and span.end <= end:
                    start = span.end
                    changed = True
                if span.kind in ("template", "break") and span.end == end and span.start >= start:
                    end = span.start
                    changed = True
        return start, end

    def unwrap(self, start: int, end: int) -> tuple[int, int]:
        """Move emphasis or a link that wraps the whole range out of it, into the skeleton."""
        while True:
            start, end = self.trim(start, end)
            for pair_start, pair_end, kind, inner in self.markup.pairs:
                if pair_start == start and pair_end == end and kind in ("emphasis", "link"):
                    if kind == "emphasis":
                        start, end = inner, pair_end - (inner - pair_start)
                    else:
                        start, end = pair_start + 1, inner  # the label of [label](url)
                    break
            else:
                return start, end

    def runs(self, table_like: bool) -> list[tuple[int, int]]:
        """Pieces between hard line breaks; in a table-like paragraph, between pipes too.

        A break inside emphasis or a link does not cut: the pair stays whole in one unit (and
        a translation of that unit, being one line, loses the break).
        """
        pairs = self.markup.pairs
        cuts = [
            (a, b)
            for a, b in self.markup.breaks
            if not any(p < a and b < q for p, q, _, _ in pairs)
        ]
        if table_like:
            opaque = [(s.start, s.end) for s in self.markup.spans if s.kind in _OPAQUE]
            for match in re.finditer(r"\n|(?<!\\)\|", self.content):
                if not any(a <= match.start() < b for a, b in opaque):
                    cuts.append((match.start(), match.end()))
            cuts.sort()
        result = []
        cursor = 0
        row, column = 1, 0
        for a, b in cuts:
            result.append((cursor, a))
            if self.content[a:b] == "\n":
                row, column = row + 1, 0
            elif self.content[a:b] == "|":
                column += 1
            self.cells[b] = f"{row}:{column}"
            cursor = b
        result.append((cursor, len(self.content)))
        return result

    def pieces(self, sentences: bool, table_like: bool) -> list[tuple[int, int, str]]:
        """The units of this inline text: (start, end, label) with label '' or 'image alt' etc."""
        found: list[tuple[int, int, str]] = []
        for run_start, run_end in self.runs(table_like):
            start, end = self.unwrap(run_start, run_end)
            if start >= end or not self.has_text(start, end):
                continue
            if not self.has_text(start, end, without_images=True):
                found.extend(self.image_pieces(*self.trim(run_start, run_end)))
                continue
            if table_like:
                self.cells[start] = self.cells.get(run_start, "?")
            if not sentences or table_like:
                found.append((start, end, ""))
                continue
            for sentence_start, sentence_end in self.sentences(start, end):
                a, b = self.unwrap(sentence_start, sentence_end)
                if a < b and self.has_text(a, b):
                    found.append((a, b, ""))
        return found

    def image_pieces(self, start: int, end: int) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        ranges: list[tuple[int, int, str]] = []
        images = self.markup.images
        for image in images:
            nested = any(o.start < image.start and image.end <= o.end for o in images)
            if start <= image.start and image.end <= end and not nested:
                ranges.append((*image.alt, "image alt"))
                if image.title:
                    ranges.append((*image.title, "image title"))
        for title_start, title_end in self.markup.link_titles:
            in_alt = any(i.alt[0] <= title_start < i.alt[1] for i in images)
            if start <= title_start and title_end <= end and not in_alt:
                ranges.append((title_start, title_end, "link title"))
        for a, b, label in sorted(ranges):
            a, b = self.trim(a, b)
            if a < b and _ALNUM.search(self.content[a:b]):
                found.append((a, b, label))
        return found

    def sentences(self, start: int, end: int) -> list[tuple[int, int]]:
        view = self.splitter_view(start, end)
        spans = [(a + start, b + start) for a, b in sentence_spans(view)]
        merged: list[tuple[int, int]] = []
        for span in spans:
            if merged and self.inside_pair(merged[-1][1], span[0], start, end):
                merged[-1] = (merged[-1][0], span[1])
            else:
                merged.append(span)
        return merged or [(start, end)]

    def inside_pair(self, gap_start: int, gap_end: int, start: int, end: int) -> bool:
        """Whether a gap between sentences falls inside emphasis or a link within [start, end)."""
        return any(
            start <= a < gap_start and gap_end < b <= end for a, b, _, _ in self.markup.pairs
        )

    def splitter_view(self, start: int, end: int) -> str:
        """The range as the sentence splitter should see it: markup masked, same length."""
        chars = list(self.content[start:end])
        for span in self.markup.spans:
            a, b = max(span.start, start), min(span.end, end)
            if a >= b:
                continue
            if span.kind in _OPAQUE:
                fill = "X" + "x" * (b - a - 1)
            elif span.kind in ("link_tail", "image_tail"):
                fill = "]" + "x" * (b - a - 1)
            elif span.kind == "image_open":
                fill = " ["[: b - a]
            elif span.kind == "break":
                fill = " " * (b - a)
            else:
                continue
            chars[a - start : b - start] = fill[: b - a].ljust(b - a, "x")
        return "".join(chars).replace("\n", " ")

    def msgid(self, start: int, end: int, original: str, offsets: list[int]) -> str:
        """Readable msgid: the source text (template tags unmasked), whitespace normalised outside
        inline code so code keeps its exact spacing; a hard line break is written `\\` + newline."""
        text = self.content[start:end]
        if _MASK.search(text):
            text = "".join(
                original[offsets[index]] if "\ue000" <= char <= "\uf8ff" else char
                for index, char in enumerate(text, start=start)
            )
        pieces = []
        cursor = start
        for span in self.markup.spans:
            if span.kind not in ("code", "break") or span.end <= start or span.start >= end:
                continue
            pieces.append(_WHITESPACE.sub(" ", text[cursor - start : span.start - start]))
            if span.kind == "break":
                pieces[-1] = pieces[-1].rstrip(" ")
                pieces.append(_HARD_BREAK)
            else:
                pieces.append(text[span.start - start : span.end - start].replace("\n", " "))
            cursor = span.end
        pieces.append(_WHITESPACE.sub(" ", text[cursor - start :]))
        return "".join(pieces).strip()


def segment_markdown(
    text: str,
    *,
    name: str,
    source_path: str,
    unit: str = "sentence",
    front_matter_keys: tuple[str, ...] = ("title", "description", "excerpt"),
) -> Document:
    """Split a Markdown source into blocks of literal source text and units.

    With no translation, the blocks give back the source byte for byte; a translation replaces
    exactly the unit's source span, so markup, code, URLs and template tags stay as written.
    """
    if not text.strip():
        raise SourceError("source is empty", path=source_path)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SourceError("NUL character in a Markdown source", path=source_path, line=line)
    start = 1 if text.startswith("\ufeff") else 0
    front = _front_matter(text, front_matter_keys, source_path, start)
    body_start = front.end if front else start
    masked, _ = _mask_templates(text, body_start)
    # The parser sees the body only; the lines before it (front matter, BOM) become empty lines so
    # line numbers stay those of the file.
    lines_before = len(_LINE_BREAK.findall(text, 0, body_start))
    parsed = "\n" * lines_before + masked[body_start:]
    if body_start and not lines_before:
        parsed = " " * body_start + masked[body_start:]
    source = _Source(text, masked)
    segmenter = _Segmenter(source, source_path, unit)
    tokens = _parser().parse(parsed)
    deep = _too_deep(tokens)
    if deep is not None:
        raise SourceError(
            f"Markdown nested more than {MAX_NESTING} levels deep (block quotes and lists); "
            "the pipeline cannot place what is inside",
            path=source_path,
            line=deep + 1,
        )
    segmenter.run(tokens)
    regions = segmenter.regions
    if front is not None:
        regions.insert(0, _Region(0, front.end, "front matter", None, front.units))
    blocks = _blocks(source, regions, source_path)
    return Document(
        name=name,
        source_path=source_path,
        format=FORMAT,
        blocks=tuple(blocks),
        title=front.title if front else "",
    )


def _blocks(source: _Source, regions: list[_Region], path: str) -> list[Block]:
    text = source.text
    blocks: list[Block] = []
    cursor = 0
    for region in sorted(regions, key=lambda r: r.start):
        if region.start < cursor:
            raise SourceError(
                "cannot place a Markdown block: it overlaps the one before",
                path=path,
                line=source.line_of(region.start),
            )
        if region.start > cursor:
            blocks.append(_literal(text[cursor : region.start], "blank", source.line_of(cursor)))
        line = source.line_of(region.start)
        if not region.units:
            blocks.append(_literal(text[region.start : region.end], region.kind, line))
        else:
            parts: list[str | Unit] = []
            position = region.start
            for unit_start, unit_end, unit in sorted(region.units, key=lambda u: u[0]):
                if unit_start < position:
                    raise SourceError(
                        "cannot place two units that overlap",
                        path=path,
                        line=source.line_of(unit_start),
                    )
                if unit_start > position:
                    parts.append(text[position:unit_start])
                parts.append(unit)
                position = unit_end
            if position < region.end:
                parts.append(text[position : region.end])
            prefix = parts.pop(0) if isinstance(parts[0], str) else ""
            suffix = parts.pop() if isinstance(parts[-1], str) else ""
            blocks.append(
                Block(region.kind, region.number, str(prefix), tuple(parts), str(suffix), line)
            )
        cursor = region.end
    if cursor < len(text):
        blocks.append(_literal(text[cursor:], "blank", source.line_of(cursor)))
    return blocks


def _literal(text: str, kind: str, line: int) -> Block:
    return Block(kind, None, "", (text,) if text else (), "", line)


# --- translations in the skeleton ----------------------------------------------------------------

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
_HARD_BREAK = "\\\n"


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


# --- machine translation placeholders ------------------------------------------------------------

_PLACEHOLDER_BASE = 7000
_MOST_PLACEHOLDERS = 999
_SPACED_DIGITS = "[ \u00a0\u202f]?"  # MT may group digits: "7 001"


def protect_markup(msgid: str) -> tuple[str, list[str]]:
    """Replace inline markup, code, URLs and template tags with numeric placeholders.

    Placeholders are 7001, 7002, …: digits survive what Argos does to text (upper-casing,
    transliteration, `_` and brackets). Adjacent markup becomes one placeholder (`**[` is one
    token); a number of the text that contains a placeholder is itself protected, so
    `restore_markup` never mistakes it for one.
    """
    markup = _inline_markup(msgid)
    ranges = _merged([(s.start, s.end) for s in markup.spans])
    while True:
        names = [str(_PLACEHOLDER_BASE + n) for n in range(1, len(ranges) + 1)]
        clashes = [
            (m.start(), m.end())
            for m in re.finditer(r"\d+", msgid)
            if not any(a <= m.start() < b for a, b in ranges) and any(n in m.group() for n in names)
        ]
        if not clashes:
            break
        ranges = _merged(ranges + clashes)
    if not ranges or len(ranges) > _MOST_PLACEHOLDERS:
        return msgid, []
    tokens: list[str] = []
    out: list[str] = []
    cursor = 0
    for number, (start, end) in enumerate(ranges, start=1):
        out.append(msgid[cursor:start])
        out.append(str(_PLACEHOLDER_BASE + number))
        tokens.append(msgid[start:end])
        cursor = end
    out.append(msgid[cursor:])
    return "".join(out), tokens


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges with touching or overlapping ones joined."""
    result: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def restore_markup(translated: str, tokens: list[str]) -> str:
    """Put the markup back in place of its placeholders (each used where the engine left it)."""
    if not tokens:
        return translated
    names = {str(_PLACEHOLDER_BASE + n): token for n, token in enumerate(tokens, start=1)}
    pattern = re.compile(
        "|".join(
            re.escape(name[0]) + _SPACED_DIGITS + re.escape(name[1:])
            for name in sorted(names, reverse=True)
        )
    )

    def back(match: re.Match[str]) -> str:
        return names.get(re.sub(r"\D", "", match.group(0)), match.group(0))

    return pattern.sub(back, translated)


# --- checks --------------------------------------------------------------------------------------


def markup_findings(source: str, translation: str) -> list[tuple[Severity, str]]:
    """Differences between the inline markup of a msgid and its translation, with severities.

    A changed or lost URL, inline code or template tag is an error (the edition would break);
    emphasis, images and HTML tags are warnings.
    """
    if not translation:
        return []
    before = _inline_markup(source)
    after = _inline_markup(translation)
    found: list[tuple[Severity, str]] = []
    found += _compare(before.hrefs, after.hrefs, "link", "URL", Severity.ERROR)
    found += _compare(before.sources, after.sources, "image", "image URL", Severity.ERROR)
    found += _compare(before.code, after.code, "inline code", "inline code", Severity.ERROR)
    found += _compare(
        template_tags(source),
        template_tags(translation),
        "template tag",
        "template tag",
        Severity.ERROR,
    )
    found += _compare(before.html, after.html, "HTML tag", "HTML tag", Severity.WARNING)
    unmatched_before = before.delimiters - _matched(before)
    unmatched_after = after.delimiters - _matched(after)
    if unmatched_after > unmatched_before:
        found.append((Severity.WARNING, "unbalanced emphasis: a * or _ marker lost its partner"))
    for marker in sorted(set(before.emphasis) | set(after.emphasis)):
        if before.emphasis[marker] != after.emphasis[marker]:
            name = "strong emphasis" if len(marker) == 2 else "emphasis"
            found.append(
                (
                    Severity.WARNING,
                    f"{name} {marker}…{marker} differs: {before.emphasis[marker]} in the source, "
                    f"{after.emphasis[marker]} in the translation",
                )
            )
    return found


def _matched(markup: _Markup) -> int:
    return sum(len(marker) * count * 2 for marker, count in markup.emphasis.items())


def _compare(
    source: list[str], translation: list[str], thing: str, changed: str, severity: Severity
) -> list[tuple[Severity, str]]:
    missing = list((Counter(source) - Counter(translation)).elements())
    extra = list((Counter(translation) - Counter(source)).elements())
    found: list[tuple[Severity, str]] = []
    for old, new in zip(missing, extra, strict=False):
        found.append((severity, f"changed {changed}: {_short(old)} → {_short(new)}"))
    for old in missing[len(extra) :]:
        found.append((severity, f"lost {thing}: {_short(old)}"))
    for new in extra[len(missing) :]:
        found.append((severity, f"added {thing}: {_short(new)}"))
    return found


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markup_differences(source: str, translation: str) -> list[str]:
    """Messages for every inline markup difference (see `markup_findings` for severities)."""
    return [message for _, message in markup_findings(source, translation)]


# --- HTML ----------------------------------------------------------------------------------------


def strip_front_matter(markdown_text: str) -> str:
    """The Markdown body without a leading YAML front matter block (kept when it is unclosed)."""
    start = 1 if markdown_text.startswith("\ufeff") else 0
    opening = _FENCE.match(markdown_text, start)
    if opening is None:
        return markdown_text[start:]
    closing = _FENCE_END.search(markdown_text, opening.end())
    if closing is None:
        return markdown_text[start:]
    return markdown_text[closing.end() :]


def render_markdown_html(markdown_text: str) -> str:
    """An HTML fragment of a Markdown edition, front matter stripped.

    Raw HTML (source blocks and inline tags alike) is shown as escaped text, never passed through,
    so nothing a translation contains becomes markup; HTML comments are left out. Template tags
    are shown as written (inside a link they stay its target).
    """
    body = strip_front_matter(markdown_text)
    masked, spans = _mask_templates(body)
    tags = [body[a:b] for a, b in spans]
    rendered: str = _renderer().render(masked)
    return _unmask(rendered, tags, escape=True)


def markup_inventory(markdown_text: str) -> dict[str, list[str]]:
    """Every URL, code block, inline code and template tag of a Markdown text, in order.

    The round-trip tests compare these between a source and its edition.
    """
    body = strip_front_matter(markdown_text)
    masked, spans = _mask_templates(body)
    tags = [body[a:b] for a, b in spans]
    found: dict[str, list[str]] = {"urls": [], "code": [], "inline code": [], "templates": tags}

    def walk(tokens: Iterable[Any]) -> None:
        for token in tokens:
            if token.type in ("fence", "code_block"):
                found["code"].append(_unmask(token.content, tags, escape=False))
            elif token.type == "code_inline":
                found["inline code"].append(_unmask(token.content, tags, escape=False))
            elif token.type == "link_open":
                found["urls"].append(_unmask(str(token.attrs.get("href", "")), tags, False))
            elif token.type == "image":
                found["urls"].append(_unmask(str(token.attrs.get("src", "")), tags, False))
            if token.children:
                walk(token.children)

    walk(_renderer().parse(masked))
    return found
