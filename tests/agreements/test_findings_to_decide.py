"""The agreements list filtered to those with clause findings legal has not decided (what the
legal dashboard counts): an analysed agreement is listed until every finding of its latest
analysed version is reviewed; an agreement never analysed is not."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.agreements import documents, review, service
from crownjewels.agreements.schemas import (
    AgreementCreate,
    AgreementFilter,
    FindingReview,
    ReviewDecision,
)
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.pagination import PageParams
from crownjewels.vault.service import Vault
from tests.agreements.samples import nda_docx


def _nda(session: Session, actor: Actor, title: str) -> str:
    today = clock.today()
    data = AgreementCreate.model_validate(
        {
            "kind": "nda",
            "title": title,
            "status": "in_force",
            "effective_on": today - timedelta(days=30),
            "expires_on": today + timedelta(days=335),
            "governing_law": "US",
        }
    )
    return service.create(session, actor=actor, data=data).ref


def _listed(session: Session, actor: Actor) -> list[str]:
    flt = AgreementFilter(findings_to_decide=True)
    rows, total = service.list_agreements(session, actor=actor, filters=flt, page=PageParams())
    assert total == len(rows)
    return [r.ref for r in rows]


def test_listed_until_every_finding_is_decided(
    session: Session, admin: Actor, vault: Vault
) -> None:
    analysed = _nda(session, admin, "Analysed NDA")
    _nda(session, admin, "Never analysed NDA")
    documents.upload_version(
        session,
        actor=admin,
        vault_=vault,
        agreement_ref=analysed,
        upload=io.BytesIO(nda_docx()),
        filename="nda.docx",
    )
    found = documents.analyse_version(session, actor=admin, vault_=vault, agreement_ref=analysed)
    assert len(found.findings) > 1
    assert _listed(session, admin) == [analysed]
    accept = FindingReview(decision=ReviewDecision.ACCEPTED)
    for f in found.findings[:-1]:
        review.review_finding(
            session, actor=admin, agreement_ref=analysed, finding_id=f.id, data=accept
        )
    assert _listed(session, admin) == [analysed]  # one finding still waits
    review.review_finding(
        session, actor=admin, agreement_ref=analysed, finding_id=found.findings[-1].id, data=accept
    )
    assert _listed(session, admin) == []
