"""Generated inputs for the watermark tests: PDFs (reportlab), DOCX (python-docx), images
(Pillow) and prose, so no external file is needed; and the tools that re-save them."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import docx
from PIL import Image
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from crownjewels.disclosure.watermark.engine import Mark, describe, read_marks

KEY = b"installation-key-for-tests-0123456789"
COPY_ID = "01HZY3K7Q8M2V5T9XWJ4N6B1CD"
MARK = Mark(COPY_ID, "Alice Smith", "Acme Ltd", dt.date(2024, 5, 1))
SENTENCE = (
    "the blue pigment is milled twice at low heat then washed in cold brine before the "
    "second firing which fixes the colour and keeps it stable for decades under light"
)
WORDS = SENTENCE.split(" ")


def prose(paragraphs: int = 6, words: int = 80) -> str:
    """Paragraphs of plain words separated by blank lines."""
    out = []
    for p in range(paragraphs):
        ws = [WORDS[(p * 7 + i) % len(WORDS)] for i in range(words)]
        lines = [" ".join(ws[i : i + 12]) for i in range(0, len(ws), 12)]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def make_pdf(pages: int = 100, *, mixed_sizes: bool = False) -> bytes:
    """A text PDF of `pages` pages; every third page landscape when `mixed_sizes`."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(pages):
        if mixed_sizes:
            c.setPageSize(landscape(A4) if i % 3 == 2 else A4)
        t = c.beginText(72, 560)
        for j in range(30):
            t.textLine(f"Page {i + 1}, line {j}: " + " ".join(WORDS[j % 9 : j % 9 + 8]))
        c.drawText(t)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(paragraphs: int = 50) -> bytes:
    """A document with a heading, `paragraphs` paragraphs of prose and a table."""
    document = docx.Document()
    document.add_heading("Blue pigment process", level=1)
    for i in range(paragraphs):
        p = document.add_paragraph()
        ws = [WORDS[(i * 5 + k) % len(WORDS)] for k in range(60)]
        p.add_run(" ".join(ws[:25]) + " ")
        p.add_run(" ".join(ws[25:])).bold = True
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = " ".join(WORDS[:20])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_image(fmt: str, size: tuple[int, int] = (640, 480)) -> bytes:
    """A gradient image in PNG or JPEG."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def verdict(data: bytes, media_type: str | None = None, key: bytes | None = KEY) -> str:
    """The verdict status and copy id over the marks of `data`."""
    v = describe(read_marks(data, media_type, key=key))
    return f"{v.status}:{v.copy_id}"


def methods_valid(data: bytes, media_type: str | None = None) -> set[str]:
    """The methods that still find a valid mark naming COPY_ID."""
    return {
        m.method
        for m in read_marks(data, media_type, key=KEY)
        if m.status == "valid" and m.copy_id == COPY_ID
    }


def run_tool(args: list[str], tmp: Path, timeout: int = 120) -> None:
    """Runs an outside tool in `tmp`, failing the test with its output if it fails."""
    proc = subprocess.run(
        args, cwd=tmp, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def tool(name: str) -> str | None:
    """The path of an outside tool, or None."""
    return shutil.which(name)
