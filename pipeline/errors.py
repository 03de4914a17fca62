"""The exception tree of the pipeline; every error a user can cause is one of these.

Each class carries the exit code the CLI returns for it, so exit codes are decided in one place::

    PipelineError                 exit 2 unless a subclass says otherwise
    ├── ConfigError               2  bad or missing [tool.pipeline], unknown language code
    ├── SourceError               4  source document missing, not UTF-8, empty, unplaceable
    ├── CatalogError              5  bad PO/POT: syntax, encoding, duplicate, wrong language
    ├── LockError                 6  another pipeline process holds the lock on the catalogs
    ├── ModelError                3  a needed Argos model is missing or a model file is invalid
    ├── EditionWithheldError      7  publish policy kept the previous edition of a language
    ├── FileSystemError           8  the machine refused: permission denied, disk full, a folder
    │                                where a file belongs, a missing working folder
    │   └── EditionUnavailable    8  an edition format cannot run here (no WeasyPrint, no font);
    │                                the build skips that format with one warning
    └── QualityGateError          1  `pipeline check` found error-level findings
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the user can cause; its message is the one line the CLI prints."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """`file:line: message`, the shape compilers and gettext use, so editors can jump to it."""
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class ConfigError(PipelineError):
    exit_code = 2


class SourceError(PipelineError):
    exit_code = 4


class CatalogError(PipelineError):
    exit_code = 5


class LockError(PipelineError):
    exit_code = 6


class ModelError(PipelineError):
    exit_code = 3


class EditionWithheldError(PipelineError):
    exit_code = 7


class QualityGateError(PipelineError):
    exit_code = 1


class FileSystemError(PipelineError):
    """An I/O or environment failure the user can fix; the message names the path."""

    exit_code = 8

    @classmethod
    def from_os_error(cls, error: OSError, action: str, path: str | None = None) -> FileSystemError:
        """`<path>: cannot <action>: <strerror>`, from an OSError, naming its file if known."""
        shown = path or (str(error.filename) if error.filename is not None else None)
        reason = error.strerror or type(error).__name__
        return cls(f"cannot {action}: {reason}", path=shown)


class EditionUnavailable(FileSystemError):
    """An edition format cannot be made on this machine (a library or font is missing).

    Raised by an edition format's ``render``; `pipeline.editions` skips that format with the
    message as one warning (once per build) and still writes the other formats.
    """
