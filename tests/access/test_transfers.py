"""The transfer rule against a real database: personal data held in Germany reaches an Indian
BPO only under SCCs of the right module and a transfer impact assessment recorded with the
vendor. The case that was wrong first: a DPA in force alone admitted the transfer."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.access.schemas import Decision
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict, Forbidden
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import Category, LocationCreate, SecretRead, SecretUpdate
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationRead, OrgKind, PersonKind, PersonRead
from crownjewels.vault import service as vault_service
from crownjewels.vault.service import Vault
from crownjewels.vendors import contacts
from crownjewels.vendors.schemas import ContactCreate, VendorRead
from crownjewels.vendors.transfers import service as transfers
from crownjewels.vendors.transfers.schemas import MechanismCreate, TiaCreate
from tests.access.factories import bind_for_access
from tests.inventory.factories import COMPANY, make_secret
from tests.parties.factories import make_org, make_person
from tests.vendors.factories import make_vendor

LOTUS = "Lotus Process Services"


@dataclass(frozen=True)
class Bpo:
    vendor: VendorRead
    agent: PersonRead
    secret: SecretRead


def _dpa(session: Session, admin: Actor, organisation_id: str) -> None:
    today = clock.today()
    agreements.create(
        session,
        actor=admin,
        data=AgreementCreate.model_validate(
            {
                "kind": "dpa",
                "title": "Art. 28 processing agreement",
                "status": "in_force",
                "effective_on": today - timedelta(days=30),
                "expires_on": today + timedelta(days=700),
                "governing_law": "DE",
                "parties": [{"organisation": organisation_id}],
            }
        ),
    )


def _bpo(session: Session, admin: Actor, **secret: object) -> Bpo:
    make_org(session, admin, name="Acme GmbH", kind=OrgKind.OWN, country="DE")
    owner = make_person(session, admin, name="Olga Owner", country="DE")
    vendor = make_vendor(session, admin, name=LOTUS, country="IN")
    lotus = make_org_id(session, admin, vendor)
    agent = make_person(
        session, admin, org=lotus, name="Anil Agent", country="IN", kind=PersonKind.VENDOR_STAFF
    )
    made = make_secret(
        session, admin, owner=owner, name="Claims customers", category=Category.CUSTOMER_LIST
    )
    _dpa(session, admin, vendor.organisation_id)
    # bound while the secret is not yet flagged (the approval itself checks the transfer)
    bind_for_access(session, person_id=agent.id, secret_id=made.id, level="view")
    made = inventory.update(
        session,
        actor=admin,
        secret_ref=made.ref,
        changes=SecretUpdate.model_validate(secret),
        company=COMPANY,
    )
    return Bpo(vendor=vendor, agent=agent, secret=made)


def make_org_id(session: Session, admin: Actor, vendor: VendorRead) -> OrganisationRead:
    """The vendor's organisation, with a primary contact (its due diligence is sent there)."""
    contacts.add_contact(
        session,
        actor=admin,
        vendor_ref=vendor.ref,
        data=ContactCreate(name="Priya Nair", email="priya@lotus.example", is_primary=True),
    )
    return parties.get_organisation(session, actor=admin, org_ref=vendor.organisation_id)


def _check(session: Session, admin: Actor, bpo: Bpo) -> Decision:
    return access.decide(
        session,
        actor=admin,
        person=bpo.agent.id,
        secret=bpo.secret.ref,
        action=Level.VIEW,
        mfa=True,
        record=False,
    )


def allow(session: Session, admin: Actor, bpo: Bpo) -> None:
    """SCCs module C2P for IN and a favourable TIA of IN, recorded with the BPO."""
    today = clock.today()
    transfers.record_mechanism(
        session,
        actor=admin,
        vendor_ref=bpo.vendor.ref,
        data=MechanismCreate(
            kind="scc", regime="GDPR", module="C2P", countries=["IN"],
            effective_on=today - timedelta(days=5),
        ),
    )  # fmt: skip
    transfers.record_assessment(
        session,
        actor=admin,
        vendor_ref=bpo.vendor.ref,
        data=TiaCreate(
            regime="GDPR", country="IN", assessed_on=today - timedelta(days=5), outcome="proceed"
        ),
    )


def _transfer_reason(decision: Decision) -> str:
    return next(r.message for r in decision.reasons if r.rule == "region:transfer")


def test_a_dpa_alone_no_longer_admits_personal_data_from_de_to_in(
    session: Session, admin: Actor
) -> None:
    bpo = _bpo(session, admin, personal_data=True, data_subject_regions=["DE", "FR"])
    decision = _check(session, admin, bpo)
    assert not decision.allowed
    reason = _transfer_reason(decision)
    assert "data subjects in DE, FR" in reason
    assert f"no SCCs module C2P with {LOTUS} for transfers from DE to IN" in reason
    assert "TIA missing" in reason


