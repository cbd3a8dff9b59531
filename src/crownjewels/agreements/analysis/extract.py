"""Text from an agreement file: PDF (pypdf), DOCX (python-docx) or plain text."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import PurePath

from crownjewels.agreements.analysis.errors import UnreadableDocument
from crownjewels.core import archives

_log = logging.getLogger(__name__)

PDF_TYPES = {"application/pdf"}
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
TEXT_TYPES = {"text/plain", "text/markdown"}
SUPPORTED = ".pdf, .docx, .txt or .md"


def _kind(data: bytes, filename: str, media_type: str | None) -> str:
    suffix = PurePath(filename).suffix.lower()
    mt = (media_type or "").split(";")[0].strip().lower()
    if mt in PDF_TYPES or suffix == ".pdf":
        return "pdf"
    if mt in DOCX_TYPES or suffix == ".docx":
        return "docx"
    if mt in TEXT_TYPES or suffix in {".txt", ".md", ".text"}:
        return "text"
    if not suffix and not mt and data.startswith(b"%PDF-"):
        return "pdf"
    shown = media_type or suffix or "no extension"
    raise UnreadableDocument(
        f"{filename}: unsupported file type ({shown}); upload the agreement as {SUPPORTED}",
        field="file",
    )


def _pdf_text(data: bytes, filename: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF-"):
        raise UnreadableDocument(
            f"{filename}: not a PDF file (corrupt or mislabelled); export the agreement to PDF "
            "again or upload it as DOCX or text",
            field="file",
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == 0:
            raise UnreadableDocument(
                f"{filename}: the PDF is password-protected; upload an unprotected copy",
                field="file",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        _log.info("cannot read the PDF %s: %s: %s", filename, type(exc).__name__, exc)
        raise UnreadableDocument(
            f"{filename}: the PDF is corrupt (its structure cannot be read); export the "
            "agreement to PDF again, or upload it as DOCX or text",
            field="file",
        ) from exc
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise UnreadableDocument(
            f"{filename}: the PDF has no text layer: run OCR first (for example "
            "`ocrmypdf in.pdf out.pdf`) and upload the result",
            field="file",
        )
    return text


def _docx_text(data: bytes, filename: str) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        archives.check_bytes(data, archives.IN_MEMORY)  # a zip bomb never reaches python-docx
    except archives.ArchiveRefused as exc:
        raise UnreadableDocument(f"{filename}: {exc.message}", field="file") from None
    except archives.BadArchive:
        raise UnreadableDocument(
            f"{filename}: the DOCX file is corrupt (its ZIP index is missing or damaged); save "
            "it from the word "
            "processor again as .docx",
            field="file",
        ) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        _log.info("cannot read the DOCX %s: %s: %s", filename, type(exc).__name__, exc)
        raise UnreadableDocument(
            f"{filename}: the DOCX file is corrupt (it is not a readable Word document); save "
            "it from the word processor again as .docx",
            field="file",
        ) from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    text = "\n".join(parts)
    if not text.strip():
        raise UnreadableDocument(f"{filename}: the DOCX file contains no text", field="file")
    return text


def _plain_text(data: bytes, filename: str) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableDocument(
            f"{filename}: binary data, not text; upload the agreement as {SUPPORTED}",
            field="file",
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise UnreadableDocument(f"{filename}: not UTF-8 text; save it as UTF-8", field="file")
    if not text.strip():
        raise UnreadableDocument(f"{filename}: the file is empty", field="file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def extract_text(data: bytes, *, filename: str, media_type: str | None = None) -> str:
    """The text of an agreement file; UnreadableDocument (Invalid) names what is wrong."""
    if not data:
        raise UnreadableDocument(f"{filename}: the file is empty", field="file")
    kind = _kind(data, filename, media_type)
    if kind == "pdf":
        return _pdf_text(data, filename)
    if kind == "docx":
        return _docx_text(data, filename)
    return _plain_text(data, filename)
