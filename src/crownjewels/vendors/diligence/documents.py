"""Evidence files of assessments: assessments as owners of vault documents. The vault stores and
encrypts; this module decides who may attach to or read an assessment's evidence: whoever may
answer it (while it is open) attaches, vendor readers and the answerer read."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import DocumentRead, Owner
from crownjewels.vendors.diligence import answering, reads, repository
from crownjewels.vendors.diligence.models import Assessment
from crownjewels.vendors.diligence.schemas import AssessmentDetail

OWNER_TYPE = "assessment"
#: printed on every copy of a vendor's evidence
LEGEND = "Vendor due-diligence evidence: confidential to the vendor and to us"


class AssessmentOwners:
    """The vault's owner kind for assessments."""

    def resolve(self, session: Session, actor: Actor, ref: str, *, write: bool) -> Owner:
        """A visible assessment; with `write`, one the actor may answer now."""
        found = reads.assessment_row(session, actor=actor, assessment_ref=ref)
        if write:
            answering.require_answerer(actor, found)
        return Owner(
            owner_type=OWNER_TYPE,
            owner_id=found.id,
            label=found.ref,
            legend=LEGEND,
            tier="confidential",
        )

    def may_read(self, actor: Actor) -> bool:
        """Evidence files: the vendor manager who reviews them, whoever reads documents, and
        the vendor who answers (its own assessments only, by visible_ids)."""
        if actor.kind == repository.LINK_ACTOR or actor.can(Permission.ASSESSMENTS_ANSWER):
            return True
        return actor.can(Permission.VENDORS_READ) and (
            actor.can(Permission.DOCUMENTS_READ) or actor.can(Permission.VENDORS_WRITE)
        )

    def visible_ids(self, actor: Actor) -> Select[tuple[str]] | None:
        """The ids of the assessments the actor may see (None: all of them)."""
        if actor.kind == repository.LINK_ACTOR:
            return repository.visible_to(actor).with_only_columns(Assessment.id)
        if actor.can(Permission.VENDORS_READ):
            return None
        return (
            select(Assessment)
            .where(Assessment.recipient_person_id == (actor.person_id or ""))
            .with_only_columns(Assessment.id)
        )


ASSESSMENT_OWNERS = AssessmentOwners()


def attach_evidence(
    session: Session,
    *,
    actor: Actor,
    vault_: vault.Vault,
    assessment_ref: str,
    question_id: str,
    upload: vault.Upload,
    filename: str | None,
) -> AssessmentDetail:
    """Store a file in the vault as the answer to a file question (encrypted as it streams)."""
    document: DocumentRead = vault.add_document(
        session,
        actor=actor,
        vault=vault_,
        owner_type=OWNER_TYPE,
        owner_ref=assessment_ref,
        title=f"Evidence for question {question_id}",
        upload=upload,
        filename=filename,
    )
    return answering.set_evidence(
        session,
        actor=actor,
        assessment_ref=assessment_ref,
        question_id=question_id,
        document_id=document.id,
        filename=filename,
    )
