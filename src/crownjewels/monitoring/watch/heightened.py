"""Heightened watches: someone puts people under heightened thresholds for a reason (an
incident's containment, naming its case as the reference) until they end it or its `until`
passes; scoring reads them with the departure watches (`departures.watched_people`). Each start
and end is a custody event of the person (HEIGHTENED_WATCH_STARTED, HEIGHTENED_WATCH_ENDED) in
the caller's transaction.

Who: alerts:triage starts and ends them (those who triage alerts decide who is watched more
closely); readers of the custody log read them, as they read departure watches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.monitoring.models import HeightenedWatch
from crownjewels.monitoring.watch import repository
from crownjewels.monitoring.watch.schemas import HeightenedRead
from crownjewels.parties import service as parties

READER = fact_reader("monitoring")
#: the person is the custody subject: their history shows when they were watched more closely
SUBJECT = "person"


def _why(text: str, field: str = "reason") -> str:
    why = " ".join(text.split())
    if len(why) < 3:
        raise Invalid(
            "give the reason (at least 3 characters): it is kept with the watch", field=field
        )
    return why


def _reads(session: Session, rows: list[HeightenedWatch]) -> list[HeightenedRead]:
    names = parties.person_names(session, {r.person_id for r in rows})
    return [
        HeightenedRead(
            person_id=r.person_id,
            person_name=names.get(r.person_id, ""),
            reference=r.reference,
            reason=r.reason,
            started_at=r.started_at,
            started_by=r.started_by,
            until=r.until,
            ended_at=r.ended_at,
            ended_by=r.ended_by,
            end_reason=r.end_reason,
        )
        for r in rows
    ]


def _record(
    session: Session, actor: Actor, event: EventType, row: HeightenedWatch, **d: object
) -> None:
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.person_id,
        details={"reference": row.reference, **d},
    )


def heighten(
    session: Session,
    *,
    actor: Actor,
    person_ids: list[str],
    reference: str,
    reason: str,
    until: datetime | None = None,
) -> list[HeightenedRead]:
    """Put these people under heightened thresholds for `reference` until it is ended (or
    `until` passes), each HEIGHTENED_WATCH_STARTED; a person already heightened for the same
    reference is left as is. The watches started."""
    actor.require(Permission.ALERTS_TRIAGE, what="heightening the monitoring of people")
    why, ref = _why(reason), reference.strip()
    if not ref:
        raise Invalid("name what the watch is for (a case: IN-0004)", field="reference")
    now = clock.now()
    if until is not None and until <= now:
        raise Invalid("the end of a heightened watch must be in the future", field="until")
    have = {r.person_id for r in repository.live_heightened(session, now, reference=ref)}
    started = []
    for person_id in dict.fromkeys(person_ids):
        if person_id in have:
            continue
        person = parties.get_person(session, actor=READER, person_ref=person_id)
        row = HeightenedWatch(
            person_id=person.id,
            reference=ref,
            reason=why,
            started_at=now,
            started_by=actor.ref,
            until=until,
        )
        session.add(row)
        session.flush()
        _record(session, actor, EventType.HEIGHTENED_WATCH_STARTED, row, reason=why, until=until)
        started.append(row)
    return _reads(session, started)


def end_heightened(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    reason: str,
    person_ids: list[str] | None = None,
) -> list[HeightenedRead]:
    """End the live heightened watches of `reference` (of these people, or all of them), each
    HEIGHTENED_WATCH_ENDED; the watches ended."""
    actor.require(Permission.ALERTS_TRIAGE, what="ending a heightened watch")
    why, now = _why(reason), clock.now()
    rows = repository.live_heightened(
        session, now, reference=reference.strip(), person_ids=person_ids
    )
    for row in rows:
        row.ended_at, row.ended_by, row.end_reason = now, actor.ref, why
        session.flush()
        _record(session, actor, EventType.HEIGHTENED_WATCH_ENDED, row, reason=why)
    return _reads(session, rows)


def heightened_for(session: Session, *, actor: Actor, reference: str) -> list[HeightenedRead]:
    """The live heightened watches of a reference, oldest first (readers of the custody log)."""
    actor.require(Permission.CUSTODY_READ, what="a heightened watch")
    rows = repository.live_heightened(session, clock.now(), reference=reference.strip())
    return _reads(session, rows)


def heightened_people(session: Session) -> set[str]:
    """The ids of the people under a live heightened watch (scoring reads them)."""
    return {r.person_id for r in repository.live_heightened(session, clock.now())}
