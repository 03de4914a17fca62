"""The HTML editions and the index in a real headless Chromium (Debian's /usr/bin/chromium).

Each page is opened from a file:// URL; the DOM Chromium dumps after running the page shows that it
rendered, carries the right `lang`, and that hostile text in the source and in a translation ran
nothing. A control page with a real script proves the same check would see a script that ran.

Run as a script to remake the README's screenshot of the Czech edition:
    python3 tests/test_browser.py docs/screenshot-cs.png
"""

from __future__ import annotations

import json
import struct
import sys
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

# Also run as a script (below), from the repository's root.
sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parent.parent)]

from edition_catalogs import (  # noqa: E402
    FIXTURES,
    HALF,
    LANGS,
    catalog_for,
    put,
    sample_config,
    sample_document,
    sample_translations,
)
from helpers import CHROMIUM, chromium  # noqa: E402

from pipeline.catalog import template_from_document  # noqa: E402
from pipeline.config import DocumentInfo  # noqa: E402
from pipeline.editions import write_editions, write_index  # noqa: E402
from pipeline.model import State  # noqa: E402
from pipeline.segment import segment_text  # noqa: E402
from pipeline.stages import RunLog  # noqa: E402

PWNED = "PWNED"
EXPLOIT = (
    f"<script>document.title='{PWNED}';"
    "document.documentElement.setAttribute('data-pwned','1')</script>"
)
HOSTILE_SOURCE = f"Read {EXPLOIT} & \"this\" 'now' \u200fright-to-left\u200f."
HOSTILE_TRANSLATION = (
    f"Čti <img src=x onerror=\"document.title='{PWNED}'\"> {EXPLOIT} & „toto“ \u202eevil\u202c."
)
# The configured title is a unit: each edition's page title is the translated one.
TITLES = {
    "cs": "Knihovna v naší ulici – čeština",
    "ru": "Библиотека на нашей улице – русский",
    "uk": "Бібліотека на нашій вулиці – українська",
    "sk": "Knižnica v našej ulici – slovenčina",
}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")


def dump_dom(path: Path, profile: Path) -> str:
    return chromium(profile, "--dump-dom", path.resolve().as_uri())


def screenshot(page: Path, png: Path, profile: Path, size: tuple[int, int] = (900, 1100)) -> None:
    chromium(
        profile,
        "--hide-scrollbars",
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={png.resolve()}",
        page.resolve().as_uri(),
    )


