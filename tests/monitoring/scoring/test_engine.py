"""Scoring with the real engine and its default rules (not the test detector): a download
from a country outside the secret's allowed regions raises an explained alert, and the
baselines the engine keeps are stored per subject. Both engines."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.monitoring.detection.engine import Detector
from crownjewels.monitoring.models import Alert, Baseline
from crownjewels.monitoring.scoring import service
from crownjewels.parties.schemas import OrgKind, PersonKind
from tests.inventory.factories import make_secret
from tests.monitoring.scoring.factories import store_event
from tests.parties.factories import make_org, make_person


def test_the_default_rules_raise_an_explained_alert(session: Session, admin: Actor) -> None:
    make_org(session, admin, name="Acme Foods", kind=OrgKind.OWN, country="US")
    vendor = make_org(session, admin, name="Spice Vendors", kind=OrgKind.VENDOR, country="IN")
    rohan = make_person(
        session, admin, org=vendor, name="Rohan Gupta", country="IN", kind=PersonKind.VENDOR_STAFF
    )
    secret = make_secret(session, admin, allowed_regions=["US", "IN"])
    store_event(
        session,
        actor=rohan.email,
        person_id=rohan.id,
        organisation_id=vendor.id,
        secret_id=secret.id,
        country="BR",
        at=clock.now() - timedelta(minutes=5),
    )
    result = service.score_batch(session, actor=admin, detector=Detector())

    alerts = session.scalars(select(Alert).where(Alert.ref.in_(result.alerts_raised))).all()
    region = [a for a in alerts if a.rule_id == "region"]
    assert len(region) == 1
    assert "Rohan Gupta" in region[0].explanation and "BR" in region[0].explanation
    assert region[0].person_id == rohan.id and region[0].secret_ids == [secret.id]
    stored = session.get(Baseline, (f"person:{rohan.id}", "state"))
    assert stored is not None and stored.state
