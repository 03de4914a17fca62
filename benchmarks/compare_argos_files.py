"""This project and argos-translate-files on the same HTML and DOCX inputs, with the same model.

Not a dependency: argos-translate-files must be installed separately (`pip install
argos-translate-files`). Both tools get the tiny upper-casing en→cs model of tests/argos_models.py,
installed into a private ARGOS_PACKAGES_DIR, so a translated word is the English word upper-cased
and anything else that changes was changed by the tool, not the model. The inputs are the tests'
own: the three 18F posts as web pages (tests/test_html_source.py) and the report DOCX with a
heading, a table and bold, italic and linked words inside sentences (tests/test_docx.py).

For each input it prints what each tool kept and what it broke, measured on the files:

  HTML  elements+attributes the same as the source's (text aside); <script> byte-identical;
        comment kept; <title>, meta description, alt and title attributes translated; lang set
  DOCX  run formatting (bold, italic, links) per paragraph the same as the source's; each
        formatted stretch holds the upper-cased source words; core title translated; w:lang set

    python3 benchmarks/compare_argos_files.py
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMP = Path(tempfile.mkdtemp(prefix="compare-argos-files-"))
os.environ["ARGOS_PACKAGES_DIR"] = str(TEMP / "models")  # before Argos is imported
os.environ.setdefault("ARGOS_INTRA_THREADS", "1")
sys.path.insert(0, str(REPO / "tests"))


def html_shape(raw: bytes) -> list[tuple[object, ...]]:
    import html5lib

    root = html5lib.parse(raw, treebuilder="etree", namespaceHTMLElements=False)
    return [
        (element.tag, sorted((k, v) for k, v in element.attrib.items() if k not in KEEP_OUT))
        for element in root.iter()
        if isinstance(element.tag, str)
    ]


KEEP_OUT = {"lang", "alt", "title", "content"}  # translatable attributes: compared apart


def html_facts(source: bytes, output: bytes) -> dict[str, object]:
    import html5lib

    def parse(raw: bytes) -> ET.Element:
        return html5lib.parse(raw, treebuilder="etree", namespaceHTMLElements=False)

    src, out = parse(source), parse(output)
    script_src = [s.text for s in src.iter("script")]
    script_out = [s.text for s in out.iter("script")]
    alts = [i.get("alt", "") for i in out.iter("img")]
    meta = [m.get("content", "") for m in out.iter("meta") if m.get("name") == "description"]
    title = "".join(t.text or "" for t in out.iter("title"))
    return {
        "tags and attributes kept": html_shape(source) == html_shape(output),
        "script byte-identical": script_src == script_out,
        "comment kept": b"<!-- generated from the 18F post -->" in output,
        "<title> translated": title.strip() == title.strip().upper() and bool(title.strip()),
        "meta description translated": bool(meta) and all(m == m.upper() for m in meta),
        "alt translated": bool(alts) and all(a == a.upper() for a in alts),
        "html lang is cs": out.get("lang") == "cs",
    }


def docx_facts(source: bytes, output: bytes) -> dict[str, object]:
    import docx
    from test_docx import _formatting, _languages

    before, after = _formatting(source), _formatting(output)
    shapes_kept = [[r[1:] for r in p] for p in before] == [[r[1:] for r in p] for p in after]
    words_in_place = shapes_kept and all(
        b[0].upper().split() == a[0].split()
        for pb, pa in zip(before, after, strict=True)
        for b, a in zip(pb, pa, strict=True)
    )
    title = docx.Document(io.BytesIO(output)).core_properties.title or ""
    return {
        "run formatting per paragraph kept": shapes_kept,
        "formatted words carry the formatting": words_in_place,
        "core title translated": bool(title) and title == title.upper(),
        "w:lang is cs": any(lang.startswith("cs") for lang in _languages(output)),
    }


def main() -> None:
    import argos_models
    from argostranslate import package, translate
    from test_docx import make_docx
    from test_html_source import POSTS, _page

    (TEMP / "models").mkdir(exist_ok=True)
    package.install_from_path(argos_models.build_package(TEMP, "en", "cs", "upper"))
    translation = translate.get_translation_from_codes("en", "cs")

    project = TEMP / "project"
    (project / "source").mkdir(parents=True)
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    config = config.replace('["cs", "ru", "uk", "sk"]', '["cs"]', 1)
    config = config.replace(
        "purge_obsolete = false\n", 'purge_obsolete = false\neditions = ["html", "docx"]\n'
    )
    (project / "pyproject.toml").write_text(config, encoding="utf-8")
    inputs: list[Path] = []
    for post in POSTS:
        path = project / "source" / f"{post.stem}.html"
        path.write_text(_page(post), encoding="utf-8")
        inputs.append(path)
    report = project / "source" / "report.docx"
    make_docx().save(str(report))
    inputs.append(report)

    from argostranslatefiles import argostranslatefiles

    theirs: dict[Path, bytes | str] = {}
    for path in inputs:
        target = TEMP / "argos-files" / path.name
        target.parent.mkdir(exist_ok=True)
        try:
            argostranslatefiles.translate_file(
                translation, str(path), lambda *_, out=target: str(out)
            )
            theirs[path] = target.read_bytes()
        except Exception as error:  # what a user of that tool would see
            theirs[path] = f"{type(error).__name__}: {error}"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "build"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"pipeline build: exit {done.returncode}; {done.stderr.strip().splitlines()[-1]}")
    for path in inputs:
        ours = (project / "output" / "cs" / path.name).read_bytes()
        source = path.read_bytes()
        facts = html_facts if path.suffix == ".html" else docx_facts
        mine = facts(source, ours)
        other = theirs[path]
        their_facts = facts(source, other) if isinstance(other, bytes) else {}
        print(f"\n{path.name}")
        for key, value in mine.items():
            shown = their_facts.get(key, other if isinstance(other, str) else "?")
            print(f"  {key:<40} pipeline: {value!s:<6} argos-translate-files: {shown}")


if __name__ == "__main__":
    main()
