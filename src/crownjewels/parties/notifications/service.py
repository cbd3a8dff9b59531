"""The outbox's verbs. `enqueue` is called inside the write that causes a message (the row
commits, or rolls back, with it); the sender (sender.py) mails due rows after the commit.
Bodies are plain text; `link(path)` names a page of the installation, filled in with the base
URL when the message is sent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties.notifications import repository
from crownjewels.parties.notifications.models import MailMessage, MailPreference
from crownjewels.parties.notifications.schemas import (
    ALWAYS_SENT,
    MailKind,
    MailRead,
    MailStatus,
    Preference,
)

#: in a stored body, stands for the installation's base URL (settings.base_url) until sent
BASE_URL = "{base_url}"
#: session.info key: the ids of the messages a unit of work queued (sent promptly after commit)
QUEUED = "crownjewels.mail_queued"
SUBJECT = "mail"


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: a person of the register, or a contact known only by email."""

    email: str
    name: str
    person_id: str | None = None


def link(path: str) -> str:
    """A link to a page of the installation, as a message body carries it."""
    return BASE_URL + path


def person_recipient(session: Session, person_id: str) -> Recipient:
    """The recipient for a person of the register."""
    row = repository.person(session, person_id)
    if row is None:
        raise NotFound(f"no person {person_id}")
    return Recipient(email=row.email, name=row.full_name, person_id=row.id)


def holders_of(session: Session, roles: Iterable[str]) -> list[Recipient]:
    """Everyone with an active login holding one of the roles (approvers, legal, reviewers)."""
    people = repository.people_with_roles(session, sorted(str(r) for r in roles))
    return [Recipient(email=p.email, name=p.full_name, person_id=p.id) for p in people]


def enqueue(
    session: Session,
    *,
    to: str | Recipient,
    kind: MailKind,
    subject: str,
    body: str,
    actor: Actor,
    kept_body: str | None = None,
    dedupe_key: str | None = None,
) -> MailMessage | None:
    """Queue one message in the caller's transaction (MAIL_QUEUED). `to` is a person id or a
    Recipient. Nothing is queued when the person turned the kind off, or when a message with
    the same `dedupe_key` was queued before (a job's reminder, once). `kept_body` replaces the
    body once sent (a one-time link is not kept)."""
    recipient = person_recipient(session, to) if isinstance(to, str) else to
    if (
        recipient.person_id
        and kind not in ALWAYS_SENT
        and kind.value in repository.turned_off(session, recipient.person_id)
    ):
        return None
    if dedupe_key and repository.has_key(session, dedupe_key):
        return None
    now = clock.now()
    row = MailMessage(
        recipient_person_id=recipient.person_id,
        recipient_email=recipient.email,
        recipient_name=recipient.name,
        kind=kind.value,
        subject=subject[:300],
        body=body,
        kept_body=kept_body,
        dedupe_key=dedupe_key,
        created_at=now,
        created_by=actor.ref,
        next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.MAIL_QUEUED,
        subject_type="person" if recipient.person_id else SUBJECT,
        subject_id=recipient.person_id or row.id,
        details={"message_id": row.id, "kind": kind.value, "subject": row.subject},
    )
    session.info.setdefault(QUEUED, []).append(row.id)
    return row


def status_of(row: MailMessage) -> MailStatus:
    """Sent, queued (not tried yet), retrying, or failed (given up until an admin retries)."""
    if row.sent_at:
        return MailStatus.SENT
    if row.next_attempt_at is None:
        return MailStatus.FAILED
    return MailStatus.RETRYING if row.attempts else MailStatus.QUEUED


def _read(row: MailMessage) -> MailRead:
    return MailRead(
        id=row.id,
        recipient_name=row.recipient_name,
        recipient_email=row.recipient_email,
        kind=row.kind,
        subject=row.subject,
        created_at=row.created_at,
        created_by=row.created_by,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        status=status_of(row),
    )


def list_messages(
    session: Session, *, actor: Actor, unsent_only: bool = False, page: PageParams
) -> tuple[list[MailRead], int]:
    """The outbox, newest first (admins)."""
    actor.require(Permission.USERS_MANAGE)
    rows, total = repository.page(
        session, unsent_only=unsent_only, offset=page.offset, limit=page.limit
    )
    return [_read(r) for r in rows], total


def retry(session: Session, *, actor: Actor, message_id: str) -> MailRead:
    """Make an unsent message due now (MAIL_RETRIED); the sender tries it after the commit."""
    actor.require(Permission.USERS_MANAGE)
    row = session.get(MailMessage, message_id.strip())
    if row is None:
        raise NotFound(f"the outbox holds no message {message_id}; list them with `mail list`")
    if row.sent_at:
        raise Invalid(f"the message to {row.recipient_email} was sent already; nothing to retry")
    row.next_attempt_at = clock.now()
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.MAIL_RETRIED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"attempts": row.attempts, "last_error": row.last_error},
    )
    session.info.setdefault(QUEUED, []).append(row.id)
    return _read(row)


def _person_of(actor: Actor) -> str:
    if not actor.person_id:
        raise Invalid("only a person's login has notification choices")
    return actor.person_id


def preferences(session: Session, *, actor: Actor) -> list[Preference]:
    """Each kind of mail and whether the signed-in person receives it."""
    off = repository.turned_off(session, _person_of(actor))
    return [
        Preference(
            kind=k,
            label=k.label,
            enabled=k in ALWAYS_SENT or k.value not in off,
            locked=k in ALWAYS_SENT,
        )
        for k in MailKind
    ]


def set_preferences(session: Session, *, actor: Actor, enabled: Sequence[str]) -> list[Preference]:
    """Receive exactly the `enabled` kinds (MAIL_PREFERENCES_CHANGED when anything changed)."""
    person_id = _person_of(actor)
    unknown = sorted(set(enabled) - {k.value for k in MailKind})
    if unknown:
        raise Invalid(f"there is no kind of mail {', '.join(unknown)}; choose from the list")
    rows = {r.kind: r for r in repository.preference_rows(session, person_id)}
    wanted_off = {k.value for k in MailKind if k not in ALWAYS_SENT} - set(enabled)
    if wanted_off == set(rows):
        return preferences(session, actor=actor)
    for kind in set(rows) - wanted_off:
        session.delete(rows[kind])
    for kind in wanted_off - set(rows):
        session.add(MailPreference(person_id=person_id, kind=kind, changed_at=clock.now()))
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.MAIL_PREFERENCES_CHANGED,
        subject_type="person",
        subject_id=person_id,
        details={"before": {"off": sorted(rows)}, "after": {"off": sorted(wanted_off)}},
    )
    return preferences(session, actor=actor)
