"""Monitoring's intake, the verbs other parts and capabilities call: ingest a batch of activity
in the documented format, raise a signal (a canary fired, a leak matched), keep the identities
people act under elsewhere, and apply retention."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.ids import new_id
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.monitoring import intake, mapping, storage
from crownjewels.monitoring.errors import IdentityNotFound, IdentityTaken, TooManyEvents
from crownjewels.monitoring.models import Identity
from crownjewels.monitoring.schemas import (
    Action,
    IdentityCreate,
    IdentityKind,
    IdentityRead,
    IngestResult,
    PurgeResult,
    Signal,
)
from crownjewels.monitoring.scoring import queue
from crownjewels.parties import service as parties

#: how activity may arrive through `ingest` (custody and signal are monitoring's own)
CHANNELS = frozenset({"api", "file", "syslog"})
#: the custody subject of a batch of activity
BATCH_SUBJECT = "activity-batch"


def ingest(
    session: Session, *, actor: Actor, lines: Iterable[intake.Line], channel: str
) -> IngestResult:
    """Store a batch of activity (parsed dicts or raw NDJSON lines; at most 10,000): each bad
    line named with its number and reason, the good ones kept, mapped to people and secrets,
    queued for scoring; one ACTIVITY_INGESTED custody event for the batch."""
    actor.require(Permission.ACTIVITY_INGEST, what="sending activity to monitoring")
    if channel not in CHANNELS:
        raise Invalid(
            f"channel {channel!r} is not one of {', '.join(sorted(CHANNELS))}", field="channel"
        )
    try:
        parsed = intake.parse(lines)
    except intake.BatchTooLarge as exc:
        raise TooManyEvents(str(exc)) from None
    if not parsed.events:
        return IngestResult(accepted=0, rejected=parsed.rejected)
    maps = mapping.load(session)
    received_at = clock.now()
    rows = [
        intake.to_row(event, maps, channel=channel, received_at=received_at)
        for _number, event in parsed.events
    ]
    stored = storage.store(session, rows)
    unknown = sum(1 for r in rows if r["person_id"] is None)
    unclassified = sum(1 for r in rows if r["secret_id"] is None)
    sources = Counter(r["source"] for r in rows)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ACTIVITY_INGESTED,
        subject_type=BATCH_SUBJECT,
        subject_id=new_id(),
        details={
            "channel": channel,
            "accepted": len(rows),
            "rejected": len(parsed.rejected),
            "unknown_actors": unknown,
            "unclassified": unclassified,
            "first_event_id": stored.ids[0],
            "last_event_id": stored.ids[-1],
            "sources": dict(sources.most_common(20)),
            "earliest": min(r["occurred_at"] for r in rows).isoformat(),
            "latest": max(r["occurred_at"] for r in rows).isoformat(),
        },
    )
    return IngestResult(
        accepted=len(rows),
        rejected=parsed.rejected,
        unknown_actors=unknown,
        unclassified=unclassified,
    )


def unscored(session: Session) -> queue.Head | None:
    """The events waiting to be scored: the oldest (its id, when it was received) and the
    newest id (None: none waits). The activity API's backpressure asks before queueing."""
    return queue.head(session)


def raise_signal(session: Session, *, actor: Actor, signal: Signal) -> int:
    """Report what another capability saw (a canary fired, a scan matched a secret, a watchlist
    hit) as an activity event with action `signal`, scored like any other; returns its id.
    The calling capability has already decided it happened: no permission is asked here."""
    maps = mapping.load(session)
    who = maps.people.of(signal.actor)
    details = {
        **signal.details,
        "kind": signal.kind.value,
        "summary": signal.summary,
        "reference": signal.reference,
        "severity": signal.severity.value,
    }
    row = {
        "occurred_at": signal.occurred_at,
        "received_at": clock.now(),
        "actor": signal.actor[:320],
        "person_id": who.person_id if who else None,
        "organisation_id": who.organisation_id if who else None,
        "action": Action.SIGNAL.value,
        "resource": signal.reference,
        "secret_id": signal.secret_id,
        "document_id": None,
        "bytes": None,
        "ip": signal.ip,
        "country": signal.country.upper() if signal.country else None,
        "device": None,
        "source": "crownjewels",
        "channel": "signal",
        "custody_seq": None,
        "details": details,
    }
    event_id = storage.store(session, [row]).ids[0]
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ACTIVITY_INGESTED,
        subject_type=BATCH_SUBJECT,
        subject_id=new_id(),
        details={
            "channel": "signal",
            "accepted": 1,
            "first_event_id": event_id,
            "last_event_id": event_id,
            "signal": signal.kind.value,
            "reference": signal.reference,
            "secret_id": signal.secret_id,
            "severity": signal.severity.value,
        },
    )
    return event_id


