"""The run report of `pipeline build` and `pipeline translate`, and the progress hooks.

What happened to each document-language pair (states, words, findings, the quality gate, the
engine's figures, whether the edition was published), as the CLI prints it and as
``<state_dir>/last-build.json`` records it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .files import write_atomic


@dataclass
class PairReport:
    """What happened to one document in one language."""

    document: str
    language: str
    rebuilt: bool = False
    states: dict[str, int] = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    gate_findings: int = 0
    machine: dict[str, object] = field(default_factory=dict)
    model: str = ""
    edition: str = ""
    seconds: float = 0.0
    source_format: str = ""  # the document's format (which edition formats apply)


@dataclass
class BuildReport:
    """The run report: written to the state folder and, on request, elsewhere."""

    started: float = 0.0
    seconds: float = 0.0
    check_only: bool = False
    pairs: list[PairReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    missing_models: list[str] = field(default_factory=list)
    models_installed: list[str] = field(default_factory=list)  # fetched from Argos's index
    withheld: list[str] = field(default_factory=list)

    @property
    def engine_calls(self) -> int:
        return sum(int(str(p.machine.get("engine_calls", 0))) for p in self.pairs if p.rebuilt)

    @property
    def cache_hits(self) -> int:
        return sum(int(str(p.machine.get("from_cache", 0))) for p in self.pairs if p.rebuilt)

    @property
    def gate_failed(self) -> bool:
        return any(p.gate_findings for p in self.pairs)

    def as_json(self) -> dict[str, object]:
        return {
            "pipeline": __version__,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "seconds": round(self.seconds, 3),
            "check_only": self.check_only,
            "changed": self.written,
            "engine_calls": self.engine_calls,
            "cache_hits": self.cache_hits,
            "missing_models": self.missing_models,
            "models_installed": self.models_installed,
            "withheld": self.withheld,
            "warnings": self.warnings,
            "pairs": [
                {
                    "document": p.document,
                    "language": p.language,
                    "rebuilt": p.rebuilt,
                    "states": p.states,
                    "words": p.words,
                    "findings": p.findings,
                    "gate_findings": p.gate_findings,
                    "machine": p.machine,
                    "model": p.model,
                    "edition": p.edition,
                    "seconds": round(p.seconds, 3),
                }
                for p in self.pairs
            ],
        }

    def summary(self) -> str:
        rebuilt = sum(p.rebuilt for p in self.pairs)
        findings: dict[str, int] = {}
        for pair in self.pairs:
            for severity, count in pair.findings.items():
                findings[severity] = findings.get(severity, 0) + count
        shown = ", ".join(f"{n} {s}" for s, n in sorted(findings.items())) or "no findings"
        verb = "would change" if self.check_only else "changed"
        memory = sum(int(str(p.machine.get("from_memory", 0))) for p in self.pairs if p.rebuilt)
        return (
            f"build: {rebuilt}/{len(self.pairs)} document-language pairs rebuilt, "
            f"{len(self.written)} file(s) {verb}, "
            + (f"{memory} units from translation memory, " if memory else "")
            + f"{self.engine_calls} units machine-translated, "
            f"{self.cache_hits} from cache, {shown}, {self.seconds:.2f} s"
        )


@dataclass
class TranslateReport:
    """What `pipeline translate` did: one PairReport per catalog it machine-translated."""

    pairs: list[PairReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    missing_models: list[str] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(int(str(pair.machine.get(key, 0))) for pair in self.pairs)

    @property
    def rejected(self) -> int:
        counts = [pair.machine.get("rejected", {}) for pair in self.pairs]
        return sum(sum(c.values()) for c in counts if isinstance(c, dict))

    def summary(self) -> str:
        memory = self.total("from_memory")
        return (
            f"translate: {len(self.pairs)} catalog(s), {self.total('filled')} filled, "
            f"{self.total('refreshed')} refreshed, "
            + (f"{memory} from translation memory, " if memory else "")
            + f"{self.total('from_cache')} units from the "
            f"cache, {self.total('engine_calls')} sent to the engine, {self.rejected} rejected "
            "by the quality guards"
        )


def pair_from_state(name: str, language: str, pairs_state: dict[str, Any]) -> PairReport:
    """A pair this run did not redo, as its stamp's summary recorded it."""
    summary = pairs_state.get(f"{name}/{language}", {}).get("summary", {})
    return PairReport(
        name,
        language,
        rebuilt=False,
        states=dict(summary.get("states", {})),
        words=dict(summary.get("words", {})),
        findings=dict(summary.get("findings", {})),
        gate_findings=int(summary.get("gate_findings", 0)),
        model=str(summary.get("model", "")),
        edition=str(summary.get("edition", "")),
        source_format=str(summary.get("format", "")),
    )


def pair_summary(pair: PairReport) -> dict[str, object]:
    """What a pair's stamp keeps of its report, for the runs that skip it."""
    return {
        "states": pair.states,
        "words": pair.words,
        "findings": pair.findings,
        "gate_findings": pair.gate_findings,
        "model": pair.model,
        "edition": pair.edition,
        "format": pair.source_format,
    }


class ProgressFactory:
    """Makes a progress callback per language; the CLI supplies one that draws tqdm bars."""

    def start(self, label: str, total: int) -> Progress:
        return Progress()


class Progress:
    def advance(self, count: int) -> None:
        """Called as units are translated."""

    def close(self) -> None:
        """Called when the language is done."""


def write_report(path: Path, report: BuildReport) -> None:
    """The run report as JSON; a refusal of the machine is one line naming the file (exit 8)."""
    from .errors import FileSystemError

    data = json.dumps(report.as_json(), indent=1, ensure_ascii=False).encode() + b"\n"
    try:
        write_atomic(path, data)
    except OSError as error:
        raise FileSystemError.from_os_error(error, "write the run report", str(path)) from None
