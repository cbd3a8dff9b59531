"""The demo's agreements (agreements.yaml): an NDA with each vendor and the partner, one of
them expired and marked so, the employees' confidentiality agreements, and the Lotus NDA's
text (stored in the vault and analysed by `demo.documents`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate, AgreementKind
from crownjewels.core import clock
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonFilter


class Signatory(dataset.Record):
    """Who signs for the company."""

    name: str
    title: str


class Nda(dataset.Record):
    """An NDA with an organisation; `expires_in_days` None for an open-ended one."""

    organisation: str
    title: str
    kind: AgreementKind
    effective_days_ago: int
    expires_in_days: int | None
    governing_law: str
    survival_years: int
    forum: str
    #: hours within which a breach must be notified to us (a contractual incident clock)
    breach_notice_hours: int | None = None


class EmployeeAgreement(dataset.Record):
    """One person's confidentiality agreement, signed by them."""

    title: str
    effective_days_ago: int
    governing_law: str
    party: str


class StaffAgreement(dataset.Record):
    """The standard agreement every current employee and contractor is party to."""

    title: str
    effective_days_ago: int
    governing_law: str


class Document(dataset.Record):
    """An agreement's text, uploaded as a file of this name."""

    organisation: str
    filename: str
    text: str


class Agreements(dataset.DataFile):
    """agreements.yaml."""

    signatory: Signatory
    ndas: list[Nda]
    employee_agreements: list[EmployeeAgreement]
    staff_agreement: StaffAgreement
    nda_document: Document

    def references(self, company: dataset.Company) -> Iterator[dataset.Reference]:
        """NDAs name an organisation, employee agreements a person, the text an NDA's party."""
        for i, nda in enumerate(self.ndas):
            yield (
                ("ndas", i, "organisation"),
                nda.organisation,
                company.organisations,
                "organisation",
            )
        for i, own in enumerate(self.employee_agreements):
            yield ("employee_agreements", i, "party"), own.party, company.locals(), "person"
        parties_ = {nda.organisation for nda in self.ndas}
        where = ("nda_document", "organisation")
        yield where, self.nda_document.organisation, parties_, "NDA party"


def data() -> Agreements:
    """The demo's agreements data."""
    return dataset.load("agreements.yaml", Agreements)


def _law(code: str) -> dict[str, Any]:
    return {"governing_law": code[:2], "governing_law_subdivision": code if "-" in code else None}


def seed(run: Seeding) -> dict[str, str]:
    """The NDAs (the lapsed one marked expired) and the employees' own agreements; the ref of
    each organisation's first NDA by organisation key."""
    today, found = clock.today(), data()
    legal, refs = run.users[Role.LEGAL], dict[str, str]()
    for nda in found.ndas:
        left = nda.expires_in_days
        made = agreements.create(
            run.session,
            actor=legal,
            data=AgreementCreate.model_validate(
                {
                    "kind": nda.kind,
                    "title": nda.title,
                    "status": "in_force",
                    "effective_on": today - timedelta(days=nda.effective_days_ago),
                    "expires_on": today + timedelta(days=left) if left is not None else None,
                    "survival_years": nda.survival_years,
                    **_law(nda.governing_law),
                    "forum": nda.forum,
                    "breach_notice_hours": nda.breach_notice_hours,
                    "parties": [{"organisation": run.orgs[nda.organisation], "role": "mutual"}],
                    "signatories": [found.signatory.model_dump()],
                }
            ),
        )
        refs.setdefault(nda.organisation, made.ref)
    agreements.mark_expired(run.session, actor=legal, on=today)
    for own in found.employee_agreements:
        signed = today - timedelta(days=own.effective_days_ago)
        name = run.company.person(own.party)[1]
        party = {"person": run.company.staff(own.party), "role": "recipient"}
        signatory = {"name": name, "signed_on": signed}
        _employee_agreement(run, own.title, signed, own.governing_law, [party], signatory)
    return refs


def seed_staff_agreement(run: Seeding) -> None:
    """The standard agreement, every current employee and contractor a party."""
    found = data()
    agreement = found.staff_agreement
    people, _ = parties.list_people(
        run.session, actor=run.actor, filters=PersonFilter(), page=PageParams(limit=500)
    )
    staff = [
        {"person": p.email, "role": "recipient"}
        for p in people
        if p.status.value != "departed" and p.kind.value != "vendor-staff"
    ]
    effective = clock.today() - timedelta(days=agreement.effective_days_ago)
    signatory = found.signatory.model_dump()
    _employee_agreement(run, agreement.title, effective, agreement.governing_law, staff, signatory)


def _employee_agreement(
    run: Seeding,
    title: str,
    effective: date,
    law: str,
    parties_: list[dict[str, str]],
    signatory: dict[str, Any],
) -> None:
    data = AgreementCreate.model_validate(
        {
            "kind": "employee-confidentiality",
            "title": title,
            "status": "in_force",
            "effective_on": effective,
            **_law(law),
            "parties": parties_,
            "signatories": [signatory],
        }
    )
    agreements.create(run.session, actor=run.users[Role.LEGAL], data=data)
