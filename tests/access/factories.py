"""Give a person everything the access rules need to reach a secret, through real service calls
(never by loosening a check): an agreement in force covering the secret with the person (or
their organisation), required training current, a completed due diligence of their vendor
(made active), an approved grant at the level and, once it is in force, its exact notice
acknowledged. Other test packages import `bind_for_access`: keep its signature stable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.access.schemas import GrantRead, GrantRequest
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate, AgreementRead
from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties
from crownjewels.vendors import service as vendors

#: the installation itself binds: it holds every role and may approve as a job would
BINDER = system_actor("test-binder")


@dataclass(frozen=True)
class Binding:
    """What `bind_for_access` made: the agreement (None when one already covered), the grant."""

    agreement: AgreementRead | None
    grant: GrantRead


def _agreement(session: Session, person_id: str, secret_id: str) -> AgreementRead | None:
    """An NDA in force naming the secret, with the person's organisation (or the person when
    they are staff of the own organisation); None when one already covers the disclosure."""
    person = parties.get_person(session, actor=BINDER, person_ref=person_id)
    org = parties.get_organisation(session, actor=BINDER, org_ref=person.organisation_id)
    own = org.kind.value == "own"
    org_id = None if own else org.id
    today = clock.today()
    if agreements.covering(
        session, BINDER, secret_id=secret_id, organisation_id=org_id, person_id=person.id, on=today
    ):
        return None
    secret = inventory.get(session, actor=BINDER, secret_ref=secret_id)
    party: dict[str, Any] = (
        {"person": person.email, "role": "recipient"}
        if own
        else {"organisation": org.id, "role": "recipient"}
    )
    data = AgreementCreate.model_validate(
        {
            "kind": "nda",
            "title": f"NDA for {secret.ref}",
            "status": "in_force",
            "effective_on": today - timedelta(days=30),
            "expires_on": today + timedelta(days=700),
            "governing_law": "US",
            "scope": "named",
            "secrets": [secret.ref],
            "parties": [party],
        }
    )
    return agreements.create(session, actor=BINDER, data=data)


def _vendor_ready(session: Session, organisation_id: str) -> None:
    """A vendor organisation: a completed due diligence, and the vendor active."""
    from crownjewels.vendors.diligence import loader
    from crownjewels.vendors.diligence import review as reviewing
    from crownjewels.vendors.diligence import service as diligence
    from crownjewels.vendors.diligence.schemas import (
        AnswersSave,
        AssessmentSend,
        Decision,
        Review,
        ReviewSave,
    )
    from crownjewels.vendors.schemas import StatusChange, VendorStatus
    from tests.vendors.diligence_factories import full_answers

    standing = vendors.standing(session, organisation_id=organisation_id)
    if standing is None:
        return
    ok, _ = diligence.standing(session, vendor_id=standing.vendor_id, on=clock.today())
    if not ok:
        if not diligence.list_templates(session, actor=BINDER):
            diligence.import_template(session, actor=BINDER, loaded=loader.built_in()[0])
        sent = diligence.send(session, actor=BINDER, data=AssessmentSend(vendor=standing.ref))
        assert sent.link is not None
        answerer = diligence.link_actor(session, token=sent.link.token)
        answers = full_answers()
        diligence.save_answers(
            session, actor=answerer, assessment_ref=sent.id, data=AnswersSave(answers=answers)
        )
        diligence.submit(session, actor=answerer, assessment_ref=sent.id)
        decisions = [Decision(question_id=q, decision=Review.ACCEPTED) for q in answers]
        reviewing.review(
            session, actor=BINDER, assessment_ref=sent.id, data=ReviewSave(decisions=decisions)
        )
        reviewing.complete(session, actor=BINDER, assessment_ref=sent.id)
    path = {
        "prospect": [VendorStatus.ONBOARDING, VendorStatus.ACTIVE],
        "onboarding": [VendorStatus.ACTIVE],
        "suspended": [VendorStatus.ACTIVE],
    }.get(str(standing.status), [])
    for status in path:
        vendors.change_status(
            session,
            actor=BINDER,
            vendor_ref=standing.ref,
            change=StatusChange(status=status, reason="bound for access in a test"),
        )


def _training(session: Session, person_id: str) -> None:
    """Every required course the person misses completed today."""
    from crownjewels.training import service as training
    from crownjewels.training.schemas import CompletionCreate

    today = clock.today()
    for missing in training.required_missing(session, person_id=person_id, on=today):
        training.record_completion(
            session,
            actor=BINDER,
            data=CompletionCreate(person=person_id, course=missing.code, completed_on=today),
        )


def bind_for_access(
    session: Session,
    *,
    person_id: str,
    secret_id: str,
    level: str = "download",
    document_id: str | None = None,
    purpose: str = "bound for access in a test",
    approver: Actor | None = None,
) -> Binding:
    """Make `person_id` pass every access rule for `secret_id` at `level` (know-of, view,
    download, edit), and return what was made. `approver` approves the grant (default: the
    installation; a highly-sensitive secret then gets its two approvals from it)."""
    person = parties.get_person(session, actor=BINDER, person_ref=person_id)
    secret = inventory.get(session, actor=BINDER, secret_ref=secret_id)
    agreement = _agreement(session, person.id, secret.id)
    _vendor_ready(session, person.organisation_id)
    _training(session, person.id)
    grant = access.request_grant(
        session,
        actor=BINDER,
        data=GrantRequest(
            person=person.id,
            secret=secret.id,
            document_id=document_id,
            level=Level(level),
            purpose=purpose,
            expires_at=access.default_expiry(secret.tier.value),
        ),
    )
    by = approver or BINDER
    while grant.status.value == "requested":
        grant = access.approve(session, actor=by, grant_ref=grant.ref, note="test binding")
    # the exact notice of the grant, acknowledged once it is in force (recorded on the
    # person's behalf, as training:write may)
    access.acknowledge_notice(session, actor=BINDER, grant=grant, secret=secret, channel="test")
    return Binding(agreement=agreement, grant=grant)
