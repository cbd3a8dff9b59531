"""PDF: the stamp and the invisible marks round-trip, and survive a re-save by pikepdf, pypdf,
qpdf and Ghostscript and a copy-paste of the page text; malformed PDFs are refused clearly."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdf
import pytest

from crownjewels.disclosure.watermark import pdf as wm_pdf
from crownjewels.disclosure.watermark.engine import (
    PDF,
    Mark,
    MarkError,
    apply_mark,
    describe,
    read_marks,
)
from tests.disclosure.helpers import (
    COPY_ID,
    KEY,
    MARK,
    make_pdf,
    methods_valid,
    run_tool,
    tool,
    verdict,
)

ALL = {"pdf-visible-stamp", "pdf-invisible-text", "pdf-info", "pdf-xmp"}


@pytest.fixture(scope="module")
def marked() -> bytes:
    copy = apply_mark(make_pdf(12, mixed_sizes=True), PDF, MARK, key=KEY)
    assert copy.marked and set(copy.methods) == ALL
    return copy.data


def test_every_pdf_method_reads_back(marked: bytes) -> None:
    assert methods_valid(marked) == ALL
    assert verdict(marked) == f"identified:{COPY_ID}"


def test_every_page_carries_the_stamp_and_keeps_its_text(marked: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(marked))
    assert len(reader.pages) == 12
    for i, page in enumerate(reader.pages):
        text = page.extract_text()
        assert f"Page {i + 1}, line 0" in text
        assert f"Copy {COPY_ID} (check " in text and "Alice Smith, Acme Ltd" in text
        assert "CJMARK-" in text
    landscape = reader.pages[2]
    assert float(landscape.mediabox.width) > float(landscape.mediabox.height)


def test_the_stamp_is_one_shared_form_per_page_size(marked: bytes) -> None:
    with pikepdf.open(io.BytesIO(marked)) as pdf:
        forms = {page.Resources.XObject[wm_pdf.XOBJECT_NAME].objgen for page in pdf.pages}
    assert len(forms) == 2  # portrait and landscape


def test_copied_page_text_names_the_copy(marked: bytes) -> None:
    text = pypdf.PdfReader(io.BytesIO(marked)).pages[5].extract_text()
    assert verdict(text.encode(), "text/plain") == f"identified:{COPY_ID}"


def test_a_resave_by_pikepdf_keeps_every_mark(marked: bytes) -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(marked)) as pdf:
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert methods_valid(out.getvalue()) == ALL


def test_a_resave_by_pypdf_keeps_every_mark(marked: bytes) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(marked)))
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    assert methods_valid(out.getvalue()) == ALL


def test_pages_extracted_by_pypdf_into_a_new_file_keep_the_page_marks(marked: bytes) -> None:
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(io.BytesIO(marked)).pages[4])
    out = io.BytesIO()
    writer.write(out)
    assert methods_valid(out.getvalue()) == {"pdf-visible-stamp", "pdf-invisible-text"}


def test_a_resave_by_qpdf_keeps_every_mark(marked: bytes, tmp_path: Path) -> None:
    qpdf = tool("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed (apt-get install -y qpdf)")
    (tmp_path / "in.pdf").write_bytes(marked)
    run_tool([qpdf, "--object-streams=generate", "--linearize", "in.pdf", "out.pdf"], tmp_path)
    assert methods_valid((tmp_path / "out.pdf").read_bytes()) == ALL


def test_a_resave_by_ghostscript_keeps_the_page_marks(marked: bytes, tmp_path: Path) -> None:
    gs = tool("gs")
    if gs is None:
        pytest.skip("Ghostscript is not installed (apt-get install -y ghostscript)")
    (tmp_path / "in.pdf").write_bytes(marked)
    run_tool(
        [gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-o", "out.pdf", "in.pdf"], tmp_path
    )
    found = methods_valid((tmp_path / "out.pdf").read_bytes())
    assert {"pdf-visible-stamp", "pdf-invisible-text"} <= found
    assert verdict((tmp_path / "out.pdf").read_bytes()) == f"identified:{COPY_ID}"


def test_a_pdf_without_marks_says_so() -> None:
    v = describe(read_marks(make_pdf(3), key=KEY))
    assert (v.status, v.copy_id) == ("no-mark", None)


def test_a_damaged_token_is_damaged_not_another_copy(marked: bytes) -> None:
    with pikepdf.open(io.BytesIO(marked)) as pdf:
        token = str(pdf.docinfo[wm_pdf.INFO_KEY])
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    damaged = marked.replace(token.encode(), flipped.encode())
    found = read_marks(damaged, key=KEY)
    assert not any(m.copy_id not in (None, COPY_ID) for m in found)
    assert any(m.method == "pdf-info" and m.status == "damaged" for m in found)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\nthis is not really a pdf", "not a valid PDF"),
        (b"hello", "not a valid PDF"),
    ],
)
def test_malformed_pdfs_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(MarkError, match=message):
        apply_mark(data, PDF, MARK, key=KEY)


def test_an_encrypted_pdf_is_refused_with_a_reason() -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(make_pdf(1))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(MarkError, match="encrypted"):
        apply_mark(out.getvalue(), PDF, MARK, key=KEY)


def test_a_100_page_pdf_is_marked_on_every_page() -> None:
    copy = apply_mark(make_pdf(100), PDF, MARK, key=KEY)
    with pikepdf.open(io.BytesIO(copy.data)) as pdf:
        assert len(pdf.pages) == 100
        assert all(wm_pdf.XOBJECT_NAME in p.Resources.XObject for p in pdf.pages)


def test_names_outside_latin_1_are_drawn_with_an_embedded_font() -> None:
    if wm_pdf._unicode_font() is None:
        pytest.skip("no Unicode TrueType font found (apt-get install -y fonts-dejavu-core)")
    mark = Mark(COPY_ID, "Łukasz Żółć", "Αθήνα ΑΕ", MARK.date)
    copy = apply_mark(make_pdf(2), PDF, mark, key=KEY)
    text = pypdf.PdfReader(io.BytesIO(copy.data)).pages[1].extract_text()
    assert "Łukasz Żółć, Αθήνα ΑΕ" in text
    assert verdict(copy.data) == f"identified:{COPY_ID}"
