"""The documents name real tests: every `tests/<file>.py::<name>` in docs/ and the README exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_CITED = re.compile(r"tests/([\w/]+\.py)::(\w+)")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_every_cited_test_exists() -> None:
    documents = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    cited = [
        (document.name, match.group(1), match.group(2))
        for document in documents
        for match in _CITED.finditer(document.read_text(encoding="utf-8"))
    ]
    assert len(cited) > 50  # docs/security.md alone names the test of every guarantee
    missing = [
        f"{document}: tests/{file}::{name}"
        for document, file, name in cited
        if not (REPO / "tests" / file).exists() or name not in _test_names(REPO / "tests" / file)
    ]
    assert missing == []
