"""Spreadsheets in and out: a CSV or XLSX file read into rows that keep their line numbers, the
plain-words problems of an import (`register.xlsx:14: ...`), and the XLSX writer of exports.

Each capability owns its importer (what a column means, which service verb a row goes through);
this module only reads the file, matches the header words to the importer's columns and runs
the rows all-or-nothing (`run_import`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from crownjewels.core.datafile import message as pydantic_message
from crownjewels.core.errors import CrownJewelsError, Invalid
from crownjewels.core.exports import neutralise

#: the largest file an import reads, and the most rows it takes (one transaction holds them all)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: a problem: the 1-based line (spreadsheet row) it is on (None: the whole file) and what is wrong
Problem = tuple[int | None, str]


class TableError(Invalid):
    """A file that cannot be read as a table at all (wrong type, encoding, header, size)."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}", field="file")


@dataclass(frozen=True)
class Row:
    """One data row: its line in the file and its cells by column key (blank cells left out)."""

    line: int
    cells: dict[str, str]

    def get(self, key: str) -> str | None:
        """The cell's text, or None when blank or absent."""
        return self.cells.get(key) or None


@dataclass(frozen=True)
class Table:
    """A file's data rows, matched to an importer's columns."""

    source: str
    rows: list[Row]


@dataclass
class ImportReport:
    """What an import found: the rows read, every problem by line, and what it created (each
    created row's ref or name; empty when nothing was written)."""

    source: str
    rows: int
    problems: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def lines(self) -> list[str]:
        """Each problem as `FILE:LINE: problem`."""
        return [f"{self.source}:{n}: {m}" if n else f"{self.source}: {m}" for n, m in self.problems]


def _key(word: str) -> str:
    return " ".join(word.replace("_", " ").replace("-", " ").lower().split())


