"""Text from agreement files: PDF, DOCX and text, and a clear message for what cannot be read."""

from __future__ import annotations

import io

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from crownjewels.agreements.analysis.analyser import analyse
from crownjewels.agreements.analysis.errors import UnreadableDocument
from crownjewels.agreements.analysis.extract import extract_text

CLAUSE = "The Recipient shall use the Confidential Information solely for the Purpose."


def _pdf(lines: list[str]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 16 * i, line)
    if not lines:  # a "scan": an image-like drawing and no text at all
        c.rect(72, 500, 300, 200, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_pdf_text_is_extracted_and_analysed() -> None:
    text = extract_text(_pdf(["MUTUAL NDA", CLAUSE]), filename="nda.pdf")
    assert "solely for the Purpose" in text
    finding = analyse(text).finding("limited_use")
    assert finding.status == "satisfied"
    assert all(text[e.start : e.end] == e.text for e in finding.evidence)


def test_docx_text_is_extracted() -> None:
    data = _docx(["MUTUAL NDA", CLAUSE])
    text = extract_text(data, filename="nda.docx")
    assert CLAUSE in text
    assert analyse(text).finding("limited_use").status == "satisfied"


def test_plain_text() -> None:
    assert extract_text(CLAUSE.encode(), filename="nda.txt") == CLAUSE


def test_pdf_without_text_layer_says_run_ocr() -> None:
    with pytest.raises(UnreadableDocument, match="no text layer: run OCR first"):
        extract_text(_pdf([]), filename="scan.pdf")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"%PDF-1.7\n garbage \x00\x01", "broken.pdf", "the PDF is corrupt"),
        (b"not a pdf at all", "fake.pdf", "not a PDF file"),
        (b"PK\x03\x04 not really a zip", "broken.docx", "the DOCX file is corrupt"),
        (b"\x89PNG\r\n", "photo.png", "unsupported file type"),
        (b"", "empty.txt", "the file is empty"),
        (b"\x00\x01\x02binary", "blob.txt", "binary data, not text"),
    ],
)
def test_unreadable_files_say_what_is_wrong(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(UnreadableDocument, match=message) as caught:
        extract_text(data, filename=filename)
    assert filename in str(caught.value)
