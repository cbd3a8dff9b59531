"""The register's spreadsheet import and export: dry run and commit, all or nothing, every bad
row named by its line, CSV and XLSX alike, and an exported file that imports again."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.tables import ImportReport, TableError
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.inventory import imports
from crownjewels.inventory.models import TradeSecret
from crownjewels.inventory.schemas import SecretFilter
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonRead, PersonUpdate
from tests.inventory.factories import COMPANY, make_secret
from tests.parties.factories import make_person

HEADER = "Name,Description,Category,Tier,Owner,Allowed regions,Personal data\r\n"
GOOD = (
    HEADER + "Brine ratios,Salt and sugar by weight,formula,Highly sensitive,Dana Whitfield,"
    '"DE, us",no\r\n'
    "Line layout,Where each station stands,design,confidential,dana@acme.example,,yes\r\n"
)


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _counts(db: Database) -> tuple[int, int]:
    with db.unit_of_work() as s:
        custody.flush(s)
        secrets = s.scalar(select(func.count()).select_from(TradeSecret)) or 0
        events = s.scalar(select(func.count()).select_from(CustodyEvent)) or 0
    return secrets, events


@pytest.fixture
def owner(db: Database, admin: Actor) -> PersonRead:
    """Dana Whitfield, whom the files name as owner (by name and by email)."""
    with db.unit_of_work() as s:
        dana = make_person(s, admin, name="Dana Whitfield")
        change = PersonUpdate(email="dana@acme.example")
        return parties.update_person(s, actor=admin, person_ref=dana.id, changes=change)


class _Undo(Exception):
    """Raised to roll a unit of work back."""


def _run(db: Database, admin: Actor, data: bytes, source: str, *, dry_run: bool) -> ImportReport:
    with db.unit_of_work() as s:
        return imports.import_secrets(
            s, actor=admin, data=data, source=source, company=COMPANY, dry_run=dry_run
        )


def test_a_dry_run_checks_every_row_and_writes_nothing(
    db: Database, admin: Actor, owner: PersonRead
) -> None:
    before = _counts(db)
    report = _run(db, admin, GOOD.encode(), "register.csv", dry_run=True)
    assert report.problems == [] and report.rows == 2 and not report.written
    assert _counts(db) == before
    report = _run(db, admin, GOOD.encode(), "register.csv", dry_run=False)
    assert report.written and report.created == ["TS-0001", "TS-0002"]
    secrets, events = _counts(db)
    assert (secrets, events - before[1]) == (2, 2)  # a custody event per secret, as one by one


def test_one_bad_row_refuses_the_file_and_names_each_line(
    db: Database, admin: Actor, owner: PersonRead
) -> None:
    rows = [
        ["Name", "Description", "Category", "Tier", "Owner", "Ref"],
        ["Brine ratios", "Salt by weight", "formula", "sensitive", "Dana Whitfield", "TS-0009"],
        [],
        ["Oven curve", "Times", "formula", "very secret", "Dana Whitfield"],
        ["Brine ratios", "Again", "formula", "sensitive", "nobody@acme.example"],
    ]
    before = _counts(db)
    report = _run(db, admin, _xlsx(rows), "register.xlsx", dry_run=False)
    assert report.lines == [
        "register.xlsx:4: the tier 'very secret' is not one of highly sensitive, sensitive, "
        "confidential",
        "register.xlsx:5: the owner 'nobody@acme.example' is not a recorded person; give the "
        "name or email of someone on the People page",
    ]
    assert not report.written and _counts(db) == before


def test_a_duplicate_within_the_file_is_named_at_its_second_line(
    db: Database, admin: Actor, owner: PersonRead
) -> None:
    row = "A,x,formula,sensitive,Dana Whitfield,,\r\n"
    text = HEADER + row + row
    report = _run(db, admin, text.encode(), "r.csv", dry_run=True)
    assert [line for line, _ in report.problems] == [3]
    assert "already registered" in report.problems[0][1]


@pytest.mark.parametrize(
    ("data", "source", "needle"),
    [
        (b"Name,Description\r\n\xff\xfe oops\r\n", "r.csv", "r.csv: line 2 is not UTF-8 text"),
        (b"PK\x03\x04 not really", "r.xlsx", "r.xlsx: this is not an XLSX workbook"),
        (b"Name\r\nx\r\n", "r.pdf", "import a .csv or .xlsx file"),
        (b"Name,Colour\r\nx,red\r\n", "r.csv", "unknown column 'Colour'"),
        (b"Name,Description\r\nx,y\r\n", "r.csv", "the column 'Category' is missing"),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_in_words(
    db: Database, admin: Actor, data: bytes, source: str, needle: str
) -> None:
    with pytest.raises(TableError) as caught:
        _run(db, admin, data, source, dry_run=True)
    assert needle in caught.value.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_register_imports_again(
    db: Database, admin: Actor, owner: PersonRead, fmt: str
) -> None:
    content = b""
    with pytest.raises(_Undo), db.unit_of_work() as s:
        make_secret(s, admin, name="=Brine", owner=owner, estimated_value="12.50", currency="usd")
        make_secret(s, admin, name="Line", owner=owner, allowed_regions=["DE"], personal_data=True)
        content, _ = imports.export(s, actor=admin, filters=SecretFilter(), fmt=fmt)
        raise _Undo  # the secrets go: the file's rows are new again
    report = _run(db, admin, content, f"register.{fmt}", dry_run=True)
    assert report.problems == [] and report.rows == 2
