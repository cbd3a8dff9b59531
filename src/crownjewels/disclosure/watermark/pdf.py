"""PDF: a visible stamp and invisible text in an overlay, and the payload in the metadata.

The overlay is drawn once per page size with reportlab: the stamp band (the legend wrapped to
the page's width, the copy line, and the ASCII token in text rendering mode 3, which is
invisible but extracted with the page's text) and a faint diagonal name. Both are imported as
Form XObjects and drawn on every page by two shared content streams: before the page's own
content, the diagonal name (under the text, so it never covers it) and a transform that shrinks
the content into the room above the band; after it, the band. So the stamp fits every page
size and orientation and never overprints the body, and marking costs little more than a
plain open and save. The token also goes into the Info dictionary and the XMP metadata.
"""

from __future__ import annotations

import functools
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
import pypdf
from reportlab.lib.colors import Color
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from crownjewels.disclosure.watermark.marks import (
    TOKEN_RE,
    Collector,
    Mark,
    MarkError,
    damaged,
    encode_token,
)

INFO_KEY = "/CrownJewelsMark"
XMP_KEY = "pdfx:CrownJewelsMark"
METHOD_TEXT = "pdf-invisible-text"
METHOD_STAMP = "pdf-visible-stamp"
METHOD_INFO = "pdf-info"
METHOD_XMP = "pdf-xmp"
XOBJECT_NAME = "/CJMark"
BACK_NAME = "/CJMarkBack"
EDGE = 4.0  # points between the stamp and the page's edge, and above it to the page's content
LEADING = 1.25  # line height of the stamp, in font sizes
MAX_BAND = 0.2  # the stamp takes at most this share of the page's height (the font shrinks)
MIN_SIZE = 3.0  # points: the smallest stamp font, unless the copy line needs smaller
MAX_PAGES_READ = 50  # identify stops reading page text once this many pages gave a mark
# Names outside Windows-1252 (Polish, Greek, Chinese...) need an embedded font; the first of
# these that exists is used, and only for such names (Helvetica is free: nothing embedded).
UNICODE_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


@functools.cache
def _unicode_font() -> str | None:
    """The name of a registered TrueType font for non-Latin names, or None if none is found."""
    for path in UNICODE_FONTS:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont("CJStampUnicode", path))
            return "CJStampUnicode"
    return None


def _fonts(*texts: str) -> tuple[str, str]:
    """Regular and bold font names that can draw `texts`."""
    try:
        for text in texts:
            text.encode("cp1252")
    except UnicodeEncodeError:
        font = _unicode_font()
        if font is not None:
            return font, font
    return "Helvetica", "Helvetica-Bold"


@dataclass(frozen=True)
class Band:
    """The stamp's strip along the bottom of a page: its font size, its lines (the legend
    wrapped to the page's width, then the copy line whole) and its height."""

    size: float
    lines: list[str]
    height: float


def stamp_band(width: float, height: float, first: str, second: str, font: str) -> Band:
    """Fit the stamp into the page's width: the font shrinks until the copy line fits on one
    line (it is read back as "Copy <id> (check <hex>)") and the wrapped legend takes no more
    than MAX_BAND of the page's height."""
    room = max(width - 2 * EDGE, 1.0)
    size = min(max(5.0, min(7.0, width / 90)), room / max(stringWidth(second, font, 1), 1e-3))
    while True:
        lines = [*simpleSplit(first, font, size, room), second]
        band = len(lines) * LEADING * size + 2 * EDGE
        if band <= MAX_BAND * height or size <= MIN_SIZE:
            return Band(size=size, lines=lines, height=band)
        size = max(MIN_SIZE, size * 0.85)


