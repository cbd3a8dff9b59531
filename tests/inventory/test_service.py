"""The register: registration sealed in custody, validation, scoping, updates, reviews, status."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Conflict, Forbidden, Invalid, NotFound
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.inventory import rules, service
from crownjewels.inventory.models import TradeSecret
from crownjewels.inventory.schemas import (
    Category,
    LocationCreate,
    LocationKind,
    ReviewCreate,
    SecretCreate,
    SecretFilter,
    SecretStatus,
    SecretUpdate,
    StatusChange,
    Tier,
)
from tests.inventory.factories import COMPANY, make_secret
from tests.parties.factories import actor_for, make_person, make_user


def _events(session: Session, subject_id: str) -> list[CustodyEvent]:
    custody.flush(session)
    q = select(CustodyEvent).where(CustodyEvent.subject_id == subject_id).order_by(CustodyEvent.seq)
    return list(session.scalars(q))


def test_registration_seals_the_description_hash(session: Session, admin: Actor) -> None:
    secret = make_secret(
        session,
        admin,
        tier=Tier.HIGHLY_SENSITIVE,
        allowed_regions=["us", "DEU"],
        estimated_value="1250000.50",
        currency="usd",
        secrecy_assessment={"value": {"score": 5, "rationale": "core margin"}},
        legal_tests={"reasonable-measures": {"met": True, "notes": "NDA + vault"}},
        locations=[{"kind": "repository", "name": "git://recipes"}],
    )
    assert secret.ref == "TS-0001"
    assert secret.allowed_regions == ["DE", "US"] and secret.currency == "USD"
    assert secret.estimated_value == Decimal("1250000.50")
    assert secret.legend.startswith("HIGHLY SENSITIVE") and COMPANY.upper() in secret.legend
    assert secret.review_cadence_days == 90
    assert secret.next_review_on == clock.today() + timedelta(days=90)
    assert secret.secrecy_score == 5.0 and len(secret.locations) == 1
    events = _events(session, secret.id)
    assert [e.event_type for e in events] == ["SECRET_REGISTERED", "SECRET_LOCATION_ADDED"]
    details = json.loads(events[0].details)
    assert details["after"]["description_sha256"] == rules.description_digest(secret.description)
    assert "description" not in details["after"], "the log seals the hash, not the text"
    assert secret.description not in events[0].details


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "recipe", "category"),
        ("tier", "top-secret", "tier"),
        ("allowed_regions", ["ZZ"], "ISO 3166"),
        ("currency", "ABC", "ISO 4217"),
        ("secrecy_assessment", {"value": {"score": 7}}, "less than or equal to 5"),
        ("secrecy_assessment", {"beauty": {"score": 3}}, "secrecy_assessment"),
        ("name", "  ", "name"),
    ],
)
def test_bad_input_names_the_field(field: str, value: object, message: str) -> None:
    data = {
        "name": "X",
        "description": "d",
        "category": "formula",
        "tier": "sensitive",
        "owner_id": "p",
    }
    with pytest.raises(ValidationError, match=message):
        SecretCreate.model_validate({**data, field: value})


def test_missing_owner_is_refused(session: Session, admin: Actor) -> None:
    with pytest.raises(NotFound, match="people list"):
        service.register(
            session,
            actor=admin,
            company=COMPANY,
            data=SecretCreate(
                name="X",
                description="d",
                category=Category.FORMULA,
                tier=Tier.SENSITIVE,
                owner_id="ghost",
            ),
        )


def test_duplicate_name_leaves_nothing_behind(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        owner = make_person(session, admin)
        make_secret(session, admin, owner=owner, name="Cola Formula")
    with pytest.raises(Conflict, match="already registered"), db.unit_of_work() as session:
        make_secret(session, admin, owner=owner, name="cola formula")
    with db.unit_of_work(write=False) as session:
        assert session.scalars(select(TradeSecret.name)).all() == ["Cola Formula"]
        assert custody.verify(session, actor=admin).checked == 3


def test_update_records_before_and_after(session: Session, admin: Actor) -> None:
    secret = make_secret(session, admin, tier=Tier.CONFIDENTIAL)
    updated = service.update(
        session,
        actor=admin,
        secret_ref=secret.ref,
        company=COMPANY,
        changes=SecretUpdate(
            tier=Tier.HIGHLY_SENSITIVE, description="New text", version=secret.version
        ),
    )
    assert updated.legend.startswith("HIGHLY SENSITIVE") and updated.version == secret.version + 1
    assert updated.review_cadence_days == 90
    assert updated.next_review_on == clock.today() + timedelta(days=90)
    event = _events(session, secret.id)[-1]
    details = json.loads(event.details)
    assert event.event_type == "SECRET_UPDATED"
    assert (
        details["before"]["tier"] == "confidential"
        and details["after"]["tier"] == "highly-sensitive"
    )
    assert details["after"]["description_sha256"] == rules.description_digest("New text")
    assert "name" not in details["after"]


def test_null_cannot_clear_required_fields(session: Session, admin: Actor) -> None:
    secret = make_secret(session, admin, allowed_regions=["US"])
    updated = service.update(
        session,
        actor=admin,
        secret_ref=secret.ref,
        company=COMPANY,
        changes=SecretUpdate.model_validate(
            {"allowed_regions": None, "tier": None, "business_unit": "Ops"}
        ),
    )
    assert updated.allowed_regions == ["US"] and updated.tier == secret.tier
    assert updated.business_unit == "Ops"


def test_stale_version_is_refused(session: Session, admin: Actor) -> None:
    secret = make_secret(session, admin)
    service.update(
        session,
        actor=admin,
        secret_ref=secret.id,
        company=COMPANY,
        changes=SecretUpdate(business_unit="R&D", version=secret.version),
    )
    with pytest.raises(Conflict, match="reload"):
        service.update(
            session,
            actor=admin,
            secret_ref=secret.id,
            company=COMPANY,
            changes=SecretUpdate(business_unit="Ops", version=secret.version),
        )


def test_review_schedules_the_next(session: Session, admin: Actor) -> None:
    secret = make_secret(session, admin, tier=Tier.SENSITIVE)
    on = clock.today() - timedelta(days=10)
    review = service.review(
        session,
        actor=admin,
        secret_ref=secret.ref,
        data=ReviewCreate(notes="still secret", reviewed_on=on),
    )
    assert review.next_review_on == on + timedelta(days=180)
    assert service.get(session, actor=admin, secret_ref=secret.ref).last_reviewed_on == on
    with pytest.raises(Invalid, match="future"):
        service.review(
            session,
            actor=admin,
            secret_ref=secret.ref,
            data=ReviewCreate(reviewed_on=clock.today() + timedelta(days=1)),
        )
    assert _events(session, secret.id)[-1].event_type == "SECRET_REVIEWED"


def test_retire_and_lifecycle(session: Session, admin: Actor) -> None:
    secret = make_secret(session, admin)
    retired = service.change_status(
        session,
        actor=admin,
        secret_ref=secret.ref,
        change=StatusChange(status=SecretStatus.RETIRED, reason="product ended"),
    )
    assert retired.status == SecretStatus.RETIRED and retired.status_reason == "product ended"
    with pytest.raises(Invalid, match="can change to: active"):
        service.change_status(
            session,
            actor=admin,
            secret_ref=secret.ref,
            change=StatusChange(status=SecretStatus.LOST, reason="x"),
        )
    with pytest.raises(Invalid, match="only active"):
        service.review(session, actor=admin, secret_ref=secret.ref, data=ReviewCreate())


def test_reason_is_required() -> None:
    with pytest.raises(ValidationError, match="reason"):
        StatusChange.model_validate({"status": "retired", "reason": ""})


def test_filters_and_search(session: Session, admin: Actor) -> None:
    owner = make_person(session, admin)
    make_secret(session, admin, owner=owner, name="Cola Formula", tier=Tier.HIGHLY_SENSITIVE)
    make_secret(session, admin, name="Customer List EMEA", category=Category.CUSTOMER_LIST)
    page = PageParams()
    items, total = service.list_secrets(
        session, actor=admin, filters=SecretFilter(q="cola"), page=page
    )
    assert [s.name for s in items] == ["Cola Formula"] and items[0].owner_name == owner.full_name
    _, total = service.list_secrets(
        session, actor=admin, filters=SecretFilter(tier=Tier.SENSITIVE), page=page
    )
    assert total == 1
    items, _ = service.list_secrets(
        session, actor=admin, filters=SecretFilter(owner_id=owner.email), page=page
    )
    assert [s.name for s in items] == ["Cola Formula"]
    _, total = service.list_secrets(
        session, actor=admin, filters=SecretFilter(q="TS-0002"), page=page
    )
    assert total == 1
    stats = service.stats(session, actor=admin)
    assert stats.total == 2 and stats.by_tier["highly-sensitive"] == 1


def test_overdue_filter(session: Session, admin: Actor) -> None:
    secret = make_secret(session, admin, review_cadence_days=7)
    service.review(
        session,
        actor=admin,
        secret_ref=secret.ref,
        data=ReviewCreate(reviewed_on=clock.today() - timedelta(days=30)),
    )
    items, total = service.list_secrets(
        session, actor=admin, filters=SecretFilter(overdue=True), page=PageParams()
    )
    assert total == 1 and items[0].review_overdue
    assert service.stats(session, actor=admin).overdue == 1


def test_secret_owner_sees_and_edits_only_own(session: Session, admin: Actor) -> None:
    me = make_person(session, admin)
    owner = actor_for(session, make_user(session, admin, Role.SECRET_OWNER, person=me))
    mine = make_secret(session, owner, owner=me, name="Mine")
    theirs = make_secret(session, admin, name="Theirs")
    items, total = service.list_secrets(
        session, actor=owner, filters=SecretFilter(), page=PageParams()
    )
    assert [s.name for s in items] == ["Mine"]
    with pytest.raises(NotFound):
        service.get(session, actor=owner, secret_ref=theirs.ref)
    with pytest.raises(Forbidden):
        make_secret(session, owner, name="For someone else")
    service.update(
        session,
        actor=owner,
        secret_ref=mine.ref,
        company=COMPANY,
        changes=SecretUpdate(business_unit="Beverages"),
    )


def test_auditor_reads_but_cannot_write(session: Session, admin: Actor) -> None:
    auditor = actor_for(session, make_user(session, admin, Role.AUDITOR))
    secret = make_secret(session, admin)
    assert service.get(session, actor=auditor, secret_ref=secret.ref).id == secret.id
    with pytest.raises(Forbidden):
        service.update(
            session,
            actor=auditor,
            secret_ref=secret.ref,
            company=COMPANY,
            changes=SecretUpdate(business_unit="x"),
        )


def test_vendor_user_sees_nothing(session: Session, admin: Actor) -> None:
    vendor_user = actor_for(session, make_user(session, admin, Role.VENDOR_USER))
    secret = make_secret(session, admin)
    _, total = service.list_secrets(
        session, actor=vendor_user, filters=SecretFilter(), page=PageParams()
    )
    assert total == 0
    with pytest.raises(NotFound):
        service.get(session, actor=vendor_user, secret_ref=secret.ref)


def test_locations_added_and_removed(session: Session, admin: Actor) -> None:
    secret = make_secret(session, admin)
    keeper = make_person(session, admin)
    with_loc = service.add_location(
        session,
        actor=admin,
        secret_ref=secret.ref,
        data=LocationCreate(kind=LocationKind.VENDOR, name="Acme BPO share", owner_id=keeper.email),
    )
    assert with_loc.locations[0].owner_name == keeper.full_name
    without = service.remove_location(
        session, actor=admin, secret_ref=secret.ref, location_id=with_loc.locations[0].id
    )
    assert without.locations == []
    types = [e.event_type for e in _events(session, secret.id)]
    assert types[-2:] == ["SECRET_LOCATION_ADDED", "SECRET_LOCATION_REMOVED"]


def test_the_rules_read_a_secret_as_get_plain_gives_it(session: Session, admin: Actor) -> None:
    """By id, reference (any case) or name, whoever asks, one row of plain columns: the same
    secret as `get_plain`, its computed score and review flag included."""
    made = make_secret(session, admin, name="Enzyme Ratio Table")
    plain = service.get_plain(session, actor=admin, secret_ref=made.ref)
    for ref in (made.id, made.ref, made.ref.lower(), " enzyme ratio table "):
        assert service.read_for_rules(session, secret_ref=ref) == plain
    with pytest.raises(NotFound, match="no trade secret 'TS-9999'"):
        service.read_for_rules(session, secret_ref="TS-9999")
