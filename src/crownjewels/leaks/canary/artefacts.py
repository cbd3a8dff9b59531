"""What canary tokens are made of, without I/O: the bytes the public callback answers (a
transparent 1x1 PNG or GIF, a blank page), a DOCX whose footer fetches the token's image (an
INCLUDEPICTURE field with `\\d`, the picture linked, not stored), a PDF with a link and an
OpenAction that open the token's URL, and honey strings (made-up credentials and records,
unique per token, never a secret's content). Written here from the file formats' specifications
(ECMA-376 fields and relationships, ISO 32000 actions)."""

from __future__ import annotations

import io
import secrets
import struct
import zlib
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from lxml import etree

from crownjewels.core.errors import Invalid

# python-docx, pikepdf and reportlab are imported where a document is made: the public
# callback, which answers with the image bytes above, and every command never load them
if TYPE_CHECKING:
    import pikepdf
    from docx.document import Document
    from docx.section import _Footer


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


#: a transparent 1x1 PNG (RGBA, alpha 0)
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00", 9))
    + _png_chunk(b"IEND", b"")
)
#: a transparent 1x1 GIF89a
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
#: an ordinary empty page
PAGE = (
    b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title></title></head>'
    b"<body></body></html>\n"
)
#: what /c/<name> answers, by the name's ending (anything else: the empty page)
ANSWERS: dict[str, tuple[bytes, str]] = {
    ".png": (PNG, "image/png"),
    ".gif": (GIF, "image/gif"),
}
PAGE_ANSWER = (PAGE, "text/html; charset=utf-8")

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-yaml")

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
#: one pixel in English Metric Units
_EMU_PX = 9525
#: the drawing's id in the document (ids must be unique; the document's own stay far below)
_DRAWING_ID = 7331


def answer(name: str) -> tuple[bytes, str]:
    """The bytes and media type /c/<name> answers: the same for every token, known or not."""
    for ending, found in ANSWERS.items():
        if name.lower().endswith(ending):
            return found
    return PAGE_ANSWER


def token_of(name: str) -> str:
    """The token of a callback path's last segment (its image ending dropped)."""
    for ending in ANSWERS:
        if name.lower().endswith(ending):
            return name[: -len(ending)]
    return name


# --- DOCX ------------------------------------------------------------------------------------


def _instruction(url: str) -> str:
    """The field code: insert the picture at `url`, linked and not stored in the document."""
    if '"' in url or "\\" in url:
        raise Invalid(
            f"the canary's address {url} holds a quote or a backslash, which a Word field "
            "cannot carry; set CROWNJEWELS_CANARY_BASE_URL to a plain https:// address"
        )
    return f'INCLUDEPICTURE "{url}" \\d \\* MERGEFORMAT'


def _field_paragraph(url: str, rel_id: str, drawing_id: int = _DRAWING_ID) -> etree._Element:
    """A footer paragraph holding INCLUDEPICTURE "url" \\d: a field whose result is a 1x1
    picture linked (r:link, not embedded) to the URL, so a reader that updates the field or
    renders the linked picture fetches it."""
    px = str(_EMU_PX)
    xml = f"""<w:p xmlns:w="{_W}" xmlns:r="{_R}" xmlns:wp="{_WP}" xmlns:a="{_A}" xmlns:pic="{_PIC}">
<w:r><w:fldChar w:fldCharType="begin"/></w:r>
<w:r><w:instrText xml:space="preserve"> {escape(_instruction(url))} </w:instrText></w:r>
<w:r><w:fldChar w:fldCharType="separate"/></w:r>
<w:r><w:rPr><w:noProof/></w:rPr><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">
<wp:extent cx="{px}" cy="{px}"/><wp:docPr id="{drawing_id}" name="image{drawing_id}"/>
<a:graphic><a:graphicData uri="{_PIC}"><pic:pic>
<pic:nvPicPr><pic:cNvPr id="0" name="image.png"/><pic:cNvPicPr/></pic:nvPicPr>
<pic:blipFill><a:blip r:link="{rel_id}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>
<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{px}" cy="{px}"/></a:xfrm>
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>
</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>
<w:r><w:fldChar w:fldCharType="end"/></w:r>
</w:p>"""
    return etree.fromstring(xml.replace("\n", ""))


