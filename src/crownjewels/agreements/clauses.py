"""The document pages of an agreement: upload a version (encrypted into the vault), analyse it
clause by clause, and legal's review of each finding. A refused form comes back on the
agreement's page with its message."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from crownjewels.agreements import documents
from crownjewels.agreements import review as reviews
from crownjewels.agreements.forms import file_of, refused
from crownjewels.agreements.schemas import FindingReview, ReviewDecision
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import PostedForm, flash, optional, redirect, text
from crownjewels.core.http import AppSettings, DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import body_limit
from crownjewels.vault import service as vault

#: included by the agreements pages' router (prefix /agreements)
router = APIRouter(include_in_schema=False)
Writer = Annotated[Actor, Depends(require(P.AGREEMENTS_WRITE))]
Reviewer = Annotated[Actor, Depends(require(P.AGREEMENTS_REVIEW))]


@router.post("/{ref}/versions")
@body_limit()
def upload(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Store a new version of the agreement's document (encrypted into the vault)."""
    try:
        upload_ = file_of(form)
        version = documents.upload_version(
            session,
            actor=actor,
            vault_=vault.open_vault(settings),
            agreement_ref=ref,
            upload=upload_.file,
            filename=upload_.filename,
        )
    except CrownJewelsError as exc:
        return refused(request, session, actor, settings, ref, exc, form, "upload_errors")
    flash(request, f"Version {version.number} is in the vault, encrypted.")
    return redirect(f"/agreements/{ref}#versions")


@router.post("/{ref}/analyse")
def analyse(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Analyse a version clause by clause; a file that cannot be read is shown, nothing kept."""
    try:
        number = optional(form, "version")
        detail_ = documents.analyse_version(
            session,
            actor=actor,
            vault_=vault.open_vault(settings),
            agreement_ref=ref,
            number=int(number) if number and number.isdigit() else None,
            embeddings=settings.analysis_embeddings,
        )
    except CrownJewelsError as exc:
        return refused(request, session, actor, settings, ref, exc, form, "analyse_errors")
    flash(
        request,
        f"Version {detail_.findings_version} is analysed: see the clause table."
        + (f" {detail_.profile_note}" if detail_.profile_note else ""),
    )
    return redirect(f"/agreements/{ref}#clauses")


@router.post("/{ref}/findings/{finding_id}/review")
def review(
    request: Request,
    session: DbSession,
    actor: Reviewer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
    finding_id: str,
) -> Response:
    """Legal accepts a finding or overrides its status with a reason."""
    try:
        data = FindingReview.model_validate(
            {
                "decision": text(form, "decision") or None,
                "status": optional(form, "status")
                if text(form, "decision") == ReviewDecision.OVERRIDDEN
                else None,
                "reason": optional(form, "reason"),
            }
        )
        finding = reviews.review_finding(
            session, actor=actor, agreement_ref=ref, finding_id=finding_id, data=data
        )
    except (ValidationError, CrownJewelsError) as exc:
        return refused(
            request,
            session,
            actor,
            settings,
            ref,
            exc,
            form,
            "review_errors",
            review_finding=finding_id,
            place=_review_field,
        )
    flash(request, f"The finding on {finding.title} is {finding.review}.")
    return redirect(f"/agreements/{ref}#finding-{finding_id}")


def _review_field(message: str) -> str:
    """The review form's field a whole-form message belongs next to (the override's rule)."""
    if "corrected status" in message:
        return "status"
    return "reason" if "reason" in message else ""


@router.post("/{ref}/findings/accept-satisfied")
def accept_satisfied(
    request: Request,
    session: DbSession,
    actor: Reviewer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Legal accepts every satisfied finding not yet reviewed, in one action."""
    try:
        accepted = reviews.accept_satisfied(session, actor=actor, agreement_ref=ref)
    except CrownJewelsError as exc:
        return refused(request, session, actor, settings, ref, exc, form, "accept_errors")
    count = len(accepted)
    flash(request, f"{count} satisfied {'finding is' if count == 1 else 'findings are'} accepted.")
    return redirect(f"/agreements/{ref}#clauses")
