"""English sentence boundaries inside one paragraph (placeholder rules; see tests/test_sentences.py)."""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[.!?…])[”»’\"')\]]*\s+(?=[A-Z“«‘\"(\[0-9])")


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence; the text between spans is whitespace only."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.start() + len(match.group(0).rstrip())
        spans.append((start, end))
        start = match.end()
    if start < len(paragraph):
        spans.append((start, len(paragraph.rstrip())))
    return [(a, b) for a, b in spans if b > a]
