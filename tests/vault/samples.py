"""Files of every kind the vault is tested with, made in memory."""

from __future__ import annotations

import io
import os
import zipfile

MARKER = b"CJ-PLAINTEXT-MARKER-7f3a9c"


def text() -> bytes:
    return b"The brine is 7.2% salt at 4 C for 36 hours. " + MARKER + b"\n"


def pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Process parameters: 4 C, 36 hours")
    page.setAuthor(MARKER.decode())
    page.save()
    return out.getvalue()


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("The recipe: " + MARKER.decode())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def binary() -> bytes:
    return b"\x00\x01\x02\xfe" + os.urandom(5000) + MARKER


def zip_bomb(size: int = 64 << 20) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as entry,
    ):
        for _ in range(size >> 20):
            entry.write(bytes(1 << 20))
    return out.getvalue()


def malformed_pdf() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nthis is not a PDF body at all\n" + MARKER


def malformed_docx() -> bytes:
    """A ZIP that says it is a Word document but has no word/document.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr("docProps/app.xml", "<Properties/>")
    return out.getvalue()


def truncated_docx() -> bytes:
    data = docx()
    return data[: len(data) // 2]
