"""People from a spreadsheet: each row recorded through `service.create_person` (its checks,
its custody event), all in one transaction that is kept only if every row is good. A row with
a notice date and last day also records the departure (`service.depart_person`); for a person
already recorded (same email) such a row records only the departure: HR's list of leavers."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import tables
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.parties import service
from crownjewels.parties.errors import OrganisationNotFound, PersonNotFound
from crownjewels.parties.schemas import Departure, PersonCreate, PersonKind

#: header -> PersonCreate field, as the people list names them
COLUMNS = {
    "Name": "full_name",
    "Email": "email",
    "Organisation": "organisation_id",
    "Kind": "kind",
    "Country": "country",
    "Title": "title",
    # HR's departure columns: a notice date opens a departure watch (monitoring)
    "Notice date": "notice_on",
    "Last day": "last_day",
}
#: columns a person's record sets itself: an import skips them
EXPORT_ONLY = ("Status", "Departing on", "Departed on")
REQUIRED = ("full_name", "email", "organisation_id", "country")
#: columns that record a departure rather than describe the person
DEPARTURE = ("notice_on", "last_day")
LABELS = {field: header for header, field in COLUMNS.items()}


def _values(session: Session, actor: Actor, row: tables.Row) -> dict[str, Any]:
    values: dict[str, Any] = {f: row.get(f) for f in COLUMNS.values() if f not in DEPARTURE}
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
        departure = _departure(row)
        email = (row.get("email") or "").strip()
        if departure is not None and email and _exists(session, actor, email):
            # a known person's row with departure dates records their notice (HR's list)
            service.depart_person(session, actor=actor, person_ref=email, departure=departure)
            return email.lower()
        person = tables.model(PersonCreate, _values(session, actor, row))
        made = service.create_person(session, actor=actor, data=person)
        if departure is not None:
            service.depart_person(session, actor=actor, person_ref=made.id, departure=departure)
        return made.email

    return tables.run_import(session, table, create, labels=LABELS, dry_run=dry_run)


def _departure(row: tables.Row) -> Departure | None:
    """The row's notice date and last day, when it gives either."""
    notice, last = row.get("notice_on"), row.get("last_day")
    if not notice and not last:
        return None
    departure: Departure = tables.model(Departure, {"on": last, "notice_on": notice})
    return departure


def _exists(session: Session, actor: Actor, email: str) -> bool:
    try:
        service.get_person(session, actor=actor, person_ref=email)
    except PersonNotFound:
        return False
    return True
