"""Vendors from a spreadsheet: the organisation found or recorded, the profile opened through
the add verb (custody events for both), all or nothing, bad rows by line; and the export."""

from __future__ import annotations

import csv
import io

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.pagination import PageParams
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationFilter
from crownjewels.vendors.imports import service as imports
from crownjewels.vendors.schemas import VendorFilter
from tests.parties.factories import make_org
from tests.vendors.factories import make_vendor

HEADER = "Name,Home country,Services,Criticality,Status,Countries\r\n"


def _orgs(db: Database, admin: Actor) -> set[str]:
    with db.unit_of_work(write=False) as s:
        flt, page = OrganisationFilter(), PageParams(limit=500)
        return {
            o.name for o in parties.list_organisations(s, actor=admin, filters=flt, page=page)[0]
        }


def test_vendors_import_all_or_nothing(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        make_org(s, admin, name="Acme Labs")  # a vendor organisation with no profile yet
        make_vendor(s, admin, name="Old Friend")
    text = HEADER + (
        "Acme Labs,,Testing,medium,,DE\r\n"
        "Lotus Process,IN,Trials,high,onboarding,IN; SG\r\n"
        "Old Friend,IN,More,low,,\r\n"
        "Nova,,Design,extreme,,\r\n"
    )
    with db.unit_of_work() as s:
        report = imports.import_vendors(
            s, actor=admin, data=text.encode(), source="v.csv", dry_run=False
        )
    assert [line for line, _ in report.problems] == [4, 5]
    assert "Old Friend already has the vendor profile VN-0001" in report.problems[0][1]
    assert (
        report.problems[1][1]
        == "the criticality 'extreme' is not one of critical, high, medium, low"
    )
    assert "Lotus Process" not in _orgs(db, admin)  # nothing of the file was kept
    good = (
        HEADER
        + "Acme Labs,,Testing,medium,,DE\r\nLotus Process,IN,Trials,high,onboarding,IN; SG\r\n"
    )
    with db.unit_of_work() as s:
        report = imports.import_vendors(
            s, actor=admin, data=good.encode(), source="v.csv", dry_run=False
        )
    assert report.written and report.created == ["VN-0002", "VN-0003"]
    with db.unit_of_work(write=False) as s:
        content, _ = imports.export(s, actor=admin, filters=VendorFilter(), fmt="csv")
    rows = {r["Name"]: r for r in csv.DictReader(io.StringIO(content.decode()))}
    assert rows["Lotus Process"]["Home country"] == "IN"
    assert (
        rows["Lotus Process"]["Countries"] == "IN, SG"
        and rows["Lotus Process"]["Status"] == "onboarding"
    )
