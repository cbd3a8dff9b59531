"""Plain text and source code: zero-width payloads between words, a comment header for code.

Each payload is a run of 116 zero-width characters (2 bits each: U+200B, U+200C, U+200D,
U+2060) placed right after a space, so it sticks to the next word through re-wrapping and
line-ending changes. Prose gets one after the first word of every paragraph of six words or
more, then one every 32 words, so any copied excerpt of about 33 words carries a full
payload. Code must still compile, so zero-width runs go only into comments: the header
comment and every full-line comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from crownjewels.disclosure.watermark.marks import (
    PAYLOAD_LEN,
    Collector,
    Mark,
    MarkError,
    decode_payload,
    encode_payload,
    encode_token,
)

ZW = "\u200b\u200c\u200d\u2060"
ZW_INDEX = {c: i for i, c in enumerate(ZW)}
RUN_LEN = PAYLOAD_LEN * 4
RUN_RE = re.compile(f"[{ZW}]+")
MIN_RUN = 8  # shorter runs of these characters occur in ordinary text; not ours
EVERY_WORDS = 32
MIN_PARAGRAPH_WORDS = 6
# A gap between words: horizontal whitespace followed by something visible.
GAP_RE = re.compile(r"(?<=\S)[ \t\u00a0]+(?=\S)")
PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")

METHOD_ZW = "text-zero-width"
METHOD_TOKEN = "text-token"
METHOD_STAMP = "text-stamp"


@dataclass(frozen=True)
class CommentStyle:
    """How a language writes a comment: a line prefix, or an opening and closing pair."""

    line: str = ""
    open: str = ""
    close: str = ""


HASH, SLASH, BLOCK, XML, DASH = (
    CommentStyle(line="#"),
    CommentStyle(line="//"),
    CommentStyle(open="/*", close="*/"),
    CommentStyle(open="<!--", close="-->"),
    CommentStyle(line="--"),
)
_EXT_STYLE = {
    **dict.fromkeys(
        [
            "py",
            "pyi",
            "sh",
            "bash",
            "zsh",
            "rb",
            "pl",
            "pm",
            "r",
            "yaml",
            "yml",
            "toml",
            "ini",
            "cfg",
            "conf",
            "mk",
            "cmake",
            "ps1",
            "tf",
            "jl",
            "ex",
            "exs",
            "nim",
            "cr",
            "coffee",
            "dockerfile",
            "makefile",
        ],
        HASH,
    ),
    **dict.fromkeys(
        [
            "js",
            "mjs",
            "cjs",
            "ts",
            "tsx",
            "jsx",
            "java",
            "cpp",
            "cc",
            "cxx",
            "hpp",
            "hh",
            "cs",
            "go",
            "rs",
            "swift",
            "kt",
            "kts",
            "scala",
            "dart",
            "groovy",
            "proto",
            "zig",
            "sol",
            "v",
        ],
        SLASH,
    ),
    **dict.fromkeys(["c", "h", "css"], BLOCK),
    **dict.fromkeys(["html", "htm", "xml", "svg", "vue", "xhtml", "xsl"], XML),
    **dict.fromkeys(["sql", "lua", "hs", "elm", "ada"], DASH),
}
_MEDIA_EXT = {
    "text/x-python": "py",
    "text/x-script.python": "py",
    "application/x-python-code": "py",
    "text/x-shellscript": "sh",
    "application/x-sh": "sh",
    "text/x-ruby": "rb",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "application/toml": "toml",
    "text/javascript": "js",
    "application/javascript": "js",
    "application/typescript": "ts",
    "text/x-typescript": "ts",
    "text/x-java": "java",
    "text/x-java-source": "java",
    "text/x-c": "c",
    "text/x-csrc": "c",
    "text/x-chdr": "h",
    "text/x-c++src": "cpp",
    "text/x-c++": "cpp",
    "text/x-go": "go",
    "text/x-rust": "rs",
    "text/x-csharp": "cs",
    "text/x-kotlin": "kt",
    "text/x-scala": "scala",
    "text/x-swift": "swift",
    "text/css": "css",
    "text/html": "html",
    "application/xhtml+xml": "xhtml",
    "text/xml": "xml",
    "application/xml": "xml",
    "image/svg+xml": "svg",
    "application/sql": "sql",
    "text/x-sql": "sql",
    "text/x-lua": "lua",
}
PROSE_TYPES = {"text/plain", "text/markdown", "text/x-markdown", "text/x-rst", "text/csv"}


def comment_style(media_type: str, filename: str | None) -> CommentStyle | None:
    """The comment style of a source file, by extension first, then by media type."""
    if filename:
        name = PurePosixPath(filename.replace("\\", "/")).name.lower()
        ext = name.rsplit(".", 1)[-1] if "." in name else name
        if ext in _EXT_STYLE:
            return _EXT_STYLE[ext]
    by_type = _MEDIA_EXT.get(media_type.split(";")[0].strip().lower())
    return _EXT_STYLE[by_type] if by_type else None


def is_prose(media_type: str) -> bool:
    """Plain text that takes zero-width marks between its words."""
    return media_type.split(";")[0].strip().lower() in PROSE_TYPES


def zw_encode(payload: bytes) -> str:
    """Payload bytes as zero-width characters, two bits each, high bits first."""
    return "".join(ZW[(b >> shift) & 3] for b in payload for shift in (6, 4, 2, 0))


def zw_decode(run: str) -> bytes:
    """Zero-width characters back to bytes (the run's length is a multiple of four)."""
    out = bytearray()
    for i in range(0, len(run) - 3, 4):
        q = run[i : i + 4]
        out.append(ZW_INDEX[q[0]] << 6 | ZW_INDEX[q[1]] << 4 | ZW_INDEX[q[2]] << 2 | ZW_INDEX[q[3]])
    return bytes(out)


def mark_prose(text: str, run: str) -> str:
    """`run` inserted after the first word of each paragraph, then every EVERY_WORDS words."""
    parts: list[str] = []
    pos = 0
    for start, end in _paragraphs(text):
        parts.append(text[pos:start])
        parts.append(_mark_paragraph(text[start:end], run))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in PARAGRAPH_RE.finditer(text):
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def _mark_paragraph(paragraph: str, run: str) -> str:
    gaps = list(GAP_RE.finditer(paragraph))
    if len(gaps) + 1 < MIN_PARAGRAPH_WORDS:
        return paragraph
    out: list[str] = []
    pos = 0
    for i in range(0, len(gaps), EVERY_WORDS):
        cut = gaps[i].end()
        out += [paragraph[pos:cut], run]
        pos = cut
    out.append(paragraph[pos:])
    return "".join(out)


def mark_code(text: str, style: CommentStyle, mark: Mark, key: bytes | None) -> str:
    """A header comment (after a shebang or XML declaration) and zero-width runs in comments."""
    run = zw_encode(encode_payload(mark.id_bytes, key))
    newline = "\r\n" if "\r\n" in text else "\n"
    first, second = mark.stamp_lines(key)
    lines = [first, f"{run}{second} {encode_token(mark.id_bytes, key)}"]
    if style.line:
        header = newline.join(f"{style.line} {line}" for line in lines) + newline
        body = _mark_line_comments(text, style.line, run)
    else:
        inner = newline.join(f"   {line}" for line in lines)
        header = f"{style.open}{newline}{inner}{newline}{style.close}{newline}"
        body = text
    keep = _preamble_length(body, style)
    return body[:keep] + header + body[keep:]


# Comments that tools read (type checkers' ignores, build tags, linters' switches) stay as
# they are:
# only comments that start with a plain word and a space take a payload.
_DIRECTIVE_WORDS = {"global", "globals", "exported", "jshint", "jslint", "istanbul", "c8"}


def _mark_line_comments(text: str, prefix: str, run: str) -> str:
    pattern = re.compile(
        rf"(?m)^([ \t]*{re.escape(prefix)}[ \t]+)"  # the comment's opening
        r"(?=([A-Za-z][A-Za-z']*)[,.;!?)]?[ \t]+\S)"  # a plain word, then more text
    )

    def put(m: re.Match[str]) -> str:
        if m.group(2).lower() in _DIRECTIVE_WORDS:
            return m.group(1)
        return m.group(1) + run

    return pattern.sub(put, text)


def _preamble_length(text: str, style: CommentStyle) -> int:
    """Lines that must stay first: a BOM, a shebang, a coding line, an XML declaration."""
    pos = 1 if text.startswith("\ufeff") else 0
    while True:
        end = text.find("\n", pos)
        line = text[pos : len(text) if end < 0 else end]
        stripped = line.strip()
        if (
            (pos <= 1 and stripped.startswith("#!"))
            or (style.line == "#" and re.match(r"#.*coding[:=]", stripped))
            or stripped.startswith(("<?xml", "<!DOCTYPE", "<!doctype"))
        ):
            if end < 0:
                return len(text)
            pos = end + 1
            continue
        return pos


def decode_text(data: bytes) -> str:
    """UTF-8 text (a BOM is kept), or a clear error."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MarkError(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from exc


def apply_text(
    data: bytes, media_type: str, mark: Mark, key: bytes | None, filename: str | None
) -> tuple[bytes, list[str]] | None:
    """Marked text and its methods, or None when the type takes no text mark."""
    style = comment_style(media_type, filename)
    if style is not None:
        text = decode_text(data)
        return mark_code(text, style, mark, key).encode("utf-8"), ["code-header", METHOD_ZW]
    if is_prose(media_type):
        text = decode_text(data)
        run = zw_encode(encode_payload(mark.id_bytes, key))
        return mark_prose(text, run).encode("utf-8"), [METHOD_ZW]
    return None


def read_text(text: str, key: bytes | None, found: Collector) -> None:
    """Zero-width runs, ASCII tokens and visible stamps in `text`."""
    for m in RUN_RE.finditer(text):
        run = m.group(0)
        if len(run) < MIN_RUN:
            continue
        if len(run) != RUN_LEN:
            at_edge = m.start() == 0 or m.end() == len(text)
            if at_edge and len(run) < RUN_LEN:
                continue  # cut by the edge of an excerpt: not damage
            found.add(METHOD_ZW, *decode_payload(b"", key))
            continue
        found.add(METHOD_ZW, *decode_payload(zw_decode(run), key))
    found.tokens(text, METHOD_TOKEN, key)
    found.stamps(text, METHOD_STAMP, key)
