"""The posture counts against the real database (both engines): a small register whose
secrets each lack one measure, read back per tier and per measure, as the admin and as a
secret owner (their own secrets only), and the secrets behind a number."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from crownjewels.access.posture import service
from crownjewels.access.posture.schemas import Measure
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import Termination
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.inventory.schemas import Factor, Tier
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrgKind
from crownjewels.training import service as training
from crownjewels.training.schemas import CourseCreate, RequiredFor
from tests.access.factories import BINDER, bind_for_access
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person

FULL = {f.value: {"score": 4, "rationale": "assessed"} for f in Factor}


def _world(session: Session, admin: Actor) -> dict[str, str]:
    """Three active secrets of one owner (one per tier) and one of somebody else:
    TS highly sensitive with a bound holder (protected), sensitive never assessed, confidential
    whose holder's agreement ended today."""
    owner = make_person(session, admin, name="Olive Owner")
    staff = make_org(session, admin, name="Acme Labs", kind=OrgKind.SUBSIDIARY, country="US")
    grace = make_person(session, admin, org=staff, name="Grace Hopper")
    sam = make_person(session, admin, org=staff, name="Sam Stranger")
    made = {
        "top": make_secret(
            session,
            admin,
            owner=owner,
            name="Brine",
            tier=Tier.HIGHLY_SENSITIVE,
            secrecy_assessment=FULL,
            review_cadence_days=400,
        ),
        "mid": make_secret(session, admin, owner=owner, name="Smoke", tier=Tier.SENSITIVE),
        "low": make_secret(
            session,
            admin,
            owner=owner,
            name="Crate",
            tier=Tier.CONFIDENTIAL,
            secrecy_assessment=FULL,
        ),
        "other": make_secret(session, admin, name="Elsewhere", secrecy_assessment=FULL),
    }
    bind_for_access(session, person_id=grace.id, secret_id=made["top"].id)
    ended = bind_for_access(session, person_id=sam.id, secret_id=made["low"].id).agreement
    assert ended is not None
    agreements.terminate(
        session, actor=BINDER, agreement_ref=ended.ref, data=Termination(reason="ended early")
    )
    return {k: s.ref for k, s in made.items()} | {"owner": owner.id}


def test_the_counts_per_tier_and_measure(session: Session, admin: Actor) -> None:
    refs = _world(session, admin)
    tiers = {t.tier: t for t in service.posture(session, actor=admin).tiers}
    top, mid, low = tiers["highly-sensitive"], tiers["sensitive"], tiers["confidential"]
    assert (top.total, top.protected) == (1, 1)
    assert sum(top.missing.values()) == 0
    assert (mid.total, mid.protected) == (2, 1)  # Smoke lacks its assessment; Elsewhere is fine
    assert mid.missing[Measure.ASSESSMENT] == 1
    assert (low.total, low.protected) == (1, 0)
    assert {m for m, n in low.missing.items() if n} == {Measure.AGREEMENT}

    # a course required of everyone: both holders now lack it (the counts follow the data)
    training.create_course(
        session,
        actor=BINDER,
        data=CourseCreate(code="TS-101", name="Trade secrets", required_for=RequiredFor.ALL),
    )
    tiers = {t.tier: t for t in service.posture(session, actor=admin).tiers}
    assert tiers["highly-sensitive"].missing[Measure.TRAINING] == 1
    assert tiers["confidential"].missing[Measure.TRAINING] == 1
    assert tiers["sensitive"].missing[Measure.TRAINING] == 0  # nobody holds those
    lacking = service.gaps(session, actor=admin, measure=Measure.TRAINING)
    assert sorted(g.ref for g in lacking) == sorted([refs["top"], refs["low"]])


def test_the_secrets_behind_a_number_and_the_owner_scope(session: Session, admin: Actor) -> None:
    refs = _world(session, admin)
    protected = service.gaps(session, actor=admin, protected=True)
    assert sorted(g.ref for g in protected) == sorted([refs["top"], refs["other"]])
    unbound = service.gaps(session, actor=admin, tier="confidential", measure=Measure.AGREEMENT)
    assert [(g.ref, g.missing) for g in unbound] == [(refs["low"], [Measure.AGREEMENT])]

    # 100 days on, the highly sensitive grant (90 days at most) is past its expiry
    later = clock.now() + timedelta(days=100)
    expired = service.gaps(session, actor=admin, measure=Measure.EXPIRY, at=later)
    assert [g.ref for g in expired] == [refs["top"]]

    owner = Actor(
        kind="user",
        id="u-owner",
        name="Olive",
        roles=frozenset({Role.SECRET_OWNER}),
        person_id=refs["owner"],
    )
    mine = service.posture(session, actor=owner)
    assert mine.total == 3  # Elsewhere belongs to somebody else
    assert refs["other"] not in {g.ref for g in service.gaps(session, actor=owner)}


def test_the_reads_do_not_grow_with_the_number_of_secrets(session: Session, admin: Actor) -> None:
    """Bulk reads: more secrets of the same owner cost no more queries."""
    refs = _world(session, admin)
    owner = parties.get_person(session, actor=admin, person_ref=refs["owner"])

    def queries() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            service.posture(session, actor=admin)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    before = queries()
    for n in range(4):
        make_secret(session, admin, owner=owner, name=f"More {n}", secrecy_assessment=FULL)
    assert queries() == before
