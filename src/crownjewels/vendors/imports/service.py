"""The vendor list as CSV or XLSX, and the import of new vendors whose columns are the export's.

A row names the vendor organisation: an organisation already recorded must be of kind vendor;
a new one is recorded (kind vendor, its home country) through `parties.create_organisation`.
The profile is opened through `vendors.service.create`, the path of the add form; both record
their custody events. All rows go in one transaction, kept only if every row is good.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import exports, tables
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.pagination import MAX_LIMIT, PageParams
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationCreate, OrganisationFilter, OrgKind
from crownjewels.vendors import service
from crownjewels.vendors.schemas import (
    Criticality,
    VendorCreate,
    VendorFilter,
    VendorRead,
    VendorStatus,
)

#: header -> VendorCreate field (Home country: the organisation's, when it is new)
COLUMNS = {
    "Name": "organisation_id",
    "Home country": "home_country",
    "Services": "services",
    "Criticality": "criticality",
    "Status": "status",
    "Countries": "countries",
    "Review cadence months": "review_cadence_months",
    "Notes": "notes",
}
#: columns the export adds that the vendor file sets itself: an import skips them
EXPORT_ONLY = ("Ref", "Next review", "Last reviewed", "Exposure")
REQUIRED = ("organisation_id", "services", "criticality")
LABELS = {field: header for header, field in COLUMNS.items()}


def _cells(vendor: VendorRead, homes: dict[str, str]) -> list[object]:
    return [
        vendor.ref,
        vendor.name,
        homes.get(vendor.organisation_id, ""),
        vendor.services,
        vendor.criticality.value,
        vendor.status.value,
        ", ".join(c.country for c in vendor.countries),
        vendor.review_cadence_months,
        vendor.notes or "",
        vendor.next_review_on.isoformat(),
        vendor.last_reviewed_on.isoformat() if vendor.last_reviewed_on else "",
        ", ".join(vendor.exposure),
    ]


def export(session: Session, *, actor: Actor, filters: VendorFilter, fmt: str) -> tuple[bytes, str]:
    """The vendors the actor sees under `filters`, as CSV or XLSX: (content, media type)."""
    header = [EXPORT_ONLY[0], *COLUMNS, *EXPORT_ONLY[1:]]
    homes = _home_countries(session, actor)
    page = PageParams(limit=MAX_LIMIT)
    found, total = service.list_vendors(session, actor=actor, filters=filters, page=page)
    rows = [_cells(v, homes) for v in found]
    while len(rows) < total:
        page = PageParams(limit=MAX_LIMIT, offset=len(rows))
        more, _ = service.list_vendors(session, actor=actor, filters=filters, page=page)
        rows.extend(_cells(v, homes) for v in more)
    if fmt == "xlsx":
        return tables.to_xlsx(header, rows, title="Vendors"), tables.XLSX_TYPE
    return exports.to_csv(header, rows).encode("utf-8"), "text/csv; charset=utf-8"


def _home_countries(session: Session, actor: Actor) -> dict[str, str]:
    """The country of every vendor organisation the actor may see, by id."""
    homes: dict[str, str] = {}
    flt = OrganisationFilter(kind=OrgKind.VENDOR)
    while True:
        page = PageParams(limit=MAX_LIMIT, offset=len(homes))
        orgs, total = parties.list_organisations(session, actor=actor, filters=flt, page=page)
        homes |= {o.id: o.country for o in orgs}
        if not orgs or len(homes) >= total:
            return homes


def _organisation(session: Session, actor: Actor, name: str, home: str | None) -> str:
    """The vendor organisation's id: the one recorded by that name, or a new one."""
    try:
        return parties.get_organisation(session, actor=actor, org_ref=name).id
    except NotFound:
        pass
    if not home:
        raise Invalid(
            f"{name!r} is not a recorded organisation; give its Home country so it can be added"
        )
    data = OrganisationCreate(name=name, kind=OrgKind.VENDOR, country=home)
    return parties.create_organisation(session, actor=actor, data=data).id


def _values(session: Session, actor: Actor, row: tables.Row) -> dict[str, Any]:
    values: dict[str, Any] = {f: row.get(f) for f in COLUMNS.values()}
    home = values.pop("home_country")
    if values["criticality"]:
        values["criticality"] = tables.choice(
            values["criticality"], Criticality, what="criticality"
        )
    if values["status"]:
        values["status"] = tables.choice(values["status"], VendorStatus, what="status")
    values["countries"] = tables.split_list(values["countries"])
    if values["organisation_id"]:
        values["organisation_id"] = _organisation(session, actor, values["organisation_id"], home)
    return values


def import_vendors(
    session: Session, *, actor: Actor, data: bytes, source: str, dry_run: bool
) -> tables.ImportReport:
    """Open a vendor profile for every row of a CSV or XLSX file, or none: a dry run (or any
    bad row) writes nothing and reports every bad row by its line."""
    table = tables.read_table(
        data, source=source, columns=COLUMNS, required=REQUIRED, ignored=EXPORT_ONLY
    )

    def create(row: tables.Row) -> str:
        vendor = tables.model(VendorCreate, _values(session, actor, row))
        return service.create(session, actor=actor, data=vendor).ref

    return tables.run_import(session, table, create, labels=LABELS, dry_run=dry_run)
