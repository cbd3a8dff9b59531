"""The engine's front: other types are handed out unmarked, found files are sniffed, and the
verdict names the copy or says plainly why it cannot."""

from __future__ import annotations

import io

import pytest

from crownjewels.disclosure.watermark.engine import (
    DOCX,
    PDF,
    FoundMark,
    MarkStatus,
    apply_mark,
    describe,
    read_marks,
    sniff,
)
from tests.disclosure.helpers import COPY_ID, KEY, MARK, make_docx, make_image, make_pdf, prose


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"\x00\x01binary", "application/octet-stream"),
        (b'{"a": 1}', "application/json"),
        (b"GIF89a...", "image/gif"),
        (b"PK\x03\x04", "application/zip"),
    ],
)
def test_other_types_are_handed_out_unmarked(data: bytes, media_type: str) -> None:
    copy = apply_mark(data, media_type, MARK, key=KEY)
    assert (copy.marked, copy.methods, copy.data) == (False, [], data)


def test_a_stream_is_accepted() -> None:
    copy = apply_mark(io.BytesIO(prose().encode()), "text/plain; charset=utf-8", MARK, key=KEY)
    assert copy.marked
    assert describe(read_marks(io.BytesIO(copy.data), key=KEY)).copy_id == COPY_ID


def test_found_files_are_sniffed() -> None:
    assert sniff(make_pdf(1)) == PDF
    assert sniff(make_docx(1)) == DOCX
    assert sniff(make_image("PNG")) == "image/png"
    assert sniff(make_image("JPEG")) == "image/jpeg"
    assert sniff("naïve text".encode()) == "text/plain"
    assert sniff(bytes(range(256))) == "application/octet-stream"


def test_an_unrelated_binary_file_has_no_mark() -> None:
    v = describe(read_marks(bytes(range(256)) * 10, key=KEY))
    assert v.status == "no-mark"


def test_conflicting_marks_name_no_copy() -> None:
    other = "01HZY3K7Q8M2V5T9XWJ4N6B1CE"
    found = [
        FoundMark("text-zero-width", MarkStatus.VALID, COPY_ID),
        FoundMark("text-token", MarkStatus.VALID, other),
    ]
    v = describe(found)
    assert v.status == "conflicting" and v.copy_id is None and other in v.message


def test_an_identified_copy_mentions_damaged_marks_beside_it() -> None:
    found = [
        FoundMark("text-zero-width", MarkStatus.VALID, COPY_ID, count=3),
        FoundMark("text-zero-width", MarkStatus.DAMAGED, None, count=2),
    ]
    v = describe(found)
    assert v.copy_id == COPY_ID and "2 damaged mark(s) ignored" in v.message
