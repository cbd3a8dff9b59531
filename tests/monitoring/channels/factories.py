"""Alerts for the channel tests, inserted directly (the scoring pipeline is another part)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.inventory.schemas import SecretRead
from crownjewels.monitoring.models import Alert
from crownjewels.parties.schemas import PersonRead

_n = itertools.count(1)


def make_alert(
    session: Session,
    *,
    person: PersonRead | None = None,
    secrets: list[SecretRead] | None = None,
    severity: str = "high",
    title: str = "Bulk download of a secret",
    explanation: str | None = None,
    rule_id: str = "bulk-download",
) -> Alert:
    """An open alert as the scorer stores it, numbered AL-9001, AL-9002 … (out of the way of
    real refs)."""
    now = clock.now()
    secrets = secrets or []
    n = next(_n)
    who = person.full_name if person else "someone"
    row = Alert(
        ref=f"AL-{9000 + n}",
        rule_id=rule_id,
        rule_version="2026.12.1",
        severity=severity,
        status="open",
        title=title,
        explanation=explanation
        or f"{who} downloaded 48 documents of {', '.join(s.ref for s in secrets) or 'a secret'} "
        "between 02:10 and 02:24 IST; his daily median is 2, his peers' 3",
        facts={"count": 48, "median": 2},
        person_id=person.id if person else None,
        organisation_id=person.organisation_id if person else None,
        actor=person.email if person else "svc-backup",
        secret_ids=[s.id for s in secrets],
        group_key=f"{rule_id}:{n}",
        hits=1,
        first_event_at=now - timedelta(minutes=14),
        last_event_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row
