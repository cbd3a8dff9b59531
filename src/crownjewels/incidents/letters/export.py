"""A letter's text as a Word document (python-docx) and a PDF (reportlab platypus): headings,
paragraphs with their line breaks, bullets, quoted clauses, tables, and every
`[to complete: …]` highlighted so counsel sees what is left to fill in."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crownjewels.incidents.letters.markup import Block, parse, plain, spans

# python-docx and reportlab are imported where a document is made: rendering never loads them
if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph as DocxParagraph

HIGHLIGHT = "#fff2a8"
#: points per character of a table cell's text (8.5 pt Times), to size columns by their words
CHAR_WIDTH = 4.6
#: fonts for text outside Windows-1252 (Polish, Greek, Cyrillic names); the first found is used
UNICODE_SERIF = (
    ("/usr/share/fonts/truetype/dejavu", "DejaVuSerif", "-Bold", "-Italic"),
    ("/usr/share/fonts/truetype/liberation", "LiberationSerif", "-Bold", "-Italic"),
)


def _runs(paragraph: DocxParagraph, line: str) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    for span in spans(line):
        run = paragraph.add_run(span.text)
        if span.todo:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


#: the paragraph and table styles a letter uses, by name in python-docx's default template
DOCX_STYLES = ("Heading 1", "Heading 2", "Heading 3", "List Bullet", "Quote", "Table Grid")


def _docx_table(document: Any, rows: Sequence[Sequence[str]], style_id: str) -> None:
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table._tbl.tblStyle_val = style_id
    for r, row in enumerate(rows):
        cells = table.rows[r].cells
        for c, cell in enumerate(row):
            paragraph = cells[c].paragraphs[0]
            _runs(paragraph, cell)
            for run in paragraph.runs:
                run.bold = r == 0 or None


def _paragraph(document: Any, style_id: str | None = None) -> Any:
    """A new paragraph in a style given by its id: python-docx looks a style up by name by
    scanning every style of the document, once per paragraph, which made a letter slow."""
    paragraph = document.add_paragraph()
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def _docx_block(document: Any, block: Block, ids: dict[str, str]) -> None:
    from docx.shared import Cm

    if block.kind == "table":
        _docx_table(document, block.rows, ids["Table Grid"])
        document.add_paragraph()
    elif block.kind == "bullets":
        for line in block.lines:
            _runs(_paragraph(document, ids["List Bullet"]), line)
    else:
        if block.kind == "heading":
            paragraph = _paragraph(document, ids[f"Heading {block.level}"])
        elif block.kind == "quote":
            paragraph = _paragraph(document, ids["Quote"])
            paragraph.paragraph_format.left_indent = Cm(1)
        else:
            paragraph = _paragraph(document)
        for n, line in enumerate(block.lines):
            if n:
                paragraph.add_run().add_break()
            _runs(paragraph, line)


def to_docx(title: str, author: str, text: str) -> bytes:
    """The letter as a Word document."""
    import docx
    from docx.shared import Cm, RGBColor

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2.5)
    styles = {name: document.styles[name] for name in DOCX_STYLES}
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].font.color.rgb = RGBColor(0, 0, 0)  # a letter, not a web page
    ids = {name: style.style_id for name, style in styles.items()}
    for block in parse(text):
        _docx_block(document, block, ids)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@functools.cache
def _unicode_family() -> str | None:
    """A registered serif family that draws any European script, or None if none is found."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for folder, name, bold, italic in UNICODE_SERIF:
        base = Path(folder)
        regular = base / f"{name}.ttf"
        if not regular.is_file():
            regular = base / f"{name}-Regular.ttf"
        files = (regular, base / f"{name}{bold}.ttf", base / f"{name}{italic}.ttf")
        if all(f.is_file() for f in files):
            family = "CJLetter" + name
            for suffix, path in zip(("", "-Bold", "-Italic"), files, strict=True):
                pdfmetrics.registerFont(TTFont(family + suffix, str(path)))
            addMapping(family, 0, 0, family)
            addMapping(family, 1, 0, family + "-Bold")
            addMapping(family, 0, 1, family + "-Italic")
            addMapping(family, 1, 1, family + "-Bold")
            return family
    return None