def _footers(document: Document) -> Iterable[_Footer]:
    """Each footer a page may show (first-page and even-page ones when the document has them),
    each footer part once: a later section's footer linked to the previous one is that one."""
    even = document.settings.odd_and_even_pages_header_footer
    seen: set[int] = set()
    for section in document.sections:
        shown = [section.footer]
        if section.different_first_page_header_footer:
            shown.append(section.first_page_footer)
        if even:
            shown.append(section.even_page_footer)
        for footer in shown:
            if id(footer.part) not in seen:
                seen.add(id(footer.part))
                yield footer


def _open_docx(data: bytes) -> Document:
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a damaged package
        raise Invalid(
            f"the file is not a DOCX that can be read ({type(exc).__name__}); plant the token "
            "in a DOCX that Word opens"
        ) from None


def docx_beacon(
    url: str, *, title: str, lines: Iterable[str] = (), data: bytes | None = None
) -> bytes:
    """A DOCX (the given one, or a new one titled `title` with `lines`) whose footers fetch
    `url` through an INCLUDEPICTURE field with a linked picture."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    document = _open_docx(data) if data is not None else docx.Document()
    if data is None:
        document.add_heading(title, level=1)
        for line in lines:
            document.add_paragraph(line)
        document.core_properties.title = title
    for n, footer in enumerate(_footers(document)):  # each drawing with an id of its own
        rel_id = footer.part.relate_to(url, RT.IMAGE, is_external=True)
        footer._element.append(_field_paragraph(url, rel_id, _DRAWING_ID + n))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_add_lines(data: bytes, lines: Iterable[str]) -> bytes:
    """The DOCX with `lines` added at the end of its body, one paragraph each."""
    document = _open_docx(data)
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def _new_pdf(title: str, lines: Iterable[str], *, link: str | None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(title)
    height = A4[1]
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, height - 90, title)
    text = c.beginText(72, height - 130)
    text.setFont("Courier" if link is None else "Helvetica", 10)
    for line in lines:
        text.textLine(line)
    c.drawText(text)
    if link is not None:
        c.setFont("Helvetica", 9)
        c.drawString(72, 60, "Open the current version online")
        c.linkURL(link, (70, 55, 260, 72), relative=0)
    c.showPage()
    c.save()
    return buf.getvalue()


def _open_pdf(data: bytes) -> pikepdf.Pdf:
    import pikepdf

    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise Invalid("the PDF is encrypted with a password; plant in an unencrypted PDF") from None
    except pikepdf.PdfError:
        raise Invalid("the file is not a PDF that can be read; plant in a valid PDF") from None


def pdf_beacon(
    url: str, *, title: str, lines: Iterable[str] = (), data: bytes | None = None
) -> bytes:
    """A PDF (the given one, or a new one titled `title` with `lines` and a visible link)
    whose opening runs a URI action to `url` (OpenAction) and whose first page carries a link
    annotation to it (a given PDF's link lies invisibly in the top margin)."""
    import pikepdf

    source = data if data is not None else _new_pdf(title, lines, link=url)
    with _open_pdf(source) as pdf:
        if len(pdf.pages) == 0:
            raise Invalid("the PDF has no pages; plant in a PDF with at least one page")
        action = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(url))
        pdf.Root.OpenAction = action
        if data is not None:
            page = pdf.pages[0]
            x0, _y0, _x1, y1 = (float(v) for v in page.cropbox)
            link = pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=pikepdf.Array([x0, y1 - 12, x0 + 12, y1]),
                Border=pikepdf.Array([0, 0, 0]),
                A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(url)),
            )
            annots = page.obj.get("/Annots")
            if annots is None:
                page.obj.Annots = pdf.make_indirect(pikepdf.Array([link]))
            else:
                annots.append(link)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def pdf_add_page(data: bytes, title: str, lines: Iterable[str]) -> bytes:
    """The PDF with one more page at the end: `title` and `lines` in a fixed-width font."""
    import pikepdf

    extra = _new_pdf(title, lines, link=None)
    with _open_pdf(data) as pdf, pikepdf.open(io.BytesIO(extra)) as page:
        pdf.pages.extend(page.pages)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


