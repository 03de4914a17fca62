"""English sentence boundaries inside one paragraph, by rules (see docs/segmentation.md).

Own rules rather than pySBD: on the golden-rule cases they cut at least as well, they give exact
character spans of the source, and they are over 20 times faster. A paragraph with markup, dot
leaders or written-out line breaks is split as `sentence_clean.tidy_paragraph` tidies it, and the
cuts are mapped back: the spans stay exact, the cuts are those of the tidy text.

A candidate boundary is a run of terminal punctuation (`.`, `?`, `!`, `…`, `...`, `. . .`)
with the closing quotes, brackets and footnote marks after it. It becomes a boundary when the
next word can start a sentence and the word before is not an abbreviation that binds to what
follows. Candidates inside a quotation or parenthesis that closes later in the same paragraph
are not boundaries. Lists (`1. … 2. …`, `a) … b) …`, `• …`) are cut before each item.
"""

from __future__ import annotations

import re
from itertools import pairwise

from .sentence_clean import clean, needs_tidying, tidy_paragraph

# --- vocabulary ----------------------------------------------------------------------------------

# fmt: off

# Titles and other abbreviations that bind to the next word: never the end of a sentence.
_BINDING = frozenset({
    "Mr", "Mrs", "Ms", "Messrs", "Mme", "Mlle", "Dr", "Prof", "St", "Mt", "Ft", "Sen", "Rep",
    "Gov", "Gen", "Capt", "Lt", "Col", "Maj", "Sgt", "Cpl", "Adm", "Rev", "Hon", "Pres", "Supt",
    "Fr", "vs", "v", "cf", "viz", "Vs", "Cf", "Viz",
})
# Abbreviations that may end a sentence but do not end one before a number, a lower-case word
# or a parenthesis (`p. 55`, `Dec. 31`, `etc. (see`, `Inc. ("Company A")`). Lower case.
_ABBREVIATIONS = frozenset({
    "etc", "co", "corp", "inc", "ltd", "llc", "plc", "bros", "jr", "sr", "esq", "no", "nos", "nr",
    "n°", "pp", "para", "vol", "vols", "ch", "chap", "sec", "sect", "fig", "figs", "eq", "eqs",
    "ed", "eds", "tel", "ext", "approx", "appr", "dept", "div", "est", "min", "max", "avg", "ca",
    "al", "rs", "med", "btw", "ind", "ave", "blvd", "rd", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "thu", "thur", "thurs", "fri",
})
# Company abbreviations: an all-capitals word after them is a name (`Co. KG`), not a sentence.
_COMPANY = frozenset({"co", "corp", "inc", "ltd", "llc", "plc", "bros"})
# Dotted abbreviations that never end a sentence, and the two that often do (times of day).
_BINDING_DOTTED = frozenset({"e.g", "i.e", "f.e", "a.k.a"})
_TIMES = frozenset({"a.m", "p.m"})
# After a dotted abbreviation such as `U.S.`, a capitalised word starts a new sentence only if it
# is one of these: `in the U.S. How about you?` but `the U.S. Government`.
_STARTERS = frozenset({
    "A", "All", "Also", "Although", "An", "And", "Another", "Any", "Are", "As", "At", "Because",
    "Before", "Both", "But", "By", "Can", "Could", "Did", "Do", "Does", "Each", "Either", "Even",
    "Every", "Few", "Finally", "First", "For", "From", "Had", "Has", "Have", "He", "Her", "Here",
    "His", "How", "However", "I", "If", "In", "Is", "It", "Its", "Just", "Last", "Let", "Many",
    "May", "Meanwhile", "More", "Moreover", "Most", "Much", "My", "Neither", "Never", "Next", "No",
    "Nor", "Not", "Now", "Of", "On", "One", "Only", "Or", "Other", "Our", "Over", "Perhaps",
    "Please", "Second", "Several", "She", "Should", "Since", "So", "Some", "Still", "Such", "That",
    "The", "Their", "Then", "There", "Therefore", "These", "They", "This", "Those", "Though",
    "Thus", "To", "Today", "Too", "Under", "Unlike", "Until", "We", "Were", "What", "When",
    "Where", "Whether", "Which", "While", "Who", "Why", "Will", "With", "Would", "Yes", "Yet",
    "You", "Your",
})
# fmt: on

