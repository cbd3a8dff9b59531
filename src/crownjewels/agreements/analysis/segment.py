"""Split agreement text into sentences and list items with character offsets.

Rule-based and made for legal text: it does not break after abbreviations ("U.S.", "i.e.",
"Inc.", "No."), inside numbers ("Section 2.1"), or after a list marker ("(a)", "1.", "iv)");
it does break before list items that start a line or follow ";" / ":", and at blank lines.
Every segment satisfies `text[start:end] == segment.text`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "inc",
        "ltd",
        "co",
        "corp",
        "llc",
        "llp",
        "plc",
        "no",
        "nos",
        "sec",
        "secs",
        "art",
        "arts",
        "para",
        "paras",
        "cl",
        "i.e",
        "e.g",
        "etc",
        "vs",
        "v",
        "cf",
        "viz",
        "al",
        "approx",
        "dept",
        "govt",
        "jr",
        "sr",
        "st",
        "ave",
        "u.s",
        "u.s.a",
        "u.k",
        "e.u",
        "n.a",
        "s.a",
        "b.v",
        "n.v",
        "gmbh",
        "ag",
        "pty",
        "pte",
        "fig",
        "figs",
        "ch",
        "vol",
        "pp",
        "p",
        "id",
        "ibid",
        "et",
        "seq",
        "u.s.c",
        "c.f.r",
        "cal",
        "del",
        "n.y",
        "tex",
        "fla",
        "mass",
        "ill",
        "pa",
        "n.j",
        "ore",
        "wash",
        "va",
        "md",
        "mo",
        "ga",
        "mich",
        "ariz",
        "col",
        "conn",
        "ky",
        "la",
        "minn",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "rev",
        "ex",
        "exh",
        "sch",
    ]
)
# a list marker at the start of a line or an item: (a) (iv) (1) a) 1. 1.1 1.1.1 § bullets
LIST_MARKER = re.compile(
    r"(?:\(\s*(?:[a-zA-Z]{1,2}|[ivxlcdm]{1,6}|\d{1,3})\s*\)|(?:[a-zA-Z]|[ivxlcdm]{1,6}|\d{1,3})\)"
    r"|\d{1,3}(?:\.\d{1,3}){0,3}\.?(?=\s)|[A-Z]\.(?=\s)|[•·▪◦\-–*](?=\s))"
)
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+)")
INLINE_ITEM = re.compile(r"(?<=[;:])\s+(?=(?:\(\s*(?:[a-z]{1,2}|[ivxlcdm]{1,6}|\d{1,3})\s*\))\s)")
BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Segment:
    """A sentence or list item and its character offsets into the original text."""

    text: str
    start: int
    end: int


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Break a block into runs of lines that belong together (a new list item starts a run)."""
    runs: list[tuple[int, int]] = []
    run_start = start
    pos = start
    while True:
        nl = text.find("\n", pos, end)
        if nl == -1:
            break
        nxt = nl + 1
        stripped = text[nxt:end].lstrip(" \t")
        prev = text[run_start:nl].rstrip()
        new_item = bool(LIST_MARKER.match(stripped)) and (
            not prev or prev[-1] in ".;:!?" or prev.isupper() or len(prev) < 60
        )
        heading = bool(prev) and (prev.isupper() or prev[-1] in ".;:!?") and len(prev) < 90
        if new_item or (heading and stripped[:1].isupper() and prev[-1:] not in ",-"):
            runs.append((run_start, nl))
            run_start = nxt
        pos = nxt
    runs.append((run_start, end))
    return runs


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at `dot` ends an abbreviation, an initial or a list number."""
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] not in "(":
        word_start -= 1
    word = text[word_start:dot].lower().strip("\"'“‘")
    if word in ABBREVIATIONS or len(word) == 1:
        return True
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):  # U.S, i.e, e.g
        return True
    return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,3})*|[ivxlc]{1,5}", word))


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a run of lines at sentence ends and at inline list items after ";" or ":"."""
    cuts = [start]
    for m in SENTENCE_END.finditer(text, start, end):
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        after = text[m.end() : end].lstrip()
        if after and (after[0].islower() and not LIST_MARKER.match(after)):
            continue
        cuts.append(m.end())
    for m in INLINE_ITEM.finditer(text, start, end):
        cuts.append(m.end())
    cuts = sorted(set(cuts))
    cuts.append(end)
    return [(a, b) for a, b in itertools.pairwise(cuts)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split(text: str) -> list[Segment]:
    """Sentences and list items of `text`, in order, with offsets (whitespace trimmed)."""
    segments: list[Segment] = []
    block_start = 0
    bounds = [m.span() for m in BLANK_LINE.finditer(text)] + [(len(text), len(text))]
    for gap_start, gap_end in bounds:
        for run in _lines(text, block_start, gap_start):
            for a, b in _sentences(text, *run):
                s, e = _trim(text, a, b)
                if e > s and any(ch.isalnum() for ch in text[s:e]):
                    segments.append(Segment(text[s:e], s, e))
        block_start = gap_end
    return segments
