"""The interactive review: one entry per screen, a key per action, $EDITOR for edits."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from ..catalog import state_of
from ..config import Config
from ..controls import ALLOWED_IN_TRANSLATION as EDITABLE_CONTROLS
from ..controls import visible
from ..errors import LockError
from ..layout import glossary_path
from ..memory import Memory, ProjectMemory, Suggestion
from ..model import Entry, Finding, State
from .context import ParagraphContext, ParagraphFinder, paragraph_lines
from .display import confidence_text, language_name, sorted_findings, word_diff
from .session import (
    ReviewConflictError,
    ReviewItem,
    Scorer,
    apply_change,
    approve_entry,
    edit_entry,
    load_with_catalog,
)
from .status import percent

EDITOR_MARKER = "# ---- Everything from this line down is ignored. ----"

Checker = Callable[[Entry, str], list[Finding]]
"""(entry, language) → findings on the entry's translation."""


def make_checker(config: Config) -> Checker:
    """checks.check_translation bound to the project's glossary (locales/glossary.csv)."""
    from ..checks.glossary import load_glossary
    from ..checks.translation import check_translation

    path = glossary_path(config)
    glossary = load_glossary(path) if path.exists() else None

    def check(entry: Entry, language: str) -> list[Finding]:
        if not entry.translated_text:
            return []
        return check_translation(
            entry.msgid, entry.translated_text, language, glossary=glossary, flags=entry.flags
        )

    return check


class ReviewTerminal(Protocol):
    """What the review loop needs from a terminal; the CLI provides the real one."""

    def show(self, screen: str) -> None: ...

    def key(self) -> str: ...

    def edit_text(self, current: str, context: str) -> str | None: ...

    def width(self) -> int: ...


@dataclass(frozen=True)
class EntryView:
    """Everything one review screen shows, as plain values."""

    language: str
    language_name: str
    position: int
    total: int
    display: str
    line: int
    where: str
    state: State
    source: str
    previous_source: str | None
    translation: str
    findings: tuple[Finding, ...]
    notice: str = ""
    confidence: float | None = None
    """The engine's score for the machine output, when the MT cache has it."""
    paragraph: ParagraphContext | None = None
    """The paragraph around the unit (English and current translations), when there is one."""
    suggestions: tuple[Suggestion, ...] = ()
    """Reviewed translations of similar English from the translation memory (never written)."""


def _wrap(text: str, width: int, indent: str = "  ") -> list[str]:
    import textwrap

    lines: list[str] = []
    for paragraph in visible(text).split("\n"):  # a tab shows as ␉, not as spaces
        lines.extend(
            textwrap.wrap(
                paragraph,
                width=max(20, width),
                initial_indent=indent,
                subsequent_indent=indent,
                break_on_hyphens=False,
            )
            or [indent.rstrip()]
        )
    return lines


def render_entry(view: EntryView, width: int = 80) -> str:
    """One review screen as text, every control character shown visibly (␛, ␇, …). Pure."""
    lines = [
        f"pipeline review {view.language} ({view.language_name})  "
        f"entry {view.position}/{view.total}  [{view.state.value}]",
        f"{view.display}:{view.line}" + (f"  {view.where}" if view.where else ""),
    ]
    if view.confidence is not None:
        lines.append(f"Confidence: {confidence_text(view.confidence)}")
    lines.append("")
    if view.paragraph is not None:
        lines.extend(paragraph_lines(view.paragraph, view.language_name, width))
        lines.append("")
    if view.previous_source is not None and view.previous_source != view.source:
        lines.append("English, changed since translation ([-removed-] {+added+}):")
        lines.extend(_wrap(word_diff(view.previous_source, view.source), width))
        lines.append("")
    lines.append("English:")
    lines.extend(_wrap(view.source, width))
    lines.append("")
    lines.append(f"{view.language_name}:")
    lines.extend(_wrap(view.translation or "(empty)", width))
    lines.append("")
    if view.findings:
        lines.append("Findings:")
        for finding in view.findings:
            lines.extend(
                _wrap(f"{finding.severity.value}: {finding.check}: {finding.message}", width)
            )
    else:
        lines.append("Findings: none")
    lines.extend(_suggestion_lines(view.suggestions, width))
    lines.append("")
    if view.notice:
        lines.extend(_wrap(view.notice, width, indent="! "))
    lines.append("[a]pprove  [e]dit  [s]kip  [b]ack  [q]uit")
    return visible("\n".join(lines))


