"""PDF stamp layout, looked at as a reader sees it: each page is rendered by poppler's
pdftoppm, before and after stamping, and the stamp's pixels must lie inside the page, clear of
its edges, and below every pixel of the page's (shrunk) text, at every size and orientation."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageChops
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.pdfgen import canvas

from crownjewels.disclosure.watermark.engine import PDF, Mark, apply_mark
from tests.disclosure.helpers import COPY_ID, KEY, MARK, SENTENCE, run_tool, tool

Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels (inclusive)

LONG_LEGEND = (
    "CONFIDENTIAL AND PROPRIETARY TRADE SECRET of Northwind Pigments Inc. Disclosed under the "
    "mutual non-disclosure agreement AG-2026-005 for the evaluation of the supplier audit only; "
    "do not copy, forward or keep beyond the end of the engagement."
)
SIZES = {
    "a4": A4,
    "letter": LETTER,
    "a4-landscape": landscape(A4),
    "index-card": (216.0, 144.0),
    "narrow-receipt": (120.0, 400.0),
}


def _edge_to_edge(size: tuple[float, float]) -> bytes:
    """A page of blue text from its top edge to its bottom edge, each line running off the
    right edge: any stamp left where the old one was would sit on text."""
    width, height = size
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size)
    c.setFillColor(Color(0, 0, 1))
    c.setFont("Helvetica", 8)
    y, n = height - 8, 0
    while y > 1:
        c.drawString(2, y, f"line {n} " + SENTENCE * (1 + int(width // 400)))
        y, n = y - 9, n + 1
    c.showPage()
    c.save()
    return buf.getvalue()


def _render(data: bytes, tmp: Path, name: str) -> Image.Image:
    """The first page as pdftoppm draws it, one pixel per point."""
    pdftoppm = tool("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm is not installed (make test-tools installs poppler-utils)")
    (tmp / f"{name}.pdf").write_bytes(data)
    run_tool([pdftoppm, "-r", "72", "-png", "-singlefile", f"{name}.pdf", name], tmp)
    return Image.open(tmp / f"{name}.png").convert("RGB")


def _box(image: Image.Image, wanted: str) -> Box | None:
    """The bounding box of the text's blue pixels, or of the stamp's dark grey ones (the
    faint diagonal name under the text is lighter than either and is left out)."""
    r, g, b = image.split()

    def above(channel: Image.Image, level: int) -> Image.Image:
        return channel.point(lambda v: 255 if v > level else 0)

    if wanted == "text":  # blue: far more blue than red or green
        mask = ImageChops.logical_and(
            above(ImageChops.subtract(b, r), 80).convert("1"),
            above(ImageChops.subtract(b, g), 80).convert("1"),
        )
    else:  # dark and neutral: the three channels within 16 of each other, and darker than 170
        spread = ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(r, g), b),
                                     ImageChops.darker(ImageChops.darker(r, g), b))  # fmt: skip
        mask = ImageChops.logical_and(
            ImageChops.invert(above(spread, 15)).convert("1"),
            ImageChops.invert(above(r, 169)).convert("1"),
        )
    found = mask.getbbox()
    return None if found is None else (found[0], found[1], found[2] - 1, found[3] - 1)


@pytest.mark.parametrize(
    ("size", "legend"),
    [
        ("a4", "default"),
        ("letter", "long"),
        ("a4-landscape", "default"),
        ("index-card", "long"),
        ("narrow-receipt", "long"),
    ],
)
def test_the_stamp_fits_the_page_and_never_covers_its_text(
    size: str, legend: str, tmp_path: Path
) -> None:
    source = _edge_to_edge(SIZES[size])
    mark = MARK if legend == "default" else Mark(COPY_ID, "Alice Smith", "Acme Ltd", MARK.date,
                                                  legend=LONG_LEGEND)  # fmt: skip
    stamped = apply_mark(source, PDF, mark, key=KEY).data
    before, after = _render(source, tmp_path, "before"), _render(stamped, tmp_path, "after")
    assert before.size == after.size  # the page keeps its size
    width, height = after.size
    text_before, text, stamp = _box(before, "text"), _box(after, "text"), _box(after, "stamp")
    assert text_before is not None and text is not None and stamp is not None
    # the stamp is whole: clear of every edge of the page (a clipped line touches one)
    left, top, right, bottom = stamp
    assert left >= 2 and right <= width - 3 and bottom <= height - 2, (stamp, after.size)
    # the text reached where the stamp now is, and was moved clear of it, not overprinted
    assert text_before[3] >= top
    assert text[3] < top, (text, stamp)
    # what ran off the page's edge before stays hidden once shrunk (the box is clipped)
    assert text[2] <= width - 3, (text, after.size)
    # the content was shrunk, not cut: it still spans most of the page
    assert text[3] - text[1] >= 0.75 * (text_before[3] - text_before[1])
    page_text = " ".join(pypdf.PdfReader(io.BytesIO(stamped)).pages[0].extract_text().split())
    assert f"Copy {COPY_ID} (check " in page_text and "line 0 " in page_text
