"""Winnowed fingerprints of text and code, in memory, vectorised with numpy.

A text becomes a list of units: normalised words for text (channel 0), tree-sitter tokens for
code with identifiers and literals abstracted (channel 1, structure), the identifiers and
literals alone as written (channel 2, verbatim) and the same with identifiers abstracted
(channel 3, literal: tables and maps differ only there). Code is scored on channels 1 and 3,
text on 0. Every run of k units (a k-gram) is hashed;
winnowing keeps, of every window of w consecutive k-gram hashes, the smallest (the rightmost
one on ties). Two texts sharing a run of at least t = w + k - 1 units share a whole window, so
they always share a fingerprint; a run shorter than k units shares no k-gram, so it never
matches. Hashes are stable (polynomial over code points, mixed with splitmix64): never Python's
salted `hash()`.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "LANGUAGES",
    "PARAMS",
    "Channel",
    "ChannelParams",
    "Comparison",
    "Fragment",
    "Index",
    "Params",
    "Prints",
    "Weights",
    "compare",
    "fingerprint",
    "idf_weights",
    "is_match",
    "language_of",
    "strength",
]


class Channel(IntEnum):
    """What a fingerprint's units are."""

    TEXT = 0
    STRUCTURE = 1
    VERBATIM = 2
    LITERAL = 3


@dataclass(frozen=True)
class ChannelParams:
    """The k-gram length and the window of one channel, and its guarantee."""

    k: int
    w: int
    #: a passage of at least this many units is a match on its own (however small its share),
    #: when it holds the fingerprints winnowing guarantees for such a run; 0: never alone
    min_units: int = 0
    #: IDF-weighted fingerprints shared (on the channels a source is scored on) that are a
    #: match on their own; 0: never alone
    min_weight: float = 0.0
    #: the share of fingerprints that is a match (with `Params.min_shared` shared) for a
    #: source scored on this channel; None: `Params.threshold`
    threshold: float | None = None

    @property
    def t(self) -> int:
        """The guarantee: any shared run of at least t units is always found."""
        return self.w + self.k - 1

    @property
    def passage_prints(self) -> int:
        """The fingerprints winnowing keeps at least in a run of `min_units` units (one per
        window of w k-grams): a passage shorter in prints is an idiom repeated, not a copy."""
        return max(1, (self.min_units - self.k + 1) // self.w)


@dataclass(frozen=True)
class Params:
    """Every parameter of fingerprinting and matching (docs/leaks.md explains each)."""

    channels: dict[int, ChannelParams]
    #: a source matches when this share of its fingerprints (IDF-weighted) is found in the
    #: suspect, or this share of the suspect's fingerprints is found in the source
    threshold: float
    #: and at least this many distinct fingerprints are shared
    min_shared: int
    #: a fingerprint found in at most this many sources keeps its full weight; above, its
    #: weight falls with its inverse document frequency (boilerplate, idioms)
    df_free: int
    #: a fragment whose fingerprints all weigh less than this is boilerplate, not shown
    boilerplate: float
    #: bumped when the normaliser or the tokeniser changes: sources made before re-index
    version: str

    @property
    def key(self) -> str:
        """A short form stored with each indexed source (a change re-indexes)."""
        parts = " ".join(f"c{c} k{p.k} w{p.w}" for c, p in sorted(self.channels.items()))
        return f"{self.version} {parts}"


PARAMS = Params(
    channels={
        Channel.TEXT: ChannelParams(k=6, w=8, min_units=40),
        Channel.STRUCTURE: ChannelParams(k=12, w=12, min_weight=9.0, threshold=0.4),
        Channel.VERBATIM: ChannelParams(k=6, w=6),
        Channel.LITERAL: ChannelParams(k=6, w=6),
    },
    threshold=0.2,
    min_shared=3,
    df_free=2,
    boilerplate=0.2,
    version="fp2",
)

#: maps an array of fingerprint hashes to their weights (1.0 = rare, towards 0 = boilerplate)
Weights = Callable[[NDArray[np.int64]], NDArray[np.float64]]

_I8 = np.int8
_I32 = np.int32
_I64 = np.int64
_U64 = np.uint64
_MASK = (1 << 64) - 1
_BASE = np.uint64(0x100000001B3)
_TOKEN_CAP = 64
_PAIR_CAP = 16


def _mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64's finaliser: spreads the bits of a polynomial hash (wrapping uint64)."""
    z = x ^ (x >> _U64(30))
    z = z * _U64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> _U64(27))
    z = z * _U64(0x94D049BB133111EB)
    out: NDArray[np.uint64] = z ^ (z >> _U64(31))
    return out


def _token_hashes(
    codes: NDArray[Any], starts: NDArray[np.int64], lengths: NDArray[np.int64]
) -> NDArray[np.uint64]:
    """The hash of each token codes[start:start+length]: Horner's rule over its code points,
    vectorised by position (tokens sorted longest first so each step is a prefix). Tokens
    longer than 64 code points mix in a BLAKE2 digest of the whole token."""
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=_U64)
    # longest first; a stable radix sort on a byte-sized key (lengths past the cap tie)
    key = (255 - np.minimum(lengths, 255)).astype(np.uint8)
    order = np.argsort(key, kind="stable")
    sl = lengths[order]
    ss = starts[order]
    neg = -np.minimum(sl, 255)
    h = np.zeros(n, dtype=_U64)
    top = int(min(sl[0], _TOKEN_CAP))
    for j in range(top):
        m = int(np.searchsorted(neg, -j, side="left"))
        h[:m] = h[:m] * _BASE + codes[ss[:m] + j].astype(_U64) + _U64(1)
    long = np.flatnonzero(sl > _TOKEN_CAP)
    for i in long.tolist():
        chunk = np.ascontiguousarray(codes[ss[i] : ss[i] + sl[i]]).astype(np.uint32).tobytes()
        digest = int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little")
        h[i] ^= _U64(digest)
    out = np.empty(n, dtype=_U64)
    out[order] = _mix(h ^ sl.astype(_U64))
    return out


