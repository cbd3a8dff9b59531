"""The confidentiality notice is one rule of access: only the exact current notice of a grant
that applies counts as acknowledged, and only a grant in force has a notice to acknowledge."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.errors import GrantConflict
from crownjewels.access.facts import Level
from crownjewels.access.schemas import GrantRead, GrantRequest
from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.errors import Forbidden
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties.schemas import PersonRead
from crownjewels.training import service as training
from crownjewels.training.models import Attestation
from tests.access.factories import _agreement, _training, _vendor_ready
from tests.inventory.factories import make_secret
from tests.vendors.diligence_factories import make_contact, make_vendor, make_vendor_user

BINDER = system_actor("notice-test")


def _requested(session: Session) -> tuple[PersonRead, Actor, SecretRead, GrantRead]:
    """A vendor user bound by an agreement, due diligence and training, with a requested
    download grant on a secret: everything but the approval and the notice."""
    vendor, org = make_vendor(session, BINDER, name="Kiln Works")
    make_contact(session, vendor)
    person, user = make_vendor_user(session, BINDER, org)
    secret = make_secret(session, BINDER, name="Kiln curve", allowed_regions=["IN"])
    _agreement(session, person.id, secret.id)
    _vendor_ready(session, person.organisation_id)
    _training(session, person.id)
    grant = access.request_grant(
        session,
        actor=BINDER,
        data=GrantRequest(
            person=person.id,
            secret=secret.id,
            level=Level.DOWNLOAD,
            purpose="fire the trial batch",
            expires_at=clock.now() + timedelta(days=30),
        ),
    )
    return person, user, secret, grant


def _rules(session: Session, person: PersonRead, secret: SecretRead) -> list[str]:
    decision = access.decide(
        session, actor=BINDER, person=person.id, secret=secret.id, action=Level.DOWNLOAD
    )
    return [r.rule for r in decision.reasons]


def test_a_requested_grants_notice_cannot_be_acknowledged(session: Session) -> None:
    person, user, secret, grant = _requested(session)
    with pytest.raises(GrantConflict, match="once the grant is approved"):
        access.acknowledge_notice(session, actor=user, grant=grant, secret=secret, channel="portal")
    assert session.scalar(select(Attestation).where(Attestation.person_id == person.id)) is None


def test_only_the_exact_notice_of_an_applying_grant_counts(session: Session) -> None:
    person, user, secret, grant = _requested(session)
    grant = access.approve(session, actor=BINDER, grant_ref=grant.ref, note="needed")
    assert _rules(session, person, secret) == ["bound:acknowledgement"]
    # a secret-notice acknowledgement of another text (an old notice) does not count
    training.acknowledge(
        session,
        actor=user,
        person_id=person.id,
        kind="secret-notice",
        secret_id=secret.id,
        text=f"I acknowledge an older notice of {secret.ref}, for another purpose.",
        channel="portal",
    )
    assert _rules(session, person, secret) == ["bound:acknowledgement"]
    done = access.acknowledge_notice(
        session, actor=user, grant=grant, secret=secret, channel="portal"
    )
    assert done.text == access.notice_text(secret, grant.purpose)
    assert _rules(session, person, secret) == []
    again = access.acknowledge_notice(
        session, actor=user, grant=grant, secret=secret, channel="portal"
    )
    assert again.id == done.id


def test_a_read_only_token_cannot_acknowledge_a_notice(session: Session) -> None:
    """Acknowledging is a self-service write: a read-scope token of the grantee is refused."""
    person, user, secret, grant = _requested(session)
    grant = access.approve(session, actor=BINDER, grant_ref=grant.ref, note="needed")
    token = dataclasses.replace(user, scopes=frozenset({"read"}))
    with pytest.raises(Forbidden, match="may only read"):
        access.acknowledge_notice(session, actor=token, grant=grant, secret=secret, channel="api")
    assert session.scalar(select(Attestation).where(Attestation.person_id == person.id)) is None
