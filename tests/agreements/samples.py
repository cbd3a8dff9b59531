"""Agreement files made on the fly: an NDA as text, PDF (reportlab) and DOCX (python-docx), a
scanned PDF with no text layer (a page that is only an image), and a corrupt PDF."""

from __future__ import annotations

import io

import docx
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

NDA_CLAUSES = [
    '1. "Confidential Information" means all information disclosed by the Discloser to the '
    "Recipient, whether in writing, orally or visually, and whether or not marked as confidential.",
    "2. The Recipient shall use the Confidential Information solely for the Purpose of "
    "evaluating the claims-processing services.",
    "3. The Recipient shall not disclose the Confidential Information to any third party.",
    "4. Upon termination the Recipient shall return or destroy all Confidential Information.",
    "5. Nothing in this Agreement grants the Recipient any licence under any patent, copyright "
    "or other intellectual property right.",
    "6. The Discloser shall be entitled to injunctive relief for any breach of this Agreement.",
    "7. The Recipient shall not be required to notify the Discloser of any security breach.",
    "8. This Agreement shall be governed by the laws of the State of New York, and the courts "
    "of New York County shall have exclusive jurisdiction.",
]
NDA_TEXT = "MUTUAL NON-DISCLOSURE AGREEMENT\n\n" + "\n\n".join(NDA_CLAUSES) + "\n"


def nda_pdf(text: str = NDA_TEXT) -> bytes:
    """The NDA as a text PDF: one line per clause fragment, wrapped at ~90 characters."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    t = c.beginText(50, 800)
    t.setFont("Helvetica", 8)
    for paragraph in text.split("\n\n"):
        words, line = paragraph.split(), ""
        for w in words:
            if len(line) + len(w) > 95:
                t.textLine(line)
                line = ""
            line = f"{line} {w}".strip()
        t.textLine(line)
        t.textLine("")
    c.drawText(t)
    c.showPage()
    c.save()
    return buf.getvalue()


def nda_docx(text: str = NDA_TEXT) -> bytes:
    """The NDA as a DOCX, one paragraph per clause."""
    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph.strip())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A PDF whose only page is an image: what a scanner produces, no text layer."""
    image = Image.new("RGB", (200, 100), "white")
    raw = io.BytesIO()
    image.save(raw, format="PNG")
    raw.seek(0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(raw), 50, 600, width=400, height=200)
    c.showPage()
    c.save()
    return buf.getvalue()


def corrupt_pdf() -> bytes:
    """A file that starts like a PDF and is garbage after."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 8
