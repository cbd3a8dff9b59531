"""The letters' text format, a small markdown: `#`, `##`, `###` headings; paragraphs (blank
lines between them, every line break kept, so an address block stays one line per line);
`- ` bullet items; `> ` quoted lines; `| a | b |` table rows (the first is the header, a
`| --- |` row is skipped). A backslash escapes `\\`, `|`, and a leading `#`, `-` or `>`;
`escape` applies it to every value printed into a letter, so a value is never read as markup.
`[to complete: …]` marks what counsel must fill in (highlighted in DOCX and PDF)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "bullets", "quote", "table"]
TODO = re.compile(r"\[to complete:[^\]]*\]")
_LEADING = re.compile(r"(^|\n)(\s*)([#>-])")
_HEADING = re.compile(r"(#{1,3}) +(.*)")
_RULE_CELL = re.compile(r":?-{3,}:?")


@dataclass(frozen=True)
class Span:
    """A run of plain text; `todo` when it is a `[to complete: …]` placeholder."""

    text: str
    todo: bool = False


@dataclass(frozen=True)
class Block:
    """A heading (its `level`, one line), a paragraph or a quote (its lines), bullets (one
    line per item) or a table (`rows`, the first the header), the lines still escaped."""

    kind: BlockKind
    lines: tuple[str, ...] = ()
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()


def escape(text: str) -> str:
    """A value as the letters' text holds it: printed as itself, never read as markup."""
    # every line break as \n, so no line starts where the pattern does not look
    text = "\n".join(text.splitlines()).replace("\\", "\\\\").replace("|", "\\|")
    return _LEADING.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text)


def unescape(text: str) -> str:
    """Escaped text as it reads: each `\\x` becomes `x`."""
    return re.sub(r"\\(.)", r"\1", text)


def spans(line: str) -> list[Span]:
    """A line of escaped text as plain runs and `[to complete: …]` placeholders."""
    text = unescape(line)
    out: list[Span] = []
    at = 0
    for found in TODO.finditer(text):
        if found.start() > at:
            out.append(Span(text[at : found.start()]))
        out.append(Span(found.group(), todo=True))
        at = found.end()
    if at < len(text):
        out.append(Span(text[at:]))
    return out


def plain(line: str) -> str:
    """A line of escaped text as it reads."""
    return unescape(line)


def cells(row: str) -> tuple[str, ...]:
    """The cells of a table row (`| a | b |`, closed by a bar), still escaped, split at the
    unescaped bars."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(row.strip())
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == "|":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    # the bars that open and close the row leave an empty first and last cell
    return tuple(parts[1:-1])


def _kind(line: str) -> BlockKind:
    if _HEADING.fullmatch(line):
        return "heading"
    if line.startswith("- "):
        return "bullets"
    if line.startswith(">"):
        return "quote"
    if line.startswith("|"):
        return "table"
    return "paragraph"


def _block(kind: BlockKind, lines: list[str]) -> Block:
    if kind == "bullets":
        return Block(kind, tuple(line[2:].strip() for line in lines))
    if kind == "quote":
        return Block(kind, tuple(line[1:].strip() for line in lines))
    if kind == "table":
        rows = [cells(line) for line in lines]
        rows = [r for r in rows if not all(_RULE_CELL.fullmatch(c) for c in r)]
        return Block(kind, rows=tuple(rows))
    return Block(kind, tuple(lines))


def parse(text: str) -> list[Block]:
    """The blocks of a letter's text, in order."""
    blocks: list[Block] = []
    kind: BlockKind | None = None
    pending: list[str] = []
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        this = _kind(line) if line else None
        if pending and kind is not None and (this != kind or kind == "heading"):
            blocks.append(_block(kind, pending))
            pending = []
        if this == "heading":
            found = _HEADING.fullmatch(line)
            assert found is not None
            blocks.append(Block("heading", (found.group(2),), level=len(found.group(1))))
            this = None
        elif this is not None:
            pending.append(line)
        kind = this
    return blocks


def normalise(text: str) -> str:
    """Rendered text tidied: no trailing spaces, at most one blank line in a row, one final
    newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
