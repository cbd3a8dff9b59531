"""Grants decided many at a time: all or nothing, each through the one-by-one verb (its
checks, a custody event per grant), every refused grant named; and the grant export."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from crownjewels.access import bulk
from crownjewels.access import service as access
from crownjewels.access.errors import BatchRefused, InvalidGrant
from crownjewels.access.rules import GrantStatus
from crownjewels.access.schemas import GrantFilter, GrantRequest
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from tests.access.conftest import World, make_world
from tests.parties.factories import make_person


@pytest.fixture
def world(db: Database, admin: Actor) -> tuple[World, list[str]]:
    """Two requested grants the rules allow (the bound grantee) and one they refuse (the
    stranger, bound by no agreement)."""
    with db.unit_of_work() as s:
        w = make_world(s, admin, owner=make_person(s, admin, name="Olive Owner"))
        refs = [
            access.request_grant(
                s,
                actor=admin,
                data=GrantRequest(
                    person=p.id,
                    secret=w.secret.id,
                    purpose="line trial",
                    expires_at=access.default_expiry(w.secret.tier.value),
                ),
            ).ref
            for p in (w.grantee, w.grantee, w.stranger)
        ]
    return w, refs


def _statuses(db: Database, admin: Actor, refs: list[str]) -> list[str]:
    with db.unit_of_work(write=False) as s:
        return [access.get(s, actor=admin, grant_ref=r).status.value for r in refs]


def _events(db: Database) -> int:
    with db.unit_of_work() as s:
        custody.flush(s)
        return s.scalar(select(func.count()).select_from(CustodyEvent)) or 0


def test_one_refused_grant_refuses_the_batch_and_is_named(
    db: Database, admin: Actor, world: tuple[World, list[str]]
) -> None:
    _, refs = world
    before = _events(db)
    with pytest.raises(BatchRefused) as refused, db.unit_of_work() as s:
        bulk.approve_many(s, actor=admin, refs=refs, note="batch")
    assert refused.value.items[0].startswith(f"{refs[2]}: {refs[2]} cannot be approved")
    assert "1 of 3 could not be done, so none was" in refused.value.message
    assert _statuses(db, admin, refs) == ["requested"] * 3 and _events(db) == before


def test_a_batch_goes_through_the_one_by_one_verbs(
    db: Database, admin: Actor, world: tuple[World, list[str]]
) -> None:
    _, refs = world
    before = _events(db)
    with db.unit_of_work() as s:
        done = bulk.approve_many(s, actor=admin, refs=refs[:2] + refs[:1], note="batch")
    assert [g.ref for g in done] == refs[:2]  # a ref given twice is decided once
    assert _statuses(db, admin, refs) == ["active", "active", "requested"]
    assert _events(db) - before == 4  # an approval and a status change per grant
    with pytest.raises(InvalidGrant, match="give the reason"), db.unit_of_work() as s:
        bulk.change_many(s, actor=admin, refs=refs[:2], status=GrantStatus.REVOKED, reason="")
    with db.unit_of_work() as s:
        bulk.change_many(
            s, actor=admin, refs=refs[:2], status=GrantStatus.REVOKED, reason="project ended"
        )
    assert _statuses(db, admin, refs) == ["revoked", "revoked", "requested"]


def test_the_grant_export_names_people_and_secrets(
    db: Database, admin: Actor, world: tuple[World, list[str]]
) -> None:
    w, refs = world
    with db.unit_of_work(write=False) as s:
        content, _ = bulk.export(s, actor=admin, filters=GrantFilter(), fmt="csv")
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[0] == bulk.HEADER
    assert sorted(r[0] for r in rows[1:]) == sorted(refs)
    assert {r[1] for r in rows[1:]} == {"Grace Hopper", "Sam Stranger"}
    assert {r[3] for r in rows[1:]} == {w.secret.ref}
    assert all("01" not in r[1] for r in rows[1:])
