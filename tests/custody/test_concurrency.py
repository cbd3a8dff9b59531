"""Many processes appending at once still produce one gap-free chain."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.models import TradeSecret
from crownjewels.inventory.schemas import SecretCreate
from tests.conftest import ENGINES, fresh_migrated_url
from tests.parties.factories import make_person

WRITERS = 8
TRANSACTIONS = 15
EVENTS_PER_TRANSACTION = 5


def _processes() -> mp.context.BaseContext:
    """Fresh processes (no state shared with the test's), forked from a server that imported
    the package once: spawning each would import it again, a second of CPU per writer."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


def _writer(url: str, worker: int, barrier: mp.synchronize.Barrier) -> None:
    db = Database(url)
    actor = system_actor(f"writer-{worker}")
    barrier.wait()
    for t in range(TRANSACTIONS):
        with db.unit_of_work() as session:
            for e in range(EVENTS_PER_TRANSACTION):
                custody.record(
                    session,
                    actor=actor,
                    event_type=EventType.SECRET_UPDATED,
                    subject_type="test",
                    subject_id=f"w{worker}",
                    details={"t": t, "e": e},
                )
    db.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ENGINES)
def test_concurrent_writers_make_one_gap_free_chain(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = fresh_migrated_url(kind, tmp_path, request)
    ctx = _processes()
    barrier = ctx.Barrier(WRITERS)
    procs = [ctx.Process(target=_writer, args=(url, w, barrier)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]

    db = Database(url)
    with db.unit_of_work(write=False) as session:
        result = custody.verify(session, actor=system_actor())
        total = session.scalar(select(func.count()).select_from(CustodyEvent))
        top = session.scalar(select(func.max(CustodyEvent.seq)))
    db.dispose()
    expected = WRITERS * TRANSACTIONS * EVENTS_PER_TRANSACTION
    assert result.ok, result.problem
    assert total == top == result.checked == expected


def _register(url: str, worker: int, barrier: mp.synchronize.Barrier, owner_id: str) -> None:
    db = Database(url)
    barrier.wait()
    for i in range(5):
        with db.unit_of_work() as session:
            inventory.register(
                session,
                actor=system_actor(f"w{worker}"),
                company="Acme",
                data=SecretCreate(
                    name=f"Secret {worker}-{i}",
                    description="recipe",
                    category="formula",
                    tier="sensitive",
                    owner_id=owner_id,
                ),
            )
    db.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ENGINES)
def test_concurrent_registrations_number_without_clashes(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = fresh_migrated_url(kind, tmp_path, request)
    db = Database(url)
    with db.unit_of_work() as session:
        owner = make_person(session, system_actor())
    ctx = _processes()
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_register, args=(url, w, barrier, owner.id)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert all(p.exitcode == 0 for p in procs)
    with db.unit_of_work(write=False) as session:
        refs = sorted(session.scalars(select(TradeSecret.ref)))
        assert custody.verify(session, actor=system_actor()).ok
    db.dispose()
    assert refs == [f"TS-{i:04d}" for i in range(1, 21)]
