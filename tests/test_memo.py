"""The findings memo gives exactly what checking from scratch gives, and re-checks only changes."""

from __future__ import annotations

from pathlib import Path

from pipeline.catalog import read_catalog
from pipeline.checks import check_catalog
from pipeline.memo import FindingsMemo, check_with_memo

FIXTURES = Path(__file__).parent / "fixtures" / "po"


def test_memo_matches_check_catalog_and_sees_edits(tmp_path: Path) -> None:
    catalog = read_catalog(FIXTURES / "po4a-bin.ru.po")
    direct = check_catalog(catalog, "ru", display="ru.po")
    memo = FindingsMemo(tmp_path / "findings.sqlite3", "ru", b"")
    try:
        first = check_with_memo(catalog, "ru", memo, glossary=None, display="ru.po")
        second = check_with_memo(catalog, "ru", memo, glossary=None, display="ru.po")
        assert sorted(map(repr, first)) == sorted(map(repr, direct))
        assert second == first
        assert direct  # the real catalog has findings, so the comparison means something
        # Damage one entry: only its findings change, and the memo notices.
        entry = next(
            e
            for e in catalog.active()
            if e.msgstr and e.msgid_plural is None and len(e.msgid.split()) > 4
            and "\n" not in e.msgid and not e.flags
        )  # fmt: skip
        entry.msgstr = entry.msgid
        changed = check_with_memo(catalog, "ru", memo, glossary=None, display="ru.po")
        assert any(f.msgid == entry.msgid and f.check == "unchanged" for f in changed)
        assert sorted(map(repr, changed)) == sorted(
            map(repr, check_catalog(catalog, "ru", display="ru.po"))
        )
    finally:
        memo.close()
