"""The registry's wiring of scoring: an alert the scorer raises goes to the channels (a
webhook's delivery queued in the scoring transaction), and the departure watch names the
people judged with heightened thresholds. Both engines."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels import registry
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.monitoring.channels import service as channels
from crownjewels.monitoring.channels.schemas import ChannelCreate
from crownjewels.monitoring.models import Alert, Delivery
from crownjewels.monitoring.scoring import hooks, service
from crownjewels.monitoring.watch import service as watch
from crownjewels.settings import Settings
from tests.inventory.factories import make_secret
from tests.monitoring.scoring.factories import store_event
from tests.monitoring.scoring.tiny_detector import TinyDetector
from tests.parties.factories import make_person


def test_the_registry_sends_scored_alerts_to_the_channels(
    session: Session, admin: Actor, tmp_path: Path
) -> None:
    # wired when the registry is imported
    assert channels.dispatch in hooks._dispatchers, registry.__name__
    assert watch.watched_people in hooks._heightened
    settings = Settings(home=tmp_path, secret_key="scoring-wiring-key-0123456789")
    channels.add_channel(
        session,
        actor=admin,
        data=ChannelCreate.model_validate(
            {"name": "SOC", "kind": "webhook", "target": "https://soc.example.com/hook"}
        ),
        sealer=channels.sealer_for(settings),
    )
    person = make_person(session, admin, name="Rohan Gupta")
    secret = make_secret(session, admin, owner=person)
    start = clock.now() - timedelta(minutes=10)
    for i in range(3):
        store_event(
            session,
            actor=person.email,
            person_id=person.id,
            secret_id=secret.id,
            at=start + timedelta(minutes=i),
        )
    result = service.score_batch(session, actor=admin, detector=TinyDetector())

    [ref] = result.alerts_raised
    alert = session.scalars(select(Alert).where(Alert.ref == ref)).one()
    [delivery] = session.scalars(select(Delivery).where(Delivery.alert_id == alert.id)).all()
    assert delivery.sent_at is None  # queued with the alert, sent after the commit