def _fonts(text: str) -> tuple[str, str, str]:
    """Regular, bold and italic font names that can draw `text` (Times when it can)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        family = _unicode_family()
        if family is not None:
            return family, family + "-Bold", family + "-Italic"
    return "Times-Roman", "Times-Bold", "Times-Italic"


def _markup(line: str) -> str:
    """A line as reportlab paragraph markup: XML escaped, placeholders highlighted."""
    out = []
    for span in spans(line):
        text = span.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(f'<font backColor="{HIGHLIGHT}">{text}</font>' if span.todo else text)
    return "".join(out)


def _styles(text: str) -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    regular, bold, italic = _fonts(text)
    body = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14, spaceAfter=7)
    return {
        "body": body,
        "cell": body.clone("cell", fontSize=8.5, leading=10.5, spaceAfter=0),
        "head": body.clone("head", fontName=bold, fontSize=8.5, leading=10.5, spaceAfter=0),
        "bullet": body.clone("bullet", leftIndent=16, bulletIndent=5, spaceAfter=3),
        "quote": body.clone(
            "quote",
            fontName=italic,
            leftIndent=26,
            rightIndent=14,
            textColor=colors.HexColor("#333333"),
        ),
        "h1": body.clone(
            "h1", fontName=bold, fontSize=15, leading=19, spaceBefore=4, spaceAfter=10
        ),
        "h2": body.clone("h2", fontName=bold, fontSize=12, leading=15, spaceBefore=8, spaceAfter=6),
        "h3": body.clone(
            "h3", fontName=bold, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=4
        ),
        "footer": regular,
    }


def _widths(rows: Sequence[Sequence[str]], room: float) -> list[float]:
    """Column widths: each wide enough for its longest word (a ref, a copy id), the rest of
    the room shared in proportion to the longest text of each column (within limits)."""
    columns = [[plain(r[c]) for r in rows if c < len(r)] for c in range(max(map(len, rows)))]
    words = [max((len(w) for t in col for w in t.split()), default=1) for col in columns]
    least = [max(n * CHAR_WIDTH + 12, 36.0) for n in words]
    if sum(least) >= room:
        return [room * w / sum(least) for w in least]
    weights = [min(max(max(map(len, col)), 6), 40) for col in columns]
    spare = room - sum(least)
    return [w + spare * k / sum(weights) for w, k in zip(least, weights, strict=True)]


def _pdf_table(block: Block, styles: dict[str, Any], room: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [
        [Paragraph(_markup(c), styles["head" if r == 0 else "cell"]) for c in row]
        for r, row in enumerate(block.rows)
    ]
    table = Table(data, colWidths=_widths(block.rows, room), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#ececec")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _story(text: str, styles: dict[str, Any], room: float) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    story: list[Any] = []
    for block in parse(text):
        if block.kind == "table":
            story += [_pdf_table(block, styles, room), Spacer(1, 8)]
        elif block.kind == "bullets":
            story += [Paragraph(_markup(i), styles["bullet"], bulletText="•") for i in block.lines]
        else:
            kind = block.kind
            style = styles[
                f"h{block.level}" if kind == "heading" else kind.replace("paragraph", "body")
            ]
            story.append(Paragraph("<br/>".join(_markup(line) for line in block.lines), style))
    return story


def to_pdf(title: str, author: str, text: str) -> bytes:
    """The letter as an A4 PDF with the title and page number in the footer of every page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    styles = _styles(title + text)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=22 * mm,
        bottomMargin=22 * mm, title=title, author=author, invariant=1,
    )  # fmt: skip

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(styles["footer"], 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(25 * mm, 12 * mm, f"{title}, page {document.page}")
        canvas.restoreState()

    doc.build(_story(text, styles, doc.width), onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
