"""A grant's context before its approval: the recipient's agreements in force, the facts the
rules read about them, and the decision the policies would give with the grant approved (the
same facts and engine as `access check`, with the prospective grant among the granted
levels)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from crownjewels.access import decide as deciding
from crownjewels.access.decision import READER, of_person, recipient_mfa
from crownjewels.access.engine import PolicyEngine, engine_for
from crownjewels.access.facts import Facts, Level
from crownjewels.access.schemas import ApprovalContext, Check, GrantRead
from crownjewels.agreements import service as agreements
from crownjewels.core import clock
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonRead


def approval_context(
    session: Session, *, grant: GrantRead, engine: PolicyEngine | None = None
) -> ApprovalContext | None:
    """The context of a grant to one person, read for an approver who already sees the grant
    (None for an organisation's grant: each member is checked when it is approved)."""
    if grant.person_id is None:
        return None
    engine = engine or engine_for(None)
    person = parties.get_person(session, actor=READER, person_ref=grant.person_id)
    secret = inventory.get_plain(session, actor=READER, secret_ref=grant.secret_id)
    level = Level(grant.level)
    facts, _ = deciding.gather(
        session, person=person, secret=secret, action=level, mfa=recipient_mfa(session, person)
    )
    # the decision as it would be were this grant approved: its levels granted
    prospective = replace(facts, granted=facts.granted | level.includes())
    verdict = engine.decide(prospective)
    decision = deciding.decision_of(
        engine, prospective, verdict, person=person, secret=secret, action=level
    )
    return ApprovalContext(
        person_name=person.full_name,
        agreements=_agreements(session, person, facts),
        checks=_checks(facts, secret.ref),
        decision=of_person(person, decision),
    )


def _agreements(session: Session, person: PersonRead, facts: Facts) -> list[str]:
    """The agreements in force today with the person or their organisation, as people read
    them: ref, title and end date."""
    org = facts.person.organisation_id if facts.person.organisation_kind != "own" else None
    found = agreements.in_force_for(
        session, READER, organisation_id=org, person_id=person.id, on=clock.today()
    )
    return [
        f"{a.ref} {a.title}" + (f" (until {a.expires_on:%Y-%m-%d})" if a.expires_on else "")
        for a in found
    ]


def _checks(facts: Facts, secret_ref: str) -> list[Check]:
    """The facts an approver weighs, each in a sentence."""
    why, person = facts.details, facts.person
    return [
        Check(
            label="Agreement",
            ok=facts.agreement_covers,
            message=why.get("bound:agreement")
            or f"an agreement in force covers disclosing {secret_ref}",
        ),
        Check(
            label="Training",
            ok=person.training_current,
            message=why.get("training") or "every required course is current",
        ),
        Check(
            label="Acknowledgement",
            ok=facts.acknowledged or not person.vendor_staff,
            message=(
                f"acknowledged the confidentiality notice of {secret_ref}"
                if facts.acknowledged
                else "acknowledged in the portal at first access, after the approval"
                if person.vendor_staff
                else "asked only of vendor staff: the agreement binds everyone else"
            ),
        ),
        Check(
            label="Due diligence",
            ok=person.diligence_current,
            message=why.get("diligence")
            or ("passed and current" if person.vendor_staff else "not a vendor: none needed"),
        ),
    ]