def _overlay(width: float, height: float, mark: Mark, key: bytes | None, band: Band) -> bytes:
    """A two-page PDF for a page of this size: the stamp band and the invisible token (page 1,
    drawn over the shrunk page), and the faint diagonal name (page 2, drawn under it, so it
    never covers the page's text)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1, invariant=1)
    first, _ = mark.stamp_lines(key)
    diagonal = f"{mark.recipient} {mark.organisation}".strip()
    regular, bold = _fonts(first, diagonal)
    c.setFillColor(Color(0.35, 0.35, 0.35, alpha=0.9))
    c.setFont(regular, band.size)
    for i, line in enumerate(band.lines):  # top line first: the text reads back in order
        up = len(band.lines) - 1 - i
        c.drawCentredString(width / 2, EDGE + band.size * (0.25 + LEADING * up), line)
    text = c.beginText(EDGE, 2)
    text.setTextRenderMode(3)
    text.setFont("Helvetica", 4)
    text.textLine(encode_token(mark.id_bytes, key))
    c.drawText(text)
    c.showPage()
    c.setFillColor(Color(0.5, 0.5, 0.5, alpha=0.25))
    # at 45 degrees the name spans its width / sqrt(2) each way: keep that inside the room
    # above the band, where the page's content is
    room = height - band.height
    reach = 0.9 * min(width, room) * math.sqrt(2)
    big = min(48.0, reach / max(stringWidth(diagonal, bold, 1), 1e-3))
    c.setFont(bold, big)
    c.translate(width / 2, band.height + room / 2)
    c.rotate(45)
    c.drawCentredString(0, -big / 3, diagonal)
    c.showPage()
    c.save()
    return buf.getvalue()


def open_pdf(data: bytes) -> pikepdf.Pdf:
    """The PDF, or a MarkError that says why not."""
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise MarkError("the PDF is encrypted with a password; decrypt it first") from exc
    except pikepdf.PdfError as exc:
        raise damaged("PDF", exc) from exc


def apply_pdf(data: bytes, mark: Mark, key: bytes | None) -> tuple[bytes, list[str]]:
    """The marked PDF and its methods."""
    with open_pdf(data) as pdf:
        if len(pdf.pages) == 0:
            raise MarkError("not a valid PDF: it has no pages")
        token = encode_token(mark.id_bytes, key)
        forms: dict[tuple[Decimal, ...], _Forms] = {}
        for page in pdf.pages:
            box = tuple(Decimal(str(v)) for v in page.cropbox)  # what a reader sees
            if box not in forms:
                forms[box] = _forms_for(pdf, box, mark, key)
            made = forms[box]
            resources = page.obj.get("/Resources")
            if resources is None:
                resources = page.obj.Resources = pikepdf.Dictionary()
            xobjects = resources.get("/XObject")
            if xobjects is None:
                xobjects = resources.XObject = pikepdf.Dictionary()
            xobjects[XOBJECT_NAME] = made.front
            xobjects[BACK_NAME] = made.back
            contents = page.obj.get("/Contents")
            if contents is None:
                parts: list[pikepdf.Object] = []
            elif isinstance(contents, pikepdf.Array):
                parts = list(contents)
            else:
                parts = [contents]
            page.obj.Contents = pikepdf.Array([made.before, *parts, made.after])
        pdf.docinfo[INFO_KEY] = token
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta[XMP_KEY] = token
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue(), [METHOD_STAMP, METHOD_TEXT, METHOD_INFO, METHOD_XMP]


@dataclass(frozen=True)
class _Forms:
    """What marks every page of one size: the two forms and the streams around the page's own
    content (shared by all pages of that size, so marking costs little more than a save)."""

    front: pikepdf.Object
    back: pikepdf.Object
    before: pikepdf.Stream
    after: pikepdf.Stream


def _forms_for(pdf: pikepdf.Pdf, box: tuple[Decimal, ...], mark: Mark, key: bytes | None) -> _Forms:
    """The stamp's forms for pages with this visible box, and the streams that draw the
    diagonal name under the page, shrink the page's content into the room above the stamp
    band (centred, its proportions kept), and draw the band below it."""
    x0, y0, x1, y1 = (float(v) for v in box)
    left, bottom, width, height = min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)
    first, second = mark.stamp_lines(key)
    band = stamp_band(width, height, first, second, _fonts(first)[0])
    with pikepdf.open(io.BytesIO(_overlay(width, height, mark, key, band))) as ov:
        front = pdf.copy_foreign(ov.pages[0].as_form_xobject())
        back = pdf.copy_foreign(ov.pages[1].as_form_xobject())
    scale = (height - band.height) / height
    # maps the box onto the strip above the band: p' = scale * p + (tx, ty)
    tx = left * (1 - scale) + width * (1 - scale) / 2
    ty = bottom * (1 - scale) + band.height
    at = f"q 1 0 0 1 {left:.4f} {bottom:.4f} cm"
    # clipped to the box as before: what lay outside the page stays hidden once shrunk
    clip = f"{left:.4f} {bottom:.4f} {width:.4f} {height:.4f} re W n"
    before = f"{at} {BACK_NAME} Do Q q {scale:.6f} 0 0 {scale:.6f} {tx:.4f} {ty:.4f} cm {clip}\n"
    after = f"Q {at} {XOBJECT_NAME} Do Q\n"
    return _Forms(
        front=front,
        back=back,
        before=pdf.make_stream(before.encode("ascii")),
        after=pdf.make_stream(after.encode("ascii")),
    )


def read_pdf(data: bytes, key: bytes | None, found: Collector) -> None:
    """Tokens in the Info dictionary, the XMP metadata and the text of the pages."""
    with open_pdf(data) as pdf:
        for v in pdf.docinfo.values():
            if isinstance(v, pikepdf.String):
                found.tokens(str(v), METHOD_INFO, key)
        xmp = pdf.Root.get("/Metadata")
        if isinstance(xmp, pikepdf.Stream):
            found.tokens(xmp.read_bytes().decode("utf-8", "replace"), METHOD_XMP, key)
    _read_page_text(data, key, found)


def _read_page_text(data: bytes, key: bytes | None, found: Collector) -> None:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = list(reader.pages)
    except (pypdf.errors.PyPdfError, ValueError, KeyError) as exc:
        raise damaged("PDF", exc) from exc
    hits = 0
    for page in pages:
        try:
            text = page.extract_text()
        except (pypdf.errors.PyPdfError, ValueError, KeyError, TypeError):
            continue  # one unreadable page does not hide the marks on the others
        text = re.sub(r"\s+", " ", text)
        before = len(TOKEN_RE.findall(text))
        found.tokens(text, METHOD_TEXT, key)
        found.stamps(text, METHOD_STAMP, key)
        hits += before > 0
        if hits >= MAX_PAGES_READ:
            break
