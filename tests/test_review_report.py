"""`pipeline review LANG --report`: the self-contained bilingual HTML page for reviewers."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import CHROMIUM, chromium
from test_review import (
    MACHINE_SOURCE,
    MACHINE_TEXT,
    STALE_TEXT,
    write_project,
)

from pipeline.catalog import read_catalog, save_catalog, state_of
from pipeline.cli import main
from pipeline.layout import review_report_path
from pipeline.model import Entry, Finding, Severity, State
from pipeline.review.report import ReportRow, ReportSection, render_report

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "po"


class Page(HTMLParser):
    """The parts of the report a test looks at: rows, their cells, filters, scripts, links."""

    VOID = frozenset({"meta", "input", "br", "img", "link", "hr"})

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict[str, str | None]] = []
        self.cells: list[list[tuple[dict[str, str | None], str]]] = []
        self.filters: list[str] = []
        self.scripts = 0
        self.external: list[str] = []
        self.stack: list[str] = []
        self._cell: tuple[dict[str, str | None], list[str]] | None = None
        self.feed(text)
        self.close()
        assert self.stack == [], f"unclosed tags: {self.stack}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.external.append(str(found[name]))
        if tag == "tr" and "data-state" in found:
            self.rows.append(found)
            self.cells.append([])
        if tag == "td" and self.rows and self.stack[-1:] == ["tr"]:
            self._cell = (found, [])
        if tag == "input" and "data-filter" in found:
            self.filters.append(str(found["data-filter"]))
        if tag == "script":
            self.scripts += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag == "td" and self._cell is not None and self.stack[-1:] == ["tr"]:
            self.cells[-1].append((self._cell[0], "".join(self._cell[1])))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[1].append(data)


def test_report_of_every_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_project(tmp_path)
    assert main(["--project", str(tmp_path), "review", "cs", "--report"]) == 0
    assert capsys.readouterr().err.strip() == "wrote output/review/cs.html"
    path = review_report_path(config, "cs")
    assert path == tmp_path / "output" / "review" / "cs.html"
    text = path.read_text(encoding="utf-8")
    page = Page(text)
    assert [row["data-state"] for row in page.rows] == [
        "machine",
        "edited",
        "stale",
        "reviewed",
        "untranslated",
    ]
    # Each row coloured by its state; English and translation side by side with their languages.
    colours = {row["data-state"]: row["style"] for row in page.rows}
    assert len(set(colours.values())) == 5
    first = page.cells[0]
    assert first[0][1].startswith("locales/cs/doc.po:")
    assert (first[2][0]["lang"], first[2][1]) == ("en", MACHINE_SOURCE)
    assert (first[3][0]["lang"], first[3][1]) == ("cs", MACHINE_TEXT)
    # The stale row shows what changed in the English.
    assert "<del>20</del><ins>25</ins>" in text
    # Findings inline, in the row they are about.
    stale_cell = page.cells[2][3][1]
    assert stale_cell.startswith(STALE_TEXT) and "error numbers: 25 is missing" in stale_cell
    assert [row["data-findings"] for row in page.rows] == ["0", "0", "1", "0", "0"]
    # Progress: one reviewed of five, one bar segment per state present, widths adding up.
    assert "1 of 5 entries reviewed (20%)" in text
    widths = [float(w) for w in re.findall(r'<span style="width:([\d.]+)%', text)]
    assert len(widths) == 5 and sum(widths) == pytest.approx(100)
    assert page.filters == ["untranslated", "machine", "edited", "stale", "reviewed"]
    # Self-contained: no external file, one script (the filter), all in this page.
    assert page.external == []
    assert page.scripts == 1
    assert "url(" not in text and "@import" not in text


def test_report_is_reproducible_and_atomic(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    assert main(["--project", str(tmp_path), "review", "cs", "--report"]) == 0
    path = review_report_path(config, "cs")
    first = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    assert main(["--project", str(tmp_path), "review", "cs", "doc", "--report"]) == 0
    assert path.read_bytes() == first
    assert path.stat().st_mtime_ns == mtime  # unchanged bytes are not rewritten
    assert sorted(p.name for p in path.parent.iterdir()) == ["cs.html"]


def test_everything_from_the_catalog_is_escaped(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    po = config.locales_dir / "cs" / "doc.po"
    catalog = read_catalog(po)
    hostile = '<script>alert("en")</script> & <b onmouseover="x()">'
    catalog.entries.append(
        Entry(
            hostile,
            msgstr='</td><script>alert("cs")</script> „&amp;“',
            previous_msgid="<i>old</i>",
            flags=["fuzzy"],
            references=['source/<x>.txt:9"'],
        )
    )
    save_catalog(catalog, po)
    assert main(["--project", str(tmp_path), "review", "cs", "--report"]) == 0
    text = review_report_path(config, "cs").read_text(encoding="utf-8")
    page = Page(text)
    assert page.scripts == 1
    assert text.count("<script") == 1 and "<b onmouseover" not in text and "<i>old" not in text
    last = page.cells[-1]
    assert last[2][1].endswith(hostile)  # the text reads back exactly
    assert last[3][1].startswith('</td><script>alert("cs")</script> „&amp;“')
    assert last[0][1].endswith('source/<x>.txt:9"')


def test_render_report_shows_file_findings_with_lines() -> None:
    row = ReportRow(
        display="locales/ru/x.po",
        line=12,
        references=(),
        state=State.MACHINE,
        source="Hello.",
        previous_source=None,
        translation="Привет.",
        findings=(Finding("punctuation", Severity.WARNING, "a <b> tag"),),
    )
    section = ReportSection(
        "x",
        "locales/ru/x.po",
        (row,),
        (Finding("format", Severity.ERROR, "header field 'Language' missing", line=3),),
    )
    text = render_report("ru", [section])
    assert "<title>Review: English → Russian (ru)</title>" in text
    assert "line 3: format: header field &#x27;Language&#x27; missing" in text
    assert "punctuation: a &lt;b&gt; tag" in text
    assert "0 of 1 entries reviewed (0%)" in text


def test_report_on_a_real_catalog(tmp_path: Path) -> None:
    """GNOME Clocks in Slovak: every active entry is a row, plural entries show form 0."""
    config = write_project(tmp_path, languages=("cs", "sk"))
    target = config.locales_dir / "sk" / "clocks.po"
    target.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "gnome-clocks.sk.po", target)
    assert main(["--project", str(tmp_path), "review", "sk", "--report"]) == 0
    page = Page(review_report_path(config, "sk").read_text(encoding="utf-8"))
    active = [e for e in read_catalog(target).active() if e.msgid]
    assert len(page.rows) == len(active) == 187
    assert {row["data-state"] for row in page.rows} == {"reviewed"}
    assert [state_of(e).value for e in active] == [row["data-state"] for row in page.rows]
    assert all(cells[3][0]["lang"] == "sk" for cells in page.cells)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")
def test_filter_script_runs_in_a_browser(tmp_path: Path) -> None:
    """Headless Chromium runs the page's script: `#states=machine,stale` hides the other rows."""
    config = write_project(tmp_path)
    assert main(["--project", str(tmp_path), "review", "cs", "--report"]) == 0
    url = review_report_path(config, "cs").as_uri() + "#states=machine,stale"
    dom = chromium(tmp_path / "chromium", "--dump-dom", url)
    rows = re.findall(r'<tr data-state="(\w+)"[^>]*?( class="hidden")?>', dom)
    shown = [state for state, hidden in rows if not hidden]
    assert shown == ["machine", "stale"]
    assert len(rows) == 5
