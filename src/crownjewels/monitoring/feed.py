"""The custody log as activity: every custody event that is an access (sign-ins and failed
sign-ins, document reads, copies issued and portal downloads, refusals, grant changes,
exports) becomes an activity event, read through a cursor.

The cursor (`monitoring_cursor` row `custody`) holds the last custody seq read, and moves in
the transaction that stores what it read: a pass that fails stores nothing and moves nothing,
so no event is missed and none is read twice, and a stopped feed resumes where it was. The
custody log's seqs are given under its append lock and committed in their order (the lock is
held to the commit), so when seq n is visible, every seq before it is too.

Which events are accesses, and what each says, is the table `ACCESSES` below: the action,
and who acted (the custody actor's person, or the person an event names: a copy's recipient,
a refused person)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventRead, EventType
from crownjewels.monitoring import mapping, storage
from crownjewels.monitoring.models import Cursor
from crownjewels.monitoring.schemas import Action, FeedResult
from crownjewels.vault import service as vault

#: the cursor's name
CURSOR = "custody"
#: custody events read per pass
BATCH = 5_000
#: pg_advisory_xact_lock key: one feed pass at a time ("CJMONFED" as a 64-bit integer)
FEED_LOCK_KEY = int.from_bytes(b"CJMONFED", "big") - 2**63
#: the owner type of a secret's documents in the vault
SECRET_DOCUMENTS = "secret"


@dataclass(frozen=True)
class Access:
    """How one custody event type reads as activity."""

    action: Action
    #: the detail naming the person the event is about (None: the person of the custody actor)
    person_detail: str | None = None
    #: where the document is: the event's subject, a detail, or nowhere
    document: Callable[[EventRead, dict[str, Any]], str | None] = lambda _e, _d: None
    #: where the secret is (otherwise the document's owner, when a secret)
    secret: Callable[[EventRead, dict[str, Any]], str | None] = lambda _e, _d: None


def _subject(event: EventRead, _details: dict[str, Any]) -> str | None:
    return event.subject_id


def _detail(name: str) -> Callable[[EventRead, dict[str, Any]], str | None]:
    def read(_event: EventRead, details: dict[str, Any]) -> str | None:
        value = details.get(name)
        return str(value) if value else None

    return read


_GRANT = Access(Action.GRANT_CHANGE, secret=_detail("secret_id"))

#: the custody event types that are accesses, and how each reads
ACCESSES: dict[str, Access] = {
    EventType.USER_LOGIN_SUCCEEDED: Access(Action.LOGIN),
    EventType.USER_LOGIN_FAILED: Access(Action.FAILED_LOGIN),
    EventType.DOCUMENT_READ: Access(Action.VIEW, document=_subject),
    EventType.COPY_ISSUED: Access(
        Action.COPY, person_detail="recipient_person_id", document=_detail("document_id")
    ),
    EventType.ACCESS_DENIED: Access(
        Action.DENIED,
        person_detail="person_id",
        document=_detail("document_id"),
        secret=_subject,
    ),
    EventType.ACCESS_GRANT_REQUESTED: _GRANT,
    EventType.ACCESS_GRANT_APPROVED: _GRANT,
    EventType.ACCESS_GRANT_DENIED: _GRANT,
    EventType.ACCESS_GRANT_EXPANDED: _GRANT,
    EventType.ACCESS_GRANT_STATUS_CHANGED: _GRANT,
    EventType.CUSTODY_EXPORTED: Access(Action.EXPORT),
}


def _who(
    event: EventRead, access: Access, details: dict[str, Any], maps: mapping.Mapping
) -> tuple[str, str | None, str | None]:
    """(actor as recorded, person id, organisation id) of an access."""
    kind, _, ident = event.actor.partition(":")
    who = maps.people.of_user(ident) if kind == "user" else None
    if access.person_detail:
        named = details.get(access.person_detail)
        if named:
            by_id = maps.people.by_person.get(str(named))
            return event.actor, str(named), by_id.organisation_id if by_id else None
    if who is None and event.event_type == EventType.USER_LOGIN_FAILED:
        # the failed sign-in's subject: the user it was for, or the keyed hash of an unknown name
        if event.subject_type == "user":
            who = maps.people.of_user(event.subject_id)
        else:
            return f"unknown login {event.subject_id[:12]}", None, None
    if who is None:
        return event.actor, None, None
    return event.actor, who.person_id, who.organisation_id


def to_row(
    event: EventRead,
    maps: mapping.Mapping,
    owners: dict[str, tuple[str, str]],
    *,
    received_at: datetime,
) -> dict[str, Any] | None:
    """A custody event as a row of activity_event, or None when it is not an access."""
    access = ACCESSES.get(event.event_type)
    if access is None:
        return None
    details = event.details
    actor, person_id, organisation_id = _who(event, access, details, maps)
    document_id = access.document(event, details)
    secret_id = access.secret(event, details)
    if secret_id is None and document_id in owners:
        owner_type, owner_id = owners[document_id]
        secret_id = owner_id if owner_type == SECRET_DOCUMENTS else None
    action = access.action
    if event.event_type == EventType.COPY_ISSUED and details.get("channel") == "portal":
        action = Action.DOWNLOAD  # a vendor user taking their own copy in the portal
    return {
        "occurred_at": event.recorded_at,
        "received_at": received_at,
        "actor": actor[:320],
        "person_id": person_id,
        "organisation_id": organisation_id,
        "action": action.value,
        "resource": f"crownjewels:{event.subject_type}/{event.subject_id}",
        "secret_id": secret_id,
        "document_id": document_id,
        "bytes": details.get("size") if isinstance(details.get("size"), int) else None,
        "ip": None,
        "country": None,
        "device": None,
        "source": "crownjewels",
        "channel": "custody",
        "custody_seq": event.seq,
        "details": _kept_details(event, details),
    }


def _kept_details(event: EventRead, details: dict[str, Any]) -> dict[str, Any]:
    """What an alert's reader needs of the custody event: its type and the few facts that name
    what happened (a grant's ref and level, a refusal's reasons, a copy's channel)."""
    kept: dict[str, Any] = {"custody_event": event.event_type}
    for name in ("ref", "level", "channel", "purpose", "reason", "mfa", "recipient", "version"):
        if name in details:
            kept[name] = details[name]
    if "reasons" in details:
        kept["reasons"] = [r.get("message", "") for r in details["reasons"] if isinstance(r, dict)]
    if event.event_type == EventType.COPY_ISSUED:
        kept["issued_by"] = event.actor
    return kept


def _cursor(session: Session) -> Cursor:
    """The feed's cursor, locked for this pass (created at 0 on first use)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})
    row = session.get(Cursor, CURSOR, populate_existing=True)
    if row is None:
        row = Cursor(name=CURSOR, position=0, updated_at=clock.now())
        session.add(row)
        session.flush()
    return row


def run_once(session: Session, *, limit: int = BATCH) -> FeedResult:
    """Read the custody events after the cursor (at most `limit`), store the accesses among
    them as activity and move the cursor, all in the caller's transaction."""
    cursor = _cursor(session)
    events = custody.events_after(session, seq=cursor.position, limit=limit)
    if not events:
        return FeedResult(read=0, stored=0, position=cursor.position)
    accesses = [e for e in events if e.event_type in ACCESSES]
    rows: list[dict[str, Any]] = []
    if accesses:
        maps = mapping.load(session)
        documents = {
            d for e in accesses if (d := ACCESSES[e.event_type].document(e, e.details)) is not None
        }
        owners = vault.owners_of(session, document_ids=documents)
        received_at = clock.now()
        for event in accesses:
            row = to_row(event, maps, owners, received_at=received_at)
            if row is not None:
                rows.append(row)
        storage.store(session, rows)
    cursor.position = events[-1].seq
    cursor.updated_at = clock.now()
    session.flush()
    return FeedResult(read=len(events), stored=len(rows), position=cursor.position)
