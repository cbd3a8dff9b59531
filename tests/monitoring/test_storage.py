"""Storage: ids never given twice (even after retention emptied the table), the month
partitions made on demand on PostgreSQL (rows stranded in the default partition moved into
them), retention by whole months there and by rows on SQLite, and the NOTIFY that wakes the
scorers, delivered at commit."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.monitoring import service, storage
from crownjewels.monitoring.models import ActivityEvent, PendingScore
from tests.conftest import fresh_migrated_url

ADMIN = system_actor("test")


def _line(at: datetime, actor: str = "someone") -> str:
    return json.dumps(
        {"time": at.isoformat(), "actor": actor, "action": "view", "resource": "/srv/a"}
    )


def _ids(session: Session) -> list[int]:
    return list(session.scalars(select(ActivityEvent.id).order_by(ActivityEvent.id)))


def test_ids_are_never_given_twice_even_after_retention(session: Session, admin: Actor) -> None:
    old = clock.now() - timedelta(days=800)
    service.ingest(session, actor=admin, lines=[_line(old), _line(old)], channel="api")
    first = _ids(session)
    purged = service.purge_activity(session, actor=admin, days=400)
    assert purged.rows == 2 and _ids(session) == []
    assert session.scalar(select(func.count()).select_from(PendingScore)) == 0
    service.ingest(session, actor=admin, lines=[_line(clock.now())], channel="api")
    (again,) = _ids(session)
    assert again > max(first)
    custody.flush(session)
    kinds = session.scalars(
        select(CustodyEvent.event_type)
        .where(CustodyEvent.event_type.like("ACTIVITY_%"))
        .order_by(CustodyEvent.seq)
    ).all()
    assert kinds == ["ACTIVITY_INGESTED", "ACTIVITY_PURGED", "ACTIVITY_INGESTED"]


def test_events_are_append_only(session: Session, admin: Actor) -> None:
    service.ingest(session, actor=admin, lines=[_line(clock.now())], channel="api")
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("UPDATE activity_event SET actor = 'someone else'"))


# --- PostgreSQL: partitions, retention, NOTIFY (committed work: a database of their own) --


@pytest.fixture(scope="module")
def pg_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_migrated_url("postgresql", tmp_path_factory.mktemp("pg"), request)


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    yield db
    db.dispose()


def _partition_of(db: Database) -> dict[int, str]:
    with db.unit_of_work(write=False) as session:
        rows = session.execute(text("SELECT id, tableoid::regclass::text FROM activity_event"))
        return {i: name for i, name in rows}


def _partitions(db: Database) -> set[str]:
    with db.unit_of_work(write=False) as session:
        return set(storage.existing_partitions(session.connection()))


@pytest.mark.postgres
def test_each_month_gets_its_partition_and_stranded_rows_move(pg: Database, tmp_path: Path) -> None:
    del tmp_path
    # a row stored before its month had a partition lands in the default partition
    stranded_at = datetime(2031, 3, 9, 8, 0, tzinfo=UTC)
    with pg.unit_of_work() as session:
        session.execute(
            text(
                "INSERT INTO activity_event (id, occurred_at, received_at, actor, action, "
                "resource, source, channel, details) VALUES (nextval('activity_event_id_seq'), "
                ":at, :at, 'old', 'view', '/x', 'test', 'api', '{}')"
            ),
            {"at": stranded_at},
        )
    assert set(_partition_of(pg).values()) == {"activity_event_pdefault"}

    with pg.unit_of_work() as session:
        lines = [
            _line(stranded_at + timedelta(days=1)),
            _line(datetime(2031, 4, 30, 23, tzinfo=UTC)),
        ]
        assert service.ingest(session, actor=ADMIN, lines=lines, channel="api").accepted == 2
    placed = _partition_of(pg)
    assert sorted(placed.values()) == [
        "activity_event_p2031_03",
        "activity_event_p2031_03",
        "activity_event_p2031_04",
    ], "the stranded row moved into its month's partition"
    with pg.unit_of_work() as session, pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("DELETE FROM activity_event_p2031_03"))
    with pg.unit_of_work(write=False) as session:
        enabled = session.scalar(
            text(
                "SELECT tgenabled FROM pg_trigger WHERE tgname = 'activity_event_no_update_delete'"
                " AND tgrelid = 'activity_event_pdefault'::regclass"
            )
        )
    assert enabled == "O", "the default partition refuses changes again"


@pytest.mark.postgres
def test_retention_drops_whole_months_past_it(pg: Database) -> None:
    now = datetime(2033, 6, 15, 12, tzinfo=UTC)
    with pg.unit_of_work() as session:
        lines = [
            _line(datetime(2032, 3, 31, 23, 59, tzinfo=UTC)),  # month ends before the cut-off
            _line(datetime(2032, 5, 20, tzinfo=UTC)),  # its month straddles the cut-off: kept
            _line(datetime(2033, 6, 1, tzinfo=UTC)),
        ]
        service.ingest(session, actor=ADMIN, lines=lines, channel="api")
    assert {"activity_event_p2032_03", "activity_event_p2032_05"} <= _partitions(pg)
    with pg.unit_of_work() as session:
        result = service.purge_activity(session, actor=ADMIN, days=400, now=now)
    assert "activity_event_p2032_03" in result.partitions
    assert "activity_event_p2032_05" not in result.partitions
    left = _partitions(pg)
    assert "activity_event_p2032_03" not in left and "activity_event_p2032_05" in left
    with pg.unit_of_work(write=False) as session:
        times = session.scalars(select(ActivityEvent.occurred_at)).all()
    assert datetime(2032, 3, 31, 23, 59, tzinfo=UTC) not in times
    assert datetime(2032, 5, 20, tzinfo=UTC) in times


@pytest.mark.postgres
def test_retention_also_removes_old_rows_stranded_in_the_default_partition(pg: Database) -> None:
    with pg.unit_of_work() as session:
        session.execute(
            text(
                "INSERT INTO activity_event (id, occurred_at, received_at, actor, action, "
                "resource, source, channel, details) VALUES (nextval('activity_event_id_seq'), "
                ":at, :at, 'stranded', 'view', '/x', 'test', 'api', '{}')"
            ),
            {"at": datetime(2029, 2, 1, tzinfo=UTC)},
        )
    with pg.unit_of_work() as session:
        result = service.purge_activity(
            session, actor=ADMIN, days=400, now=datetime(2031, 1, 1, tzinfo=UTC)
        )
    assert result.rows >= 1
    with pg.unit_of_work(write=False) as session:
        left = session.scalar(text("SELECT count(*) FROM activity_event WHERE actor = 'stranded'"))
    assert left == 0


@pytest.mark.postgres
def test_scorers_are_woken_at_commit(pg: Database, pg_url: str) -> None:
    conninfo = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as listener:
        listener.execute("LISTEN monitoring_events")
        with pg.unit_of_work() as session:
            service.ingest(session, actor=ADMIN, lines=[_line(clock.now())] * 3, channel="api")
        woken = list(listener.notifies(timeout=10, stop_after=1))
    assert [(n.channel, n.payload) for n in woken] == [("monitoring_events", "3")]


@pytest.mark.postgres
def test_two_batches_making_the_same_month_both_land(pg: Database) -> None:
    month = datetime(2035, 1, 10, tzinfo=UTC)
    start = threading.Barrier(2)
    results: list[int] = []

    def send(actor: str) -> None:
        start.wait()
        with pg.unit_of_work() as session:
            lines = [_line(month, actor=actor)] * 50
            results.append(
                service.ingest(session, actor=ADMIN, lines=lines, channel="api").accepted
            )

    threads = [threading.Thread(target=send, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [50, 50]
    placed = [name for name in _partition_of(pg).values() if name.endswith("2035_01")]
    assert len(placed) == 100
