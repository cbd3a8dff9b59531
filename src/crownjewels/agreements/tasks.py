"""What waits for a person in agreements: renewals inside their notice window (legal, and
whoever may change agreements)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.agreements import repository, rules
from crownjewels.agreements.reads import terms_of_status
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.core.tasks import Task

#: the longest renewal notice the form accepts: every window fits inside it
LONGEST_NOTICE_DAYS = 3650


def tasks_for(session: Session, *, actor: Actor) -> list[Task]:
    """Agreements in force inside their renewal window, soonest expiry first."""
    if not actor.can(Permission.AGREEMENTS_WRITE):
        return []
    today = clock.today()
    rows = repository.expiring(
        session, today=today, until=today + timedelta(days=LONGEST_NOTICE_DAYS)
    )
    return [
        Task(
            kind="renew-agreement",
            group="Renewals",
            title=f"Renew or let lapse {row.ref} {row.title}",
            href=f"/agreements/{row.ref}",
            due_on=row.expires_on,
        )
        for row in rows
        if rules.renewal_due(terms_of_status(row), row.renewal_notice_days, on=today)
    ]
