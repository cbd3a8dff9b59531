"""core.http's download header: every download's Content-Disposition (RFC 6266)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crownjewels.core.http import attachment


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("sheet.pdf", "attachment; filename=\"sheet.pdf\"; filename*=UTF-8''sheet.pdf"),
        (
            "Crème brûlée.docx",
            'attachment; filename="Creme brulee.docx"; '
            "filename*=UTF-8''Cr%C3%A8me%20br%C3%BBl%C3%A9e.docx",
        ),
        ('a"b\\c.txt', "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%5Cc.txt"),
        ("報告.pdf", "attachment; filename=\".pdf\"; filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf"),
        ("", "attachment; filename=\"download\"; filename*=UTF-8''download"),
        ("évier", "attachment; filename=\"evier\"; filename*=UTF-8''%C3%A9vier"),
    ],
)
def test_attachment(filename: str, expected: str) -> None:
    assert attachment(filename) == expected


@given(st.text(min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_any_name_gives_a_safe_header_that_carries_the_name(filename: str) -> None:
    header = attachment(filename)
    assert header.isascii() and header.isprintable()  # no byte a header may not hold
    plain, _, encoded = header.partition("; filename*=UTF-8''")
    assert plain.startswith('attachment; filename="') and plain.count('"') == 2
    assert unquote(encoded) == filename.strip()
