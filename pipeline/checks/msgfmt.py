"""gettext's own format check (`msgfmt --check`) on a PO file, as error findings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..errors import ConfigError
from ..model import Finding, Severity

_MSGFMT_LINE = re.compile(r"^(?P<file>.*?):(?P<line>\d+)(?::\d+)?: (?P<message>.*)$")
_MSGFMT_SUMMARY = re.compile(r"^\S*msgfmt: found \d+ fatal errors?$")


def msgfmt_findings(path: Path, display: str) -> list[Finding]:
    """Run `msgfmt --check` on a PO file: each error it prints is an error finding with its line.

    Its warnings are left out: they are about header fields (`Last-Translator` still the template
    value) that every catalog fresh from `pipeline update` has, and they do not fail msgfmt.
    """
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise ConfigError("msgfmt not found: install GNU gettext")
    result = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(path)],
        capture_output=True,
        check=False,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
    )
    findings: list[Finding] = []
    for raw in result.stderr.decode("utf-8", "replace").splitlines():
        text = raw.strip()
        if not text or _MSGFMT_SUMMARY.match(text):
            continue
        match = _MSGFMT_LINE.match(text)
        line = int(match.group("line")) if match else 0
        message = match.group("message") if match else re.sub(r"^\S*msgfmt: ", "", text)
        if message.startswith("warning: "):
            continue  # header fields left at their template values: every new catalog has them
        findings.append(Finding("format", Severity.ERROR, message, file=display, line=line))
    if result.returncode != 0 and not findings:
        message = f"msgfmt --check failed with exit code {result.returncode}"
        findings.append(Finding("format", Severity.ERROR, message, file=display))
    return findings
