"""Catalogs of a small sample document in fixed review states, built with pipeline.catalog.

Shared by the edition, assembly and browser tests: the same eight sentences, translated into each
target language (tests/fixtures/editions), and put into a catalog as untranslated, machine output,
edited, stale or reviewed entries exactly as the pipeline and a PO editor would leave them.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.catalog import ordered_header, set_machine_output, state_of, template_from_document
from pipeline.config import Config, DocumentInfo
from pipeline.model import Catalog, Document, Entry, State
from pipeline.segment import segment_text

FIXTURES = Path(__file__).parent / "fixtures" / "editions"
GOLDEN = Path(__file__).parent / "golden" / "editions"
LANGS = ("cs", "ru", "uk", "sk")
TITLE = "A library in our street"
ORIGIN = "A short conversation written for the pipeline's tests."

# Half of the units reviewed; the rest covers every other state once or more.
HALF = (
    State.REVIEWED,
    State.MACHINE,
    State.REVIEWED,
    State.EDITED,
    State.REVIEWED,
    State.UNTRANSLATED,
    State.REVIEWED,
    State.STALE,
)
STATES: dict[str, tuple[State, ...]] = {
    "empty": (State.UNTRANSLATED,) * 8,
    "machine": (State.MACHINE,) * 8,
    "half": HALF,
    "reviewed": (State.REVIEWED,) * 8,
}


def sample_document(text: str | None = None) -> Document:
    source = text if text is not None else (FIXTURES / "sample.txt").read_text(encoding="utf-8")
    return segment_text(source, name="sample", source_path="source/sample.txt")


def sample_translations(language: str) -> dict[str, str]:
    data = json.loads((FIXTURES / "sample.translations.json").read_text(encoding="utf-8"))
    return dict(data[language])


def header(language: str) -> dict[str, str]:
    return ordered_header(
        {
            "Project-Id-Version": "sample",
            "POT-Creation-Date": "2025-10-18 09:00+0000",
            "PO-Revision-Date": "2025-10-20 14:30+0200",
            "Language": language,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
        }
    )


def put(entry: Entry, text: str, state: State, language: str) -> None:
    """Leave an entry in `state` with `text` shown, the way the pipeline or a reviewer would."""
    package = f"translate-en_{language}"
    if state is State.MACHINE:
        set_machine_output(entry, text, "argos", package, "1.9")
    elif state is State.REVIEWED:
        set_machine_output(entry, text, "argos", package, "1.9")
        entry.flags.remove("fuzzy")  # what a reviewer does in any PO editor
    elif state is State.EDITED:
        set_machine_output(entry, text.rstrip(".!?"), "argos", package, "1.9")
        entry.msgstr = text  # a person fixed the machine output, not yet reviewed
    elif state is State.STALE:
        entry.msgstr = text
        entry.flags.insert(0, "fuzzy")
        entry.previous_msgid = entry.msgid[:-1] + " (earlier wording)" + entry.msgid[-1]
    assert state_of(entry) is state


def catalog_for(
    document: Document,
    language: str,
    states: tuple[State, ...],
    translations: dict[str, str] | None = None,
) -> Catalog:
    catalog = template_from_document(document, header(language))
    texts = translations if translations is not None else sample_translations(language)
    for entry, state in zip(catalog.entries, states, strict=True):
        put(entry, texts.get(entry.msgid, ""), state, language)
    if texts.get(TITLE) and states:  # the configured title is a unit too (pipeline.build)
        title = Entry(TITLE, references=["pyproject.toml"], extracted_comments=["document title"])
        put(title, texts[TITLE], states[0], language)
        catalog.entries.append(title)
    return catalog


def sample_catalog(language: str, state_name: str) -> Catalog:
    return catalog_for(sample_document(), language, STATES[state_name])


def sample_config(root: Path, **changes: object) -> Config:
    values: dict[str, object] = {
        "root": root,
        "source_dir": root / "source",
        "locales_dir": root / "locales",
        "output_dir": root / "output",
        "state_dir": root / ".pipeline",
        "cache_dir": root / ".pipeline" / "cache",
        "documents": {"sample": DocumentInfo(title=TITLE, origin=ORIGIN)},
        "editions": ("html", "md", "txt"),  # the golden files' formats, whatever else is installed
    }
    values.update(changes)
    return Config(**values)  # type: ignore[arg-type]
