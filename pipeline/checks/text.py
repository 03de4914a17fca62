"""Text as the checks read it: placeholders, markup and mnemonics set aside, words, prose."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from ..model import Severity


@dataclass(frozen=True)
class _Issue:
    check: str
    severity: Severity
    message: str


_PLACEHOLDER = re.compile(
    r"%(?:\d+\$)?[-+ #0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|j|z|t|q|I64)?"
    r"[diouxXeEfFgGaAcspnCS%]"
    r"|%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]"
    r"|%<PRI\w+>"
    r"|\{[\w.]*(?:![rsa])?(?::[^{}]*)?\}"
    r"|\$\{?[A-Za-z_]\w*\}?"
    r"|%\d+"
    r"|~[A-Za-z]"
)
_TAG = re.compile(r"</?[A-Za-z_][\w:.-]*(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")
_MNEMONIC = re.compile(r"(?<![\w])_(?=[^\W_])")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_TOKEN = re.compile(r"[^\W_]+")


def _plain(text: str, flags: Collection[str], placeholder: Callable[[re.Match[str]], str]) -> str:
    """Text as a reader sees it: no format placeholders, markup or mnemonic underscores."""
    if any(flag.endswith("-format") and not flag.startswith("no-") for flag in flags):
        text = _PLACEHOLDER.sub(placeholder, text)
    if _TAG.search(text):
        text = html.unescape(_TAG.sub(" ", text))
    return _MNEMONIC.sub("", text)


def _blank(_match: re.Match[str]) -> str:
    return " "


def _numbered() -> Callable[[re.Match[str]], str]:
    """Each placeholder a distinct word, so `ни в %s, ни в %s` is not one phrase repeated."""
    count = 0

    def replace(_match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f" placeholder{count} "

    return replace


def _collapsed(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\S+@\S+\.\w+")
_CODE = re.compile(r"[^\s\"'«»“”„‘’()\[\]]*(?:\w[./\\]\w|_)[^\s\"'«»“”„‘’()\[\]]*")
_QUOTED = re.compile(r"([\"'‘“«„‚])([^\"'‘’“”«»„‚\n]{1,80}?)([\"'’”»“‘])")
# A run of this many characters without a space is no prose (a URL, a hash, a hostile line): it is
# set aside whole, which also bounds the work of the two patterns above to linear time.
_LONG_RUN = re.compile(r"\S{100,}")


def _prose(text: str, source: str) -> str:
    """Text without URLs, file names, identifiers and quoted material copied from the source.

    What is left is what a translator translates; `«verbatim»` or `po4atemp.master.po` is code.
    """
    text = _CODE.sub(" ", _URL.sub(" ", _LONG_RUN.sub(" ", text)))
    return _QUOTED.sub(lambda m: " " if m.group(2).strip() in source else m.group(0), text)


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u052f"


def _is_latin(char: str) -> bool:
    return char.isalpha() and (char < "\u0250" or "\u1e00" <= char <= "\u1eff")


def _is_name(word: str) -> bool:
    """Capitalised, all capitals or camel case: a name or identifier, kept across languages."""
    return any(char.isupper() for char in word)
