"""PDF: a visible stamp and invisible text in one overlay, and the payload in the metadata.

The overlay is drawn once with reportlab (footer stamp, a faint diagonal name, and the ASCII
token in text rendering mode 3, which is invisible but extracted with the page's text),
imported once as a Form XObject, and drawn on every page by two shared content streams
(`q` before the page's own content, `Q ... Do` after it), so marking costs little more than
a plain open and save. The token also goes into the Info dictionary and the XMP metadata.
"""

from __future__ import annotations

import functools
import io
import re
from decimal import Decimal
from pathlib import Path

import pikepdf
import pypdf
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
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


def _overlay(width: float, height: float, mark: Mark, key: bytes | None) -> bytes:
    """A one-page PDF of the stamp for a page of this size."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1, invariant=1)
    first, second = mark.stamp_lines(key)
    diagonal = f"{mark.recipient} {mark.organisation}".strip()
    regular, bold = _fonts(first, diagonal)
    size = max(5.0, min(7.0, width / 90))
    c.setFillColor(Color(0.35, 0.35, 0.35, alpha=0.9))
    c.setFont(regular, size)
    c.drawCentredString(width / 2, 8 + 1.3 * size, first)
    c.drawCentredString(width / 2, 8, second)
    c.saveState()
    c.setFillColor(Color(0.5, 0.5, 0.5, alpha=0.25))
    big = max(14.0, min(48.0, 1.4 * width / max(len(diagonal), 1)))
    c.setFont(bold, big)
    c.translate(width / 2, height / 2)
    c.rotate(45)
    c.drawCentredString(0, 0, diagonal)
    c.restoreState()
    text = c.beginText(4, 2)
    text.setTextRenderMode(3)
    text.setFont("Helvetica", 4)
    text.textLine(encode_token(mark.id_bytes, key))
    c.drawText(text)
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
        before = pdf.make_stream(b"q\n")
        forms: dict[tuple[Decimal, ...], tuple[pikepdf.Object, pikepdf.Stream]] = {}
        for page in pdf.pages:
            box = tuple(Decimal(str(v)) for v in page.mediabox)
            if box not in forms:
                forms[box] = _form_for(pdf, box, mark, key)
            form, after = forms[box]
            resources = page.obj.get("/Resources")
            if resources is None:
                resources = page.obj.Resources = pikepdf.Dictionary()
            xobjects = resources.get("/XObject")
            if xobjects is None:
                xobjects = resources.XObject = pikepdf.Dictionary()
            xobjects[XOBJECT_NAME] = form
            contents = page.obj.get("/Contents")
            if contents is None:
                parts: list[pikepdf.Object] = []
            elif isinstance(contents, pikepdf.Array):
                parts = list(contents)
            else:
                parts = [contents]
            page.obj.Contents = pikepdf.Array([before, *parts, after])
        pdf.docinfo[INFO_KEY] = token
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta[XMP_KEY] = token
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue(), [METHOD_STAMP, METHOD_TEXT, METHOD_INFO, METHOD_XMP]


def _form_for(
    pdf: pikepdf.Pdf, box: tuple[Decimal, ...], mark: Mark, key: bytes | None
) -> tuple[pikepdf.Object, pikepdf.Stream]:
    """The stamp as a Form XObject for pages with this media box, and the stream drawing it."""
    x0, y0, x1, y1 = (float(v) for v in box)
    with pikepdf.open(io.BytesIO(_overlay(abs(x1 - x0), abs(y1 - y0), mark, key))) as ov:
        form = pdf.copy_foreign(ov.pages[0].as_form_xobject())
    draw = f"Q q 1 0 0 1 {min(x0, x1):.4f} {min(y0, y1):.4f} cm {XOBJECT_NAME} Do Q\n"
    return form, pdf.make_stream(draw.encode("ascii"))


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
