"""People from a spreadsheet: each row recorded through `service.create_person` (its checks,
its custody event), all in one transaction that is kept only if every row is good."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import tables
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.parties import service
from crownjewels.parties.errors import OrganisationNotFound
from crownjewels.parties.schemas import PersonCreate, PersonKind

#: header -> PersonCreate field, as the people list names them
COLUMNS = {
    "Name": "full_name",
    "Email": "email",
    "Organisation": "organisation_id",
    "Kind": "kind",
    "Country": "country",
    "Title": "title",
}
#: columns a person's record sets itself: an import skips them
EXPORT_ONLY = ("Status", "Departing on", "Departed on")
REQUIRED = ("full_name", "email", "organisation_id", "country")
LABELS = {field: header for header, field in COLUMNS.items()}


def _values(session: Session, actor: Actor, row: tables.Row) -> dict[str, Any]:
    values: dict[str, Any] = {f: row.get(f) for f in COLUMNS.values()}
    if values["kind"]:
        values["kind"] = tables.choice(values["kind"], PersonKind, what="kind")
    org = values["organisation_id"]
    if org:
        try:
            values["organisation_id"] = service.get_organisation(
                session, actor=actor, org_ref=org
            ).id
        except OrganisationNotFound:
            raise Invalid(
                f"the organisation {org!r} is not recorded; add it on the Organisations page "
                "first, or correct its name"
            ) from None
    return values


def import_people(
    session: Session, *, actor: Actor, data: bytes, source: str, dry_run: bool
) -> tables.ImportReport:
    """Record every row of a CSV or XLSX file as a person, or none: a dry run (or any bad row)
    writes nothing and reports every bad row by its line."""
    table = tables.read_table(
        data, source=source, columns=COLUMNS, required=REQUIRED, ignored=EXPORT_ONLY
    )

    def create(row: tables.Row) -> str:
        person = tables.model(PersonCreate, _values(session, actor, row))
        return service.create_person(session, actor=actor, data=person).email

    return tables.run_import(session, table, create, labels=LABELS, dry_run=dry_run)
