"""The demo's vendor files (vendors.yaml): each vendor's profile and lifecycle so far, its
certifications (one expiring, one expired), a subcontractor, contacts, and Lotus's transfer
mechanism (SCCs module C2P) and transfer impact assessments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from crownjewels.core import clock
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.vendors import certifications, contacts
from crownjewels.vendors import service as vendors
from crownjewels.vendors.schemas import (
    CertificationCreate,
    ContactCreate,
    Countries,
    Criticality,
    Standard,
    StatusChange,
    SubcontractorAdd,
    VendorCreate,
    VendorStatus,
)
from crownjewels.vendors.transfers import service as transfers
from crownjewels.vendors.transfers.schemas import (
    MechanismCreate,
    MechanismKind,
    Regime,
    SccModule,
    TiaCreate,
    TiaOutcome,
)


class Step(dataset.Record):
    """A status the vendor passed through, and why."""

    status: VendorStatus
    reason: str


class Profile(dataset.Record):
    """A vendor's profile."""

    services: str
    criticality: Criticality
    countries: Countries
    steps: list[Step]
    notes: str


class Certification(dataset.Record):
    """A certification, dated in days relative to today."""

    vendor: str
    standard: Standard
    standard_name: str | None = None
    issuer: str
    certificate_number: str
    scope: str
    issued_days_ago: int
    expires_in_days: int


class Subcontractor(dataset.Record):
    """A vendor that works for another vendor on our data."""

    vendor: str
    subcontractor: str
    service: str
    countries: Countries


class Contact(dataset.Record):
    """A contact of a vendor: one of its people (email local part)."""

    vendor: str
    email: str
    role: str
    phone: str
    primary: bool


class Mechanism(dataset.Record):
    """A transfer mechanism with a vendor, in force from some days ago."""

    vendor: str
    kind: MechanismKind
    regime: Regime
    module: SccModule | None = None
    countries: Countries
    effective_days_ago: int
    reference: str


class Assessment(dataset.Record):
    """A transfer impact assessment of one destination, some days ago."""

    vendor: str
    regime: Regime
    country: str
    assessed_days_ago: int
    outcome: TiaOutcome
    summary: str


class VendorFiles(dataset.DataFile):
    """vendors.yaml: profiles by organisation key, certifications, subcontractors, contacts,
    transfer mechanisms and assessments."""

    profiles: dict[str, Profile]
    certifications: list[Certification]
    subcontractors: list[Subcontractor]
    contacts: list[Contact]
    transfer_mechanisms: list[Mechanism]
    assessments: list[Assessment]

    def references(self, company: dataset.Company) -> Iterator[dataset.Reference]:
        """Profiles name an organisation; the other records name a profile or a person."""
        orgs, keys = company.organisations.keys(), self.profiles.keys()
        for key in self.profiles:
            yield ("profiles", key), key, orgs, "organisation"
        for i, cert in enumerate(self.certifications):
            yield ("certifications", i, "vendor"), cert.vendor, keys, "vendor profile"
        for i, sub in enumerate(self.subcontractors):
            yield ("subcontractors", i, "vendor"), sub.vendor, keys, "vendor profile"
            yield ("subcontractors", i, "subcontractor"), sub.subcontractor, keys, "vendor profile"
        for i, contact in enumerate(self.contacts):
            yield ("contacts", i, "vendor"), contact.vendor, keys, "vendor profile"
            yield ("contacts", i, "email"), contact.email, company.locals(), "person"
        for i, mechanism in enumerate(self.transfer_mechanisms):
            yield ("transfer_mechanisms", i, "vendor"), mechanism.vendor, keys, "vendor profile"
        for i, assessment in enumerate(self.assessments):
            yield ("assessments", i, "vendor"), assessment.vendor, keys, "vendor profile"


def seed(run: Seeding) -> None:
    """Every vendor file, seeded by the vendor manager."""
    files = dataset.load("vendors.yaml", VendorFiles)
    actor = run.users[Role.VENDOR_MANAGER]
    refs: dict[str, str] = {}
    for key, profile in files.profiles.items():
        data = VendorCreate.model_validate(
            {
                "organisation_id": run.orgs[key],
                "services": profile.services,
                "criticality": profile.criticality,
                "countries": profile.countries,
                "notes": profile.notes,
            }
        )
        refs[key] = vendors.create(run.session, actor=actor, data=data).ref
        for step in profile.steps:
            change = StatusChange.model_validate(step.model_dump())
            vendors.change_status(run.session, actor=actor, vendor_ref=refs[key], change=change)
    _seed_certifications(run, files, refs)
    for sub in files.subcontractors:
        added = SubcontractorAdd(
            subcontractor=refs[sub.subcontractor], service=sub.service, countries=sub.countries
        )
        vendors.add_subcontractor(run.session, actor=actor, vendor_ref=refs[sub.vendor], data=added)
    _seed_contacts(run, files, refs)
    _seed_transfers(run, files, refs)


def _seed_transfers(run: Seeding, files: VendorFiles, refs: dict[str, str]) -> None:
    today, actor = clock.today(), run.users[Role.VENDOR_MANAGER]
    for m in files.transfer_mechanisms:
        fields = m.model_dump(exclude={"vendor", "effective_days_ago"})
        data = MechanismCreate.model_validate(
            {**fields, "effective_on": today - timedelta(days=m.effective_days_ago)}
        )
        transfers.record_mechanism(run.session, actor=actor, vendor_ref=refs[m.vendor], data=data)
    for a in files.assessments:
        fields = a.model_dump(exclude={"vendor", "assessed_days_ago"})
        done = TiaCreate.model_validate(
            {**fields, "assessed_on": today - timedelta(days=a.assessed_days_ago)}
        )
        transfers.record_assessment(run.session, actor=actor, vendor_ref=refs[a.vendor], data=done)


def _seed_certifications(run: Seeding, files: VendorFiles, refs: dict[str, str]) -> None:
    today = clock.today()
    for cert in files.certifications:
        fields = cert.model_dump(exclude={"vendor", "issued_days_ago", "expires_in_days"})
        data = CertificationCreate.model_validate(
            {
                **fields,
                "issued_on": today - timedelta(days=cert.issued_days_ago),
                "expires_on": today + timedelta(days=cert.expires_in_days),
            }
        )
        certifications.add_certification(
            run.session,
            actor=run.users[Role.VENDOR_MANAGER],
            vendor_ref=refs[cert.vendor],
            data=data,
        )


def _seed_contacts(run: Seeding, files: VendorFiles, refs: dict[str, str]) -> None:
    for contact in files.contacts:
        email = run.email(contact.vendor, contact.email)
        data = ContactCreate(
            name=run.company.person(contact.email)[1],
            email=email,
            role=contact.role,
            phone=contact.phone,
            is_primary=contact.primary,
            person_id=email,
        )
        contacts.add_contact(
            run.session,
            actor=run.users[Role.VENDOR_MANAGER],
            vendor_ref=refs[contact.vendor],
            data=data,
        )
