"""The recipient's real MFA state: approving a highly sensitive grant for a vendor user who
has not enrolled TOTP is refused in words naming the fix (a grant they could never use); once
they enrolled it goes through; who-can and what-can say the same; a sensitive secret and a
person with no login are not held up."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.errors import AccessDenied
from crownjewels.access.rules import GrantStatus
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.sealing import Sealer
from crownjewels.inventory.schemas import SecretRead, Tier
from crownjewels.parties import accounts
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonKind, PersonRead, PersonUpdate
from tests.disclosure.portal.world import BINDER, approve, request
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person
from tests.vendors.diligence_factories import make_contact, make_vendor, make_vendor_user

NO_MFA = (
    "Asha Rao has not set up two-factor sign-in; highly sensitive secrets need it: "
    "ask them to sign in once to enrol"
)


def _vendor_user(session: Session) -> tuple[PersonRead, Actor]:
    vendor, org = make_vendor(session, BINDER, name="Lotus Ltd")
    make_contact(session, vendor)
    person, actor = make_vendor_user(session, BINDER, org)
    # renamed, so the message can be pinned word for word
    named = parties.update_person(
        session, actor=BINDER, person_ref=person.id, changes=PersonUpdate(full_name="Asha Rao")
    )
    return named, actor


def _secret(session: Session, tier: Tier) -> SecretRead:
    return make_secret(session, BINDER, name="Glaze", tier=tier, allowed_regions=["IN", "US"])


def _enrol(session: Session, actor: Actor) -> None:
    secret = pyotp.random_base32()
    accounts.confirm_mfa_enrolment(
        session,
        user_id=actor.id,
        secret=secret,
        code=pyotp.TOTP(secret).at(clock.now()),
        sealer=Sealer("test-secret-key"),
    )


def test_approval_is_refused_until_the_vendor_user_enrolled(session: Session) -> None:
    person, actor = _vendor_user(session)
    secret = _secret(session, Tier.HIGHLY_SENSITIVE)
    grant = request(session, person_id=person.id, secret_id=secret.id, purpose="glaze trial")
    first = access.approve(session, actor=BINDER, grant_ref=grant.ref)  # the owner's
    with pytest.raises(AccessDenied) as refused:
        access.approve(session, actor=BINDER, grant_ref=grant.ref)
    assert refused.value.message == f"{grant.ref} cannot be approved: {NO_MFA}"
    assert access.get(session, actor=BINDER, grant_ref=grant.ref).status == (GrantStatus.REQUESTED)
    _enrol(session, actor)
    assert first.status == GrantStatus.REQUESTED
    assert approve(session, first).status == GrantStatus.ACTIVE


def test_who_can_and_what_can_name_the_missing_enrolment(session: Session) -> None:
    person, actor = _vendor_user(session)
    secret = _secret(session, Tier.HIGHLY_SENSITIVE)
    request(session, person_id=person.id, secret_id=secret.id, purpose="glaze trial")
    who = {d.person_id: d for d in access.who_can(session, actor=BINDER, secret=secret.ref)}
    assert {r.rule: r.message for r in who[person.id].reasons}["mfa"] == NO_MFA
    (what,) = access.what_can(session, actor=BINDER, person=person.id)
    assert {r.rule: r.message for r in what.reasons}["mfa"] == NO_MFA
    _enrol(session, actor)
    (what,) = access.what_can(session, actor=BINDER, person=person.id)
    assert "mfa" not in {r.rule for r in what.reasons}


def test_a_sensitive_secret_needs_no_enrolment(session: Session) -> None:
    person, _ = _vendor_user(session)
    secret = _secret(session, Tier.SENSITIVE)
    grant = request(session, person_id=person.id, secret_id=secret.id, purpose="glaze trial")
    assert approve(session, grant).status == GrantStatus.ACTIVE


def test_a_person_without_a_login_is_not_held_up(session: Session) -> None:
    vendor, org = make_vendor(session, BINDER, name="Lotus Ltd")
    make_contact(session, vendor)
    person = make_person(session, BINDER, org=org, country="IN", kind=PersonKind.VENDOR_STAFF)
    secret = _secret(session, Tier.HIGHLY_SENSITIVE)
    grant = request(session, person_id=person.id, secret_id=secret.id, purpose="glaze trial")
    assert approve(session, grant).status == GrantStatus.ACTIVE
