"""The transfer forms of a vendor's page: record a transfer mechanism or a transfer impact
assessment (with its document into the vault), revoke one. A refused form comes back on the
vendor's page, its messages next to its fields."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crownjewels.core.forms import PostedForm, optional, text
from crownjewels.core.http import AppSettings, DbSession
from crownjewels.vendors import pages as vendor_pages
from crownjewels.vendors.pages import Writer
from crownjewels.vendors.transfers import service
from crownjewels.vendors.transfers.schemas import MechanismCreate, TiaCreate

router = APIRouter(prefix="/vendors", include_in_schema=False)


@router.post("/{ref}/transfers/mechanisms")
def record_mechanism(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Record a transfer mechanism, with its document (optional) encrypted into the vault."""
    try:
        data = MechanismCreate.model_validate(
            {
                "kind": text(form, "kind"),
                "regime": text(form, "regime"),
                "module": optional(form, "module"),
                "ground": optional(form, "ground"),
                "countries": vendor_pages.countries_of(text(form, "countries")),
                "effective_on": optional(form, "effective_on"),
                "expires_on": optional(form, "expires_on"),
                "filed_on": optional(form, "filed_on"),
                "reference": optional(form, "reference"),
            }
        )
        made = service.record_mechanism(
            session,
            actor=actor,
            vendor_ref=ref,
            data=data,
            **vendor_pages.attachment_of(form, "document", settings),
        )
    except Exception as exc:
        return vendor_pages.sub_form(request, session, actor, ref, "mechanism", form, exc,
                                     fallback="kind")  # fmt: skip
    message = f"{made.label} for {made.regime.value} transfers is recorded."
    return vendor_pages.back(request, ref, message, "transfers")


@router.post("/{ref}/transfers/mechanisms/{mechanism_id}/revoke")
def revoke_mechanism(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str,
    mechanism_id: str,
) -> Response:  # fmt: skip
    """Revoke a mechanism: it no longer admits transfers."""
    done = service.revoke_mechanism(
        session, actor=actor, vendor_ref=ref, mechanism_id=mechanism_id,
        reason=text(form, "reason") or "revoked on the vendor's page",
    )  # fmt: skip
    return vendor_pages.back(request, ref, f"{done.label} is revoked.", "transfers")


@router.post("/{ref}/transfers/assessments")
def record_assessment(
    request: Request,
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Record a transfer impact assessment, with its document (optional) into the vault."""
    try:
        data = TiaCreate.model_validate(
            {
                "regime": text(form, "regime"),
                "country": text(form, "country"),
                "assessed_on": optional(form, "assessed_on"),
                "outcome": text(form, "outcome"),
                "summary": optional(form, "summary"),
            }
        )
        made = service.record_assessment(
            session,
            actor=actor,
            vendor_ref=ref,
            data=data,
            **vendor_pages.attachment_of(form, "document", settings),
        )
    except Exception as exc:
        return vendor_pages.sub_form(request, session, actor, ref, "assessment", form, exc,
                                     fallback="country")  # fmt: skip
    message = (
        f"The {made.regime.value} transfer impact assessment of {made.country} "
        f"({made.outcome.value.replace('-', ' ')}) is recorded."
    )
    return vendor_pages.back(request, ref, message, "transfers")


@router.post("/{ref}/transfers/assessments/{assessment_id}/revoke")
def revoke_assessment(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str,
    assessment_id: str,
) -> Response:  # fmt: skip
    """Revoke an assessment."""
    done = service.revoke_assessment(
        session, actor=actor, vendor_ref=ref, assessment_id=assessment_id,
        reason=text(form, "reason") or "revoked on the vendor's page",
    )  # fmt: skip
    message = f"The transfer impact assessment of {done.country} is revoked."
    return vendor_pages.back(request, ref, message, "transfers")
