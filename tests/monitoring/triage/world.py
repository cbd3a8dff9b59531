"""A small world for triage's adapter tests: Rohan Gupta of a partner bound by an NDA, with a
live grant on a secret, and two alerts: his bulk download (high) and an unknown actor's
off-hours activity on another secret (low)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.parties.schemas import PersonRead
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.inventory.factories import make_secret
from tests.monitoring.triage.factories import make_alert


@dataclass(frozen=True)
class TriageWorld:
    """Refs and names the tests type and read."""

    alert: str
    quiet: str
    grant: str
    secret: str
    other_secret: str
    rohan: str
    rohan_email: str
    rohan_id: str


def make_triage_world(
    session: Session, actor: Actor, *, owner: PersonRead | None = None
) -> TriageWorld:
    """The world; `owner` owns the secret of Rohan's alert (not the other one)."""
    org = partner(session, actor, name="Lotus Process Services")
    nda(session, actor, org=org)
    rohan = bound_person(session, actor, org=org, name="Rohan Gupta")
    secret = make_secret(session, actor, name="Brine recipe", owner=owner)
    other = make_secret(session, actor, name="Smoker timings")
    grant = granted(session, actor, person=rohan, secret=secret)
    alert = make_alert(session, person=rohan, secret_ids=[secret.id], events=8)
    quiet = make_alert(
        session, actor="ci-bot", secret_ids=[other.id], rule_id="off-hours", severity="low"
    )
    return TriageWorld(
        alert=alert.ref,
        quiet=quiet.ref,
        grant=grant.ref,
        secret=secret.ref,
        other_secret=other.ref,
        rohan=rohan.full_name,
        rohan_email=rohan.email,
        rohan_id=rohan.id,
    )