_OPENERS = "“‘\"'`«([{¿¡*_"
_CLOSERS = "”’\"'»)]}*_"
_CLOSING_QUOTES = "”’\"'»"
_DASHES = "-‐‑‒–—―⁃"
_FULL_WIDTH = "．。！？"
_BULLETS = "•⁃▪◦‣"

# --- candidate boundaries ------------------------------------------------------------------------

# One character class first, so that the regex engine can skip to candidates quickly.
_CANDIDATE = re.compile(
    r"""
    (?P<term>[.?!…‽．。！？]+(?:(?:[ ]\.){2,})?)    # ".", "?!", "…", "....", ". . . ."
    (?P<close>[”’"'»)\]*_]*(?:\[\d{1,3}\])*)          # closers: quotes, brackets, "**", "[1]"
    (?:(?<=[^\W\d_]\.)\d{1,3}(?:[ ]\d{1,3})*|(?<=\)\.)\d{1,3})?  # footnotes ".11 12", ").1"
    (?=\s|$|(?<=[．。！？])\S|(?<=[a-z][a-z]\.)[A-Z][a-z]|(?<=[0-9]\.)[A-Z][a-z])  # "word.Next"
    """,
    re.X,
)
# Speech broken off by a dash: `we're doing our best, to--" At this moment`.
_BROKEN_OFF = re.compile(r"[-—―][”\"’'](?=\s)")
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[^\W_](?:[\w'’.-]*\w)?")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_WEB = re.compile(r"[@/:]|www")


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence; the text between spans is whitespace only.

    Where the paragraph needs tidying (tags, `{b^…}` codes, dot leaders, runs of dots or slashes,
    `\\r\\n` written out, a lone carriage return), the rules split the tidy text, each cut is
    mapped back into the gap between the two sentences in the source, and the spans are the
    source between the cuts: what tidying removes stays in the span it belongs to.
    """
    if not needs_tidying(paragraph):
        return _rule_spans(paragraph)
    tidied = tidy_paragraph(paragraph)
    found: list[tuple[int, int]] = []  # each sentence of the tidy text, in the source
    offset = 0
    for line in tidied.text.split("\n"):
        for start, end in _rule_spans(line):
            found.append((tidied.source(offset + start), tidied.source(offset + end - 1) + 1))
        offset += len(line) + 1
    cuts = [_cut(paragraph, end, start) for (_, end), (start, _) in pairwise(found)]
    return _pieces(paragraph, cuts)


def sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph as strings (convenience over sentence_spans)."""
    return [paragraph[a:b] for a, b in sentence_spans(paragraph)]


def clean_sentences(text: str) -> list[str]:
    """The sentences of untidy text, tidied (`sentence_clean.clean`), paragraph by paragraph:
    pySBD's `clean=True` contract. Not spans of `text`; the pipeline uses `sentence_spans`."""
    found: list[str] = []
    for line in clean(text).split("\n"):
        if line.strip():
            found.extend(sentences(line))
    return found


_CLOSING_TAGS = re.compile(r"(?:</[^<>\s]{1,30}>)*")


def _cut(text: str, end: int, start: int) -> int:
    """Where to cut between a sentence ending at `end` and the next starting at `start`: at the
    first whitespace between them (`friends. <em>Yes.` / `Yes.</em> <em>It`), else after the
    closing tags that follow the end (`Hello.</p><p>World`)."""
    for position in range(end, start):
        if text[position].isspace():
            return position
    closing = _CLOSING_TAGS.match(text, end, start)
    return closing.end() if closing else end


def _pieces(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """The text between consecutive cuts, without the whitespace around it; empty pieces go."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*cuts, len(text)]:
        piece = text[start:cut]
        stripped = piece.strip()
        if stripped:
            left = start + len(piece) - len(piece.lstrip())
            spans.append((left, left + len(stripped)))
        start = cut
    return spans


def _rule_spans(text: str) -> list[tuple[int, int]]:
    """The rules on text that needs no tidying: (start, end) of each sentence."""
    last = len(text.rstrip())
    cuts, keep = _list_cuts(text)
    regions = _enclosed_regions(text)
    enclosed = _Enclosures(regions)
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        if end < last and end not in keep and not enclosed(match.start(), end):
            cut = _boundary(text, match, regions)
            if cut is not None:
                cuts.add(cut)
    if "-" in text or "—" in text or "―" in text:
        enclosed = _Enclosures(regions)
        for match in _BROKEN_OFF.finditer(text):
            start, end = match.start(), match.end()
            if text[start] == "-" and text[start - 1 : start] != "-":
                continue  # a single hyphen is not a dash
            if end < last and not enclosed(start, end) and _opens_sentence(_following(text, end)):
                cuts.add(end)
    return _pieces(text, sorted(cuts))


# --- bounded pieces for a machine translation engine --------------------------------------------

PIECE_LIMIT = 2000  # characters: a few hundred tokens, well inside Argos's 1024-token input
_PIECE_END = re.compile(r"[.?!…;:]['\"”’»)\]]*\s")


def bounded_pieces(text: str, limit: int = PIECE_LIMIT) -> list[str]:
    """`text` cut into pieces of at most `limit` characters, for an engine whose own sentence
    splitter is slow on one long run (Argos's MiniSBD: quadratic time on a 100 k line).

    A text within the limit is one piece, unchanged. Otherwise each cut is at whitespace, after
    the last stop in the second half of the window if there is one, else at the last space; a
    window without whitespace is cut at the limit. The whitespace at a cut is dropped. Linear.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = -1
        for match in _PIECE_END.finditer(text, start + limit // 2, end + 1):
            cut = match.end() - 1
        if cut < 0:
            cut = end
            while cut > start and not text[cut].isspace():
                cut -= 1
            if cut == start:
                cut = end
        pieces.append(text[start:cut])
        start = cut
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        pieces.append(text[start:])
    return [piece for piece in pieces if piece]


# --- the decision at one candidate ---------------------------------------------------------------


def _boundary(text: str, match: re.Match[str], regions: list[tuple[int, int]]) -> int | None:
    """Where to cut for this candidate, or None if it is not a sentence end."""
    term = match.group("term")
    start, end = match.start(), match.end()
    if any(c in _FULL_WIDTH for c in term):
        return end
    after_term = start + len(term)
    if term in ("...", "…") and text[start - 1 : start] == "[" and text[after_term] == "]":
        return None  # "[...]" marks an omission
    following = _following(text, end)
    if not _opens_sentence(following):
        return None
    if following[0] == "(" and _ends_embedded_quote(text, after_term, end, regions):
        return None  # thought Alice, 'I shall think nothing of it!' (Which was true.)
    if not text[end].isspace():  # "world.Today", but not in e-mail or web addresses
        token_start = _token_start(text, start)
        token_end = text.find(" ", end)
        token = text[token_start : token_end if token_end >= 0 else len(text)]
        return end if term == "." and not _WEB.search(token) else None
    if " " in term:  # spaced ellipsis
        dots = term.count(".")
        attached = start > 0 and not text[start - 1].isspace()
        if attached and dots >= 4:
            return start + 1  # "compounds. . . . The" -> "compounds." | ". . . The"
        return end if dots >= 4 or attached else None
    if term != ".":  # "?", "!", "?!", "…", "...", "...."
        return end
    return end if _period_ends(text, start, following) else None


def _period_ends(text: str, start: int, following: str) -> bool:
    """Is the "." at `start` a full stop, given the word before it and the next token?"""
    token_start = _token_start(text, start)
    word = _core(text[token_start:start])
    if "." in word and not _DOTTED.fullmatch(word):
        word = word.rsplit(".", 1)[1]  # "Tuesday.Mr" -> "Mr"; "example.com" -> "com"
    if not word:
        return True
    nxt = following.lstrip(_OPENERS)
    next_is_number = nxt[0].isdigit() or nxt[0] in "$€£¥#§"
    if word in _BINDING:
        return False
    if _DOTTED.fullmatch(word):  # U.S, a.m, e.g, J.C, Ph.D
        lower = word.lower()
        name = _WORD.match(nxt)
        if lower in _BINDING_DOTTED or next_is_number or following[0] in "([" or name is None:
            return False
        if lower in _TIMES:
            return name.group() not in _BINDING
        return name.group() in _STARTERS
    if len(word) == 1 and word.isalpha():
        if word.islower():  # "p. 55", "a. The first item"
            return not next_is_number
        return not _is_initial(text, token_start)
    lower = word.lower()
    if lower in _ABBREVIATIONS:
        if next_is_number or following[0] in "([":
            return False
        if lower in _COMPANY:
            name = _WORD.match(nxt)
            return name is not None and not (name.group().isupper() and len(name.group()) > 1)
    return True


def _is_initial(text: str, token_start: int) -> bool:
    """Is the capital letter at `token_start` an initial (`Albert I. Jones`, `J. R. Smith`)?

    Yes after a capitalised word or another initial, and at the start of a sentence (a list
    label such as `A. His name`); no after a lower-case word (`you and I. Did`).
    """
    end = _skip_space_back(text, token_start)
    if end == 0:
        return True
    previous = _core(text[_token_start(text, end) : end])
    if len(previous) == 2 and previous[0].isupper() and previous[1] == ".":
        return True  # "J. R. Smith"
    if text[end - 1] in ".?!:;":
        return True
    return bool(previous) and previous[0].isupper()


def _ends_embedded_quote(
    text: str, after_term: int, end: int, regions: list[tuple[int, int]]
) -> bool:
    """Do the closers after a stop end a quotation that began in the middle of a sentence?"""
    for opening, closing in regions:
        if after_term <= closing < end and text[closing] in _CLOSING_QUOTES:
            before = _skip_space_back(text, opening)
            return before > 0 and text[before - 1] not in ".?!…"
    return False


# --- small text helpers --------------------------------------------------------------------------


def _following(text: str, end: int) -> str:
    """The next token after `end`, skipping dashes ("- Posted" -> "Posted"); "" at the end."""
    pos = end
    while True:
        token = _TOKEN.search(text, pos)
        if token is None:
            return ""
        if token.group().strip(_DASHES):
            return token.group()
        pos = token.end()


def _opens_sentence(following: str) -> bool:
    """Can this token start a sentence? Not a lower-case word, not bare punctuation."""
    core = following.lstrip(_OPENERS + _DASHES)
    if not core:
        return False
    first = core[0]
    return not first.islower() and (first.isalnum() or first in "$€£¥#§*@")


def _core(word: str) -> str:
    """A token without the quotes and brackets around it."""
    return word.lstrip(_OPENERS).rstrip(_CLOSERS)


def _token_start(text: str, pos: int) -> int:
    """Index where the whitespace-delimited token that ends at `pos` begins.

    Looks back at most 100 characters: longer tokens are no words, and stopping keeps a
    paragraph without spaces linear.
    """
    stop = max(0, pos - 100)
    while pos > stop and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _skip_space_back(text: str, pos: int) -> int:
    """Index just after the last non-space character before `pos` (0 if there is none)."""
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return pos


# --- quotations and parentheses ------------------------------------------------------------------

_PAIRS = {"“": "”", "«": "»", "‘": "’", "(": ")", "[": "]"}
_ENCLOSERS = re.compile(r"[“”«»‘’()\[\]\"'`]")


def _enclosed_regions(text: str) -> list[tuple[int, int]]:
    """(open, close) indexes of quotations and parentheses that close in this paragraph."""
    regions: list[tuple[int, int]] = []
    stacks: dict[str, list[int]] = {}
    for match in _ENCLOSERS.finditer(text):
        char, pos = match.group(), match.start()
        before = text[pos - 1] if pos else " "
        after = text[pos + 1] if pos + 1 < len(text) else " "
        if char in "'’" and before.isalnum() and after.isalnum():
            continue  # apostrophe: don't, dragon’s
        if char == "`":  # TeX-style quotation: `so what?'
            if not after.isspace():
                stacks.setdefault("'", []).append(pos)
        elif char in "\"'":
            stack = stacks.setdefault(char, [])
            if not before.isspace() and stack:
                regions.append((stack.pop(), pos))
            elif (before.isspace() or before in _OPENERS + _DASHES) and not after.isspace():
                stack.append(pos)
        elif char in _PAIRS:
            stacks.setdefault(_PAIRS[char], []).append(pos)
        elif stacks.get(char):
            regions.append((stacks[char].pop(), pos))
    return regions


class _Enclosures:
    """Asks whether text[start:end] lies inside a quotation or parenthesis closing after it.

    Calls must come with non-decreasing `start`, so one sweep answers all of them: the regions
    that opened before `start` only matter through the furthest point any of them reaches.
    """

    def __init__(self, regions: list[tuple[int, int]]) -> None:
        self._regions = sorted(regions)
        self._next = 0
        self._reach = -1

    def __call__(self, start: int, end: int) -> bool:
        regions = self._regions
        while self._next < len(regions) and regions[self._next][0] < start:
            self._reach = max(self._reach, regions[self._next][1])
            self._next += 1
        return end <= self._reach


# --- lists ---------------------------------------------------------------------------------------

_LABEL_END = re.compile(r"[.)](?=\s)")
_LABEL = re.compile(r"(\(?)(\d{1,3}|[A-Za-z]|[ivx]{2,5}|[IVX]{2,5})(\.\)|\.|\))")
_ROMAN = {"i": 1, "v": 5, "x": 10}

# A list label: (start, end, style such as "(.)" or ".", the ways its label counts)
_Label = tuple[int, int, str, dict[str, int]]


def _readings(label: str) -> dict[str, int]:
    """The ways a list label can count: as a number, a letter, a roman numeral."""
    if label.isdigit():
        return {"number": int(label)}
    lower = label.lower()
    readings: dict[str, int] = {}
    if len(lower) == 1:
        readings["letter"] = ord(lower) - ord("a") + 1
    if all(c in _ROMAN for c in lower):
        total = 0
        for i, c in enumerate(lower):
            value = _ROMAN[c]
            total += -value if i + 1 < len(lower) and _ROMAN[lower[i + 1]] > value else value
        readings["roman"] = total
    return readings


def _labels(text: str, keep: set[int]) -> list[_Label]:
    """List labels ("1.", "1.)", "1)", "(a)", "iv.") standing alone between spaces."""
    labels: list[_Label] = []
    for match in _LABEL_END.finditer(text):
        end = match.end()
        start = _token_start(text, end - 1)
        if end - start > 6:
            continue
        if text[start] in _BULLETS:  # "⁃9."
            keep.add(end)
            continue
        label = _LABEL.fullmatch(text, start, end)
        if label is None:
            continue
        before = _skip_space_back(text, start)
        if before > 0 and text[before - 1] in _BULLETS:  # "• 9."
            keep.add(end)
            continue
        style = label.group(1) + label.group(3)
        labels.append((start, end, style, _readings(label.group(2))))
    return labels


def _list_cuts(text: str) -> tuple[set[int], set[int]]:
    """Cuts before list items, and candidate ends that are list labels rather than full stops.

    A list is a run of labels of one style counting up (`1.` `2.`, `a)` `b)`, `(i)` `(ii)`); the
    first must start the paragraph or follow a sentence end. A label alone at the very start of
    a paragraph is a label too (`1. This is a list item.`). Each bullet starts an item.
    """
    cuts: set[int] = set()
    keep: set[int] = set()
    for bullet in _BULLETS:
        position = text.find(bullet)
        while position >= 0:
            if position > 0 and text[position - 1].isspace():
                cuts.add(position)
            position = text.find(bullet, position + 1)
    chains: list[list[_Label]] = []
    waiting: dict[tuple[str, str, int], int] = {}  # (style, reading, next value) -> chain
    styles: set[str] = set()
    for label in _labels(text, keep):
        start, _, style, readings = label
        found = [
            waiting[key] for key in ((style, k, v) for k, v in readings.items()) if key in waiting
        ]
        if found:
            index = min(found)
            counting = [k for k, v in readings.items() if waiting.get((style, k, v)) == index]
            for key in [key for key, value in waiting.items() if value == index]:
                del waiting[key]
            chains[index].append(label)
        else:
            before = _skip_space_back(text, start)
            restart = 1 in readings.values() and style in styles
            if not (before == 0 or text[before - 1] in ".?!:;" + _CLOSERS or restart):
                continue
            index = len(chains)
            counting = list(readings)
            chains.append([label])
            styles.add(style)
        for kind in counting:
            waiting.setdefault((style, kind, readings[kind] + 1), index)
    for items in chains:
        if len(items) > 1 or _skip_space_back(text, items[0][0]) == 0:
            for start, end, _, _ in items:
                if start > 0:
                    cuts.add(start)
                keep.add(end)
    return cuts, keep
