"""Small factories for due-diligence tests: a vendor (organisation through parties, the profile
row through the ORM until the vendor service lands), its contact, and a vendor user."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.parties.schemas import OrganisationRead, PersonKind, PersonRead
from crownjewels.vendors.diligence import loader, service
from crownjewels.vendors.diligence.schemas import TemplateImported
from crownjewels.vendors.models import VendorContact, VendorCountry, VendorProfile
from tests.parties.factories import actor_for, make_org, make_person, make_user

_n = itertools.count(1)


def make_vendor(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    criticality: str = "high",
    countries: tuple[str, ...] = ("IN",),
    cadence_months: int = 12,
) -> tuple[VendorProfile, OrganisationRead]:
    n = next(_n)
    org = make_org(session, actor, name=name or f"Vendor {n} Ltd", country=countries[0])
    profile = VendorProfile(
        ref=f"VEN-{n:04d}",
        organisation_id=org.id,
        services="Formulation support",
        criticality=criticality,
        status="onboarding",
        review_cadence_months=cadence_months,
        next_review_on=date(2027, 12, 1),
    )
    session.add(profile)
    session.flush()
    for code in countries:
        session.add(VendorCountry(vendor_id=profile.id, country=code))
    session.flush()
    return profile, org


def make_contact(
    session: Session, vendor: VendorProfile, *, person: PersonRead | None = None
) -> VendorContact:
    n = next(_n)
    contact = VendorContact(
        vendor_id=vendor.id,
        person_id=person.id if person else None,
        name=person.full_name if person else f"Contact {n}",
        email=person.email if person else f"contact{n}@vendor.example",
        is_primary=True,
    )
    session.add(contact)
    session.flush()
    return contact


def make_vendor_user(
    session: Session, actor: Actor, org: OrganisationRead
) -> tuple[PersonRead, Actor]:
    person = make_person(session, actor, org=org, kind=PersonKind.VENDOR_STAFF, country="IN")
    user = make_user(session, actor, Role.VENDOR_USER, person=person)
    return person, actor_for(session, user)


def import_builtin(session: Session, actor: Actor) -> TemplateImported:
    return service.import_template(session, actor=actor, loaded=loader.built_in()[0])


def full_answers() -> dict[str, Any]:
    """Answers to every visible required question, each control in place."""
    return {
        "1.1": ["ISO/IEC 27001"],
        "1.3": "yes",
        "2.1": "yes",
        "2.2": "yes",
        "3.1": "yes",
        "3.2": "yes",
        "3.3": "Quarterly",
        "4.1": "yes",
        "4.2": "400",
        "5.1": "yes",
        "5.2": "24",
        "5.3": "no",
        "6.1": "no",
        "7.1": "yes",
        "7.2": "yes",
        "7.3": "yes",
        "8.1": "India",
        "8.2": "yes",
        "8.3": "Encrypted portal or SFTP",
        "9.1": "yes",
        "9.2": "no",
    }
