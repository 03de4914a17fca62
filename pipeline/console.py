"""Where the command line's output goes: messages on stderr (text or JSON lines), results on
stdout, tqdm bars on a terminal. Only the command-line modules (`cli`, `cli_tools`) use it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, TextIO

from .controls import visible
from .errors import FileSystemError

EXIT_OK = 0


class Console:
    """Where messages go: stderr, as plain lines or one JSON object per line (journald, CI)."""

    def __init__(self, log_format: str = "text", quiet: bool = False, stream: TextIO | None = None):
        self.log_format = log_format
        self.quiet = quiet
        self.stream = stream or sys.stderr

    def message(self, level: str, text: str, **fields: Any) -> None:
        if self.quiet and level == "info":
            return
        text = visible(text)  # a file name or msgid from a hostile repository never drives the tty
        if self.log_format == "json":
            record = {"time": round(time.time(), 3), "level": level, "message": text, **fields}
            print(json.dumps(record, ensure_ascii=False), file=self.stream, flush=True)
        elif level == "info":
            print(text, file=self.stream, flush=True)
        else:
            print(f"pipeline: {level}: {text}", file=self.stream, flush=True)

    def summary(self, text: str, **fields: Any) -> None:
        """The one-line summary of a run: always shown, even with --quiet."""
        if self.log_format == "json":
            self.message("summary", text, **fields)
        else:
            print(visible(text), file=self.stream, flush=True)

    def info(self, text: str, **fields: Any) -> None:
        self.message("info", text, **fields)

    def warning(self, text: str, **fields: Any) -> None:
        self.message("warning", text, **fields)

    def error(self, text: str, **fields: Any) -> None:
        self.message("error", text, **fields)


def console_for(args: argparse.Namespace) -> Console:
    return Console(getattr(args, "log_format", "text"), getattr(args, "quiet", False))


def print_out(text: str) -> None:
    """Print a result on stdout; a device that refuses it is one line naming `<stdout>` (exit 8).

    A closed pipe (`pipeline status | head`) is not an error: `main` ends quietly with exit 0.
    """
    try:
        print(text)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise FileSystemError.from_os_error(error, "write", "<stdout>") from None


def flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise FileSystemError.from_os_error(error, "write", "<stdout>") from None


def tqdm_progress(args: argparse.Namespace, unit: str = "unit") -> Any:
    """A progress factory drawing one tqdm bar per language (or download, in bytes with
    ``unit="B"``), only on a terminal."""
    from .run_report import Progress, ProgressFactory

    if args.quiet or not sys.stdout.isatty():
        return None

    class TqdmProgress(Progress):
        def __init__(self, label: str, total: int) -> None:
            from tqdm import tqdm

            scaled = unit == "B"
            known = total if total or not scaled else None  # a download of unknown size
            self.bar = tqdm(total=known, desc=label, unit=unit, unit_scale=scaled, leave=True)

        def advance(self, count: int) -> None:
            self.bar.update(count)

        def close(self) -> None:
            self.bar.close()

    class TqdmFactory(ProgressFactory):
        def start(self, label: str, total: int) -> Progress:
            return TqdmProgress(label, total)

    return TqdmFactory()
