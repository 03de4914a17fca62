"""The `placeholders` check: printf directives, Python braces and template tags must survive.

Which syntaxes count follows the entry's format flags, as `msgfmt --check` does: a `c-format`
entry has printf directives and no brace fields, a `python-brace-format` entry the reverse, and a
`no-c-format` entry no printf directives at all. An entry without format flags is read
conservatively, only what cannot be prose: `%s` but not `28% of`, `{0}` but not `\\emph{x}`.
Template tags (`{{ var }}`, `{% tag %}`) count everywhere but in brace-format entries, where `{{`
is an escape. Pure; docs/checks.md gives the rules and the comparison with pofilter.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from ..model import Severity
from .text import _Issue

# Format flags whose strings use printf directives (gettext's format.c names them).
PRINTF_FLAGS = frozenset(
    {
        "c-format",
        "objc-format",
        "python-format",
        "perl-format",
        "php-format",
        "gcc-internal-format",
        "gfc-internal-format",
        "awk-format",
        "java-printf-format",
        "sh-printf-format",
        "javascript-format",
        "lua-format",
        "d-format",
        "ocaml-format",
    }
)
# Format flags whose strings use `{…}` fields.
BRACE_FLAGS = frozenset(
    {
        "python-brace-format",
        "perl-brace-format",
        "cplusplus-brace-format",
        "rust-format",
        "csharp-format",
    }
)
OFTEN = 5  # msgfmt: a plural form used for this many n in 0..1000 is used "infinitely often"

# printf as the flags declare it: positional `%2$s`, Python's `%(name)s`, every flag, `*` widths,
# length modifiers and `%<PRIu64>`; `%%` is matched so that it is skipped.
_PRINTF = re.compile(
    r"%%"
    r"|%(?:(?P<pos>\d+)\$|\((?P<name>[^)\n]*)\))?"
    r"(?P<flags>[-+ #0'I]*)"
    r"(?P<width>\*(?:\d+\$)?|\d+)?"
    r"(?:\.(?P<precision>\*(?:\d+\$)?|\d+)?)?"
    r"(?P<length>hh|h|ll|l|L|q|j|z|Z|t|I64|I32)?"
    r"(?P<conv>[diouxXeEfFgGaAcCsSpnmr]|<PRI[diouxX]\w*>)"
)
# printf in an entry without format flags: no space or `'` flag (`28% of` is prose), no `%` right
# after a digit or letter (`100%s`), the common conversions only.
_PRINTF_PLAIN = re.compile(
    r"%%"
    r"|(?<![\w%])%(?:(?P<pos>\d+)\$|\((?P<name>[A-Za-z_]\w*)\))?"
    r"(?P<flags>[-+#0]*)(?P<width>\d+)?(?:\.(?P<precision>\d+))?"
    r"(?P<length>hh|h|ll|l|L|z|j|t)?(?P<conv>[diouxXeEfFgGcs])"
)
# A brace field as Python's str.format reads it: name, `!r`, and a spec that may hold one level
# of nested fields (`{0:{width}}`).
_BRACE = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
# A brace field in an entry without format flags: `{}`, `{0}`, `{name}`, `{name.attr}`,
# `{name!r:>10}`; not after a letter, `\`, `$`, `%` or `#` (`\emph{x}`, `${HOME}`, `%{pid}`).
_BRACE_PLAIN = re.compile(
    r"(?<![\w\\$%#{])\{(?P<field>(?:\d+|[A-Za-z_]\w*(?:\.\w+|\[\w+\])*)?(?:![rsa])?"
    r"(?::[^{}\s]*)?)\}(?!\})"
)
# A tag holds no brace and is at most TAG_MOST characters long: a search from an unclosed `{{`
# stops at the next brace, so text full of them stays linear work.
TAG_MOST = 500
_TEMPLATE = re.compile(
    rf"\{{\{{[^{{}}]{{0,{TAG_MOST}}}?\}}\}}|\{{%[^{{}}]{{0,{TAG_MOST}}}?%\}}|\{{#[^{{}}]{{0,{TAG_MOST}}}?#\}}"
)
_SPACES = re.compile(r"\s+")
_TAG_EDGES = re.compile(r"^(\{[{%#][-<%]?)\s*|\s*([-%>]?[}%#]\})$")

_TYPES = {
    **dict.fromkeys("di", "int"),
    **dict.fromkeys("ouxX", "unsigned int"),
    **dict.fromkeys("eEfFgGaA", "double"),
    **dict.fromkeys("srSa", "string"),
    "c": "char",
    "C": "wide char",
    "p": "pointer",
    "n": "count",
}


@dataclass(frozen=True)
class Syntax:
    """Which placeholders an entry has, read from its flags."""

    printf: re.Pattern[str] | None
    braces: re.Pattern[str] | None
    templates: bool
    declared: bool  # a format flag says so: stray `%` or `{` then break the string


def syntax_of(flags: Collection[str]) -> Syntax:
    """The placeholder syntaxes of an entry with these flags (rules in the module docstring)."""
    positive = {f for f in flags if f.endswith("-format") and not f.startswith("no-")}
    negative = {f[3:] for f in flags if f.startswith("no-") and f.endswith("-format")}
    if positive:
        braces = bool(positive & BRACE_FLAGS)
        return Syntax(
            _PRINTF if positive & PRINTF_FLAGS else None,
            _BRACE if braces else None,
            templates=not braces,
            declared=True,
        )
    return Syntax(
        None if negative & PRINTF_FLAGS else _PRINTF_PLAIN,
        None if negative & BRACE_FLAGS else _BRACE_PLAIN,
        templates=True,
        declared=False,
    )


@dataclass
class _Found:
    """The placeholders of one string: argument → (type, as written); template tags; strays."""

    args: dict[str, tuple[str, str]]
    tags: list[str]
    stray: list[str]


def _printf_args(text: str, pattern: re.Pattern[str], found: _Found) -> str:
    """Collect printf directives into `found.args` (key `#n` or `(name)`); return the text
    without them, for the stray `%` test."""
    position = 0

    def take(match: re.Match[str]) -> str:
        nonlocal position
        if match.group(0) == "%%":
            return ""
        for star in (match.group("width"), match.group("precision")):
            if star and star.startswith("*"):
                index = star[1:-1] if star.endswith("$") else ""
                if not index:
                    position += 1
                key = f"#{index or position}"
                found.args.setdefault(key, ("int", "*"))
        conv = match.group("conv")
        if conv == "m":  # glibc's strerror(errno): no argument
            found.args.setdefault("%m", ("errno", "%m"))
            return ""
        kind = (match.group("length") or "") + " " + _TYPES.get(conv, conv)
        if match.group("name") is not None:
            key = f"({match.group('name')})"
        elif match.group("pos"):
            key = f"#{match.group('pos')}"
        else:
            position += 1
            key = f"#{position}"
        found.args.setdefault(key, (kind.strip(), match.group(0)))
        return ""

    return pattern.sub(take, text)


def _brace_args(text: str, pattern: re.Pattern[str], found: _Found) -> str:
    """Collect brace fields into `found.args` (key `{n}` or `{name}`); return the rest."""
    position = 0

    def take(match: re.Match[str]) -> str:
        nonlocal position
        if match.group("field") is None:
            return ""  # `{{` or `}}`: a literal brace
        field = match.group("field")
        name = re.split(r"[!:,]", field, maxsplit=1)[0].strip()
        if not name:
            key = f"{{{position}}}"
            position += 1
        else:
            key = f"{{{name}}}"
        found.args.setdefault(key, ("field", match.group(0)))
        return ""

    return pattern.sub(take, text)


def _tag_key(tag: str) -> str:
    """A template tag as its engine reads it: `{{ x }}` is `{{x}}`, `{% if  a %}` is `{%if a%}`."""
    return _TAG_EDGES.sub(lambda m: m.group(1) or m.group(2), _SPACES.sub(" ", tag))


def _tags(text: str) -> tuple[list[str], str]:
    tags = [_SPACES.sub(" ", m.group(0)) for m in _TEMPLATE.finditer(text)]
    return tags, _TEMPLATE.sub(" ", text)


def placeholders_of(text: str, syntax: Syntax) -> _Found:
    """Every placeholder of `text` under `syntax`, and the `%`, `{` or `}` left over."""
    found = _Found({}, [], [])
    rest = text
    if syntax.templates:
        found.tags, rest = _tags(rest)
    if syntax.braces is not None:
        rest = _brace_args(rest, syntax.braces, found)
        if syntax.declared:
            found.stray += re.findall(r"[{}]", rest)
    if syntax.printf is not None:
        rest = _printf_args(rest, syntax.printf, found)
        if syntax.declared:
            found.stray += re.findall(r"%", rest)
    return found


def _error(message: str) -> _Issue:
    return _Issue("placeholders", Severity.ERROR, message)


def check_placeholders(
    source: str, translation: str, flags: Collection[str] = (), *, may_drop: bool = False
) -> list[_Issue]:
    """A placeholder added, lost or changed (a different type or name) is an error.

    Positional (`%2$s`, `{1}`) and named (`%(n)d`, `{n}`) placeholders may be reordered; an
    unnumbered one binds by position, so `%2$d %1$s` may stand for `%s %d`, as in C. Width,
    precision and alignment may change. `may_drop` is msgfmt's relaxed rule for a plural form
    used for a single n (`msgstr[0]` in Czech): it may leave a placeholder out, never add one.
    """
    if not translation:
        return []
    syntax = syntax_of(flags)
    before = placeholders_of(source, syntax)
    after = placeholders_of(translation, syntax)
    issues: list[_Issue] = []
    lost = [key for key in before.args if key not in after.args]
    added = [key for key in after.args if key not in before.args]
    for key in [key for key in before.args if key in after.args]:
        (old_type, old), (new_type, new) = before.args[key], after.args[key]
        if old_type != new_type:
            issues.append(_error(f"changed placeholder: {old} → {new} ({old_type} → {new_type})"))
    pairs = 0
    if not may_drop:
        named = [key for key in lost if not key.startswith("#")]
        renamed = [key for key in added if not key.startswith("#")]
        for old_key, new_key in zip(named, renamed, strict=False):
            old, new = before.args[old_key][1], after.args[new_key][1]
            issues.append(_error(f"changed placeholder: {old} → {new}"))
            lost.remove(old_key)
            added.remove(new_key)
            pairs += 1
        issues += [_error(f"lost placeholder: {before.args[key][1]}") for key in lost]
    issues += [_error(f"added placeholder: {after.args[key][1]}") for key in added]
    issues += _compare_tags(before.tags, after.tags, may_drop)
    if len(after.stray) > len(before.stray):
        stray = "".join(sorted(set(after.stray)))
        issues.append(_error(f"a lone {stray} that starts no placeholder: double it to write it"))
    return issues


def _compare_tags(before: list[str], after: list[str], may_drop: bool) -> list[_Issue]:
    shown = {_tag_key(tag): tag for tag in before + after}
    old_keys = Counter(_tag_key(tag) for tag in before)
    new_keys = Counter(_tag_key(tag) for tag in after)
    lost = [shown[key] for key in (old_keys - new_keys).elements()]
    added = [shown[key] for key in (new_keys - old_keys).elements()]
    issues: list[_Issue] = []
    if may_drop:
        lost = []
    for old, new in zip(lost, added, strict=False):
        issues.append(_error(f"changed template tag: {old} → {new}"))
    issues += [_error(f"lost template tag: {old}") for old in lost[len(added) :]]
    issues += [_error(f"added template tag: {new}") for new in added[len(lost) :]]
    return issues


def often_forms(plural_forms: str, count: int) -> frozenset[int]:
    """The plural forms (of `count`) used for at least OFTEN of n = 0..1000, as msgfmt counts
    them; with no usable `Plural-Forms`, gettext's default (n != 1): form 1."""
    match = re.search(r"plural\s*=\s*([^;]+)", plural_forms)
    if match is None:
        return frozenset({1})
    try:
        rule = gettext.c2py(match.group(1).strip())
        uses = Counter(int(rule(n)) for n in range(1001))
    except (ValueError, SyntaxError, RecursionError, ZeroDivisionError):
        return frozenset(range(count))
    return frozenset(form for form in range(count) if uses[form] >= OFTEN)
