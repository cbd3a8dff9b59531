"""The explained risk of an assessment: the facts the pure rules need (the vendor's
criticality and processing countries, the planned secrets, the answers and their reviews, open
remediation) gathered from the database, and the rules' scores with their factors."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import NotFound
from crownjewels.inventory import service as inventory
from crownjewels.vendors.diligence import repository, rules
from crownjewels.vendors.diligence.definition import Questionnaire
from crownjewels.vendors.diligence.jurisdiction import country_facts
from crownjewels.vendors.diligence.models import (
    Assessment,
    AssessmentAnswer,
    QuestionnaireTemplate,
)
from crownjewels.vendors.diligence.schemas import (
    RemediationStatus,
    Review,
    RiskExplanation,
    RiskScore,
)
from crownjewels.vendors.models import VendorProfile


def answer_facts(rows: dict[str, AssessmentAnswer]) -> dict[str, rules.AnswerFacts]:
    """Stored answers as the rules see them."""
    return {
        qid: rules.AnswerFacts(value=r.value.get("value"), review=Review(r.review))
        for qid, r in rows.items()
    }


def secret_facts(session: Session, actor: Actor, secret_ids: list[str]) -> list[rules.SecretFacts]:
    """The planned secrets as the rules see them (one the reader may not see: worst tier)."""
    out = []
    for sid in secret_ids:
        try:
            s = inventory.get(session, actor=actor, secret_ref=sid)
            out.append(rules.SecretFacts(ref=s.ref, name=s.name, tier=s.tier.value))
        except NotFound:
            # a secret outside the reader's view still counts, at the worst tier
            out.append(rules.SecretFacts(ref="a secret you may not see", name="", tier="unknown"))
    return out


def explain(
    session: Session,
    actor: Actor,
    a: Assessment,
    template: QuestionnaireTemplate,
    rows: dict[str, AssessmentAnswer],
) -> RiskExplanation:
    """Inherent and residual risk with their factors; the frozen one once completed."""
    if a.risk is not None:
        return RiskExplanation.model_validate(a.risk)
    vendor = session.get(VendorProfile, a.vendor_id)
    assert vendor is not None
    inherent: RiskScore = rules.inherent_risk(
        criticality=vendor.criticality,
        secrets=secret_facts(session, actor, list(a.secret_ids)),
        countries=[country_facts(c) for c in repository.countries(session, vendor.id)],
    )
    open_items = [
        rules.OpenItem(title=r.title, due_on=r.due_on)
        for r in repository.remediation(session, a.id)
        if r.status == RemediationStatus.OPEN
    ]
    residual = rules.residual_risk(
        inherent, Questionnaire.model_validate(template.definition), answer_facts(rows), open_items
    )
    return RiskExplanation(inherent=inherent, residual=residual, computed_at=clock.now())