def _kgrams(units: NDArray[np.uint64], k: int, salt: int) -> NDArray[np.uint64]:
    """The hash of every run of k consecutive units (position i: units i..i+k-1)."""
    n = len(units) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=_U64)
    h = np.zeros(n, dtype=_U64)
    for j in range(k):
        h = h * _BASE + units[j : j + n]
    return _mix(h ^ _U64(salt))


def _winnow(hashes: NDArray[np.uint64], w: int) -> NDArray[np.int64]:
    """The positions winnowing keeps: of every window of w consecutive hashes the smallest,
    the rightmost on ties, each position once. A text shorter than one window keeps its
    smallest hash."""
    n = len(hashes)
    if n == 0:
        return np.zeros(0, dtype=_I64)
    if n <= w:
        best = n - 1 - int(np.argmin(hashes[::-1]))
        return np.array([best], dtype=_I64)
    m = n - w + 1
    low = hashes[:m].copy()
    for j in range(1, w):
        np.minimum(low, hashes[j : j + m], out=low)
    pick = np.full(m, -1, dtype=_I64)
    for j in range(w - 1, -1, -1):
        hit = (pick < 0) & (hashes[j : j + m] == low)
        pick[hit] = j
    pos = pick + np.arange(m, dtype=_I64)
    keep = np.ones(m, dtype=bool)
    keep[1:] = pos[1:] != pos[:-1]
    return pos[keep]


# ---------------------------------------------------------------------------------------------
# Prints


#: the channels code is scored on (see `Prints.scored`)
_SCORED_CODE = (int(Channel.STRUCTURE), int(Channel.LITERAL))