def _cell(value: Any) -> str:
    """A cell as text: whole numbers without `.0`, dates as YYYY-MM-DD, the formula guard of our
    own exports (a leading quote) taken off again."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()[:10]
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text


def _csv_lines(data: bytes, source: str) -> Iterable[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TableError(
            source,
            f"line {line} is not UTF-8 text; save the file as 'CSV UTF-8' (or as XLSX) and "
            "import it again",
        ) from None
    if "\x00" in text:
        raise TableError(source, "this is not a CSV text file; save it as CSV UTF-8 or XLSX")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise TableError(source, f"line {reader.line_num} is not valid CSV: {exc}") from None


def _xlsx_lines(data: bytes, source: str) -> Iterable[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported when used: 0.5 s that no other command needs

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise TableError(
            source, "this is not an XLSX workbook; save it from the spreadsheet as .xlsx or .csv"
        ) from None
    try:
        sheet = book.worksheets[0]
        # some writers leave the sheet's size out or wrong: read every row there is
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def _lines(data: bytes, source: str) -> Iterable[tuple[int, list[str]]]:
    name = source.lower()
    if name.endswith(".xlsx"):
        return _xlsx_lines(data, source)
    if name.endswith((".csv", ".txt")):
        return _csv_lines(data, source)
    raise TableError(source, "import a .csv or .xlsx file (other formats are not read)")


def read_table(
    data: bytes,
    *,
    source: str,
    columns: Mapping[str, str],
    required: Iterable[str] = (),
    ignored: Iterable[str] = (),
) -> Table:
    """The rows of a CSV (UTF-8) or XLSX file (its first sheet), by the file name's extension.

    `columns` maps each header word people write (`Owner`, `Tier`) to a column key; case,
    spaces, `-` and `_` do not matter. Columns in `ignored` (an export's read-only columns,
    such as its refs) are skipped; any other unknown column, or a missing `required` one, is
    a TableError naming it. Blank rows are skipped; their lines still count."""
    if len(data) > MAX_BYTES:
        raise TableError(source, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise TableError(source, "the file is empty; give a header row and one row per record")
    wanted = {_key(word): key for word, key in columns.items()}
    skip = {_key(word) for word in ignored}
    lines = iter(_lines(data, source))
    header: list[str | None] = []
    for _number, cells in lines:
        if any(c.strip() for c in cells):
            header = [_header_key(c, wanted, skip, source) for c in cells]
            break
    if not header:
        raise TableError(source, "the file has no header row; give the column names first")
    missing = [w for w, k in columns.items() if k in set(required) and k not in header]
    if missing:
        raise TableError(source, f"the column {missing[0]!r} is missing; add it to the header")
    return Table(source=source, rows=_rows(lines, header, source))


def _header_key(cell: str, wanted: dict[str, str], skip: set[str], source: str) -> str | None:
    word = _key(cell)
    if not word or word in skip:
        return None
    if word not in wanted:
        names = ", ".join(sorted({w.capitalize() for w in wanted}))
        raise TableError(source, f"unknown column {cell.strip()!r}; the columns are: {names}")
    return wanted[word]


def _rows(
    lines: Iterable[tuple[int, list[str]]], header: list[str | None], source: str
) -> list[Row]:
    rows: list[Row] = []
    for number, cells in lines:
        values = {k: c.strip() for k, c in zip(header, cells, strict=False) if k and c.strip()}
        if not values:
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(source, f"more than {MAX_ROWS:,} rows; split the file and import each")
        rows.append(Row(line=number, cells=values))
    return rows


# --- reading a cell --------------------------------------------------------------------------


def choice(value: str, enum: type[StrEnum], *, what: str) -> str:
    """The enum value a person wrote in words (`Highly sensitive`, `highly-sensitive`), or
    Invalid naming the value and the words that are accepted."""
    typed = "-".join(value.replace("_", " ").lower().split())
    for member in enum:
        if typed == member.value:
            return member.value
    words = ", ".join(m.value.replace("-", " ") for m in enum)
    raise Invalid(f"the {what} {value!r} is not one of {words}")


def split_list(value: str | None) -> list[str]:
    """A list cell (`DE, FR; US`) as its items."""
    return [v.strip() for v in (value or "").replace(";", ",").split(",") if v.strip()]


def yes_no(value: str | None, *, what: str) -> bool:
    """A yes/no cell (yes, no, true, false, 1, 0; blank is no)."""
    typed = (value or "").strip().lower()
    if typed in ("", "no", "false", "0", "n"):
        return False
    if typed in ("yes", "true", "1", "y"):
        return True
    raise Invalid(f"the {what} {value!r} is not yes or no")


def problems_of(exc: ValidationError | CrownJewelsError, labels: Mapping[str, str]) -> list[str]:
    """An error's messages in words, each naming its column (`labels` maps a schema field to
    the column header)."""
    if isinstance(exc, CrownJewelsError):
        return [exc.message]
    out = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else ""
        label = labels.get(name, name.replace("_", " "))
        out.append(f"{label}: {pydantic_message(err)}" if label else pydantic_message(err))
    return out


def run_import(
    session: Session,
    table: Table,
    create: Callable[[Row], str],
    *,
    labels: Mapping[str, str],
    dry_run: bool,
) -> ImportReport:
    """Every row through `create` (a service verb: it checks, writes and records the custody
    event as the one-by-one path does, and returns the row's ref), all in the caller's
    transaction. A dry run, or any row refused, rolls the whole transaction back: nothing is
    written unless every row is good, and the report names every bad row by its line."""
    report = ImportReport(source=table.source, rows=len(table.rows))
    if not table.rows:
        report.problems.append((None, "the file has a header but no rows to import"))
    for row in table.rows:
        try:
            report.created.append(create(row))
        except (ValidationError, CrownJewelsError) as exc:
            report.problems.extend((row.line, m) for m in problems_of(exc, labels))
    report.written = not dry_run and not report.problems
    if not report.written:
        # the rows written so far (and their custody events) go: a dry run leaves no trace
        session.rollback()
    return report


def model(schema: type[BaseModel], values: dict[str, Any]) -> Any:
    """The row's values validated by the capability's own input schema."""
    return schema.model_validate({k: v for k, v in values.items() if v is not None})


# --- writing ---------------------------------------------------------------------------------


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str) -> bytes:
    """The rows as an XLSX workbook of one sheet under a bold header row; every cell is text
    neutralised like a CSV export's (no cell is ever read as a formula)."""
    from openpyxl import Workbook  # imported when used: 0.5 s that no other command needs

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet1")
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
