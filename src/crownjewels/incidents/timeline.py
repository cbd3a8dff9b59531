"""One timeline of a case: its own events and notes, merged with the custody events of the
secrets, people and organisations it concerns (what was done to them and what the people did:
their accesses), the alerts naming them and the copies disclosed to them, oldest first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import labels, words
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventFilter, EventRead, EventType
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import LedgerFilter
from crownjewels.incidents import repository
from crownjewels.incidents import service as cases
from crownjewels.incidents.models import Incident
from crownjewels.incidents.schemas import TimelineEntry
from crownjewels.monitoring.triage import service as triage
from crownjewels.monitoring.triage.schemas import AlertFilter, StatusFilter
from crownjewels.parties import accounts

#: how far before the occurrence (or discovery) the people's and secrets' events are shown
LOOK_BACK = timedelta(days=90)
#: the most events taken from one subject, and the most lines of a timeline
PER_SUBJECT = 200
LIMIT = 1_000


def _case_detail(event: EventRead) -> str:
    """What a case's own event changed, in a few words."""
    d = event.details
    if event.event_type == EventType.INCIDENT_STATUS_CHANGED:
        return f"{d.get('from')} → {d.get('to')}"
    if event.event_type in (EventType.INCIDENT_TASK_ADDED, EventType.INCIDENT_TASK_CHANGED):
        what = d.get("status") or d.get("title") or ("reassigned" if "owner" in d else "")
        return f"task {d.get('task')}" + (f": {what}" if what else "")
    if event.event_type in (EventType.INCIDENT_MEMBER_ADDED, EventType.INCIDENT_MEMBER_REMOVED):
        return str(d.get("role", ""))
    if event.event_type == EventType.INCIDENT_NOTICE_GIVEN:
        return str(d.get("name", ""))
    if event.event_type == EventType.INCIDENT_CLOCK_NOTIFIED:
        return f"{d.get('clock')} {str(d.get('stage', '')).replace('-', ' ')}"
    if event.event_type == EventType.INCIDENT_UPDATED:
        return ", ".join(str(k).replace("_", " ") for k in d.get("changed", {}))
    return ""


def _custody_line(event: EventRead, source: str, found: dict[str, labels.Label]) -> TimelineEntry:
    about = found.get(labels.subject_key(event.subject_type, event.subject_id))
    who = found.get(event.actor)
    text = words.event_words(event.event_type)
    if about and source != "case":
        text += f": {about.text}"
    detail = _case_detail(event) if source == "case" else ""
    if detail:
        text += f": {detail}"
    note = event.details.get("note") if isinstance(event.details, dict) else None
    if isinstance(note, str) and note:
        text += f" ({note})"
    return TimelineEntry(
        at=event.recorded_at,
        source=source,
        text=text,
        who=who.text if who else event.actor,
        ref=f"#{event.seq}",
        url=f"/custody/{event.seq}",
    )


def _custody(session: Session, actor: Actor, row: Incident) -> list[tuple[EventRead, str]]:
    """The case's events, its subjects' events and the people's own actions."""
    out = [
        (e, "case")
        for e in custody.history(session, subject_type="incident", subject_id=row.id, limit=LIMIT)
    ]
    if not actor.can(P.CUSTODY_READ):
        return out
    since = (row.occurred_at or row.discovered_at) - LOOK_BACK
    for subject in repository.subjects_of(session, row.id):
        flt = EventFilter(subject_type=subject.kind, subject_id=subject.subject_id, since=since)
        out += [
            (e, "custody")
            for e in custody.events_for_export(session, actor=actor, filters=flt, limit=PER_SUBJECT)
        ]
        if subject.kind == "person":
            user_id = accounts.user_for_person(session, person_id=subject.subject_id)
            if user_id:
                flt = EventFilter(actor=f"user:{user_id}", since=since)
                out += [
                    (e, "access")
                    for e in custody.events_for_export(
                        session, actor=actor, filters=flt, limit=PER_SUBJECT
                    )
                ]
    return out


def _alerts(session: Session, actor: Actor, refs: dict[str, list[str]]) -> list[TimelineEntry]:
    if not actor.can(P.ALERTS_READ):
        return []
    seen: dict[str, TimelineEntry] = {}
    filters = [AlertFilter(status=StatusFilter.ALL, person=r) for r in refs["person"]]
    filters += [AlertFilter(status=StatusFilter.ALL, secret=r) for r in refs["secret"]]
    for flt in filters:
        try:
            alerts = triage.list_alerts(
                session, actor=actor, filters=flt, page=PageParams(limit=100)
            ).alerts
        except CrownJewelsError:
            continue
        for a in alerts:
            seen[a.ref] = TimelineEntry(
                at=a.created_at,
                source="alert",
                text=f"Alert {a.ref} ({a.severity}): {a.title}",
                who=a.person_name,
                ref=a.ref,
                url=f"/alerts/{a.ref}",
            )
    return list(seen.values())


def _copies(session: Session, actor: Actor, refs: dict[str, list[str]]) -> list[TimelineEntry]:
    if not actor.can(P.DISCLOSURES_READ):
        return []
    people = set(refs["person_names"])
    out: dict[str, TimelineEntry] = {}
    for secret in refs["secret"]:
        try:
            entries = ledger.list_entries(session, actor=actor, filters=LedgerFilter(secret=secret))
        except CrownJewelsError:
            continue
        for e in entries:
            if people and e.recipient_name not in people:
                continue
            out[e.id] = TimelineEntry(
                at=e.disclosed_at,
                source="copy",
                text=(
                    f"{e.secret_ref} disclosed to {e.recipient_name} "
                    f"({e.recipient_organisation_name}) by {e.channel}"
                ),
                who=e.recipient_name,
                ref=e.secret_ref,
                url=f"/ledger?secret={e.secret_ref}",
            )
    return list(out.values())


def timeline(session: Session, *, actor: Actor, ref: str) -> list[TimelineEntry]:
    """The case's timeline, oldest first (at most LIMIT lines, the newest kept)."""
    row = cases.row(session, actor, ref)
    events = _custody(session, actor, row)
    keys = {e.actor for e, _ in events} | {
        labels.subject_key(e.subject_type, e.subject_id) for e, _ in events
    }
    found = labels.refs(session, keys)
    seen: set[int] = set()
    lines: list[TimelineEntry] = []
    for event, source in events:
        if event.seq in seen or event.event_type == EventType.INCIDENT_NOTE_ADDED:
            continue
        seen.add(event.seq)
        lines.append(_custody_line(event, source, found))
    for note in repository.notes_of(session, row.id):
        lines.append(
            TimelineEntry(
                at=note.created_at,
                source="note",
                text=note.body,
                who=labels.actor_text(session, note.author),
            )
        )
    read = cases.read(session, row)
    refs: dict[str, list[str]] = {
        "person": [s.ref for s in read.subjects if s.kind == "person"],
        "person_names": [s.name for s in read.subjects if s.kind == "person"],
        "secret": [s.ref for s in read.subjects if s.kind == "secret"],
    }
    lines += _alerts(session, actor, refs) + _copies(session, actor, refs)
    lines.sort(key=lambda t: t.at)
    return lines[-LIMIT:]
