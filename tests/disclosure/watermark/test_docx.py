"""DOCX: footer stamp, properties, hidden text and zero-width runs round-trip, survive a
python-docx and a LibreOffice re-save, and copied body text still names the copy."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pytest

from crownjewels.disclosure.watermark import text as wm_text
from crownjewels.disclosure.watermark.engine import (
    DOCX,
    MarkError,
    apply_mark,
    describe,
    read_marks,
)
from tests.disclosure.helpers import (
    COPY_ID,
    KEY,
    MARK,
    make_docx,
    methods_valid,
    run_tool,
    tool,
    verdict,
)

ALL = {"docx-footer-stamp", "docx-properties", "docx-hidden-text", "docx-zero-width"}
ZW_TABLE = dict.fromkeys(map(ord, wm_text.ZW))


@pytest.fixture(scope="module")
def original() -> bytes:
    return make_docx(50)


@pytest.fixture(scope="module")
def marked(original: bytes) -> bytes:
    copy = apply_mark(original, DOCX, MARK, key=KEY)
    assert copy.marked and set(copy.methods) == ALL
    return copy.data


def test_every_docx_method_reads_back(marked: bytes) -> None:
    assert methods_valid(marked) == ALL
    assert verdict(marked) == f"identified:{COPY_ID}"


def test_the_visible_text_is_unchanged_and_the_footer_names_the_recipient(
    original: bytes, marked: bytes
) -> None:
    before = docx.Document(io.BytesIO(original))
    after = docx.Document(io.BytesIO(marked))
    visible = [p.text.translate(ZW_TABLE) for p in after.paragraphs]
    assert visible[1:] == [p.text for p in before.paragraphs][1:]
    assert after.paragraphs[0].text.startswith(before.paragraphs[0].text)
    hidden = [r for r in after.paragraphs[0].runs if r.font.hidden]
    assert len(hidden) == 1 and "CJMARK-" in hidden[0].text
    footer = "\n".join(p.text for p in after.sections[0].footer.paragraphs)
    assert "Alice Smith, Acme Ltd" in footer and f"Copy {COPY_ID}" in footer
    bold = [r.bold for r in after.paragraphs[3].runs]
    assert bold == [None, True]  # formatting kept
    assert after.tables[0].cell(0, 0).text.translate(ZW_TABLE) == " ".join(
        before.tables[0].cell(0, 0).text.split(" ")
    )


def test_copied_body_text_names_the_copy(marked: bytes) -> None:
    document = docx.Document(io.BytesIO(marked))
    one_paragraph = document.paragraphs[20].text
    assert verdict(one_paragraph.encode(), "text/plain") == f"identified:{COPY_ID}"


def test_a_resave_by_python_docx_keeps_every_mark(marked: bytes) -> None:
    document = docx.Document(io.BytesIO(marked))
    document.add_paragraph("An added line after the copy was handed out.")
    out = io.BytesIO()
    document.save(out)
    assert methods_valid(out.getvalue()) == ALL


def test_a_libreoffice_round_trip_keeps_the_marks(marked: bytes, tmp_path: Path) -> None:
    soffice = tool("soffice") or tool("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install -y libreoffice-writer-nogui)")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "copy.docx").write_bytes(marked)
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    try:
        run_tool(
            [
                soffice,
                profile,
                "--headless",
                "--convert-to",
                "odt",
                "--outdir",
                "odt",
                "in/copy.docx",
            ],
            tmp_path,
            timeout=180,
        )
        run_tool(
            [
                soffice,
                profile,
                "--headless",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                "out",
                "odt/copy.odt",
            ],
            tmp_path,
            timeout=180,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("LibreOffice did not finish within 3 minutes")
    resaved = (tmp_path / "out" / "copy.docx").read_bytes()
    found = methods_valid(resaved)
    assert {"docx-zero-width", "docx-footer-stamp"} <= found, found
    assert verdict(resaved) == f"identified:{COPY_ID}"


def test_an_unmarked_document_says_so(original: bytes) -> None:
    v = describe(read_marks(original, key=KEY))
    assert v.status == "no-mark" and "no mark survives" in v.message


def test_malformed_docx_is_refused() -> None:
    with pytest.raises(MarkError, match="not a valid DOCX"):
        apply_mark(b"PK\x03\x04 broken zip", DOCX, MARK, key=KEY)
    with pytest.raises(MarkError, match="not a valid DOCX"):
        read_marks(b"PK\x03\x04 broken zip", DOCX, key=KEY)
