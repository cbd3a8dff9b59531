"""CSV exports that a spreadsheet cannot turn into formulas: every export writes through here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

#: a cell starting with one of these is read as a formula (or a DDE call) by spreadsheets
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, prefixed with a single quote when a spreadsheet would run it.

    OWASP's CSV-injection guidance: a quote before a leading `=`, `+`, `-`, `@`, tab or
    carriage return makes the cell plain text in Excel, LibreOffice and Google Sheets.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def to_csv(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, lineterminator: str = "\r\n"
) -> str:
    """The rows as CSV text under one header row, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue()


def dicts_to_csv(
    fields: Sequence[str], rows: Iterable[Mapping[str, object]], *, lineterminator: str = "\r\n"
) -> str:
    """The mappings as CSV text, one column per field (missing or None is empty)."""
    return to_csv(
        fields,
        ([row.get(f) for f in fields] for row in rows),
        lineterminator=lineterminator,
    )