# --- identities -------------------------------------------------------------------------


def _identity_read(row: Identity, names: dict[str, str]) -> IdentityRead:
    read = IdentityRead.model_validate(row)
    read.person_name = names.get(row.person_id)
    return read


def add_identity(session: Session, *, actor: Actor, data: IdentityCreate) -> IdentityRead:
    """Link another name (an email, a username, a key id) to a person, so that other systems'
    activity under it is theirs (from now on: stored events keep what they were mapped to)."""
    actor.require(Permission.ACTIVITY_MANAGE, what="linking an identity to a person")
    person_id = parties.person_id_by_label(session, actor=actor, label=data.person)
    value = data.value.strip().lower()
    taken = session.scalar(
        select(Identity).where(Identity.kind == data.kind.value, Identity.value == value)
    )
    if taken is not None:
        owner = parties.person_names(session, {taken.person_id}).get(taken.person_id, "someone")
        raise IdentityTaken(
            f"the {data.kind.value} {value!r} is already {owner}'s; remove it there first "
            "(`crownjewels monitor identities remove`)"
        )
    if data.kind is IdentityKind.EMAIL:
        holder = mapping.load_people(session).of(value)
        if holder is not None and holder.person_id != person_id:
            holder_name = parties.person_names(session, {holder.person_id}).get(holder.person_id)
            raise IdentityTaken(
                f"{value!r} is {holder_name}'s own email; it cannot name someone else"
            )
    row = Identity(
        person_id=person_id,
        kind=data.kind.value,
        value=value,
        created_at=clock.now(),
        created_by=actor.ref,
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.IDENTITY_ADDED,
        subject_type="person",
        subject_id=person_id,
        details={"identity_id": row.id, "kind": row.kind, "value": row.value},
    )
    return _identity_read(row, parties.person_names(session, {person_id}))


def remove_identity(session: Session, *, actor: Actor, identity_id: str) -> IdentityRead:
    """Unlink an identity (the custody log keeps what it was)."""
    actor.require(Permission.ACTIVITY_MANAGE, what="unlinking an identity")
    row = session.get(Identity, identity_id)
    if row is None:
        raise IdentityNotFound(
            f"no identity {identity_id!r}; `crownjewels monitor identities list` shows them"
        )
    read = _identity_read(row, parties.person_names(session, {row.person_id}))
    session.delete(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.IDENTITY_REMOVED,
        subject_type="person",
        subject_id=row.person_id,
        details={"identity_id": identity_id, "kind": row.kind, "value": row.value},
    )
    return read


def identities_of(session: Session, *, actor: Actor, person_ref: str) -> list[IdentityRead]:
    """The identities linked to one person (by email, name or id)."""
    actor.require(Permission.PARTIES_READ, what="listing a person's identities")
    person_id = parties.person_id_by_label(session, actor=actor, label=person_ref)
    rows = session.scalars(
        select(Identity)
        .where(Identity.person_id == person_id)
        .order_by(Identity.kind, Identity.value)
    ).all()
    names = parties.person_names(session, {person_id})
    return [_identity_read(r, names) for r in rows]


def list_identities(session: Session, *, actor: Actor) -> list[IdentityRead]:
    """Every identity, by person then kind and value."""
    actor.require(Permission.PARTIES_READ, what="listing identities")
    rows = session.scalars(select(Identity).order_by(Identity.value)).all()
    names = parties.person_names(session, {r.person_id for r in rows})
    return sorted(
        (_identity_read(r, names) for r in rows),
        key=lambda r: (r.person_name or "", r.kind, r.value),
    )


# --- retention --------------------------------------------------------------------------


def purge_activity(
    session: Session, *, actor: Actor, days: int, now: datetime | None = None
) -> PurgeResult:
    """Remove activity older than `days` (PostgreSQL: whole month partitions; SQLite: rows),
    recording ACTIVITY_PURGED when anything went."""
    actor.require(Permission.ACTIVITY_MANAGE, what="applying monitoring's retention")
    if days < 1:
        raise Invalid("retention is at least one day", field="days")
    purged = storage.purge_before(session, storage.retention_cutoff(days, now=now))
    if purged.partitions or purged.rows:
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ACTIVITY_PURGED,
            subject_type=BATCH_SUBJECT,
            subject_id=new_id(),
            details={
                "retention_days": days,
                "cutoff": purged.cutoff.isoformat(),
                "partitions": purged.partitions,
                "rows": purged.rows,
            },
        )
    return PurgeResult(cutoff=purged.cutoff, partitions=purged.partitions, rows=purged.rows)
