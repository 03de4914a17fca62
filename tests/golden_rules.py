"""Golden-rule cases for English sentence splitting, read from the fixture copies, and a scorer.

Three upstream files (see tests/fixtures/SOURCES.md) hold (text, expected sentences) pairs:
pySBD's benchmark list, pySBD's English test cases and pragmatic_segmenter's English RSpec spec.
They are read as data: the Python files with `ast`, the Ruby spec with a small literal parser.
Nothing is executed. Used by tests/test_sentences.py and benchmarks/bench_sentences.py.

Two ways to score (docs/segmentation.md, "How the golden rules are measured"):
- exact text (`score`): each sentence stripped must equal the expected one;
- cut positions (`score(..., tidied=True)`): each sentence is tidied with `sentence_clean.clean`
  and its whitespace collapsed, then compared. A span of the source can never equal a rewritten
  expected sentence (`<em>Yes.</em>` for `Yes.`), but it can be cut in the same places.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.segment import segment_text
from pipeline.sentence_clean import clean

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "segmentation"
PYSBD_BENCHMARK = "pysbd_benchmarks_english_golden_rules.py.txt"
PYSBD_TESTS = "pysbd_tests_lang_test_english.py.txt"
PRAGMATIC_SPEC = "pragmatic_segmenter_english_spec.rb"

Splitter = Callable[[str], list[str]]


@dataclass(frozen=True)
class Case:
    """One (input, expected sentences) pair and where it came from."""

    source: str  # file name
    name: str  # rule number or spec title
    text: str
    expected: tuple[str, ...]
    multiline: bool  # the input contains a line break (we split on line breaks first)


# --- pySBD files (Python literals) -------------------------------------------------------------


def _pysbd_benchmark(path: Path) -> list[Case]:
    source = path.read_text(encoding="utf-8")
    names = re.findall(r"^\s*# (\d+\)[^\n]*)$", source, flags=re.M)
    tree = ast.parse(source)
    pairs: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "GOLDEN_EN_RULES" for t in node.targets
        ):
            pairs = ast.literal_eval(node.value)
    if len(names) != len(pairs):
        raise ValueError(f"{path.name}: {len(names)} rule comments for {len(pairs)} rules")
    return [
        _case(path.name, name, text, expected)
        for name, (text, expected) in zip(names, pairs, strict=True)
    ]


def _pysbd_tests(path: Path) -> list[Case]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    cases: list[Case] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id == "GOLDEN_EN_RULES_TEST_CASES"
                for t in node.targets
            )
            and isinstance(node.value, ast.List)
        ):
            continue
        for number, element in enumerate(node.value.elts, start=1):
            if isinstance(element, ast.Call):  # pytest.param(text, expected, marks=...)
                text, expected = (ast.literal_eval(arg) for arg in element.args[:2])
            else:
                text, expected = ast.literal_eval(element)
            cases.append(_case(path.name, f"case {number}", text, expected))
    return cases


# --- pragmatic_segmenter spec (Ruby literals) ---------------------------------------------------

_RUBY_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "s": " ", "0": "\0", "e": "\x1b", "a": "\a"}
_IT = re.compile(r"""^\s*it\s+(["'])(.*?)\1\s+do\s*$""", re.M)
_HEREDOC = re.compile(r"^[ \t]*text\s*=\s*<<[-~]?(\w+)[ \t]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)


def _ruby_string(source: str, start: int) -> tuple[str, int]:
    """Parse the Ruby string literal at `start`; return its value and the index after it."""
    quote = source[start]
    if quote not in "\"'":
        raise ValueError(f"no string literal at offset {start}")
    out: list[str] = []
    i = start + 1
    while True:
        char = source[i]
        if char == quote:
            return "".join(out), i + 1
        if char == "\\":
            nxt = source[i + 1]
            if quote == "'":  # single quotes: only \\ and \' are escapes
                out.append(nxt if nxt in "\\'" else "\\" + nxt)
            else:
                out.append(_RUBY_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(char)
        i += 1


def _ruby_heredoc(body: str) -> str:
    """Value of a `<<-EOF` heredoc body (double-quoted rules, indentation kept)."""
    return re.sub(r"\\(.)", lambda m: _RUBY_ESCAPES.get(m.group(1), m.group(1)), body)


def _ruby_string_list(source: str, start: int) -> list[str]:
    """Parse `[ "a", 'b', ... ]` starting at the `[`."""
    items: list[str] = []
    i = start + 1
    while True:
        while source[i] in " \t\r\n,":
            i += 1
        if source[i] == "]":
            return items
        value, i = _ruby_string(source, i)
        items.append(value)


def _pragmatic_spec(path: Path) -> list[Case]:
    source = path.read_text(encoding="utf-8")
    blocks = list(_IT.finditer(source))
    cases: list[Case] = []
    for index, block in enumerate(blocks):
        end = blocks[index + 1].start() if index + 1 < len(blocks) else len(source)
        body = source[block.end() : end]
        title = block.group(2)
        call = body.index("Segmenter.new(text: ")
        arg = call + len("Segmenter.new(text: ")
        if body[arg] in "\"'":
            text, _ = _ruby_string(body, arg)
        else:  # `text: text`, defined above as a string literal or heredoc
            heredoc = _HEREDOC.search(body)
            if heredoc:
                text = _ruby_heredoc(heredoc.group(2))
            else:
                assign = re.search(r"^\s*text\s*=\s*", body, re.M)
                if assign is None:
                    raise ValueError(f"{path.name}: {title}: no text")
                text, _ = _ruby_string(body, assign.end())
        expected = _ruby_string_list(body, body.index("eq([") + 3)
        cases.append(_case(path.name, title, text, expected))
    return cases


def _case(source: str, name: str, text: str, expected: Sequence[str]) -> Case:
    return Case(source, name, text, tuple(expected), multiline=bool(re.search(r"[\r\n]", text)))


# --- loading and scoring ------------------------------------------------------------------------


def load_cases(folder: Path = FIXTURES) -> dict[str, list[Case]]:
    """All cases of the three files, by file name (duplicates across files kept)."""
    return {
        PYSBD_BENCHMARK: _pysbd_benchmark(folder / PYSBD_BENCHMARK),
        PYSBD_TESTS: _pysbd_tests(folder / PYSBD_TESTS),
        PRAGMATIC_SPEC: _pragmatic_spec(folder / PRAGMATIC_SPEC),
    }


def unique_cases(by_file: dict[str, list[Case]]) -> list[Case]:
    """Every distinct (text, expected) pair once: the golden rules appear in all three files."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    unique: list[Case] = []
    for cases in by_file.values():
        for case in cases:
            key = (case.text, case.expected)
            if key not in seen:
                seen.add(key)
                unique.append(case)
    return unique


def as_text_source(text: str) -> list[str]:
    """The pipeline's policy for text with line breaks, as a `.txt` source has it: the units
    `segment.segment_text` makes (a line broken inside a sentence is joined to the next, every
    other line is a paragraph), each as it stands in the source."""
    if not text.strip():
        return []
    document = segment_text(text, name="case", source_path="case.txt")
    return [unit.source_text for unit in document.units]


def tidy(sentence: str) -> str:
    """A sentence as the cut-position score compares it: cleaned, whitespace collapsed."""
    return " ".join(clean(sentence).split())


def passes(split: Splitter, case: Case, *, tidied: bool = False) -> bool:
    """Exact list of sentences after stripping each (empty results dropped); with `tidied`,
    after tidying each found and collapsing the whitespace of each expected sentence."""
    if tidied:
        got = [tidy(s) for s in split(case.text)]
        expected = [" ".join(s.split()) for s in case.expected]
    else:
        got = [s.strip() for s in split(case.text)]
        expected = [s.strip() for s in case.expected]
    return [s for s in got if s] == expected


@dataclass(frozen=True)
class Score:
    passed: int
    total: int
    failed: tuple[Case, ...]

    @property
    def share(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.passed}/{self.total} = {100 * self.share:.1f}%"


def score(split: Splitter, cases: Iterable[Case], *, tidied: bool = False) -> Score:
    total = 0
    failed: list[Case] = []
    for case in cases:
        total += 1
        if not passes(split, case, tidied=tidied):
            failed.append(case)
    return Score(total - len(failed), total, tuple(failed))
