"""Review reminders: a secret's owner is mailed (through the outbox) once its review falls due,
once per secret and due date (the outbox's dedupe key), so the job may run any number of
times."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.inventory import repository
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.schemas import MailKind


def notify_reviews_due(session: Session, *, actor: Actor, on: date | None = None) -> list[str]:
    """Queue a reminder to the owner of each secret whose review is due; returns their refs."""
    today = on or clock.today()
    done = []
    for row in repository.reviews_due(session, today=today):
        late = (today - row.next_review_on).days
        when = "today" if late == 0 else f"{late} day(s) ago, on {row.next_review_on:%Y-%m-%d}"
        to = notifications.person_recipient(session, row.owner_id)
        queued = notifications.enqueue(
            session,
            to=to,
            kind=MailKind.SECRET_REVIEW_DUE,
            subject=f"Review of {row.ref} {row.name} is due",
            body=(
                f"Hello {to.name},\n\nThe periodic review of {row.ref} \u201c{row.name}\u201d, "
                f"which you own, fell due {when}: confirm it is still secret, still valuable "
                "and its measures are adequate.\n\n"
                f"Review it: {notifications.link(f'/secrets/{row.ref}')}\n"
            ),
            actor=actor,
            dedupe_key=f"secret-review-due:{row.id}:{row.next_review_on}",
        )
        if queued:
            done.append(row.ref)
    return done