def _suggestion_lines(suggestions: Sequence[Suggestion], width: int) -> list[str]:
    """The translation memory's suggestions: score and origin, the English, the translation."""
    if not suggestions:
        return []
    lines = ["", "Translation memory (reviewed translations of similar English):"]
    for found in suggestions:
        lines.append(f"  {percent(found.score)} from {found.origin}:")
        lines.extend(_wrap(found.source, width, indent="    "))
        translation = _wrap(found.translation, width, indent="      ")
        lines.extend(["    → " + translation[0][6:], *translation[1:]])
    return lines


@dataclass
class ReviewSummary:
    """What a review session did, for the CLI to print; entries are counted once each."""

    total: int = 0
    approved: set[int] = field(default_factory=set)
    edited: set[int] = field(default_factory=set)
    skipped: set[int] = field(default_factory=set)
    finished: bool = False

    def line(self) -> str:
        if self.total == 0:
            return "nothing to review: no machine, edited or stale entries"
        end = "end of the queue" if self.finished else "stopped"
        skipped = len(self.skipped - self.approved)
        return (
            f"{end}: {len(self.approved)} approved, {len(self.edited)} edited, "
            f"{skipped} skipped of {self.total} entries; every action is saved"
        )


def run_review(
    config: Config,
    language: str,
    items: Sequence[ReviewItem],
    terminal: ReviewTerminal,
    checker: Checker | None = None,
    *,
    scorer: Scorer | None = None,
    paragraphs: ParagraphFinder | None = None,
    memory: Memory | None = None,
) -> ReviewSummary:
    """The review loop: show an entry, read a key, save the action at once, move on.

    Each screen shows the engine's score (``scorer``, else the item's) and the paragraph around
    the entry with the translations as they are on disk now.
    """
    from ..catalog import translations_of

    check = checker or make_checker(config)
    finder = paragraphs or ParagraphFinder(config)
    similar = (memory or ProjectMemory(config).of(language)).similar  # suggestions, never written
    name = language_name(language)
    summary = ReviewSummary(total=len(items))
    index = 0
    notice = ""
    while 0 <= index < len(items):
        item = items[index]
        entry, catalog = load_with_catalog(item)
        if entry is None:
            index += 1
            notice = f"entry {index} is no longer in {item.display}; skipped"
            continue
        view = EntryView(
            language=language,
            language_name=name,
            position=index + 1,
            total=len(items),
            display=item.display,
            line=entry.line,
            where="; ".join(entry.extracted_comments),
            state=state_of(entry),
            source=entry.msgid,
            previous_source=entry.previous_msgid,
            translation=entry.translated_text,
            findings=tuple(sorted_findings(check(entry, language))),
            notice=notice,
            confidence=scorer(entry) if scorer is not None else item.score,
            paragraph=finder.context(item.document, entry.msgid, translations_of(catalog)),
            suggestions=tuple(similar(entry.msgid)),
        )
        notice = ""
        terminal.show(render_entry(view, terminal.width()))
        key = terminal.key()
        try:
            if key == "a":
                if not entry.translated_text:
                    notice = "nothing to approve: the translation is empty"
                    continue
                apply_change(config, item, entry, approve_entry)
                summary.approved.add(index)
                index += 1
            elif key == "e":
                context = _editor_context(view)
                text = terminal.edit_text(entry.translated_text, context)
                shown = visible(entry.translated_text, keep=EDITABLE_CONTROLS)
                if text is None or text in (entry.translated_text, shown):
                    notice = "edit cancelled: translation unchanged"
                    continue
                apply_change(config, item, entry, _setter(text))
                summary.edited.add(index)
                notice = "saved; press a to approve"
            elif key in ("s", " ", "n"):
                summary.skipped.add(index)
                index += 1
            elif key == "b":
                if index == 0:
                    notice = "this is the first entry"
                index = max(0, index - 1)
            elif key in ("q", ""):
                return summary
            else:
                notice = f"unknown key {key!r}"
        except (ReviewConflictError, LockError) as error:
            notice = f"not saved: {error.message}"
    summary.finished = True
    return summary


def _setter(text: str) -> Callable[[Entry], None]:
    return lambda entry: edit_entry(entry, text)


def _editor_context(view: EntryView) -> str:
    lines = [f"{view.display}:{view.line}", "English:", view.source]
    if view.previous_source is not None and view.previous_source != view.source:
        lines += ["Changed from:", view.previous_source]
    for finding in view.findings:
        lines.append(f"{finding.severity.value}: {finding.check}: {finding.message}")
    if view.paragraph is not None:
        lines += paragraph_lines(view.paragraph, view.language_name, width=76, max_lines=24)
    return visible("\n".join(lines))  # the editor shows the context; only the translation is raw


