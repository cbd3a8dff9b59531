"""Expiry reminders: legal is mailed (through the outbox) when an agreement in force comes
within 90, 30 and 7 days of its expiry, once per agreement, expiry date and threshold (the
outbox's dedupe key), so the daily job may run any number of times."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from crownjewels.agreements import repository, rules
from crownjewels.agreements.models import Agreement
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.schemas import MailKind

#: who renews or lets an agreement lapse
RECIPIENT_ROLES = (Role.LEGAL,)


def _body(row: Agreement, days_left: int, name: str) -> str:
    return (
        f"Hello {name},\n\n{row.ref} \u201c{row.title}\u201d expires on "
        f"{row.expires_on:%Y-%m-%d}, in {days_left} day(s).\n"
        "Renew it, or let it lapse knowing that the access grants it carries will be "
        "suspended.\n\n"
        f"Open it: {notifications.link(f'/agreements/{row.ref}')}\n"
    )


def notify_expiring(session: Session, *, actor: Actor, on: date | None = None) -> list[str]:
    """Queue the expiry reminders due on `on` (today); returns the references reminded of."""
    today = on or clock.today()
    until = today + timedelta(days=max(rules.EXPIRY_THRESHOLDS))
    recipients = notifications.holders_of(session, RECIPIENT_ROLES)
    done = []
    for row in repository.expiring(session, today=today, until=until):
        assert row.expires_on is not None
        days_left = (row.expires_on - today).days
        threshold = rules.expiry_threshold(days_left)
        if threshold is None:
            continue
        queued = [
            notifications.enqueue(
                session,
                to=to,
                kind=MailKind.AGREEMENT_EXPIRING,
                subject=f"{row.ref} expires on {row.expires_on:%Y-%m-%d} ({days_left} days)",
                body=_body(row, days_left, to.name),
                actor=actor,
                dedupe_key=f"agreement-expiring:{row.id}:{row.expires_on}:{threshold}:{to.person_id}",
            )
            for to in recipients
        ]
        if any(queued):
            done.append(row.ref)
    return done
