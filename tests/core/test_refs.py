"""The one reference numbering (core.refs.next_ref): each register's format, numbered per
prefix, and two writers never given the same reference (the append lock, on PostgreSQL too)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from crownjewels.access.models import ReviewCampaign
from crownjewels.access.reviews import service as reviews
from crownjewels.agreements.models import Agreement
from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database, normalise_url
from crownjewels.core.refs import next_ref
from crownjewels.inventory.models import TradeSecret
from tests.conftest import fresh_migrated_url
from tests.inventory.factories import make_secret


def test_each_register_keeps_its_format(session: Session, admin: Actor) -> None:
    assert next_ref(session, TradeSecret.ref, "TS-", 4) == "TS-0001"
    make_secret(session, admin, name="Glaze")
    make_secret(session, admin, name="Kiln curve")
    assert next_ref(session, TradeSecret.ref, "TS-", 4) == "TS-0003"
    assert next_ref(session, ReviewCampaign.ref, "AR-", 4) == "AR-0001"
    assert next_ref(session, Agreement.ref, "AG-2026-", 3) == "AG-2026-001"


def test_numbers_count_per_prefix_and_grow_past_their_width(session: Session) -> None:
    due = clock.today() + timedelta(days=30)
    for ref in ("AR-9998", "AR-9999", "ZZ-0001", "AR_0001"):
        session.add(ReviewCampaign(ref=ref, name="old", due_on=due, status="open", started_by="t"))
    session.flush()
    assert next_ref(session, ReviewCampaign.ref, "AR-", 2) == "AR-03"
    # `_` in a prefix is a character, not LIKE's wildcard: AR-9998 does not count under AR_
    assert next_ref(session, ReviewCampaign.ref, "AR_", 4) == "AR_0002"
    assert next_ref(session, ReviewCampaign.ref, "ZZ-", 1) == "ZZ-2"


def test_a_service_numbers_through_it(session: Session, admin: Actor) -> None:
    due = clock.today() + timedelta(days=30)
    first = reviews.start(session, actor=admin, name="Spring review", due_on=due)
    second = reviews.start(session, actor=admin, name="Summer review", due_on=due)
    assert (first.ref, second.ref) == ("AR-0001", "AR-0002")


def _waiting(url: str, other: threading.Thread) -> bool:
    """True once a transaction waits on a lock (polled until the thread ends)."""
    watcher = create_engine(normalise_url(url))
    try:
        while other.is_alive():
            with watcher.connect() as conn:
                waiting = conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            if waiting:
                return True
            other.join(0.05)
        return False
    finally:
        watcher.dispose()


@pytest.mark.postgres
def test_two_writers_never_take_the_same_ref(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = fresh_migrated_url("postgresql", tmp_path, request)
    db = Database(url)
    admin = system_actor("test")
    due = clock.today() + timedelta(days=30)
    second_ref: list[str] = []

    def second_writer() -> None:
        with db.unit_of_work() as other:
            second_ref.append(reviews.start(other, actor=admin, name="Second", due_on=due).ref)

    with db.unit_of_work() as first:
        assert reviews.start(first, actor=admin, name="First", due_on=due).ref == "AR-0001"
        # the first writer has numbered its row and not committed: the second one must wait
        other = threading.Thread(target=second_writer)
        other.start()
        assert _waiting(url, other), "the second writer did not wait"
    other.join()
    assert second_ref == ["AR-0002"]
    with db.unit_of_work(write=False) as s:
        refs = s.scalars(select(ReviewCampaign.ref).order_by(ReviewCampaign.ref)).all()
    assert refs == ["AR-0001", "AR-0002"]
    db.dispose()
