"""The mail a grant's life sends through the outbox (queued in the grant's own transaction):
the approvers told a grant waits for them, the requester told of the decision."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.access.models import Grant
from crownjewels.core.actor import Actor
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import service as parties
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.schemas import MailKind


def _lines(session: Session, row: Grant, secret: SecretRead) -> str:
    """The grant in the words people read: refs, names, level, dates, purpose, link."""
    names = parties.person_names(
        session, {i for i in (row.person_id, row.requester_person_id) if i}
    )
    holder = names.get(row.person_id or "", "everyone at an organisation")
    return (
        f"Grant: {row.ref}\n"
        f"Secret: {secret.ref} {secret.name}\n"
        f"For: {holder}\n"
        f"Access: {row.level}, until {row.expires_at:%Y-%m-%d}\n"
        f"Purpose: {row.purpose}\n"
        f"Requested by: {names.get(row.requester_person_id or '', 'the system')}\n\n"
        f"Open it: {notifications.link(f'/access/grants/{row.ref}')}\n"
    )


def to_approvers(
    session: Session,
    *,
    actor: Actor,
    row: Grant,
    secret: SecretRead,
    recipients: list[notifications.Recipient],
) -> None:
    """Tell each approver (other than the actor) that the grant waits for their approval."""
    for to in recipients:
        if to.person_id and to.person_id == actor.person_id:
            continue
        notifications.enqueue(
            session,
            to=to,
            kind=MailKind.GRANT_TO_APPROVE,
            subject=f"{row.ref} waits for your approval: access to {secret.ref} {secret.name}",
            body=f"Hello {to.name},\n\nAn access grant waits for your approval.\n\n"
            + _lines(session, row, secret),
            actor=actor,
        )


def to_requester(
    session: Session, *, actor: Actor, row: Grant, secret: SecretRead, approved: bool
) -> None:
    """Tell the requester the grant was approved or denied (with the reason)."""
    if not row.requester_person_id or row.requester_person_id == actor.person_id:
        return
    verdict = "approved" if approved else "denied"
    why = "" if approved else f"Reason: {row.status_reason}\n"
    to = notifications.person_recipient(session, row.requester_person_id)
    notifications.enqueue(
        session,
        to=to,
        kind=MailKind.GRANT_DECIDED,
        subject=f"{row.ref} {verdict}: access to {secret.ref} {secret.name}",
        body=f"Hello {to.name},\n\nYour access request was {verdict} by {actor.name}.\n{why}\n"
        + _lines(session, row, secret),
        actor=actor,
    )
