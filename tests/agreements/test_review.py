"""Legal's triage of clause findings: the order and counts a lawyer works from (pure), and
accepting every satisfied finding in one action, one custody event per accepted finding."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from crownjewels.agreements import documents, rules, service
from crownjewels.agreements import review as reviews
from crownjewels.agreements.schemas import AgreementCreate, FindingRead, FindingReview
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.vault.service import Vault
from tests.agreements.samples import NDA_TEXT
from tests.parties.factories import actor_for, make_user


def _finding(fid: str, status: str, strictness: str = "required", **review: str) -> FindingRead:
    return FindingRead.model_validate(
        {
            "id": fid,
            "requirement": fid,
            "title": fid,
            "status": status,
            "evidence": [],
            "explanation": "",
            "strictness": strictness,
            "review": review.get("review"),
            "review_status": review.get("review_status"),
            "review_reason": None,
            "reviewed_by": None,
            "reviewed_at": None,
        }
    )


def test_triage_puts_contradictions_then_missing_required_first_and_counts_them() -> None:
    findings = [
        _finding("ok1", "satisfied"),
        _finding("gap-optional", "not_mentioned", "optional"),
        _finding("bad", "contradicted"),
        _finding("gap", "not_mentioned"),
        _finding("fixed", "contradicted", review="overridden", review_status="satisfied"),
        _finding("ok2", "satisfied", review="accepted"),
    ]
    t = rules.triage(findings)
    assert [f.id for f in t.findings] == ["bad", "gap", "gap-optional", "ok1", "fixed", "ok2"]
    assert (t.contradicted, t.missing_required, t.other, t.satisfied) == (1, 1, 1, 3)
    assert t.waiting == 1  # ok1 only: "fixed" is legal's override, ok2 is already accepted
    assert rules.triage([]).findings == []


def _analysed(session: Session, admin: Actor, vault: Vault) -> str:
    today = clock.today()
    made = service.create(
        session,
        actor=admin,
        data=AgreementCreate.model_validate(
            {
                "kind": "nda",
                "title": "Mutual NDA",
                "status": "in_force",
                "effective_on": today - timedelta(days=30),
                "expires_on": today + timedelta(days=300),
                "governing_law": "US",
            }
        ),
    )
    documents.upload_version(
        session,
        actor=admin,
        vault_=vault,
        agreement_ref=made.ref,
        upload=io.BytesIO(NDA_TEXT.encode()),
        filename="nda.txt",
    )
    documents.analyse_version(session, actor=admin, vault_=vault, agreement_ref=made.ref)
    return made.ref


def test_accept_all_satisfied_accepts_each_unreviewed_one_with_its_own_event(
    session: Session, admin: Actor, vault: Vault
) -> None:
    ref = _analysed(session, admin, vault)
    found = documents.findings(session, actor=admin, agreement_ref=ref)
    satisfied = [f for f in found if f.status == "satisfied"]
    assert len(satisfied) >= 2
    kept = satisfied[0]
    reviews.review_finding(
        session,
        actor=admin,
        agreement_ref=ref,
        finding_id=kept.id,
        data=FindingReview.model_validate(
            {"decision": "overridden", "status": "contradicted", "reason": "clause 4 is void"}
        ),
    )
    agreement = documents.detail(session, actor=admin, agreement_ref=ref)
    before = len(custody.history(session, subject_type="agreement", subject_id=agreement.id))

    legal = actor_for(session, make_user(session, admin, Role.LEGAL))
    accepted = reviews.accept_satisfied(session, actor=legal, agreement_ref=ref)

    assert sorted(f.id for f in accepted) == sorted(f.id for f in satisfied[1:])
    assert all(f.review == "accepted" and f.reviewed_by == legal.ref for f in accepted)
    after = documents.findings(session, actor=admin, agreement_ref=ref)
    by_id = {f.id: f for f in after}
    assert by_id[kept.id].review == "overridden"  # legal's own decision is left alone
    assert all(by_id[f.id].review is None for f in found if f.status != "satisfied")
    events = custody.history(session, subject_type="agreement", subject_id=agreement.id)
    new = events[: len(events) - before]  # newest first
    assert [e.event_type for e in new] == ["AGREEMENT_FINDING_REVIEWED"] * len(accepted)
    assert {e.details["finding_id"] for e in new} == {f.id for f in accepted}

    with pytest.raises(Invalid, match="no satisfied finding waiting"):
        reviews.accept_satisfied(session, actor=legal, agreement_ref=ref)
    manager = actor_for(session, make_user(session, admin, Role.VENDOR_MANAGER))
    with pytest.raises(Forbidden, match="agreements:review"):
        reviews.accept_satisfied(session, actor=manager, agreement_ref=ref)
