"""DOCX: a footer stamp in every section, the payload in the core properties, hidden text
and zero-width runs in the body's paragraphs (see wm_text for their placement)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.section import _Footer
from docx.shared import Pt, RGBColor
from lxml import etree

from crownjewels.core import archives
from crownjewels.disclosure.watermark import text as wm_text
from crownjewels.disclosure.watermark.marks import (
    Collector,
    Mark,
    MarkError,
    damaged,
    encode_payload,
    encode_token,
)

METHOD_STAMP = "docx-footer-stamp"
METHOD_PROPERTIES = "docx-properties"
METHOD_HIDDEN = "docx-hidden-text"
METHOD_ZW = "docx-zero-width"
W_P, W_T = qn("w:p"), qn("w:t")


def _checked(data: bytes) -> zipfile.ZipFile:
    """The DOCX as an archive within the in-memory limits (core/archives.py), or MarkError."""
    try:
        return archives.open_zip(data, archives.IN_MEMORY)
    except archives.BadArchive as exc:
        raise damaged("DOCX", exc) from None
    except archives.ArchiveRefused as exc:
        raise MarkError(f"not a DOCX that can be read safely: {exc.message}") from None


def open_docx(data: bytes) -> Document:
    """The document, or a MarkError that says why not."""
    _checked(data).close()  # a zip bomb never reaches python-docx
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise damaged("DOCX", exc) from exc
    except etree.XMLSyntaxError as exc:
        raise damaged("DOCX", exc) from exc


def apply_docx(data: bytes, mark: Mark, key: bytes | None) -> tuple[bytes, list[str]]:
    """The marked document and its methods."""
    document = open_docx(data)
    first, second = mark.stamp_lines(key)
    for footer in _footers(document):
        paragraph = footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, line in enumerate((first, second)):
            run = paragraph.add_run(line)
            run.font.size = Pt(7)
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
            if i == 0:
                run.add_break()
    token = encode_token(mark.id_bytes, key)
    document.core_properties.identifier = token
    zw_run = wm_text.zw_encode(encode_payload(mark.id_bytes, key))
    for p in document.element.body.iter(W_P):
        _mark_paragraph(p.iter(W_T), zw_run)
    paragraphs = document.paragraphs
    host = paragraphs[0] if paragraphs else document.add_paragraph()
    hidden = host.add_run(f" {token}")
    hidden.font.hidden = True
    hidden.font.size = Pt(1)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), [METHOD_STAMP, METHOD_PROPERTIES, METHOD_HIDDEN, METHOD_ZW]


def _footers(document: Document) -> Iterable[_Footer]:
    """Each footer definition once: linked footers share their previous section's."""
    even = document.settings.odd_and_even_pages_header_footer
    for i, section in enumerate(document.sections):
        if i == 0 or not section.footer.is_linked_to_previous:
            yield section.footer
        if section.different_first_page_header_footer and (
            i == 0 or not section.first_page_footer.is_linked_to_previous
        ):
            yield section.first_page_footer
        if even and (i == 0 or not section.even_page_footer.is_linked_to_previous):
            yield section.even_page_footer


def _mark_paragraph(nodes: Iterable[etree._Element], run: str) -> None:
    """Zero-width runs at the paragraph's word gaps, wherever its text nodes split it."""
    texts = [(node, node.text or "") for node in nodes]
    whole = "".join(t for _, t in texts)
    marked = wm_text.mark_prose(whole, run)
    if marked == whole:
        return
    cuts = _insert_points(whole, marked, run)
    start = 0
    for node, text in texts:
        end = start + len(text)
        here = [c - start for c in cuts if start <= c < end or (c == end and node is texts[-1][0])]
        if here:
            pieces, pos = [], 0
            for c in here:
                pieces += [text[pos:c], run]
                pos = c
            pieces.append(text[pos:])
            node.text = "".join(pieces)
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        start = end


def _insert_points(whole: str, marked: str, run: str) -> list[int]:
    """Offsets in `whole` where mark_prose put a run."""
    cuts, pos, removed = [], marked.find(run), 0
    while pos >= 0:
        cuts.append(pos - removed)
        removed += len(run)
        pos = marked.find(run, pos + len(run))
    return cuts


def read_docx(data: bytes, key: bytes | None, found: Collector) -> None:
    """Marks in the body, the headers and footers, and the document properties."""
    archive = _checked(data)
    try:
        names = archive.namelist()
        if "word/document.xml" not in names:
            raise MarkError("not a valid DOCX: it has no word/document.xml")
        for name in names:
            if name == "word/document.xml":
                body = _paragraph_text(archive.read(name))
                _read_body(body, key, found)
            elif name.startswith(("word/footer", "word/header")) and name.endswith(".xml"):
                found.stamps(_paragraph_text(archive.read(name)), METHOD_STAMP, key)
            elif name.startswith("docProps/") and name.endswith(".xml"):
                text = archive.read(name).decode("utf-8", "replace")
                found.tokens(text, METHOD_PROPERTIES, key)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise damaged("DOCX", exc) from exc
    except etree.XMLSyntaxError as exc:
        raise damaged("DOCX", exc) from exc
    finally:
        archive.close()


def _read_body(body: str, key: bytes | None, found: Collector) -> None:
    inner = Collector()
    wm_text.read_text(body, key, inner)
    for m in inner.result():
        method = {wm_text.METHOD_ZW: METHOD_ZW, wm_text.METHOD_TOKEN: METHOD_HIDDEN}.get(
            m.method, METHOD_STAMP
        )
        for _ in range(m.count):
            found.add(method, m.status, m.copy_id)


def _paragraph_text(xml: bytes) -> str:
    """The text of each paragraph, one per line."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    lines = ("".join(t.text or "" for t in p.iter(W_T)) for p in root.iter(W_P))
    return "\n".join(lines)
