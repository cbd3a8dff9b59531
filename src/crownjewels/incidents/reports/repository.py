"""Every query of the report channel: reports by reference and by follow-up code, the reports a
case handler may see (never those naming them), their messages, the protected people and the
approvals of adverse actions against them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, String, cast, func, not_, select
from sqlalchemy.orm import Session

from crownjewels.incidents.models import Approval, Incident, Protected, Report, ReportMessage

#: a person id (a ULID): nothing in it means anything to LIKE
_ID = re.compile(r"^[0-9A-Za-z]{1,40}$")


def _names(person_id: str) -> ColumnElement[bool]:
    """True where a report names the person as involved (its `involved_people` JSON list holds
    the id in quotes), the same on SQLite and PostgreSQL."""
    if not _ID.match(person_id):
        raise ValueError(f"not a person id: {person_id!r}")
    return cast(Report.involved_people, String).like(f'%"{person_id}"%')


def visible_query(person_id: str | None) -> Select[Report]:
    """Every report, newest first, but those naming `person_id` as involved (routed away)."""
    query = select(Report).order_by(Report.received_at.desc(), Report.ref.desc())
    if person_id:
        query = query.where(not_(_names(person_id)))
    return query


def visible_ids(person_id: str) -> Select[tuple[str]]:
    """The ids of the reports a handler with this person may see (for the vault)."""
    return select(Report).where(not_(_names(person_id))).with_only_columns(Report.id)


def by_ref(session: Session, ref: str) -> Report | None:
    """A report by its reference (RP-0003), however it was typed."""
    return session.scalar(select(Report).where(Report.ref == ref.strip().upper()))


def by_code_hash(session: Session, digest: str) -> Report | None:
    """The report whose follow-up code has this SHA-256."""
    return session.scalar(select(Report).where(Report.code_hash == digest))


def reports(session: Session, person_id: str | None, statuses: Iterable[str] = ()) -> list[Report]:
    """The reports a handler may see, of some statuses (all when none are given)."""
    query = visible_query(person_id)
    wanted = list(statuses)
    if wanted:
        query = query.where(Report.status.in_(wanted))
    return list(session.scalars(query))


def messages_of(session: Session, report_id: str) -> list[ReportMessage]:
    """A report's messages, oldest first."""
    query = select(ReportMessage).where(ReportMessage.report_id == report_id)
    return list(session.scalars(query.order_by(ReportMessage.created_at, ReportMessage.id)))


def last_from_reporter(session: Session, report_ids: list[str]) -> set[str]:
    """Of these reports, those whose last message is the reporter's (waiting for a reply)."""
    if not report_ids:
        return set()
    last = (
        select(ReportMessage.report_id, func.max(ReportMessage.created_at).label("at"))
        .where(ReportMessage.report_id.in_(report_ids))
        .group_by(ReportMessage.report_id)
        .subquery()
    )
    query = select(ReportMessage.report_id).join(
        last,
        (last.c.report_id == ReportMessage.report_id) & (last.c.at == ReportMessage.created_at),
    )
    return set(session.scalars(query.where(ReportMessage.from_reporter.is_(True))))


def case_refs(session: Session, incident_ids: set[str]) -> dict[str, str]:
    """The references of some cases by id."""
    if not incident_ids:
        return {}
    query = select(Incident.id, Incident.ref).where(Incident.id.in_(incident_ids))
    return {i: r for i, r in session.execute(query)}


def protected(session: Session, person_id: str) -> Protected | None:
    """The protection of a person (one indexed lookup: the primary key)."""
    return session.get(Protected, person_id)


def protected_by_report(session: Session, report_id: str) -> Protected | None:
    """The person a report's reporter was matched to and protected, if any."""
    return session.scalar(select(Protected).where(Protected.report_id == report_id))


def approval_by_ref(session: Session, ref: str) -> Approval | None:
    """An approval by its reference (AA-0001)."""
    return session.scalar(select(Approval).where(Approval.ref == ref.strip().upper()))


def open_approval(
    session: Session, person_id: str, action: str, target: str, statuses: Iterable[str]
) -> Approval | None:
    """The oldest approval of exactly this action on this target in one of the statuses."""
    query = select(Approval).where(
        Approval.person_id == person_id,
        Approval.action == action,
        func.lower(Approval.target) == target.strip().lower(),
        Approval.status.in_(list(statuses)),
    )
    return session.scalar(query.order_by(Approval.requested_at, Approval.ref).limit(1))


def approvals(
    session: Session, *, status: str | None = None, requested_by: str | None = None
) -> list[Approval]:
    """Approvals newest first, of a status and of a requester when given."""
    query = select(Approval).order_by(Approval.requested_at.desc(), Approval.ref.desc())
    if status:
        query = query.where(Approval.status == status)
    if requested_by:
        query = query.where(Approval.requested_by == requested_by)
    return list(session.scalars(query))


def protections_of(session: Session, person_ids: set[str]) -> dict[str, Protected]:
    """The protections of some people, by person id."""
    if not person_ids:
        return {}
    rows = session.scalars(select(Protected).where(Protected.person_id.in_(person_ids)))
    return {p.person_id: p for p in rows}
