"""People from a spreadsheet: each row through the add verb, all or nothing, bad rows by line."""

from __future__ import annotations

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.parties import imports
from crownjewels.parties.schemas import OrgKind
from tests.parties.factories import make_org

HEADER = "Name,Email,Organisation,Kind,Country\r\n"


def test_people_import_names_every_bad_row_and_writes_all_or_none(
    db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        make_org(s, admin, name="Northwind", kind=OrgKind.SUBSIDIARY, country="US")
    rows = (
        "Dana,dana@nw.example,Northwind,employee,US\r\n"
        "Dup,DANA@nw.example,Northwind,employee,US\r\n"
        "Ann,ann@nw.example,Northwind,intern,Narnia\r\n"
    )
    with db.unit_of_work() as s:
        report = imports.import_people(
            s, actor=admin, data=(HEADER + rows).encode(), source="p.csv", dry_run=True
        )
    assert report.lines[0] == (
        "p.csv:3: a person with email DANA@nw.example already exists; each person needs their own"
    )
    assert report.lines[1] == (
        "p.csv:4: the kind 'intern' is not one of employee, contractor, vendor staff"
    )
    assert len(report.lines) == 2 and not report.written
    with db.unit_of_work() as s:
        done = imports.import_people(
            s, actor=admin, data=(HEADER + rows[:42]).encode(), source="p.csv", dry_run=False
        )
    assert done.written and done.created == ["dana@nw.example"]
