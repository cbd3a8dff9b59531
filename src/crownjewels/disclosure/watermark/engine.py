"""The watermarking engine: mark a copy for its recipient, read the marks of a found file.

`apply_mark` picks the methods by media type (PDF, DOCX, PNG/JPEG, plain text, source
code); any other type is handed back unmarked and says so. `read_marks` finds every mark a
file still carries, and `describe` turns them into the sentence `vault identify` prints.
A pure library: the registered copies and their recipients live elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from crownjewels.core import archives
from crownjewels.disclosure.watermark import image as wm_image
from crownjewels.disclosure.watermark import text as wm_text
from crownjewels.disclosure.watermark.marks import (
    Collector,
    FoundMark,
    Mark,
    MarkedCopy,
    MarkError,
    MarkStatus,
)

__all__ = [
    "DOCX",
    "PDF",
    "FoundMark",
    "Mark",
    "MarkError",
    "MarkStatus",
    "MarkedCopy",
    "Verdict",
    "apply_mark",
    "describe",
    "read_marks",
    "sniff",
]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEXT_READ = 64 * 1024 * 1024  # a bigger "text" file is not scanned for characters


def _bytes(data: bytes | bytearray | memoryview | BinaryIO) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    return data.read()


def _base(media_type: str) -> str:
    return media_type.split(";")[0].strip().lower()


def apply_mark(
    data: bytes | bytearray | memoryview | BinaryIO,
    media_type: str,
    mark: Mark,
    *,
    key: bytes | None = None,
    filename: str | None = None,
) -> MarkedCopy:
    """The copy with `mark` applied; other types come back unmarked (`marked=False`).

    `key` is the installation's watermark key (the tags are HMACs under it); `filename`
    names the language of source code when the media type does not.
    """
    raw = _bytes(data)
    kind = _base(media_type)
    # the PDF and DOCX markers are imported when used: pikepdf, pypdf, reportlab and
    # python-docx take 0.3 s that the commands and processes marking nothing would pay
    if kind == PDF:
        from crownjewels.disclosure.watermark import pdf as wm_pdf

        out, methods = wm_pdf.apply_pdf(raw, mark, key)
    elif kind == DOCX:
        from crownjewels.disclosure.watermark import docx as wm_docx

        out, methods = wm_docx.apply_docx(raw, mark, key)
    elif kind in wm_image.FORMATS:
        out, methods = wm_image.apply_image(raw, kind, mark, key)
    else:
        text = wm_text.apply_text(raw, kind, mark, key, filename)
        if text is None:
            return MarkedCopy(data=raw, media_type=media_type, marked=False, methods=[])
        out, methods = text
    return MarkedCopy(data=out, media_type=media_type, marked=True, methods=methods)


def sniff(data: bytes) -> str:
    """The media type of a found file, from its first bytes."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with archives.open_zip(data, archives.IN_MEMORY) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except archives.BadArchive:
            pass
        return "application/zip"
    try:
        data[:MAX_TEXT_READ].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(data[:MAX_TEXT_READ]) - 4:  # not just a character cut at the end
            return "application/octet-stream"
    return "text/plain"


def read_marks(
    file_bytes: bytes | bytearray | memoryview | BinaryIO,
    media_type: str | None = None,
    *,
    key: bytes | None = None,
) -> list[FoundMark]:
    """Every mark the file still carries, by method; empty when none survives.

    Raises MarkError when the file is not a valid file of its type.
    """
    raw = _bytes(file_bytes)
    kind = _base(media_type) if media_type else sniff(raw)
    found = Collector()
    if kind == PDF:
        from crownjewels.disclosure.watermark import pdf as wm_pdf  # imported when used

        wm_pdf.read_pdf(raw, key, found)
    elif kind == DOCX:
        from crownjewels.disclosure.watermark import docx as wm_docx  # imported when used

        wm_docx.read_docx(raw, key, found)
    elif kind in wm_image.FORMATS:
        wm_image.read_image(raw, key, found)
    elif kind.startswith("text/") or wm_text.comment_style(kind, None) is not None:
        wm_text.read_text(wm_text.decode_text(raw), key, found)
    else:
        # Unknown binary: a token may still sit in it (an archive holding a marked text).
        found.tokens(raw[:MAX_TEXT_READ].decode("latin-1"), "raw-token", key)
    return found.result()


@dataclass(frozen=True)
class Verdict:
    """What the marks say together: the copy they name, or why none can be named."""

    copy_id: str | None
    status: str  # identified | unverified | conflicting | damaged | no-mark
    message: str


def describe(found: list[FoundMark]) -> Verdict:
    """One verdict over all found marks, with a message a person can act on."""
    valid = sorted({m.copy_id for m in found if m.status is MarkStatus.VALID and m.copy_id})
    claimed = sorted({m.copy_id for m in found if m.status is MarkStatus.UNVERIFIED and m.copy_id})
    damaged = sum(m.count for m in found if m.status is MarkStatus.DAMAGED)
    tail = f"; {damaged} damaged mark(s) ignored" if damaged else ""
    if len(valid) > 1:
        return Verdict(
            None,
            "conflicting",
            f"the marks name {len(valid)} different copies ({', '.join(valid)}): "
            "the file was assembled from several copies",
        )
    if valid:
        methods = ", ".join(sorted({m.method for m in found if m.copy_id == valid[0]}))
        return Verdict(valid[0], "identified", f"copy {valid[0]} (found by {methods}){tail}")
    if claimed:
        return Verdict(
            None,
            "unverified",
            f"the marks claim copy {', '.join(claimed)}, but their tags do not verify under "
            f"this installation's key: forged, or marked by another installation{tail}",
        )
    if damaged:
        return Verdict(
            None,
            "damaged",
            f"{damaged} mark(s) found, all damaged: no copy id can be read with confidence",
        )
    return Verdict(None, "no-mark", "no mark survives in this file: it cannot be traced")
