"""Markdown rendered for the HTML edition, and the inventory of its markup. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .front_matter import strip_front_matter
from .markup import _mask_templates, _renderer, _unmask


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
