"""YAML front matter of a Markdown source: its configured keys as units, and back as YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...errors import SourceError
from ...model import Unit
from .markup import normalise

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
