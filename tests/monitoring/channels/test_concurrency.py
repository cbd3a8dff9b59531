"""Two senders working the same queue at once (the worker's job on two machines, or the job
and a prompt send) send every delivery exactly once: rows are claimed FOR UPDATE SKIP LOCKED
under a lease."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.monitoring.channels import sender, service
from crownjewels.monitoring.channels.schemas import ChannelCreate
from crownjewels.monitoring.models import Delivery
from crownjewels.settings import Settings
from tests.conftest import ENGINES, fresh_migrated_url
from tests.monitoring.channels.factories import make_alert
from tests.monitoring.channels.receivers import webhook_receiver

ALERTS = 40
SENDERS = 2


@pytest.mark.slow
@pytest.mark.parametrize("kind", ENGINES)
def test_two_senders_send_each_delivery_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sender, "BATCH", 3)  # small claims, so the two senders interleave
    url = fresh_migrated_url(kind, tmp_path, request)
    db = Database(url)
    settings = Settings(home=tmp_path, secret_key="concurrency-key-0123456789abcdef")
    try:
        with webhook_receiver() as hook:
            with db.unit_of_work() as s:
                data = ChannelCreate.model_validate(
                    {"name": "SOC", "kind": "webhook", "target": hook.url}
                )
                added = service.add_channel(
                    s, actor=system_actor("t"), data=data, sealer=service.sealer_for(settings)
                )
                hook.key = added.signing_key
                for _ in range(ALERTS):
                    service.dispatch(s, alert=make_alert(s), new=True)
            barrier = threading.Barrier(SENDERS)
            reports = []

            def work() -> None:
                barrier.wait()
                while True:  # each sender takes batches until nothing is due
                    report = sender.deliver(db, settings)
                    reports.append(report)
                    if not report.sent and not report.failed:
                        return

            threads = [threading.Thread(target=work) for _ in range(SENDERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            received = [hook.wait() for _ in range(ALERTS)]
            assert hook.empty()
        ids = Counter(r.headers["x-crownjewels-delivery"] for r in received)
        assert len(ids) == ALERTS and set(ids.values()) == {1}
        assert all(r.verified for r in received)
        assert sum(r.sent for r in reports) == ALERTS
        with db.unit_of_work(write=False) as s:
            rows = s.scalars(select(Delivery)).all()
            assert len(rows) == ALERTS
            assert all(r.sent_at and r.attempts == 1 for r in rows)
    finally:
        db.dispose()
