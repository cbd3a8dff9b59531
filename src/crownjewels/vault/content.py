"""What an upload is, judged by its bytes, never its name: the media type from the first bytes
(`filetype`), then structural checks for the formats that can hide trouble. A PDF must open
with pikepdf; a ZIP (and DOCX, XLSX, PPTX, which are ZIPs) must meet the limits every archive
from outside meets (core/archives.py: zip bombs), have entries whose CRCs check, and an Office
file must hold its main part (word/document.xml ...)."""

from __future__ import annotations

import logging
import zipfile
from typing import IO, BinaryIO, cast

from crownjewels.core import archives
from crownjewels.vault.errors import RefusedContent
from crownjewels.vault.stream import Reader

_log = logging.getLogger(__name__)
#: bytes looked at to name the type (filetype needs 261; text detection likes more)
HEAD_BYTES = 8192
PDF = "application/pdf"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TEXT = "text/plain"
BINARY = "application/octet-stream"
#: Office Open XML: the marker in [Content_Types].xml, the main part it must hold, its type
_OFFICE = (
    (b"wordprocessingml", "word/document.xml", DOCX, "DOCX"),
    (b"spreadsheetml", "xl/workbook.xml", XLSX, "XLSX"),
    (b"presentationml", "ppt/presentation.xml", PPTX, "PPTX"),
)


def read_head(reader: Reader, size: int = HEAD_BYTES) -> bytes:
    """Up to `size` bytes from the start of a stream (short reads are retried)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        chunk = reader.read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def sniff(head: bytes) -> str:
    """The media type named by the content's first bytes; text/plain for UTF-8 text without
    control bytes; application/octet-stream when nothing matches."""
    import filetype  # imported when used: a command that reads no upload never loads it

    kind = filetype.guess(head) if head else None
    if kind is not None:
        mime = str(kind.mime)
        return ZIP if mime in (DOCX, XLSX, PPTX, "application/epub+zip") else mime
    return TEXT if head and _is_text(head) else BINARY


def _is_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut by the head's end
            return False
        text = head[: exc.start].decode("utf-8")
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def needs_check(media_type: str) -> bool:
    """True for types whose structure is checked (a plaintext copy is kept while uploading)."""
    return media_type in (PDF, ZIP)


def check(media_type: str, copy: IO[bytes], limits: archives.ArchiveLimits) -> str:
    """Check the structure of a PDF or ZIP held in a seekable file; return the final media type
    (a ZIP may turn out to be DOCX, XLSX or PPTX). RefusedContent says what is wrong."""
    copy.seek(0)
    if media_type == PDF:
        _check_pdf(copy)
        return PDF
    if media_type == ZIP:
        return _check_zip(copy, limits)
    return media_type


def _check_pdf(copy: IO[bytes]) -> None:
    import pikepdf  # imported when used, as the watermarking engine does

    try:
        with pikepdf.open(cast(BinaryIO, copy)) as pdf:
            count = len(pdf.pages)
    except pikepdf.PasswordError:
        raise RefusedContent(
            "the PDF is password-protected, so it cannot be checked; upload it without the "
            "password (the vault encrypts it anyway)"
        ) from None
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        _logged("PDF", exc)
        raise RefusedContent(
            "not a valid PDF: it starts like one, but its structure is damaged; save or export "
            "it as PDF again and upload the new file"
        ) from None
    if count < 1:
        raise RefusedContent("not a valid PDF: it has no pages")


def _check_zip(copy: IO[bytes], limits: archives.ArchiveLimits) -> str:
    try:
        archive = archives.open_zip(copy, limits)
    except archives.BadArchive as exc:
        _logged("ZIP", exc)
        raise RefusedContent(
            "not a valid ZIP archive (DOCX, XLSX and PPTX files are ZIPs): its index is missing "
            "or damaged; save the file again and upload the new copy"
        ) from None
    except archives.ArchiveRefused as exc:
        raise RefusedContent(exc.message) from None
    with archive:
        media_type = _office_type(archive)
        try:
            bad = archive.testzip()  # decompresses each entry, bounded by the sizes checked above
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
            _logged("ZIP", exc)
            raise RefusedContent(
                "the ZIP archive is damaged: an entry cannot be unpacked; save the file again "
                "and upload the new copy"
            ) from None
        except RuntimeError as exc:  # encrypted entries
            _logged("ZIP", exc)
            raise RefusedContent(
                "the ZIP archive cannot be read: an entry is encrypted; upload it without a "
                "password (the vault encrypts it anyway)"
            ) from None
        if bad is not None:
            raise RefusedContent(f"the ZIP archive is damaged: entry {bad!r} fails its CRC check")
    return media_type


def _office_type(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        return ZIP
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > 1 << 20:
        raise RefusedContent("not a valid Office file: [Content_Types].xml is over 1 MiB")
    types = archive.read(info)
    for marker, main_part, mime, label in _OFFICE:
        if marker in types:
            if main_part not in names:
                raise RefusedContent(
                    f"not a valid {label} file: it has no {main_part} (the document itself)"
                )
            if not archive.read(main_part)[:256].lstrip().startswith(b"<"):
                raise RefusedContent(f"not a valid {label} file: {main_part} is not XML")
            return mime
    return ZIP


def _logged(kind: str, exc: BaseException) -> None:
    """Log what the parser said (a person reads the problem in words, never its text, which
    can name a Python object such as `<_io.BytesIO object at 0x...>`)."""
    _log.info("refused an upload that is not a valid %s: %s: %s", kind, type(exc).__name__, exc)
