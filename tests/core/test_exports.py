"""CSV exports: a cell a spreadsheet would run as a formula is written as plain text."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crownjewels.core import exports


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+41 22 555", "'+41 22 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_formula_prefixes_are_quoted(cell: object, written: str) -> None:
    assert exports.neutralise(cell) == written


@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=5))
def test_every_cell_reads_back_as_text_that_cannot_start_a_formula(
    rows: list[list[str]],
) -> None:
    parsed = list(csv.reader(io.StringIO(exports.to_csv(["a", "b"], rows), newline="")))
    assert parsed[0] == ["a", "b"]
    for got, sent in zip(parsed[1:], rows, strict=True):
        assert got == [exports.neutralise(c) for c in sent]
        assert not any(c.startswith(exports.FORMULA_PREFIXES) for c in got)
