"""Text from an agreement file: PDF (pypdf), DOCX (python-docx) or plain text (read by
core/text.py, with the agreement's own wording of what is wrong)."""

from __future__ import annotations

from pathlib import PurePath

from crownjewels.agreements.analysis.errors import UnreadableDocument
from crownjewels.core import text
from crownjewels.core.text import DOCX_TYPES as DOCX_TYPES
from crownjewels.core.text import PDF_TYPES as PDF_TYPES
from crownjewels.core.text import TEXT_TYPES as TEXT_TYPES

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
    return text.pdf_text(data, filename, noun="agreement", error=UnreadableDocument)


def _docx_text(data: bytes, filename: str) -> str:
    return text.docx_text(data, filename, error=UnreadableDocument)


def _plain_text(data: bytes, filename: str) -> str:
    return text.plain_text(
        data, filename, supported=SUPPORTED, noun="agreement", error=UnreadableDocument
    )


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
