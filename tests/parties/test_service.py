"""Organisations and people: validation, scoping, departures, custody events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Conflict, Forbidden, NotFound
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.parties import service
from crownjewels.parties.models import Organisation, User
from crownjewels.parties.schemas import (
    Departure,
    OrganisationCreate,
    OrganisationFilter,
    OrganisationUpdate,
    OrgKind,
    PersonCreate,
    PersonFilter,
    PersonStatus,
)
from tests.parties.factories import actor_for, make_org, make_person, make_user


def _events(session: Session, subject_id: str) -> list[CustodyEvent]:
    custody.flush(session)
    query = (
        select(CustodyEvent).where(CustodyEvent.subject_id == subject_id).order_by(CustodyEvent.seq)
    )
    return list(session.scalars(query))


def test_create_organisation_records_custody(session: Session, admin: Actor) -> None:
    org = make_org(session, admin, name="Acme Offshore", country="ind")
    assert org.country == "IN"
    events = _events(session, org.id)
    assert [e.event_type for e in events] == ["ORGANISATION_CREATED"]
    assert "Acme Offshore" in events[0].details


@pytest.mark.parametrize("country", ["XX", "India", "", "U1"])
def test_invalid_country_names_the_fix(country: str) -> None:
    with pytest.raises(ValidationError, match="ISO 3166"):
        OrganisationCreate(name="X", kind=OrgKind.VENDOR, country=country)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="kind"):
        OrganisationCreate.model_validate({"name": "X", "kind": "friend", "country": "US"})


def test_duplicate_organisation_name(session: Session, admin: Actor) -> None:
    make_org(session, admin, name="Acme")
    with pytest.raises(Conflict, match="already exists"):
        make_org(session, admin, name="acme")


def test_only_one_own_company(session: Session, admin: Actor) -> None:
    make_org(session, admin, kind=OrgKind.OWN)
    with pytest.raises(Conflict, match="subsidiar"):
        make_org(session, admin, kind=OrgKind.OWN)


def test_update_records_before_and_after(session: Session, admin: Actor) -> None:
    org = make_org(session, admin, country="IN")
    service.update_organisation(
        session, actor=admin, org_ref=org.id, changes=OrganisationUpdate(country="PH")
    )
    event = _events(session, org.id)[-1]
    assert event.event_type == "ORGANISATION_UPDATED"
    assert (
        '"before":{"country":"IN"}' in event.details and '"after":{"country":"PH"}' in event.details
    )


def test_noop_update_writes_no_event(session: Session, admin: Actor) -> None:
    org = make_org(session, admin, country="IN")
    service.update_organisation(
        session, actor=admin, org_ref=org.id, changes=OrganisationUpdate(country="IN")
    )
    assert len(_events(session, org.id)) == 1


def test_person_needs_an_existing_organisation(session: Session, admin: Actor) -> None:
    with pytest.raises(NotFound, match="orgs list"):
        service.create_person(
            session,
            actor=admin,
            data=PersonCreate(
                full_name="A", email="a@example.com", organisation_id="nope", country="US"
            ),
        )


def test_duplicate_email(session: Session, admin: Actor) -> None:
    org = make_org(session, admin)
    data = PersonCreate(
        full_name="A", email="Dup@Example.com", organisation_id=org.id, country="US"
    )
    service.create_person(session, actor=admin, data=data)
    with pytest.raises(Conflict, match="email"):
        service.create_person(
            session, actor=admin, data=data.model_copy(update={"email": "dup@example.com"})
        )


def test_failed_create_leaves_nothing_behind(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        make_org(session, admin, name="Keep")
    with pytest.raises(Conflict), db.unit_of_work() as session:
        make_org(session, admin, name="Other")
        make_org(session, admin, name="Keep")
    with db.unit_of_work(write=False) as session:
        assert session.scalars(select(Organisation.name)).all() == ["Keep"]
        custody.flush(session)
        assert len(session.scalars(select(CustodyEvent)).all()) == 1


def test_departing_then_departed(session: Session, admin: Actor) -> None:
    person = make_person(session, admin)
    later = clock.today() + timedelta(days=14)
    p = service.depart_person(
        session, actor=admin, person_ref=person.email, departure=Departure(on=later)
    )
    assert p.status == PersonStatus.DEPARTING and p.departing_on == later
    p = service.depart_person(session, actor=admin, person_ref=person.id, departure=Departure())
    assert p.status == PersonStatus.DEPARTED and p.departed_on == clock.today()
    with pytest.raises(Conflict, match="already departed"):
        service.depart_person(session, actor=admin, person_ref=person.id, departure=Departure())
    types = [e.event_type for e in _events(session, person.id)]
    assert types == ["PERSON_CREATED", "PERSON_DEPARTING", "PERSON_DEPARTED"]


def test_listing_filters(session: Session, admin: Actor) -> None:
    vendor = make_org(session, admin, name="Vendor A")
    make_person(session, admin, org=vendor, name="Ravi Kumar")
    make_person(session, admin, name="Jane Doe")
    items, total = service.list_people(
        session, actor=admin, filters=PersonFilter(q="ravi"), page=PageParams()
    )
    assert total == 1 and items[0].organisation_name == "Vendor A"
    items, total = service.list_people(
        session, actor=admin, filters=PersonFilter(organisation_id=vendor.id), page=PageParams()
    )
    assert total == 1
    orgs, total = service.list_organisations(
        session, actor=admin, filters=OrganisationFilter(kind=OrgKind.VENDOR), page=PageParams()
    )
    assert [o.name for o in orgs] == ["Vendor A"]


def test_vendor_user_sees_only_itself(session: Session, admin: Actor) -> None:
    vendor = make_org(session, admin)
    staff = make_person(session, admin, org=vendor)
    other = make_person(session, admin)
    user = make_user(session, admin, Role.VENDOR_USER, person=staff)
    actor = actor_for(session, user)
    items, total = service.list_people(
        session, actor=actor, filters=PersonFilter(), page=PageParams()
    )
    assert [p.id for p in items] == [staff.id]
    with pytest.raises(NotFound):
        service.get_person(session, actor=actor, person_ref=other.id)
    orgs, _ = service.list_organisations(
        session, actor=actor, filters=OrganisationFilter(), page=PageParams()
    )
    assert [o.id for o in orgs] == [vendor.id]


def test_auditor_cannot_write(session: Session, admin: Actor) -> None:
    auditor = actor_for(session, make_user(session, admin, Role.AUDITOR))
    with pytest.raises(Forbidden):
        make_org(session, auditor)


def test_far_departure_date_is_a_typo(session: Session, admin: Actor) -> None:
    person = make_person(session, admin)
    with pytest.raises(Exception, match="ten years"):
        service.depart_person(
            session,
            actor=admin,
            person_ref=person.id,
            departure=Departure(on=clock.today() + timedelta(days=5000)),
        )


def test_a_person_standing_brings_the_organisation_and_the_login(
    session: Session, admin: Actor
) -> None:
    """What an access decision reads of a person, by id or by email in any case, whoever asks."""
    org = make_org(session, admin, name="Standing Vendor", kind=OrgKind.VENDOR)
    person = make_person(session, admin, org=org, name="Stella Standing")
    found = service.person_standing(session, person_ref=person.id)
    assert found.model_dump(include=set(type(person).model_fields)) == person.model_dump()
    assert (found.organisation_name, found.organisation_kind) == ("Standing Vendor", "vendor")
    assert found.organisation_status == "active" and found.account_active  # no login at all
    by_email = service.person_standing(session, person_ref=f"  {person.email.upper()} ")
    assert by_email == found
    user = make_user(session, admin, person=person)
    session.get_one(User, user.id).active = False  # read before a flush: the query flushes
    assert not service.person_standing(session, person_ref=person.email).account_active
    with pytest.raises(NotFound, match=r"no person 'nobody@example\.org'"):
        service.person_standing(session, person_ref="nobody@example.org")
