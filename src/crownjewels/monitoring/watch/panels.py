"""What the departure watch and the log reviews show on lower capabilities' pages (plugged
in by `routes.py`): a person's watch on their page and on their offboarding, the secrets'
log reviews in the posture."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.panels import Panel
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring.watch import service


def person_watch(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The person's departure watch and its look-back, for HR and legal (subject: the
    person's `person_id`)."""
    if not actor.can(P.CUSTODY_READ):
        return None
    watch = service.watch_of_person(session, actor=actor, person_id=subject["person_id"])
    if watch is None:
        return None
    return Panel("monitoring/watch/person_panel.html", {"watch": watch})


def offboarding_watch(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The departure watches of the people being offboarded, linked to their reports
    (subject: `person_ids`)."""
    if not actor.can(P.CUSTODY_READ):
        return None
    found = [
        service.watch_of_person(session, actor=actor, person_id=pid)
        for pid in subject.get("person_ids", [])
    ]
    watches = [w for w in found if w is not None]
    return Panel("monitoring/watch/offboarding_panel.html", {"watches": watches})


def posture_reviews(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """Each visible secret's latest log review, the overdue ones first (the posture)."""
    reviews = service.latest_by_secret(session, actor=actor)
    if not reviews and not actor.can(P.CUSTODY_READ):
        return None
    reviews.sort(key=lambda r: (not r.overdue, r.status != "concern", r.secret_ref))
    return Panel("monitoring/watch/posture_panel.html", {"reviews": reviews})
