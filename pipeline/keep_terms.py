"""Glossary rows marked `keep` through machine translation: hidden behind placeholders, put back
in the glossary's form for the language (KRAS → КРАС in Russian).

Names, acronyms and organisation names are never translated or inflected, so the engine never
sees them: each whole-word, case-sensitive match becomes a numeric placeholder of the shared
mechanism (`source_formats/placeholders.py`), as inline markup does. The text the engine gets is
the protected one, and the MT cache is keyed by it (`machine.translate_catalog`). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .checks.glossary import Glossary
from .source_formats.placeholders import protect, restore


@dataclass(frozen=True)
class KeepTerms:
    """The keep rows of a glossary for one language: English term → the form to put back."""

    forms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, glossary: Glossary | None, language: str) -> KeepTerms:
        """The keep rows; the form is the language's first (`КРАС|KRAS` → КРАС), or the English."""
        if glossary is None:
            return cls()
        return cls({t.english: t.expected(language)[0] for t in glossary.terms if t.keep})

    def _pattern(self) -> re.Pattern[str] | None:
        if not self.forms:
            return None
        # longest first, so `IWA-AIT` is one term and not `IWA` followed by `-AIT`
        names = sorted(self.forms, key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")

    def protect(self, text: str) -> tuple[str, list[str]]:
        """`text` with each keep term replaced by a placeholder, and what each placeholder stands
        for in the translation (the glossary's form). Unchanged, with no tokens, without terms."""
        pattern = self._pattern()
        if pattern is None:
            return text, []
        ranges = [(m.start(), m.end()) for m in pattern.finditer(text)]
        if not ranges:
            return text, []
        protected, tokens = protect(text, ranges)
        # `protect` also hides numbers of the text that look like a placeholder: those come back
        # as they were
        return protected, [self.forms.get(token, token) for token in tokens]

    @staticmethod
    def restore(translated: str, tokens: Sequence[str]) -> str:
        """The engine's output with each placeholder replaced by its term's target form."""
        return restore(translated, tokens)
