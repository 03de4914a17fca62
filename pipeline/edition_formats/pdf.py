"""The PDF edition: the HTML edition typeset by WeasyPrint with a print stylesheet.

The page size comes from ``[tool.pipeline.editions.pdf] page_size`` (A4, or A5 for booklets);
pages are numbered, headings stay with the paragraph after them, and the fonts (DejaVu, Debian's
fonts-dejavu-core) are embedded as subsets covering Czech, Slovak, Russian and Ukrainian. A draft
edition (machine or unreviewed text shown) says so at the top of every page, in its language.

WeasyPrint needs Pango from the system. Without either, or without a font for the edition's
language, `render` raises `EditionUnavailable` and the build skips PDF with one warning.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from ..assemble import MACHINE, POLICY_TEXT, UNREVIEWED, Edition, language_name, unit_class
from ..assemble import render_html as render_html_page
from ..errors import ConfigError, EditionUnavailable

PAGE_SIZES = {"a4": "A4", "a5": "A5"}
DEFAULT_PAGE_SIZE = "A4"
INSTALL_HINT = (
    "install it with `pip install weasyprint` and Pango with "
    "`apt-get install libpango-1.0-0 libpangoft2-1.0-0`"
)
FONT_PACKAGE = "fonts-dejavu-core"

# The print stylesheet, after the HTML edition's own: it names the font family, which
# fonts-dejavu-core installs; {size} and {draft} are filled in per edition.
PRINT_STYLESHEET = """\
@page {{
  size: {size};
  margin: 2cm 1.8cm 2.2cm;
  @bottom-center {{
    content: counter(page) " / " counter(pages);
    font: 9pt "DejaVu Sans", sans-serif;
  }}
{draft}}}
html {{ font: 10.5pt/1.45 "DejaVu Serif", serif; }}
body {{ max-width: none; margin: 0; padding: 0; }}
h1, h2, h3, h4, h5, h6 {{
  font-family: "DejaVu Sans", sans-serif;
  break-after: avoid;
  break-inside: avoid;
}}
p, li, dd {{ orphans: 2; widows: 2; }}
a {{ color: inherit; }}
.legend, .colophon dl {{ break-inside: avoid; }}
/* Grey only: WeasyPrint draws a dotted border dot by dot (megabytes for a page of fallback). */
.untranslated {{ border-bottom: none; }}
"""
DRAFT_BOX = """\
  @top-center {{
    content: "{label}";
    font: bold 8pt "DejaVu Sans", sans-serif;
    color: #8a1c00;
  }}
"""


def page_size(settings: Mapping[str, Any]) -> str:
    """The configured page size (A4 unless the settings say A5); anything else is a ConfigError."""
    value = settings.get("page_size", DEFAULT_PAGE_SIZE)
    found = PAGE_SIZES.get(value.lower()) if isinstance(value, str) else None
    if found is None:
        raise ConfigError(
            f"[tool.pipeline.editions.pdf] page_size = {value!r}: "
            f"not a page size the PDF edition knows; use one of {', '.join(PAGE_SIZES.values())}",
            path="pyproject.toml",
        )
    return found


def is_draft(edition: Edition) -> bool:
    """Whether the edition shows machine or unreviewed text (only the draft policy allows it)."""
    if edition.policy != "draft":
        return False
    kinds = {
        unit_class(unit, edition.translations, edition.policy) for unit in edition.document.units
    }
    return bool(kinds & {MACHINE, UNREVIEWED})


def draft_label(edition: Edition) -> str:
    """The words at the top of every page of a draft: the draft policy's text, translated."""
    return edition.gettext(POLICY_TEXT["draft"])


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def print_stylesheet(size: str, draft: str = "") -> str:
    """The print stylesheet for a page size, with the draft marking when ``draft`` is given."""
    box = DRAFT_BOX.format(label=_css_string(draft)) if draft else ""
    return PRINT_STYLESHEET.format(size=size, draft=box)


@functools.cache
def font_missing(language: str) -> bool:
    """Whether fontconfig knows no font for the language (``fc-list :lang=<code>`` is empty).

    Without fc-list nothing can be told, so nothing is reported missing.
    """
    program = shutil.which("fc-list")
    if program is None:
        return False
    try:
        listed = subprocess.run(
            [program, f":lang={language}", "family"],
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return listed.returncode == 0 and not listed.stdout.strip()


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: an edition is self-contained, so nothing is fetched."""
    raise ValueError(f"the PDF edition fetches nothing: {url}")


def for_print(page: str, edition: Edition, stylesheet: str) -> str:
    """The HTML edition with the print stylesheet last in its head (so it wins the cascade) and
    the colophon's date as the PDF's creation date (no date without one: the bytes never depend
    on the clock)."""
    date = edition.colophon.date if edition.colophon else None
    head = f'<meta name="dcterms.created" content="{date.isoformat()}">\n' if date else ""
    head += f'<style media="print">\n{stylesheet}</style>\n'
    return page.replace("</head>", head + "</head>", 1)


class PdfEdition:
    """``output/<lang>/<doc>.pdf``, for every source format."""

    name = "pdf"
    suffix = ".pdf"
    media_type = "application/pdf"
    label = "PDF"

    def fits(self, source_format: str) -> bool:
        return True

    def render(self, edition: Edition) -> bytes:
        size = page_size(edition.settings)
        try:
            import weasyprint
        except (ImportError, OSError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise EditionUnavailable(
                f"PDF editions skipped: WeasyPrint cannot be loaded ({reason}); {INSTALL_HINT}"
            ) from None
        language = edition.language
        if font_missing(language):
            raise EditionUnavailable(
                f"PDF editions in {language} skipped: no installed font covers "
                f"{language_name(language, 'en')} (`fc-list :lang={language}` lists none); "
                f"install it with `apt-get install {FONT_PACKAGE}`"
            )
        page = render_html_page(
            edition.document,
            edition.translations,
            edition.policy,
            edition.colophon,
            edition.gettext,
        )
        draft = draft_label(edition) if is_draft(edition) else ""
        logger = logging.getLogger("weasyprint")
        if not logger.handlers:  # WeasyPrint's notes on CSS are not the user's business
            logger.addHandler(logging.NullHandler())
            logger.propagate = False
        printed = for_print(page, edition, print_stylesheet(size, draft))
        data: bytes = weasyprint.HTML(string=printed, url_fetcher=_refuse).write_pdf()
        return data