def editor_file_text(current: str, context: str) -> str:
    """What the editor opens: the translation first, the English below a marker line.

    Control characters other than tab and newline are shown (␛), in the translation too, so no
    editor or pager passes them to the terminal; given back unchanged, it counts as unchanged.
    """
    commented = "\n".join(f"# {line}".rstrip() for line in visible(context).split("\n"))
    return f"{visible(current, keep=EDITABLE_CONTROLS)}\n\n{EDITOR_MARKER}\n{commented}\n"


def parse_editor_text(text: str, multiline: bool) -> str | None:
    """The translation from an edited file; None when it is left empty (cancel)."""
    kept = text.split(EDITOR_MARKER, 1)[0]
    result = kept.strip("\n").rstrip() if multiline else " ".join(kept.split())
    return result or None


class Terminal:
    """The real terminal: clears the screen, reads single keys (cbreak), runs $EDITOR.

    Falls back to line input when stdin is not a terminal, so the loop also runs from a pipe.
    """

    def __init__(self, stdin: TextIO, stdout: TextIO, editor: str | None = None) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.editor = editor
        self.interactive = stdin.isatty() and stdout.isatty()

    def width(self) -> int:
        return min(shutil.get_terminal_size((80, 24)).columns, 100) - 1

    def show(self, screen: str) -> None:
        if self.interactive:
            self.stdout.write("\x1b[H\x1b[2J")
        self.stdout.write(visible(screen) + "\n")  # the only escape sent is the clear above
        self.stdout.flush()

    def key(self) -> str:
        if not self.interactive:
            line = self.stdin.readline()
            return line.strip()[:1].lower() if line else ""
        with self._cbreak():
            data = os.read(self.stdin.fileno(), 16)
        if not data or data in (b"\x04",):
            return ""
        return data.decode("utf-8", "replace")[:1].lower()

    @contextlib.contextmanager
    def _cbreak(self) -> Iterator[None]:
        import termios
        import tty

        fd = self.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            yield
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    def edit_text(self, current: str, context: str) -> str | None:
        """The new translation from $EDITOR, or from the prompt when there is none.

        An editor that cannot be started (missing, not executable, an unbalanced quote in
        $EDITOR) is reported once; the review goes on with the prompt for the rest of the run.
        """
        multiline = "\n" in current
        if self.editor:
            try:
                return self._run_editor(current, context, multiline)
            except (OSError, ValueError) as error:
                reason = error.strerror if isinstance(error, OSError) else str(error)
                self.stdout.write(
                    f"cannot start the editor {self.editor!r}: {reason}; "
                    "type the translation here instead\n"
                )
                self.stdout.flush()
                self.editor = None
        return self._prompt(current)

    def _run_editor(self, current: str, context: str, multiline: bool) -> str | None:
        assert self.editor is not None
        command = shlex.split(self.editor)  # ValueError on an unbalanced quote
        if not command:
            raise ValueError("$EDITOR is empty")
        fd, name = tempfile.mkstemp(prefix="pipeline-review-", suffix=".txt")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(editor_file_text(current, context))
            result = subprocess.run([*command, name], check=False)
            if result.returncode != 0:
                return None
            with open(name, "rb") as handle:
                raw = handle.read()
            try:
                return parse_editor_text(raw.decode("utf-8"), multiline)
            except UnicodeDecodeError:
                self.stdout.write("the edited text is not UTF-8; translation unchanged\n")
                return None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    def _prompt(self, current: str) -> str | None:
        prompt = "edit the translation and press Enter (an empty line keeps the old one):\n> "
        if not self.interactive:
            self.stdout.write(prompt)
            self.stdout.flush()
            line = self.stdin.readline()
            return " ".join(line.split()) or None
        try:
            import readline

            # One line, as the answer will be; controls shown, never sent to the terminal.
            shown = " ".join(visible(current, keep=EDITABLE_CONTROLS).split())
            readline.set_startup_hook(lambda: readline.insert_text(shown))
        except ImportError:
            readline = None  # type: ignore[assignment]
        try:
            line = input(prompt)
        except EOFError:
            return None
        finally:
            if readline is not None:
                readline.set_startup_hook(None)
        return " ".join(line.split()) or None
