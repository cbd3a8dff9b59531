"""Vendor profile services on both engines: every write has its custody event, bad input is
refused with a message naming the fix and writes nothing."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.pagination import PageParams
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.parties.schemas import OrgKind
from crownjewels.vault import reading
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from crownjewels.vendors import certifications, contacts, rules, service
from crownjewels.vendors.errors import (
    BadStatusChange,
    DuplicateVendor,
    NotAVendor,
    StaleVendor,
    SubcontractorCycle,
    VendorNotFound,
)
from crownjewels.vendors.models import Certification, VendorProfile
from crownjewels.vendors.schemas import (
    CertificationCreate,
    CertState,
    ContactCreate,
    ContactUpdate,
    CountryAdd,
    Criticality,
    ReviewCreate,
    StatusChange,
    SubcontractorAdd,
    VendorCreate,
    VendorFilter,
    VendorStatus,
    VendorUpdate,
)
from tests.parties.factories import actor_for, make_org, make_person, make_user
from tests.vault import samples
from tests.vendors.factories import make_vendor


def _events(session: Session, subject_id: str) -> list[str]:
    custody.flush(session)
    rows = session.scalars(
        select(CustodyEvent.event_type)
        .where(CustodyEvent.subject_id == subject_id)
        .order_by(CustodyEvent.seq)
    )
    return list(rows)


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def _total_events(session: Session) -> int:
    custody.flush(session)
    return _count(session, CustodyEvent)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(os.urandom(32), source="test")),
        segment_size=4096,
        max_upload=1 << 20,
    )


def test_create_numbers_defaults_and_records(session: Session, admin: Actor) -> None:
    v = make_vendor(session, admin, name="Lotus", countries=["in", "USA"])
    assert v.ref.startswith("VN-") and v.name == "Lotus"
    assert v.status == VendorStatus.PROSPECT and v.review_cadence_months == 12
    assert v.next_review_on == rules.add_months(clock.today(), 12)
    assert [c.country for c in v.countries] == ["IN", "US"]
    assert v.exposure == ["IN", "US"]
    assert _events(session, v.id) == [
        "VENDOR_PROFILE_CREATED",
        "VENDOR_COUNTRY_ADDED",
        "VENDOR_COUNTRY_ADDED",
    ]
    again = service.get(session, actor=admin, vendor_ref="lotus")
    assert again.id == v.id
    assert service.get(session, actor=admin, vendor_ref=v.ref.lower()).id == v.id


def test_critical_vendor_reviews_every_six_months(session: Session, admin: Actor) -> None:
    v = make_vendor(session, admin, criticality=Criticality.CRITICAL)
    assert v.review_cadence_months == 6
    assert (v.next_review_on - clock.today()).days in range(180, 186)


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"criticality": "extreme"}, "criticality"),
        ({"countries": ["XX"]}, "not an ISO 3166 country code"),
        ({"services": ""}, "services"),
    ],
)
def test_bad_create_input_is_refused(
    session: Session, admin: Actor, payload: dict[str, object], needle: str
) -> None:
    org = make_org(session, admin, kind=OrgKind.VENDOR)
    before = _total_events(session)
    with pytest.raises(ValidationError) as err:
        VendorCreate.model_validate(
            {"organisation_id": org.id, "services": "x", "criticality": "high", **payload}
        )
    assert needle in str(err.value)
    assert _total_events(session) == before


def test_only_vendor_organisations_get_a_profile(session: Session, admin: Actor) -> None:
    partner = make_org(session, admin, name="Helvetia AG", kind=OrgKind.PARTNER)
    before = _total_events(session)
    with pytest.raises(NotAVendor, match="Helvetia AG is an organisation of kind partner"):
        service.create(
            session,
            actor=admin,
            data=VendorCreate(organisation_id=partner.id, services="x", criticality="low"),  # type: ignore[arg-type]
        )
    assert _total_events(session) == before and _count(session, VendorProfile) == 0


def test_a_profile_never_starts_suspended(session: Session, admin: Actor) -> None:
    org = make_org(session, admin, kind=OrgKind.VENDOR)
    with pytest.raises(BadStatusChange, match="cannot start suspended; start it as one of"):
        service.create(
            session,
            actor=admin,
            data=VendorCreate(organisation_id=org.id, services="x",
                              criticality=Criticality.LOW, status=VendorStatus.SUSPENDED),
        )  # fmt: skip
    assert _count(session, VendorProfile) == 0


def test_duplicate_profile_is_refused(session: Session, admin: Actor) -> None:
    v = make_vendor(session, admin, name="Bayani")
    with pytest.raises(DuplicateVendor, match=f"already has the vendor profile {v.ref}"):
        service.create(
            session,
            actor=admin,
            data=VendorCreate(organisation_id="Bayani", services="x", criticality=Criticality.LOW),
        )


def test_update_changes_cadence_with_criticality_and_guards_version(
    session: Session, admin: Actor
) -> None:
    v = make_vendor(session, admin, criticality=Criticality.MEDIUM)
    assert v.review_cadence_months == 24
    up = service.update(
        session,
        actor=admin,
        vendor_ref=v.ref,
        changes=VendorUpdate(criticality=Criticality.CRITICAL, version=v.version),
    )
    assert (up.criticality, up.review_cadence_months) == (Criticality.CRITICAL, 6)
    assert _events(session, v.id)[-1] == "VENDOR_PROFILE_UPDATED"
    with pytest.raises(StaleVendor, match="reload it"):
        service.update(
            session, actor=admin, vendor_ref=v.ref, changes=VendorUpdate(services="y", version=1)
        )


def test_status_lifecycle_with_reasons(session: Session, admin: Actor) -> None:
    v = make_vendor(session, admin)
    with pytest.raises(BadStatusChange, match="a prospect vendor cannot become active"):
        service.change_status(
            session,
            actor=admin,
            vendor_ref=v.ref,
            change=StatusChange(status=VendorStatus.ACTIVE, reason="go"),
        )
    for status in (VendorStatus.ONBOARDING, VendorStatus.ACTIVE, VendorStatus.SUSPENDED):
        v = service.change_status(
            session,
            actor=admin,
            vendor_ref=v.ref,
            change=StatusChange(status=status, reason=f"to {status}"),
        )
    assert v.status == VendorStatus.SUSPENDED and v.status_reason == "to suspended"
    assert v.activated_on == clock.today()
    v = service.change_status(
        session,
        actor=admin,
        vendor_ref=v.ref,
        change=StatusChange(status=VendorStatus.OFFBOARDED, reason="contract ended"),
    )
    assert v.offboarded_on == clock.today() and not v.review_due
    assert _events(session, v.id).count("VENDOR_STATUS_CHANGED") == 4


def test_review_schedules_next_by_cadence(session: Session, admin: Actor) -> None:
    v = make_vendor(session, admin, review_cadence_months=3)
    on = clock.today() - timedelta(days=10)
    r = service.review(session, actor=admin, vendor_ref=v.ref, data=ReviewCreate(reviewed_on=on))
    assert r.last_reviewed_on == on and 88 <= (r.next_review_on - on).days <= 92
    with pytest.raises(BadStatusChange, match="future"):
        service.review(
            session,
            actor=admin,
            vendor_ref=v.ref,
            data=ReviewCreate(reviewed_on=clock.today() + timedelta(days=1)),
        )
    assert _events(session, v.id)[-1] == "VENDOR_REVIEWED"


def test_countries_add_and_remove(session: Session, admin: Actor) -> None:
    v = make_vendor(session, admin, countries=["IN"])
    v = service.add_country(session, actor=admin, vendor_ref=v.ref, data=CountryAdd(country="PHL"))
    assert [c.country for c in v.countries] == ["IN", "PH"]
    with pytest.raises(DuplicateVendor, match="already lists PH"):
        service.add_country(session, actor=admin, vendor_ref=v.ref, data=CountryAdd(country="PH"))
    v = service.remove_country(session, actor=admin, vendor_ref=v.ref, country="in")
    assert [c.country for c in v.countries] == ["PH"]
    assert _events(session, v.id)[-1] == "VENDOR_COUNTRY_REMOVED"


def test_subcontractor_chain_exposure_and_cycle(session: Session, admin: Actor) -> None:
    a = make_vendor(session, admin, name="A Corp", countries=["US"])
    b = make_vendor(session, admin, name="B Corp", countries=["IN"])
    c = make_vendor(session, admin, name="C Corp", countries=["VN", "CN"])
    service.add_subcontractor(
        session, actor=admin, vendor_ref=a.ref,
        data=SubcontractorAdd(subcontractor=b.ref, service="claims"),
    )  # fmt: skip
    a2 = service.add_subcontractor(
        session, actor=admin, vendor_ref=b.ref,
        data=SubcontractorAdd(subcontractor="C Corp", service="hosting", countries=["VN"]),
    )  # fmt: skip
    assert a2.subcontractors[0].subcontractor_ref == c.ref
    a = service.get(session, actor=admin, vendor_ref=a.ref)
    assert [(x.depth, x.ref, x.via_ref) for x in a.chain] == [(1, b.ref, a.ref), (2, c.ref, b.ref)]
    assert a.exposure == ["IN", "US", "VN"]  # the link to C names VN only, not CN
    # what the access rules read, in one query, says the same
    standing = service.standing(session, organisation_id=a.organisation_id)
    assert standing is not None
    assert (standing.vendor_id, standing.ref, standing.status) == (a.id, a.ref, a.status)
    assert standing.exposure == a.exposure
    own = make_org(session, admin, name="Not A Vendor", kind=OrgKind.SUBSIDIARY)
    assert service.standing(session, organisation_id=own.id) is None
    by_vn, _ = service.list_vendors(
        session, actor=admin, filters=VendorFilter(country="VN"), page=PageParams()
    )
    assert sorted(x.ref for x in by_vn) == sorted([a.ref, b.ref, c.ref])  # exposure, not rows
    by_cn, _ = service.list_vendors(
        session, actor=admin, filters=VendorFilter(country="CN"), page=PageParams()
    )
    assert [x.ref for x in by_cn] == [c.ref]
    before = _total_events(session)
    with pytest.raises(SubcontractorCycle, match=f"cycle {c.ref} -> {a.ref} -> {b.ref} -> {c.ref}"):
        service.add_subcontractor(
            session, actor=admin, vendor_ref=c.ref,
            data=SubcontractorAdd(subcontractor=a.ref, service="back"),
        )  # fmt: skip
    with pytest.raises(SubcontractorCycle, match="its own subcontractor"):
        service.add_subcontractor(
            session, actor=admin, vendor_ref=a.ref,
            data=SubcontractorAdd(subcontractor=a.ref, service="self"),
        )  # fmt: skip
    assert _total_events(session) == before
    a = service.remove_subcontractor(
        session, actor=admin, vendor_ref=a.ref, subcontractor_ref=b.ref
    )
    assert a.chain == [] and a.exposure == ["US"]


def test_certifications_badges_and_certificate_in_the_vault(
    session: Session, admin: Actor, vault: Vault
) -> None:
    v = make_vendor(session, admin)
    today, pdf = clock.today(), samples.pdf()
    expiring = certifications.add_certification(
        session,
        actor=admin,
        vendor_ref=v.ref,
        data=CertificationCreate(
            standard="iso-27001", issuer="BSI", certificate_number="IS 123",  # type: ignore[arg-type]
            issued_on=today - timedelta(days=1000), expires_on=today + timedelta(days=30),
        ),
        vault_=vault,
        upload=io.BytesIO(pdf),
        filename="iso.pdf",
    )  # fmt: skip
    assert expiring.state == CertState.EXPIRING and expiring.label == "ISO/IEC 27001"
    assert expiring.document_id is not None
    _, plain = reading.open_version(
        session, actor=admin, vault=vault, document_id=expiring.document_id
    )
    with plain:
        assert plain.read() == pdf
    certifications.add_certification(
        session,
        actor=admin,
        vendor_ref=v.ref,
        data=CertificationCreate(standard="soc2-type2", issuer="EY",  # type: ignore[arg-type]
                                 expires_on=today - timedelta(days=1)),
    )  # fmt: skip
    states = {
        c.label: c.state for c in service.get(session, actor=admin, vendor_ref=v.ref).certifications
    }
    assert states == {"ISO/IEC 27001": CertState.EXPIRING, "SOC 2 Type II": CertState.EXPIRED}
    assert "VENDOR_CERTIFICATE_ATTACHED" in _events(session, v.id)


def test_certification_expiry_before_issue_is_refused(session: Session, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="before the issue date"):
        CertificationCreate(
            standard="tisax", issuer="x",  # type: ignore[arg-type]
            issued_on=date(2026, 5, 1), expires_on=date(2026, 4, 1),
        )  # fmt: skip
    assert _count(session, Certification) == 0


def test_contacts_one_primary(session: Session, admin: Actor) -> None:
    v = make_vendor(session, admin)
    person = make_person(session, admin)
    a = contacts.add_contact(
        session, actor=admin, vendor_ref=v.ref,
        data=ContactCreate(name="Arjun", email="ARJUN@lotus.example", is_primary=True,
                           person_id=person.email),
    )  # fmt: skip
    assert a.email == "arjun@lotus.example" and a.person_id == person.id
    b = contacts.add_contact(
        session, actor=admin, vendor_ref=v.ref,
        data=ContactCreate(name="Kavya", email="kavya@lotus.example", role="DPO"),
    )  # fmt: skip
    contacts.update_contact(
        session, actor=admin, vendor_ref=v.ref, contact_id=b.id,
        changes=ContactUpdate(is_primary=True),
    )  # fmt: skip
    listed = service.get(session, actor=admin, vendor_ref=v.ref).contacts
    assert [(c.name, c.is_primary) for c in listed] == [("Kavya", True), ("Arjun", False)]
    with pytest.raises(DuplicateVendor, match="already has a contact"):
        contacts.add_contact(
            session, actor=admin, vendor_ref=v.ref,
            data=ContactCreate(name="K", email="kavya@lotus.example"),
        )  # fmt: skip
    v2 = contacts.remove_contact(session, actor=admin, vendor_ref=v.ref, contact_id=a.id)
    assert [c.name for c in v2.contacts] == ["Kavya"]
    assert _events(session, v.id)[-4:] == [
        "VENDOR_CONTACT_ADDED", "VENDOR_CONTACT_ADDED", "VENDOR_CONTACT_UPDATED",
        "VENDOR_CONTACT_REMOVED",
    ]  # fmt: skip


def test_permissions(session: Session, admin: Actor) -> None:
    from crownjewels.core.permissions import Role

    v = make_vendor(session, admin)
    auditor = actor_for(session, make_user(session, admin, Role.AUDITOR))
    vendor_user = actor_for(session, make_user(session, admin, Role.VENDOR_USER))
    assert service.get(session, actor=auditor, vendor_ref=v.ref).ref == v.ref
    # the refusal names what was refused, the permission and the fix
    write_refused = "changing vendor files needs the vendors:write permission; ask an admin"
    with pytest.raises(Forbidden, match=write_refused):
        service.update(session, actor=auditor, vendor_ref=v.ref, changes=VendorUpdate(notes="x"))
    read_refused = "reading vendor files needs the vendors:read permission; ask an admin"
    with pytest.raises(Forbidden, match=read_refused):
        service.get(session, actor=vendor_user, vendor_ref=v.ref)
    with pytest.raises(VendorNotFound, match="no vendor 'VN-9999'"):
        service.get(session, actor=auditor, vendor_ref="VN-9999")


def test_risk_matrix_counts_by_country_and_criticality(session: Session, admin: Actor) -> None:
    make_vendor(session, admin, criticality=Criticality.CRITICAL, countries=["IN", "US"])
    make_vendor(session, admin, criticality=Criticality.LOW, countries=["IN"])
    m = service.risk_matrix(session, actor=admin, filters=VendorFilter())
    rows = {r.country: r.counts for r in m.rows}
    assert rows["IN"] == {"critical": 1, "high": 0, "medium": 0, "low": 1}
    assert rows["US"]["critical"] == 1 and m.totals["critical"] == 1
    assert m.rows[0].country == "IN"
    only = service.risk_matrix(session, actor=admin, filters=VendorFilter(criticality="low"))  # type: ignore[arg-type]
    assert [r.country for r in only.rows] == ["IN"]
