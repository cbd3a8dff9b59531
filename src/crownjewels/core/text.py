"""The text of a file: plain text and source code, PDF (pypdf), DOCX (python-docx, tables
included) and XLSX (openpyxl, cell text row by row). A file that has no readable text raises
`UnreadableText` (or the caller's own Invalid subclass) saying why and what to do."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import PurePath

from crownjewels.core import archives
from crownjewels.core.errors import Invalid

_log = logging.getLogger(__name__)

PDF_TYPES = {"application/pdf"}
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TEXT_TYPES = {"text/plain", "text/markdown"}
SUPPORTED = "text, source code, .pdf, .docx or .xlsx"
#: bytes a text is sniffed on (a NUL within them: binary)
_SNIFF = 8192


class UnreadableText(Invalid):
    """No text can be read from the file: its type, a damaged structure, no text layer."""


def pdf_text(
    data: bytes, filename: str, *, noun: str = "document", error: type[Invalid] = UnreadableText
) -> str:
    """The text of a PDF's pages (its text layer)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF-"):
        raise error(
            f"{filename}: not a PDF file (corrupt or mislabelled); export the {noun} to PDF "
            "again or upload it as DOCX or text",
            field="file",
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == 0:
            raise error(
                f"{filename}: the PDF is password-protected; upload an unprotected copy",
                field="file",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except Invalid:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        _log.info("cannot read the PDF %s: %s: %s", filename, type(exc).__name__, exc)
        raise error(
            f"{filename}: the PDF is corrupt (its structure cannot be read); export the "
            f"{noun} to PDF again, or upload it as DOCX or text",
            field="file",
        ) from exc
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise error(
            f"{filename}: the PDF has no text layer: run OCR first (for example "
            "`ocrmypdf in.pdf out.pdf`) and upload the result",
            field="file",
        )
    return text


def _office_zip(data: bytes, filename: str, kind: str, fix: str, error: type[Invalid]) -> None:
    try:
        archives.check_bytes(data, archives.IN_MEMORY)  # a zip bomb never reaches the reader
    except archives.ArchiveRefused as exc:
        raise error(f"{filename}: {exc.message}", field="file") from None
    except archives.BadArchive:
        raise error(
            f"{filename}: the {kind} file is corrupt (its ZIP index is missing or damaged); {fix}",
            field="file",
        ) from None


def docx_text(data: bytes, filename: str, *, error: type[Invalid] = UnreadableText) -> str:
    """The paragraphs of a DOCX, then its tables (a row's cells joined by ' | ')."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    fix = "save it from the word processor again as .docx"
    _office_zip(data, filename, "DOCX", fix, error)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        _log.info("cannot read the DOCX %s: %s: %s", filename, type(exc).__name__, exc)
        raise error(
            f"{filename}: the DOCX file is corrupt (it is not a readable Word document); {fix}",
            field="file",
        ) from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    text = "\n".join(parts)
    if not text.strip():
        raise error(f"{filename}: the DOCX file contains no text", field="file")
    return text


def xlsx_text(data: bytes, filename: str, *, error: type[Invalid] = UnreadableText) -> str:
    """The cells of every sheet as text, row by row (a row's non-empty cells joined by tabs),
    each sheet headed by its name."""
    import openpyxl

    fix = "save it from the spreadsheet again as .xlsx"
    _office_zip(data, filename, "XLSX", fix, error)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        _log.info("cannot read the XLSX %s: %s: %s", filename, type(exc).__name__, exc)
        raise error(
            f"{filename}: the XLSX file is corrupt (it is not a readable workbook); {fix}",
            field="file",
        ) from exc
    lines: list[str] = []
    try:
        for sheet in book.worksheets:
            lines.append(f"# {sheet.title}")
            for row in sheet.iter_rows(values_only=True):
                cells = [str(v) for v in row if v is not None and str(v).strip()]
                if cells:
                    lines.append("\t".join(cells))
    finally:
        book.close()
    if len(lines) == len(book.worksheets):
        raise error(f"{filename}: the XLSX file has no cell with text", field="file")
    return "\n".join(lines)


def plain_text(
    data: bytes,
    filename: str,
    *,
    supported: str = SUPPORTED,
    noun: str = "document",
    error: type[Invalid] = UnreadableText,
) -> str:
    """Text decoded as UTF-8 (a BOM dropped), else cp1252; line ends made \\n."""
    if b"\x00" in data[:_SNIFF]:
        raise error(
            f"{filename}: binary data, not text; upload the {noun} as {supported}", field="file"
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise error(f"{filename}: not UTF-8 text; save it as UTF-8", field="file")
    if not text.strip():
        raise error(f"{filename}: the file is empty", field="file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def kind_of(data: bytes, *, filename: str, media_type: str | None) -> str:
    """pdf, docx, xlsx or text, from the media type, the name and the first bytes."""
    suffix = PurePath(filename).suffix.lower()
    mt = (media_type or "").split(";")[0].strip().lower()
    if mt in PDF_TYPES or suffix == ".pdf" or data.startswith(b"%PDF-"):
        return "pdf"
    if mt in DOCX_TYPES or suffix == ".docx":
        return "docx"
    if mt in XLSX_TYPES or suffix == ".xlsx":
        return "xlsx"
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableText(
            f"{filename}: an archive or an office file of another kind ({mt or suffix or 'zip'})"
            f"; text is read from {SUPPORTED}",
            field="file",
        )
    return "text"


def extract(data: bytes, *, filename: str, media_type: str | None = None) -> str:
    """The text of a file (text, code, PDF, DOCX, XLSX); UnreadableText says why not."""
    if not data:
        raise UnreadableText(f"{filename}: the file is empty", field="file")
    kind = kind_of(data, filename=filename, media_type=media_type)
    if kind == "pdf":
        return pdf_text(data, filename)
    if kind == "docx":
        return docx_text(data, filename)
    if kind == "xlsx":
        return xlsx_text(data, filename)
    return plain_text(data, filename)
