"""The text of a file: plain text and code, PDF, DOCX with its tables, XLSX cell by cell, and
plain reasons for what cannot be read."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
from reportlab.pdfgen import canvas

from crownjewels.core.text import UnreadableText, extract


def _pdf(lines: list[str]) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    for i, line in enumerate(lines):
        c.drawString(72, 750 - 14 * i, line)
    c.showPage()
    c.save()
    return out.getvalue()


def test_text_and_code_keep_their_lines() -> None:
    data = "\ufeffdef f(x):\r\n    return x * 1.5\r\n".encode()
    assert extract(data, filename="f.py") == "def f(x):\n    return x * 1.5\n"
    assert extract("Gärtemperatur 37 °C".encode("cp1252"), filename="n.txt") == (
        "Gärtemperatur 37 °C"
    )


def test_pdf_docx_and_xlsx() -> None:
    pdf = extract(_pdf(["Brine: 6 % salt", "Hold at 4 C"]), filename="sop.pdf")
    assert "Brine: 6 % salt" in pdf and "Hold at 4 C" in pdf

    d = docx.Document()
    d.add_paragraph("Fermentation SOP")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "titer"
    table.rows[0].cells[1].text = "41.5 g/L"
    buf = io.BytesIO()
    d.save(buf)
    text = extract(buf.getvalue(), filename="SOP.docx", media_type=None)
    assert text.splitlines() == ["Fermentation SOP", "titer | 41.5 g/L"]

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Batches"
    sheet.append(["batch", "titer", None, "note"])
    sheet.append(["B-17", 41.5, None, "fed-batch"])
    buf = io.BytesIO()
    book.save(buf)
    assert extract(buf.getvalue(), filename="batches.xlsx").splitlines() == [
        "# Batches",
        "batch\ttiter\tnote",
        "B-17\t41.5\tfed-batch",
    ]


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "empty.txt", "the file is empty"),
        (b"\x00\x01" * 50, "blob.bin", "binary data, not text"),
        (b"%PDF-1.4 garbage", "broken.pdf", "the PDF is corrupt"),
        (_pdf([]), "scan.pdf", "no text layer: run OCR first"),
        (b"PK\x03\x04broken", "broken.docx", "the DOCX file is corrupt"),
        (b"PK\x03\x04broken", "broken.xlsx", "the XLSX file is corrupt"),
    ],
)
def test_what_cannot_be_read_says_why(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(UnreadableText, match=reason) as info:
        extract(data, filename=name)
    assert info.value.message.startswith(f"{name}: ")


def test_another_archive_is_refused_in_words() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello")
    with pytest.raises(UnreadableText, match="an archive or an office file of another kind"):
        extract(buf.getvalue(), filename="bundle.zip")