def test_sccs_of_the_right_module_and_a_tia_admit_it(session: Session, admin: Actor) -> None:
    bpo = _bpo(session, admin, personal_data=True)
    today = clock.today()
    transfers.record_mechanism(
        session,
        actor=admin,
        vendor_ref=bpo.vendor.ref,
        data=MechanismCreate(
            kind="scc", regime="GDPR", module="C2C", effective_on=today - timedelta(days=5)
        ),
    )
    transfers.record_assessment(
        session,
        actor=admin,
        vendor_ref=bpo.vendor.ref,
        data=TiaCreate(
            regime="GDPR", country="IN", assessed_on=today - timedelta(days=5), outcome="proceed"
        ),
    )
    decision = _check(session, admin, bpo)
    assert "module C2C are recorded but the roles need module C2P" in _transfer_reason(decision)
    scc = transfers.record_mechanism(
        session,
        actor=admin,
        vendor_ref=bpo.vendor.ref,
        data=MechanismCreate(
            kind="scc", regime="GDPR", module="C2P", effective_on=today - timedelta(days=5)
        ),
    )
    assert _check(session, admin, bpo).allowed
    transfers.revoke_mechanism(
        session, actor=admin, vendor_ref=bpo.vendor.ref, mechanism_id=scc.id, reason="terminated"
    )
    assert not _check(session, admin, bpo).allowed
    custody.flush(session)
    events = session.scalars(
        select(CustodyEvent.event_type).where(CustodyEvent.subject_id == bpo.vendor.id)
    ).all()
    assert events.count("TRANSFER_MECHANISM_RECORDED") == 2
    assert "TRANSFER_ASSESSMENT_RECORDED" in events
    assert "TRANSFER_MECHANISM_REVOKED" in events


def test_a_customer_list_without_personal_data_is_not_a_restricted_transfer(
    session: Session, admin: Actor
) -> None:
    bpo = _bpo(session, admin, personal_data=False)
    assert bpo.secret.category == Category.CUSTOMER_LIST
    assert _check(session, admin, bpo).allowed


def test_the_origin_is_where_the_data_is_held(session: Session, admin: Actor) -> None:
    """Our company is in the US; the copy sits with the German subsidiary: GDPR applies."""
    make_org(session, admin, name="Acme Inc", kind=OrgKind.OWN, country="US")
    owner = make_person(session, admin, name="Uma Owner", country="US")
    vendor = make_vendor(session, admin, name=LOTUS, country="IN")
    agent = make_person(
        session,
        admin,
        org=make_org_id(session, admin, vendor),
        name="Anil Agent",
        country="IN",
        kind=PersonKind.VENDOR_STAFF,
    )
    held_in_us = make_secret(session, admin, owner=owner, name="US list", personal_data=True)
    held_in_de = make_secret(session, admin, owner=owner, name="DE list", personal_data=True)
    for secret in (held_in_us, held_in_de):
        bind_for_access(session, person_id=agent.id, secret_id=secret.id, level="view")
    held_in_de = inventory.add_location(
        session,
        actor=admin,
        secret_ref=held_in_de.ref,
        data=LocationCreate(kind="drive", name="Acme GmbH share", country="DE"),
    )
    us = Bpo(vendor=vendor, agent=agent, secret=held_in_us)
    de = Bpo(vendor=vendor, agent=agent, secret=held_in_de)
    assert _check(session, admin, us).allowed  # no modelled regime restricts US exports
    assert "transfers from DE to IN" in _transfer_reason(_check(session, admin, de))


def test_mechanisms_are_refused_in_words_and_need_vendors_write(
    session: Session, admin: Actor
) -> None:
    viewer = Actor(kind="user", id="aud", name="Audrey Auditor", roles=frozenset({Role.AUDITOR}))
    vendor = make_vendor(session, admin, name=LOTUS, country="IN")
    with pytest.raises(ValueError, match="the EU SCCs alone are not a UK mechanism"):
        MechanismCreate(kind="scc", regime="UK", module="C2P")
    with pytest.raises(ValueError, match="give filed_on"):
        MechanismCreate(kind="cn-standard-contract", regime="CN")
    with pytest.raises(ValueError, match="need their module"):
        MechanismCreate(kind="scc", regime="GDPR")
    with pytest.raises(Forbidden, match="vendors:write"):
        transfers.record_mechanism(
            session,
            actor=viewer,
            vendor_ref=vendor.ref,
            data=MechanismCreate(kind="bcr", regime="GDPR"),
        )
    bcr = transfers.record_mechanism(
        session, actor=admin, vendor_ref=vendor.ref, data=MechanismCreate(kind="bcr", regime="GDPR")
    )
    transfers.revoke_mechanism(
        session, actor=admin, vendor_ref=vendor.ref, mechanism_id=bcr.id, reason="withdrawn"
    )
    with pytest.raises(Conflict, match="already revoked"):
        transfers.revoke_mechanism(
            session, actor=admin, vendor_ref=vendor.ref, mechanism_id=bcr.id, reason="again"
        )


def test_a_document_flagged_as_personal_data_is_a_restricted_transfer(
    session: Session, admin: Actor, vault: Vault
) -> None:
    """The secret as a whole holds none; one of its files, a claims export, does."""
    bpo = _bpo(session, admin, personal_data=False)
    doc = vault_service.add_document(
        session,
        actor=admin,
        vault=vault,
        owner_type="secret",
        owner_ref=bpo.secret.id,
        title="Claims export March",
        upload=io.BytesIO(b"name,policy\nMaria Muster,DE-123\n"),
        filename="claims.csv",
    )
    ask = {"person": bpo.agent.id, "secret": bpo.secret.ref, "action": Level.VIEW, "mfa": True}
    assert access.decide(session, actor=admin, document_id=doc.id, record=False, **ask).allowed
    vault_service.mark_personal_data(
        session, actor=admin, document_id=doc.id, personal_data=True, data_subject_regions=["DE"]
    )
    denied = access.decide(session, actor=admin, document_id=doc.id, record=False, **ask)
    assert "transfers from DE to IN" in _transfer_reason(denied)
    assert access.decide(session, actor=admin, record=False, **ask).allowed  # the rest is not