@dataclass(frozen=True)
class Prints:
    """A text's winnowed fingerprints: parallel arrays, one row per fingerprint."""

    kind: str
    language: str | None
    channel: NDArray[np.int8]
    hash: NDArray[np.int64]
    unit: NDArray[np.int32]
    start: NDArray[np.int32]
    end: NDArray[np.int32]
    units: dict[int, int]
    line_starts: NDArray[np.int32]
    #: characters of the text fingerprinted
    chars: int = 0

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset."""
        return int(np.searchsorted(self.line_starts, offset, side="right"))

    @property
    def lines(self) -> int:
        return len(self.line_starts)

    @property
    def primary(self) -> int:
        """The channel similarity is measured on: text (also for code read from a text file,
        which carries both), or code structure."""
        if self.kind == "text" or Channel.TEXT in self.units:
            return int(Channel.TEXT)
        return int(Channel.STRUCTURE)

    @property
    def scored(self) -> tuple[int, ...]:
        """The channels a source is scored on: text alone; for code, the structure and the
        literal channel together (tables and repetitive code have the same structure
        everywhere, and only their literals tell them apart, whatever the names)."""
        if self.primary == Channel.TEXT:
            return (int(Channel.TEXT),)
        return _SCORED_CODE

    def on(self, channels: tuple[int, ...]) -> NDArray[np.bool_]:
        """The rows of some channels."""
        if len(channels) == 1:
            return self.of(channels[0])
        rows: NDArray[np.bool_] = np.isin(self.channel, channels)
        return rows

    def of(self, channel: int) -> NDArray[np.bool_]:
        """The rows of one channel."""
        rows: NDArray[np.bool_] = self.channel == channel
        return rows

    def __len__(self) -> int:
        return len(self.hash)


@dataclass
class _Units:
    channel: int
    hashes: NDArray[np.uint64]
    start: NDArray[np.int64]
    end: NDArray[np.int64]


def _prints(
    kind: str, language: str | None, text: str, all_units: list[_Units], line_starts: Any
) -> Prints:
    parts: list[tuple[Any, ...]] = []
    counts: dict[int, int] = {}
    for u in all_units:
        p = PARAMS.channels[u.channel]
        counts[u.channel] = len(u.hashes)
        kg = _kgrams(u.hashes, p.k, salt=0x9E3779B97F4A7C15 * (u.channel + 1) & _MASK)
        pos = _winnow(kg, p.w)
        parts.append(
            (
                np.full(len(pos), u.channel, dtype=_I8),
                kg[pos].view(_I64),
                pos.astype(_I32),
                u.start[pos].astype(_I32),
                u.end[pos + p.k - 1].astype(_I32),
            )
        )
    if parts:
        cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    else:
        cols = [np.zeros(0, dtype=d) for d in (_I8, _I64, _I32, _I32, _I32)]
    return Prints(
        kind=kind,
        language=language,
        channel=cols[0],
        hash=cols[1],
        unit=cols[2],
        start=cols[3],
        end=cols[4],
        units=counts,
        line_starts=np.asarray(line_starts, dtype=_I32),
        chars=len(text),
    )


def _line_starts(text: str) -> NDArray[np.int32]:
    if text.isascii():
        nl = np.flatnonzero(np.frombuffer(text.encode("ascii"), dtype=np.uint8) == 10)
    else:
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        nl = np.flatnonzero(cps == 10)
    return np.concatenate(([0], nl + 1)).astype(_I32)


# ---------------------------------------------------------------------------------------------
# Text: words, normalised

_ASCII_WORD = np.zeros(256, dtype=bool)
for _c in range(256):
    _ASCII_WORD[_c] = chr(_c).isalnum() or chr(_c) == "_" if _c < 128 else True
#: a word broken at a line end ("fermen-\ntation"); the character before the hyphen is
#: checked apart (a look-behind would slow the scan of every text down)
_HYPHEN = re.compile(r"-[ \t]*\r?\n[ \t]*(?=\w)")
_WORD = re.compile(r"\w+")


def _is_word(cps: NDArray[Any]) -> NDArray[np.bool_]:
    if cps.dtype == np.uint8:
        ascii_words: NDArray[np.bool_] = _ASCII_WORD[cps]
        return ascii_words
    out = np.zeros(len(cps), dtype=bool)
    low = cps < 128
    out[low] = _ASCII_WORD[cps[low]]
    high = np.flatnonzero(~low)
    if len(high):
        values, inverse = np.unique(cps[high], return_inverse=True)
        table = np.array([chr(v).isalnum() or chr(v) == "_" for v in values.tolist()], bool)
        out[high] = table[inverse]
    return out


def _text_units(text: str) -> _Units:
    """Words of a normalised text (NFKC, casefold, hyphenation joined, punctuation dropped),
    with the char offsets of each word in `text`."""
    joins = [
        (m.start(), m.end())
        for m in _HYPHEN.finditer(text)
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_")
    ]
    norm = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    if len(norm) == len(text):
        cps: NDArray[Any]
        if norm.isascii():
            cps = np.frombuffer(norm.encode("ascii"), dtype=np.uint8)
        else:
            cps = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)
        pos = np.arange(len(cps), dtype=_I64)
        if joins:
            keep = np.ones(len(cps), dtype=bool)
            for a, b in joins:
                keep[a:b] = False
            cps = cps[keep]
            pos = pos[keep]
        word = _is_word(cps)
        edge = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
        starts = np.flatnonzero(edge == 1).astype(_I64)
        ends = np.flatnonzero(edge == -1).astype(_I64)
        hashes = _token_hashes(cps, starts, ends - starts)
        return _Units(Channel.TEXT, hashes, pos[starts], pos[ends - 1] + 1)
    # normalisation changed the length (ligatures, ß ...): word by word, offsets kept exact
    if joins:
        keep_idx = np.ones(len(text), dtype=bool)
        for a, b in joins:
            keep_idx[a:b] = False
        pos = np.flatnonzero(keep_idx)
        joined = "".join(text[i] for i in pos.tolist())
    else:
        pos = np.arange(len(text), dtype=_I64)
        joined = text
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    for m in _WORD.finditer(joined):
        spans.append((m.start(), m.end()))
        words.append(unicodedata.normalize("NFKC", m.group()).casefold())
    if not words:
        empty = np.zeros(0, dtype=_I64)
        return _Units(Channel.TEXT, np.zeros(0, dtype=_U64), empty, empty)
    flat = "\x00".join(words)
    cps = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32)
    lengths = np.array([len(w) for w in words], dtype=_I64)
    starts = np.concatenate(([0], np.cumsum(lengths[:-1] + 1))).astype(_I64)
    hashes = _token_hashes(cps, starts, lengths)
    sp = np.array(spans, dtype=_I64)
    return _Units(Channel.TEXT, hashes, pos[sp[:, 0]], pos[sp[:, 1] - 1] + 1)


# ---------------------------------------------------------------------------------------------
# Code: tree-sitter tokens

_GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "java": ("tree_sitter_java", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "go": ("tree_sitter_go", "language"),
    "c_sharp": ("tree_sitter_c_sharp", "language"),
}
LANGUAGES = tuple(_GRAMMARS)

_CATEGORIES: dict[str, tuple[str, ...]] = {
    "com": ("comment", "line_comment", "block_comment", "html_comment"),
    "id": (
        "identifier",
        "type_identifier",
        "field_identifier",
        "property_identifier",
        "private_property_identifier",
        "shorthand_property_identifier",
        "shorthand_property_identifier_pattern",
        "statement_identifier",
        "namespace_identifier",
        "package_identifier",
        "blank_identifier",
    ),
    "str": (
        "string",
        "string_literal",
        "raw_string_literal",
        "char_literal",
        "character_literal",
        "system_lib_string",
        "interpreted_string_literal",
        "rune_literal",
        "template_string",
        "verbatim_string_literal",
        "interpolated_string_expression",
    ),
    "num": (
        "integer",
        "float",
        "number",
        "number_literal",
        "int_literal",
        "float_literal",
        "imaginary_literal",
        "integer_literal",
        "real_literal",
        "decimal_integer_literal",
        "hex_integer_literal",
        "octal_integer_literal",
        "binary_integer_literal",
        "decimal_floating_point_literal",
        "hex_floating_point_literal",
    ),
}
#: a category's code in the token stream (comments are dropped)
_CLASS = {"id": 1, "str": 2, "num": 3}
_QUOTE = np.zeros(256, dtype=bool)
_QUOTE[[ord(c) for c in "'\"`"]] = True
_PREFIX = np.zeros(256, dtype=bool)
_PREFIX[[ord(c) for c in "rRbBuUfFLU8@$"]] = True
_CLASS_HASH = {c: int(_mix(np.array([0xC0DE0000 + c], dtype=_U64))[0]) for c in (1, 2, 3)}


@cache
def _grammar(language: str) -> tuple[Any, Any]:
    """The parser and the token query of a language (loaded once from its wheel)."""
    import importlib

    import tree_sitter as ts

    module, attr = _GRAMMARS[language]
    lang = ts.Language(getattr(importlib.import_module(module), attr)())
    known = {
        lang.node_kind_for_id(i)
        for i in range(lang.node_kind_count)
        if lang.node_kind_is_named(i) and lang.node_kind_is_visible(i)
    }
    patterns = []
    for cat, kinds in _CATEGORIES.items():
        present = [k for k in kinds if k in known]
        if present:
            patterns.append("[" + " ".join(f"({k})" for k in present) + f"] @{cat}")
    query = ts.Query(lang, "\n".join(patterns))
    return ts.Parser(lang), query


def _code_units(text: str, language: str) -> tuple[_Units, _Units, _Units]:
    """The token stream of code: structure (identifiers one class, literals a class per kind,
    keywords and operators as written, comments dropped) and verbatim (identifiers and
    literals as written), with char offsets."""
    import tree_sitter as ts

    parser, query = _grammar(language)
    data = text.encode("utf-8")
    tree = parser.parse(data)
    captures = ts.QueryCursor(query).captures(tree.root_node)
    span_s: list[int] = []
    span_e: list[int] = []
    span_c: list[int] = []
    for cat, nodes in captures.items():
        code = _CLASS.get(cat, 0)
        span_s.extend(n.start_byte for n in nodes)
        span_e.extend(n.end_byte for n in nodes)
        span_c.extend([code] * len(nodes))
    b = np.frombuffer(data, dtype=np.uint8)
    n = len(b)
    ss = np.array(span_s, dtype=_I64)
    se = np.array(span_e, dtype=_I64)
    sc = np.array(span_c, dtype=_I64)
    if len(ss):
        # outermost spans only (an f-string's interpolated names belong to the string)
        order = np.lexsort((-se, ss))
        ss, se, sc = ss[order], se[order], sc[order]
        reach = np.maximum.accumulate(se)
        keep = np.ones(len(ss), dtype=bool)
        keep[1:] = se[1:] > reach[:-1]
        ss, se, sc = ss[keep], se[keep], sc[keep]
        keep = se > ss
        ss, se, sc = ss[keep], se[keep], sc[keep]
    cover = np.zeros(n + 1, dtype=np.int32)
    np.add.at(cover, ss, 1)
    np.add.at(cover, se, -1)
    covered = np.cumsum(cover[:n]) > 0
    # the gaps between spans: keyword and name-like runs are one token, other visible
    # characters (operators, punctuation) one token each
    word = _ASCII_WORD[b] & ~covered
    edge = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
    ws = np.flatnonzero(edge == 1).astype(_I64)
    we = np.flatnonzero(edge == -1).astype(_I64)
    punct = np.flatnonzero(~covered & ~word & (b > 32)).astype(_I64)
    spans_kept = sc > 0
    ks, ke, kc = ss[spans_kept], se[spans_kept], sc[spans_kept]
    starts = np.concatenate((ws, punct, ks))
    ends = np.concatenate((we, punct + 1, ke))
    classes = np.concatenate((np.zeros(len(ws) + len(punct), dtype=_I64), kc))
    order = np.argsort(starts, kind="stable")
    starts, ends, classes = starts[order], ends[order], classes[order]
    # a string literal is hashed on its content: quotes and prefixes (r, b, f, L, @, $ ...) do
    # not count, so a copy printed back with other quotes keeps its verbatim units (the
    # structure channel has one unit for every string anyway)
    hs, he = starts, ends
    strings = np.flatnonzero(classes == 2)
    if len(strings):
        hs, he = starts.copy(), ends.copy()
        cs_, ce_ = hs[strings], he[strings]
        for table in (_PREFIX, _QUOTE):
            for _ in range(3):
                cs_ = cs_ + ((cs_ < ce_) & table[b[np.minimum(cs_, n - 1)]])
        for _ in range(3):
            ce_ = ce_ - ((ce_ > cs_) & _QUOTE[b[np.maximum(ce_ - 1, 0)]])
        hs[strings], he[strings] = cs_, ce_
    raw = _token_hashes(b, hs, he - hs)
    structure = raw.copy()
    for code, value in _CLASS_HASH.items():
        structure[classes == code] = _U64(value)
    special = classes > 0
    verbatim = raw[special] ^ _mix(classes[special].astype(_U64))
    # literals as written in a stream of identifiers abstracted: a table or a map renamed
    literal = np.where(classes[special] == 1, _U64(_CLASS_HASH[1]), verbatim)
    if text.isascii():
        cs, ce = starts, ends
    else:
        lead = (b & 0xC0) != 0x80
        char_at = np.concatenate((np.cumsum(lead) - 1, [int(lead.sum())])).astype(_I64)
        cs = char_at[starts]
        ce = char_at[ends - 1] + 1 if len(ends) else ends
    return (
        _Units(Channel.STRUCTURE, structure, cs, ce),
        _Units(Channel.VERBATIM, verbatim, cs[special], ce[special]),
        _Units(Channel.LITERAL, literal, cs[special], ce[special]),
    )


# ---------------------------------------------------------------------------------------------
# Languages

_EXTENSIONS = {
    ".py": "python",
    ".pyw": "python",
    ".pyi": "python",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".c++": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".cs": "c_sharp",
}
_SNIFF: list[tuple[str, re.Pattern[str]]] = [
    ("go", re.compile(r"^package \w+\s*$.*^func ", re.M | re.S)),
    ("c_sharp", re.compile(r"^\s*using System[.;]|^\s*namespace [\w.]+\s*[{;]", re.M)),
    (
        "java",
        re.compile(
            r"^\s*(public |private |protected )?(final )?class \w+.*\{|^import java\.", re.M
        ),
    ),
    (
        "cpp",
        re.compile(r"^#include <(iostream|vector|string|map|memory)>|std::|^template\s*<", re.M),
    ),
    ("c", re.compile(r"^#include [<\"][\w/]+\.h[>\"]", re.M)),
    (
        "typescript",
        re.compile(r"^(export )?(interface|type) \w+|: (string|number|boolean)\b", re.M),
    ),
    (
        "javascript",
        re.compile(r"^(const|let|var) \w+ = |^function \w+\(|=> \{|require\(['\"]", re.M),
    ),
    ("python", re.compile(r"^(def|class) \w+.*:\s*$|^(from [\w.]+ )?import \w+", re.M)),
]


#: file types whose content may be code (pasted into a note): sniffed from their first lines
_SNIFFED = {".txt", ".text", ".md", ".rst", ".log", ".paste", ""}


def language_of(name: str, text: str = "") -> str | None:
    """The code language of a file, from its name's extension or else (no extension, a text
    file) its first lines; None for text (prose, data, documents, an unknown language)."""
    lower = name.lower().rsplit("/", 1)[-1]
    dot = lower.rfind(".")
    if dot >= 0:
        ext = lower[dot:]
        if ext in _EXTENSIONS:
            language = _EXTENSIONS[ext]
            if language == "c" and ext == ".h" and _SNIFF[3][1].search(text[:20000]):
                return "cpp"
            return language
        if ext not in _SNIFFED:
            return None
    head = text[:4000]
    if not head:
        return None
    for language, pattern in _SNIFF:
        if pattern.search(head):
            return language
    return None


def fingerprint(text: str, *, name: str = "", language: str | None = None) -> Prints:
    """The winnowed fingerprints of a text: code (by `language`, or `language_of(name, text)`)
    on the structure and verbatim channels, anything else on the text channel. Code told from
    its content alone (a text file, pasted text) gets the text channel too, so that it is
    compared with text sources as text and with code sources as code."""
    sniffed = False
    if language is None:
        language = language_of(name, text)
        sniffed = language is not None and language_of(name) is None
    lines = _line_starts(text)
    if language is not None:
        if language not in _GRAMMARS:
            raise ValueError(f"no grammar for {language!r}: one of {', '.join(LANGUAGES)}")
        units = list(_code_units(text, language))
        if sniffed:
            units.append(_text_units(text))
        return _prints("code", language, text, units, lines)
    return _prints("text", None, text, [_text_units(text)], lines)


# ---------------------------------------------------------------------------------------------
# Comparison


@dataclass(frozen=True)
class Fragment:
    """A passage found in both: units on the channel, char offsets and 1-based lines (first,
    last) on each side."""

    channel: int
    units: int
    source_start: int
    source_end: int
    suspect_start: int
    suspect_end: int
    source_lines: tuple[int, int]
    suspect_lines: tuple[int, int]
    #: distinct fingerprints it is made of, and their IDF weight
    prints: int = 0
    weight: float = 0.0


@dataclass(frozen=True)
class Comparison:
    """How much of a source a suspect holds."""

    #: share of the source's fingerprints found in the suspect (IDF-weighted)
    similarity: float
    #: distinct fingerprints shared (on the channel similarity is measured on)
    shared: int
    #: merged passages, longest first
    fragments: list[Fragment]
    longest_units: int
    longest_lines: int
    #: the structure matched but identifiers and literals differ
    renamed: bool
    #: share of the source's verbatim fingerprints found (text: as similarity)
    verbatim: float
    #: share of the suspect's fingerprints found in the source (IDF-weighted): an excerpt
    #: of a long source scores low on similarity and high here
    containment: float = 0.0
    #: the IDF-weighted fingerprints shared
    weight: float = 0.0
    #: distinct fingerprints of the longest passage
    longest_prints: int = 0

    @property
    def score(self) -> float:
        """The larger of the two shares: how strongly the two overlap."""
        return max(self.similarity, self.containment)


def _ones(hashes: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.ones(len(hashes), dtype=np.float64)


def _shares(
    suspect: NDArray[np.int64], source: NDArray[np.int64], weights: Weights
) -> tuple[float, float, int, float]:
    """(share of source found, share of suspect found, distinct shared, weight shared)."""
    su = np.unique(source)
    sp = np.unique(suspect)
    if len(su) == 0 or len(sp) == 0:
        return 0.0, 0.0, 0, 0.0
    found = np.isin(su, sp, assume_unique=True)
    ws = weights(su)
    shared_w = float(ws[found].sum())
    total_src = float(ws.sum())
    wp = weights(sp)
    total_sus = float(wp.sum())
    sim = shared_w / total_src if total_src > 0 else 0.0
    cont = shared_w / total_sus if total_sus > 0 else 0.0
    return min(sim, 1.0), min(cont, 1.0), int(found.sum()), shared_w


def _fragments(
    suspect: Prints, source: Prints, channel: int, weights: Weights, filter_boilerplate: bool
) -> list[Fragment]:
    p = PARAMS.channels[channel]
    a = np.flatnonzero(suspect.channel == channel)
    bidx = np.flatnonzero(source.channel == channel)
    if len(a) == 0 or len(bidx) == 0:
        return []
    bh = source.hash[bidx]
    order = np.argsort(bh, kind="stable")
    bs = bh[order]
    ah = suspect.hash[a]
    lo = np.searchsorted(bs, ah, side="left")
    hi = np.searchsorted(bs, ah, side="right")
    counts = np.minimum(hi - lo, _PAIR_CAP)
    total = int(counts.sum())
    if total == 0:
        return []
    ai = np.repeat(a, counts)
    offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    bi = bidx[order[np.repeat(lo, counts) + offs]]
    if filter_boilerplate:
        # boilerplate (a licence header, an idiom) neither shows as a passage nor joins two
        strong = weights(suspect.hash[ai]) >= PARAMS.boilerplate
        ai, bi = ai[strong], bi[strong]
        if len(ai) == 0:
            return []
    au = suspect.unit[ai].astype(_I64)
    bu = source.unit[bi].astype(_I64)
    diag = bu - au
    o = np.lexsort((au, diag))
    ai, bi, au, bu, diag = ai[o], bi[o], au[o], bu[o], diag[o]
    brk = np.ones(len(o), dtype=bool)
    brk[1:] = (diag[1:] != diag[:-1]) | (au[1:] - au[:-1] > p.t)
    group = np.cumsum(brk) - 1
    ng = int(group[-1]) + 1
    wts = weights(suspect.hash[ai])

    def agg(values: NDArray[Any], fn: Any, init: Any) -> NDArray[np.int64]:
        out = np.full(ng, init, dtype=_I64)
        fn.at(out, group, values)
        return out

    a_lo = agg(au, np.minimum, np.iinfo(_I64).max)
    a_hi = agg(au, np.maximum, -1) + p.k
    b_lo = agg(bu, np.minimum, np.iinfo(_I64).max)
    b_hi = agg(bu, np.maximum, -1) + p.k
    as_ = agg(suspect.start[ai].astype(_I64), np.minimum, np.iinfo(_I64).max)
    ae = agg(suspect.end[ai].astype(_I64), np.maximum, -1)
    bs_ = agg(source.start[bi].astype(_I64), np.minimum, np.iinfo(_I64).max)
    be = agg(source.end[bi].astype(_I64), np.maximum, -1)
    top = np.zeros(ng, dtype=np.float64)
    np.maximum.at(top, group, wts)
    # distinct fingerprints of each group: an idiom repeated on both sides (the same hash at
    # many places) lines up on one diagonal without being a long copied passage
    pairs = np.unique(np.stack((group.astype(_I64), suspect.hash[ai])), axis=1)
    distinct = np.bincount(pairs[0], minlength=ng)
    evidence = np.bincount(pairs[0], weights=weights(pairs[1]), minlength=ng)
    rows = sorted(
        zip(
            a_lo.tolist(),
            a_hi.tolist(),
            b_lo.tolist(),
            b_hi.tolist(),
            as_.tolist(),
            ae.tolist(),
            bs_.tolist(),
            be.tolist(),
            top.tolist(),
            distinct.tolist(),
            evidence.tolist(),
            strict=True,
        )
    )
    merged: list[list[Any]] = []
    for row in rows:
        if merged:
            cur = merged[-1]
            gap_a = row[0] - cur[1]
            gap_b = row[2] - cur[3]
            if -p.k <= gap_a <= p.t and -p.k <= gap_b <= p.t and row[2] >= cur[2]:
                cur[1] = max(cur[1], row[1])
                cur[3] = max(cur[3], row[3])
                cur[5] = max(cur[5], row[5])
                cur[7] = max(cur[7], row[7])
                cur[8] = max(cur[8], row[8])
                cur[9] += row[9]
                cur[10] += row[10]
                continue
        merged.append(list(row))
    out = []
    for m in merged:
        if filter_boilerplate and m[8] < PARAMS.boilerplate:
            continue
        out.append(
            Fragment(
                channel=channel,
                units=int(m[3] - m[2]),
                source_start=int(m[6]),
                source_end=int(m[7]),
                suspect_start=int(m[4]),
                suspect_end=int(m[5]),
                source_lines=(source.line_of(m[6]), source.line_of(max(m[7] - 1, m[6]))),
                suspect_lines=(suspect.line_of(m[4]), suspect.line_of(max(m[5] - 1, m[4]))),
                prints=int(m[9]),
                weight=float(m[10]),
            )
        )
    out.sort(key=lambda f: (-f.units, f.source_start))
    return out


def compare(suspect: Prints, source: Prints, *, weights: Weights | None = None) -> Comparison:
    """How much of `source` the `suspect` holds, with the passages (IDF weights from an
    `Index` down-weight boilerplate; without, every fingerprint weighs 1)."""
    wf = weights or _ones
    ch = source.primary
    chans = source.scored
    sim, cont, shared, weight = _shares(
        suspect.hash[suspect.on(chans)], source.hash[source.on(chans)], wf
    )
    struct = sim
    if ch == Channel.STRUCTURE:
        struct, _, _, _ = _shares(
            suspect.hash[suspect.channel == ch], source.hash[source.channel == ch], wf
        )
        verb, _, _, _ = _shares(
            suspect.hash[suspect.channel == Channel.VERBATIM],
            source.hash[source.channel == Channel.VERBATIM],
            wf,
        )
    else:
        verb = sim
    fragments = _fragments(suspect, source, ch, wf, weights is not None) if shared else []
    longest = fragments[0] if fragments else None
    renamed = bool(ch == Channel.STRUCTURE and longest is not None and verb < 0.5 * struct)
    return Comparison(
        similarity=sim,
        shared=shared,
        fragments=fragments,
        longest_units=longest.units if longest else 0,
        longest_prints=longest.prints if longest else 0,
        longest_lines=(longest.source_lines[1] - longest.source_lines[0] + 1) if longest else 0,
        renamed=renamed,
        verbatim=verb,
        containment=cont,
        weight=weight,
    )


def is_match(c: Comparison, channel: int, *, threshold: float | None = None) -> bool:
    """Whether a comparison with a source scored on `channel` (its primary) is a match: a
    share over the channel's threshold with enough fingerprints shared, or evidence enough on
    its own (a long passage: text; IDF-weighted fingerprints shared: code)."""
    p = PARAMS.channels[channel]
    if p.min_weight and c.weight >= p.min_weight:
        return True
    if p.min_units and c.longest_units >= p.min_units and c.longest_prints >= p.passage_prints:
        return True
    return c.shared >= PARAMS.min_shared and c.score >= _limit(p, threshold)


def strength(c: Comparison, channel: int) -> float:
    """How strongly a comparison with a source scored on `channel` matches, in units of the
    default decision: the largest of its criteria, each divided by its limit (weight by
    `min_weight`, passage by `min_units`, share by the threshold); `is_match` at the default
    threshold holds exactly when this reaches 1. A score to rank matches by."""
    p = PARAMS.channels[channel]
    out = 0.0
    if p.min_weight:
        out = c.weight / p.min_weight
    if p.min_units and c.longest_prints >= p.passage_prints:
        out = max(out, c.longest_units / p.min_units)
    if c.shared >= PARAMS.min_shared:
        out = max(out, c.score / _limit(p, None))
    return out


def _limit(p: ChannelParams, threshold: float | None) -> float:
    if threshold is not None:
        return threshold
    return PARAMS.threshold if p.threshold is None else p.threshold


# ---------------------------------------------------------------------------------------------
# Index


def idf_weights(df: NDArray[np.int64], sources: int) -> NDArray[np.float64]:
    """A fingerprint's weight from the number of sources holding it: 1 up to `df_free`
    sources, then log((N+1)/df) / log((N+1)/df_free), never below 0."""
    n = max(sources, 1)
    free = PARAMS.df_free
    out = np.ones(len(df), dtype=np.float64)
    many = df > free
    if many.any() and n + 1 > free:
        out[many] = np.log((n + 1) / df[many]) / math.log((n + 1) / free)
    return np.clip(out, 0.0, 1.0)


@dataclass
class Index:
    """Many sources' fingerprints in memory: each source's primary-channel fingerprints,
    one row per distinct (hash, source), sorted by hash, with document frequencies."""

    prints: dict[str, Prints] = field(default_factory=dict)
    _keys: list[str] = field(default_factory=list)
    _dirty: bool = True
    _hash: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=_I64))
    _src: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=_I32))
    _uniq: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=_I64))
    _df: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=_I64))
    _first: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=_I64))
    _total: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))

    def add(self, key: str, prints: Prints) -> None:
        """Add (or replace) a source."""
        if key not in self.prints:
            self._keys.append(key)
        self.prints[key] = prints
        self._dirty = True

    def extend(self, items: Iterable[tuple[str, Prints]]) -> None:
        for key, prints in items:
            self.add(key, prints)

    def remove(self, key: str) -> None:
        if key in self.prints:
            del self.prints[key]
            self._keys.remove(key)
            self._dirty = True

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self.prints

    def keys(self) -> list[str]:
        return list(self._keys)

    def build(self) -> None:
        """Sort the fingerprints and count document frequencies now (queries do it when
        sources changed since)."""
        self._build()

    def _build(self) -> None:
        if not self._dirty:
            return
        hs: list[NDArray[np.int64]] = []
        srcs: list[NDArray[np.int32]] = []
        for i, key in enumerate(self._keys):
            p = self.prints[key]
            h = np.unique(p.hash[p.on(p.scored)])
            hs.append(h)
            srcs.append(np.full(len(h), i, dtype=_I32))
        if hs:
            h_all = np.concatenate(hs)
            s_all = np.concatenate(srcs)
        else:
            h_all = np.zeros(0, dtype=_I64)
            s_all = np.zeros(0, dtype=_I32)
        order = np.argsort(h_all, kind="stable")
        self._hash = h_all[order]
        self._src = s_all[order]
        self._uniq, self._df = np.unique(self._hash, return_counts=True)
        self._first = np.concatenate(([0], np.cumsum(self._df)[:-1])).astype(_I64)
        w = idf_weights(self._df, len(self._keys))
        row_w = w[np.searchsorted(self._uniq, self._hash)] if len(self._hash) else w
        self._total = np.bincount(self._src, weights=row_w, minlength=len(self._keys)).astype(
            np.float64
        )
        self._dirty = False

    def df(self, hashes: NDArray[np.int64]) -> NDArray[np.int64]:
        """How many sources hold each hash."""
        self._build()
        if len(self._uniq) == 0:
            return np.zeros(len(hashes), dtype=_I64)
        pos = np.searchsorted(self._uniq, hashes)
        pos = np.minimum(pos, len(self._uniq) - 1)
        return np.where(self._uniq[pos] == hashes, self._df[pos], 0).astype(_I64)

    def weights(self, hashes: NDArray[np.int64]) -> NDArray[np.float64]:
        """IDF weights of hashes (1 for a hash no source holds)."""
        return idf_weights(self.df(hashes), len(self._keys))

    def query(self, suspect: Prints, *, threshold: float | None = None) -> dict[str, Comparison]:
        """The sources a suspect matches (see `is_match`), each with its comparison."""
        self._build()
        out: dict[str, Comparison] = {}
        if not self._keys or len(suspect) == 0:
            return out
        n = len(self._keys)
        sp, first_row = np.unique(suspect.hash, return_index=True)
        if len(self._uniq) == 0:
            return out
        # one binary search per distinct hash, in the distinct hashes of the index
        pos = np.minimum(np.searchsorted(self._uniq, sp), len(self._uniq) - 1)
        hit = self._uniq[pos] == sp
        if not hit.any():
            return out
        # the suspect's own weighted total per channel (a hash no source holds weighs 1)
        sus_w = idf_weights(np.where(hit, self._df[pos], 0).astype(_I64), n)
        sus_ch = suspect.channel[first_row]
        sus_tot = {int(ch): float(sus_w[sus_ch == ch].sum()) for ch in np.unique(sus_ch)}
        pos = pos[hit]
        sp, lo, counts = sp[hit], self._first[pos], self._df[pos]
        w = idf_weights(counts.astype(_I64), n)
        live = w > 0.0
        sp, lo, counts, w = sp[live], lo[live], counts[live], w[live]
        total = int(counts.sum())
        if total == 0:
            return out
        offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = np.repeat(lo, counts) + offs
        src = self._src[rows]
        wrow = np.repeat(w, counts)
        shared_w = np.bincount(src, weights=wrow, minlength=n)
        shared_n = np.bincount(src, minlength=n)
        sim = np.divide(shared_w, self._total, out=np.zeros(n), where=self._total > 0)
        for i in np.flatnonzero(shared_n >= 1).tolist():
            key = self._keys[i]
            p = self.prints[key]
            ch = p.primary
            tot = sum(sus_tot.get(c, 0.0) for c in p.scored)
            cont = shared_w[i] / tot if tot > 0 else 0.0
            cp = PARAMS.channels[ch]
            if (
                max(sim[i], cont) < _limit(cp, threshold)
                and not (cp.min_weight and shared_w[i] >= cp.min_weight)
                and not (cp.min_units and shared_n[i] >= cp.passage_prints)
            ):
                continue  # no criterion of is_match can hold
            c = compare(suspect, p, weights=self.weights)
            if is_match(c, ch, threshold=threshold):
                out[key] = c
        return out

    def all_pairs(self, *, threshold: float | None = None) -> list[tuple[str, str, float]]:
        """Every pair of sources sharing at least `threshold` (IDF-weighted) of the smaller
        one's fingerprints: (key, key, share), largest first."""
        self._build()
        n = len(self._keys)
        limit = PARAMS.threshold if threshold is None else threshold
        if n < 2:
            return []
        w = idf_weights(self._df, n)
        live = (self._df >= 2) & (w > 0.05)
        starts = self._first
        pair_ids: list[NDArray[np.int64]] = []
        pair_w: list[NDArray[np.float64]] = []
        for d in np.unique(self._df[live]).tolist():
            sel = np.flatnonzero(live & (self._df == d))
            block = self._src[starts[sel][:, None] + np.arange(d)[None, :]].astype(_I64)
            ii, jj = np.triu_indices(d, k=1)
            a = block[:, ii].ravel()
            b = block[:, jj].ravel()
            lo_ = np.minimum(a, b)
            hi_ = np.maximum(a, b)
            pair_ids.append(lo_ * n + hi_)
            pair_w.append(np.repeat(w[sel], len(ii)))
        if not pair_ids:
            return []
        ids = np.concatenate(pair_ids)
        wts = np.concatenate(pair_w)
        uniq, inv = np.unique(ids, return_inverse=True)
        shared = np.bincount(inv, weights=wts)
        a = uniq // n
        b = uniq % n
        smaller = np.minimum(self._total[a], self._total[b])
        share = np.divide(shared, smaller, out=np.zeros(len(uniq)), where=smaller > 0)
        share = np.minimum(share, 1.0)
        count = np.bincount(inv)
        keep = np.flatnonzero((share >= limit) & (count >= PARAMS.min_shared))
        keep = keep[np.argsort(-share[keep], kind="stable")]
        return [
            (self._keys[int(a[i])], self._keys[int(b[i])], float(share[i])) for i in keep.tolist()
        ]
