"""The pieces of a canary token, read back with other libraries: the callback's image bytes
are real transparent images, the DOCX footer carries the INCLUDEPICTURE field and its linked
picture, the PDF its OpenAction and link, honey strings are unique and go into each file type."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pypdf
import pytest
from lxml import etree
from PIL import Image

from crownjewels.core.errors import Invalid
from crownjewels.leaks.canary import artefacts
from tests.disclosure.helpers import make_docx, make_pdf

URL = "https://cj.example.com/c/0123456789abcdef0123456789abcdef.png"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@pytest.mark.parametrize(("name", "fmt"), [("x.png", "PNG"), ("x.gif", "GIF")])
def test_the_callback_answers_a_transparent_pixel(name: str, fmt: str) -> None:
    data, media_type = artefacts.answer(name)
    image = Image.open(io.BytesIO(data))
    assert image.format == fmt and image.size == (1, 1) and media_type == f"image/{fmt.lower()}"
    rgba = image.convert("RGBA").getpixel((0, 0))
    assert isinstance(rgba, tuple) and rgba[3] == 0, "fully transparent"


def test_any_other_name_is_an_empty_page() -> None:
    assert artefacts.answer("abc") == artefacts.answer("abc.html") == artefacts.PAGE_ANSWER
    assert artefacts.token_of("abc.PNG") == "abc" and artefacts.token_of("abc") == "abc"


def _footer_fields(data: bytes) -> list[tuple[str, str]]:
    """(field instruction, linked picture target) of every footer of the DOCX."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not (name.startswith("word/footer") and name.endswith(".xml")):
                continue
            root = etree.fromstring(z.read(name))
            rels = etree.fromstring(z.read(name.replace("word/", "word/_rels/") + ".rels"))
            targets = {r.get("Id"): (r.get("Target"), r.get("TargetMode")) for r in rels}
            for p in root.iter(f"{W}p"):
                instr = "".join(t.text or "" for t in p.iter(f"{W}instrText")).strip()
                if not instr:
                    continue
                assert [f.get(f"{W}fldCharType") for f in p.iter(f"{W}fldChar")] == [
                    "begin",
                    "separate",
                    "end",
                ]
                (blip,) = p.iter(f"{A}blip")
                target, mode = targets[blip.get(f"{R}link")]
                assert mode == "External"
                out.append((instr, target))
    return out


def test_a_new_docx_footer_fetches_the_token_url() -> None:
    data = artefacts.docx_beacon(URL, title="Pricing 2027", lines=["Restricted."])
    assert _footer_fields(data) == [(f'INCLUDEPICTURE "{URL}" \\d \\* MERGEFORMAT', URL)]
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].text == "Pricing 2027"


def test_an_existing_docx_keeps_its_text_and_gains_the_field() -> None:
    original = make_docx(3)
    data = artefacts.docx_beacon(URL, title="", data=original)
    before = [p.text for p in docx.Document(io.BytesIO(original)).paragraphs]
    assert [p.text for p in docx.Document(io.BytesIO(data)).paragraphs] == before
    assert [target for _, target in _footer_fields(data)] == [URL]


def test_each_footer_part_gets_one_field_and_an_ampersand_in_the_url_is_escaped() -> None:
    """Two sections with a different first page: the second section's footers are linked to
    the first's, so each footer part carries the field once, every drawing with its own id."""
    document = docx.Document()
    document.add_paragraph("one")
    document.add_section()
    for section in document.sections:
        section.different_first_page_header_footer = True
    source = io.BytesIO()
    document.save(source)
    url = "https://t.example/cb?a=1&b=2"
    data = artefacts.docx_beacon(url, title="", data=source.getvalue())
    fields = _footer_fields(data)
    assert sorted(t for _, t in fields) == [url, url], "the default and the first-page footer"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        ids = [
            d.get("id")
            for n in z.namelist()
            if n.startswith("word/footer")
            for d in etree.fromstring(z.read(n)).iter(f"{WP}docPr")
        ]
    assert len(ids) == len(set(ids)) == 2


@pytest.mark.parametrize("given", [False, True])
def test_the_pdf_opens_the_url_and_links_to_it(given: bool) -> None:
    url = URL.removesuffix(".png")
    data = artefacts.pdf_beacon(url, title="Yields", data=make_pdf(2) if given else None)
    reader = pypdf.PdfReader(io.BytesIO(data))
    action = reader.trailer["/Root"]["/OpenAction"]
    assert (action["/S"], action["/URI"]) == ("/URI", url)
    links = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert [(a["/Subtype"], a["/A"]["/URI"]) for a in links] == [("/Link", url)]
    assert len(reader.pages) == (2 if given else 1)


def test_a_damaged_file_is_refused_in_words() -> None:
    with pytest.raises(Invalid, match="not a PDF"):
        artefacts.pdf_beacon(URL, title="", data=b"%PDF-1.7 nonsense")
    with pytest.raises(Invalid, match="not a DOCX"):
        artefacts.docx_beacon(URL, title="", data=b"PK nonsense")


def test_honey_strings_are_unique_and_look_like_credentials() -> None:
    one, two = artefacts.honey_text(date(2026, 12, 1)), artefacts.honey_text(date(2026, 12, 1))
    assert one != two
    assert "aws_access_key_id = AKIA" in one and "postgresql://" in one
    assert len(one.split()) > 150, "long enough for the fingerprints to find"


def test_honey_goes_into_text_docx_and_pdf_and_nowhere_else() -> None:
    honey = artefacts.honey_text(date(2026, 12, 1))
    first_record = honey.splitlines()[-1]
    text = artefacts.add_honey(b"notes\n", "text/plain", honey)
    assert text.startswith(b"notes\n") and first_record.encode() in text
    doc = artefacts.add_honey(make_docx(2), artefacts.DOCX_TYPE, honey)
    assert docx.Document(io.BytesIO(doc)).paragraphs[-1].text == first_record
    pdf = artefacts.add_honey(make_pdf(1), artefacts.PDF_TYPE, honey)
    last = pypdf.PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    assert first_record.split()[0] in last
    with pytest.raises(Invalid, match="text, DOCX or PDF"):
        artefacts.add_honey(b"\x89PNG", "image/png", honey)