# --- honey strings ---------------------------------------------------------------------------

_UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_FIRST = ("Mara", "Oskar", "Ines", "Tomas", "Lena", "Ravi", "Noor", "Elias", "Aiko", "Bruno",
          "Clea", "Dario", "Freya", "Gideon", "Hana", "Ivo")  # fmt: skip
_LAST = ("Lindqvist", "Okafor", "Brandt", "Moreau", "Takeda", "Varga", "Quinn", "Halloran",
         "Petrov", "Sandoval", "Whitcombe", "Yilmaz", "Castell", "Dunmore", "Ferris",
         "Kovac")  # fmt: skip
_HOSTS = ("ledger", "vault", "batch", "assay", "recipe", "yield", "pilot", "mixer")
_PRODUCTS = ("resin", "culture", "pigment", "enzyme", "binder", "catalyst", "isolate", "blend")


def _pick(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def honey_text(on: date) -> str:
    """Made-up credentials and records that look worth stealing, unique to one token: an
    access key pair, a database URL with a password, an API token and a dozen customer batch
    records. Nothing in it is real; a scan that finds it found this token's copy."""
    host = secrets.choice(_HOSTS)
    user = f"svc_{secrets.choice(_HOSTS)}_{_pick(_ALNUM, 4)}"
    lines = [
        f"# {host} service credentials - rotated {on:%Y-%m-%d}",
        f"aws_access_key_id = AKIA{_pick(_UPPER32, 16)}",
        f"aws_secret_access_key = {_pick(_B64, 40)}",
        f"database_url = postgresql://{user}:{_pick(_ALNUM, 20)}@db-{_pick(_ALNUM, 5)}"
        f".{host}.internal:5432/{host}_prod",
        f"api_token = tok_live_{_pick(_ALNUM, 32)}",
        "",
        "# customer batch records",
    ]
    for _ in range(12):
        lines.append(
            f"LOT-{secrets.randbelow(900000) + 100000} {secrets.choice(_FIRST)} "
            f"{secrets.choice(_LAST)} {secrets.choice(_PRODUCTS)} grade {_pick(_UPPER32, 3)} "
            f"yield {secrets.randbelow(4000) / 100 + 60:.2f} "
            f"price {secrets.randbelow(90000) + 1000} "
            f"ref {_pick(_ALNUM, 10)}"
        )
    return "\n".join(lines) + "\n"


def add_honey(data: bytes, media_type: str, honey: str) -> bytes:
    """The file with the honey strings added where a reader of that type keeps them: text at
    the end, a DOCX's last paragraphs, a PDF's extra last page. Other types cannot carry them."""
    lines = honey.rstrip("\n").split("\n")
    base = media_type.split(";")[0].strip().lower()
    if base == DOCX_TYPE:
        return docx_add_lines(data, lines)
    if base == PDF_TYPE:
        return pdf_add_page(data, "Appendix: service accounts", lines)
    if base.startswith(TEXT_TYPES):
        sep = b"" if data.endswith(b"\n") or not data else b"\n"
        return data + sep + b"\n" + honey.encode("utf-8")
    raise Invalid(
        f"honey strings go into a text, DOCX or PDF file; this one is {base}", field="plant"
    )