def png_facts(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the decoded image data) of a PNG, without PIL."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat = b""
    offset = 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Editions of the sample, plus a question whose source and translation are hostile."""
    root = tmp_path_factory.mktemp("site")
    text = (FIXTURES / "sample.txt").read_text(encoding="utf-8")
    text += f"3) {HOSTILE_SOURCE}\n{HOSTILE_SOURCE}\n"
    document = sample_document(text)
    config = sample_config(root)
    outcomes = []
    for language in LANGS:
        translations = sample_translations(language)
        translations[HOSTILE_SOURCE] = HOSTILE_TRANSLATION
        # The hostile unit repeats: one entry, shown (reviewed) in the question and the answer.
        catalog = catalog_for(document, language, (*HALF, State.REVIEWED), translations)
        outcomes.append(write_editions(config, document, language, catalog, RunLog()))
    # One more language with the hostile unit untranslated, so the English source is shown.
    catalog = catalog_for(document, "cs", (State.UNTRANSLATED,) * 9, sample_translations("cs"))
    write_editions(
        sample_config(root, output_dir=root / "untranslated"), document, "cs", catalog, RunLog()
    )
    write_index(config, outcomes, RunLog())
    return root


@pytest.fixture(scope="module")
def doms(site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    pages = {lang: site / "output" / lang / "sample.html" for lang in LANGS}
    pages["index"] = site / "output" / "index.html"
    pages["untranslated"] = site / "untranslated" / "cs" / "sample.html"
    control = site / "control.html"
    control.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>control</title>"
        f"</head><body><p>control</p>{EXPLOIT}</body></html>",
        encoding="utf-8",
    )
    pages["control"] = control
    profiles = tmp_path_factory.mktemp("profiles")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            name: pool.submit(dump_dom, path, profiles / name) for name, path in pages.items()
        }
        return {name: future.result() for name, future in futures.items()}


def test_control_page_shows_that_a_script_that_runs_is_seen(doms: dict[str, str]) -> None:
    dom = doms["control"]
    assert f"<title>{PWNED}</title>" in dom and 'data-pwned="1"' in dom


@pytest.mark.parametrize("language", LANGS)
def test_edition_renders_with_its_language_and_runs_nothing(
    doms: dict[str, str], language: str
) -> None:
    dom = doms[language]
    assert dom.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in dom
    assert f"<title>{TITLES[language]}</title>" in dom
    assert PWNED not in dom.split("<body>")[0]  # the title is untouched
    assert 'data-pwned="1"' not in dom  # no attribute was set
    assert "<script" not in dom and "<img" not in dom  # no element came from the text
    assert "&lt;script&gt;document.title=" in dom  # the text is there, as text
    assert '&lt;img src=x onerror="document.title=' in dom
    assert '<span class="untranslated" lang="en">' in dom
    assert '<span class="machine">' in dom and '<footer class="colophon">' in dom
    assert '<section class="qa" id="q3">' in dom


def test_untranslated_hostile_source_runs_nothing(doms: dict[str, str]) -> None:
    dom = doms["untranslated"]
    assert '<html lang="cs">' in dom and "<script" not in dom
    # Nothing is translated, the title neither: it stays in English.
    assert "<title>A library in our street – čeština</title>" in dom
    assert '<span class="untranslated" lang="en">Read &lt;script&gt;' in dom


def test_index_renders_with_links_to_every_edition(doms: dict[str, str]) -> None:
    dom = doms["index"]
    assert '<html lang="en">' in dom and "<title>Editions</title>" in dom
    for language in LANGS:
        for suffix, label in ((".html", "HTML"), (".md", "Markdown"), (".txt", "text")):
            assert f'<a href="{language}/sample{suffix}">{label}</a>' in dom
    assert dom.count('<div class="bar" role="img"') == 4


def test_screenshot_of_the_czech_edition(tmp_path: Path) -> None:
    page, png = make_czech_edition(tmp_path), tmp_path / "cs.png"
    screenshot(page, png, tmp_path / "profile")
    width, height, values = png_facts(png.read_bytes())
    assert (width, height) == (900, 1100)
    assert values > 100  # text and marked passages, not a blank page


# --- the README's screenshot ---------------------------------------------------------------------


def make_czech_edition(folder: Path) -> Path:
    """The Czech edition of the interview from a small demo catalog: a few paragraphs reviewed,
    some machine-translated and one edited (tests/fixtures/editions/kras-interview.cs.demo.json),
    the rest untranslated."""
    source = (FIXTURES.parent / "kras-interview.txt").read_text(encoding="utf-8")
    document = segment_text(source, name="kras-interview", source_path="source/kras-interview.txt")
    catalog = template_from_document(document, _header())
    demo = json.loads((FIXTURES / "kras-interview.cs.demo.json").read_text(encoding="utf-8"))
    by_msgid = {entry.msgid: entry for entry in catalog.entries}
    for row in demo:
        put(by_msgid[row["msgid"]], row["msgstr"], State(row["state"]), "cs")
    info = DocumentInfo(
        title="Interview with KRAS-IWA",
        origin="An interview by the Czech antimilitarist group Dezerter with the Russian "
        "anarcho-syndicalist group KRAS (IWA-AIT), published in English in October 2025.",
    )
    config = sample_config(folder, documents={"kras-interview": info})
    write_editions(config, document, "cs", catalog, RunLog())
    return folder / "output" / "cs" / "kras-interview.html"


def _header() -> dict[str, str]:
    from edition_catalogs import header

    values = header("cs")
    values["Project-Id-Version"] = "kras-interview"
    return values


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot-cs.png")
    with tempfile.TemporaryDirectory() as scratch:
        page = make_czech_edition(Path(scratch))
        screenshot(page, target, Path(scratch) / "profile")
    print(f"{target}: {target.stat().st_size} bytes")
