"""What a person (or everyone of an organisation) accessed in a period, from the custody log:
the marked copies issued to them (COPY_ISSUED), the documents they read in the vault
(DOCUMENT_READ, by their login) and the requests the access rules denied them
(ACCESS_DENIED). The offboarding report, as JSON or CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.access.offboarding.schemas import AccessEntry, AccessReport
from crownjewels.core import clock, exports
from crownjewels.core.actor import fact_reader
from crownjewels.core.pagination import MAX_LIMIT, PageParams
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventFilter, EventRead, EventType
from crownjewels.parties import accounts
from crownjewels.parties import service as parties

REPORT_DAYS = 90
#: the installation reads the log for the report (the callers check grants:read)
READER = fact_reader("access")


def _events(session: Session, flt: EventFilter) -> Iterator[EventRead]:
    offset = 0
    while True:
        page = PageParams(limit=MAX_LIMIT, offset=offset)
        rows, total = custody.list_events(session, actor=READER, filters=flt, page=page)
        yield from rows
        offset += len(rows)
        if not rows or offset >= total:
            return


def _entry(event: EventRead, pid: str, names: dict[str, str], **kw: Any) -> AccessEntry:
    return AccessEntry(
        at=event.recorded_at,
        event_type=event.event_type,
        person_id=pid,
        person_name=names.get(pid, pid),
        seq=event.seq,
        **kw,
    )


def build(
    session: Session, *, person_ids: list[str], days: int = REPORT_DAYS, at: datetime | None = None
) -> AccessReport:
    """The report of the people's accesses over the last `days`."""
    until = at or clock.now()
    since = until - timedelta(days=days)
    wanted = set(person_ids)
    names = parties.person_names(session, wanted)
    entries: list[AccessEntry] = []
    for event in _events(session, EventFilter(event_type=EventType.COPY_ISSUED, since=since)):
        pid = event.details.get("recipient_person_id")
        if pid in wanted:
            entries.append(
                _entry(
                    event,
                    pid,
                    names,
                    document_id=event.details.get("document_id"),
                    detail=f"copy via {event.details.get('channel')}: "
                    f"{event.details.get('purpose') or ''}".strip(),
                )
            )
    for event in _events(session, EventFilter(event_type=EventType.ACCESS_DENIED, since=since)):
        pid = event.details.get("person_id")
        if pid in wanted:
            reasons = [r.get("message", "") for r in event.details.get("reasons", [])]
            entries.append(
                _entry(
                    event,
                    pid,
                    names,
                    secret_id=event.subject_id,
                    document_id=event.details.get("document_id"),
                    detail=f"denied {event.details.get('action')}: " + "; ".join(reasons),
                )
            )
    for pid in person_ids:
        user_id = accounts.user_for_person(session, person_id=pid)
        if not user_id:
            continue
        flt = EventFilter(event_type=EventType.DOCUMENT_READ, actor=f"user:{user_id}", since=since)
        for event in _events(session, flt):
            entries.append(
                _entry(
                    event,
                    pid,
                    names,
                    document_id=event.subject_id,
                    detail=f"read version {event.details.get('version')}",
                )
            )
    entries.sort(key=lambda e: e.seq)
    return AccessReport(since=since, until=until, person_ids=person_ids, entries=entries)


CSV_FIELDS = (
    "at",
    "event_type",
    "person_name",
    "person_id",
    "secret_id",
    "document_id",
    "detail",
    "seq",
)


def to_csv(report: AccessReport) -> str:
    """The report's entries as CSV."""
    return exports.dicts_to_csv(
        CSV_FIELDS, (entry.model_dump(mode="json") for entry in report.entries)
    )
