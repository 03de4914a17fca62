"""Make docs/pdf-cs.png and docs/pdf-uk.png: the first page of the interview's PDF edition.

    python3 docs/pdf_pages.py        (needs WeasyPrint, fonts-dejavu-core and poppler-utils)

The Czech catalog is the tests' demo catalog (tests/fixtures/editions/kras-interview.cs.demo.json:
reviewed, machine and edited entries); the Ukrainian one holds the hand-written translations
below (five reviewed, three left as machine output). Everything else stays in English, marked
as such, and the machine text makes both editions drafts, so the top of each page says so.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from pipeline.catalog import ordered_header, set_machine_output, template_from_document
from pipeline.config import Config, DocumentInfo
from pipeline.edition_formats.pdf import PdfEdition
from pipeline.editions import assemble_edition
from pipeline.model import Catalog, Document
from pipeline.segment import segment_text

ROOT = Path(__file__).resolve().parent.parent
INTERVIEW = ROOT / "tests" / "fixtures" / "kras-interview.txt"
CZECH_DEMO = ROOT / "tests" / "fixtures" / "editions" / "kras-interview.cs.demo.json"

UKRAINIAN = [
    (
        "reviewed",
        "Нижче ми публікуємо інтерв’ю чеської антимілітаристської групи Dezerter з російською "
        "групою КРАС.",
    ),
    (
        "reviewed",
        "Ми робимо це, щоб надати інформацію про ситуацію в Росії та про тамтешній рух проти "
        "війни.",
    ),
    ("reviewed", "Вітання до Росії."),
    (
        "reviewed",
        "Будь ласка, коротко представте нашим читачам вашу місцеву синдикалістську організацію "
        "та Міжнародну асоціацію трудящих.",
    ),
    ("reviewed", "Вітаємо, товариші!"),
    (
        "machine",
        "Ми в КРАС, Конфедерації революційних анархо-синдикалістів, бачимо себе невеликою "
        "ініціативною групою, з якої, як ми сподіваємося, у майбутньому може вирости анархістська "
        "робітнича спілка, здатна вести практичну боротьбу на робочих місцях.",
    ),
    ("machine", "Як організація ми існуємо з середини 1990-х років."),
    (
        "machine",
        "Протягом років ми активно підтримували страйки та соціальні протести в різних галузях і "
        "професіях, намагаючись надати руху самоорганізованого характеру.",
    ),
]


def demo_catalog(document: Document, language: str, entries: list[tuple[str, str, str]]) -> Catalog:
    """A catalog with (msgid, state, text) entries as the pipeline and a reviewer leave them."""
    catalog = template_from_document(
        document,
        ordered_header(
            {
                "Project-Id-Version": "kras-interview",
                "PO-Revision-Date": "2025-10-20 14:30+0200",
                "Language": language,
                "Content-Type": "text/plain; charset=UTF-8",
            }
        ),
    )
    wanted = {msgid: (state, text) for msgid, state, text in entries}
    for entry in catalog.entries:
        if entry.msgid not in wanted:
            continue
        state, text = wanted[entry.msgid]
        machine = text.rstrip(".!?") if state == "edited" else text
        set_machine_output(entry, machine, "argos", f"translate-en_{language}", "1.9")
        if state == "reviewed":
            entry.flags.remove("fuzzy")
        elif state == "edited":
            entry.msgstr = text  # a person fixed the machine output, not yet reviewed
    return catalog


def first_page_png(document: Document, language: str, catalog: Catalog, target: Path) -> None:
    config = Config(
        root=ROOT,
        documents={"kras-interview": DocumentInfo(title="Interview with KRAS-IWA")},
    )
    edition = assemble_edition(config, document, language, catalog)[1]
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / f"kras-interview.{language}.pdf"
        pdf.write_bytes(PdfEdition().render(edition))
        stem = str(target.with_suffix(""))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), stem],
            check=True,
        )


def main() -> None:
    document = segment_text(
        INTERVIEW.read_text(encoding="utf-8"),
        name="kras-interview",
        source_path="source/kras-interview.txt",
    )
    czech = json.loads(CZECH_DEMO.read_text(encoding="utf-8"))
    czech_entries = [(item["msgid"], item["state"], item["msgstr"]) for item in czech]
    ukrainian_entries = [
        (item["msgid"], state, text) for item, (state, text) in zip(czech, UKRAINIAN, strict=False)
    ]
    docs = Path(__file__).resolve().parent
    first_page_png(document, "cs", demo_catalog(document, "cs", czech_entries), docs / "pdf-cs.png")
    first_page_png(
        document, "uk", demo_catalog(document, "uk", ukrainian_entries), docs / "pdf-uk.png"
    )


if __name__ == "__main__":
    main()
