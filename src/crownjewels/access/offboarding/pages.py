"""Pages of offboarding: the list (start one) and an offboarding's page with its certificate
form and the 90-day access report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from crownjewels.access.offboarding import service as offboarding
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden
from crownjewels.core.forms import (
    PostedForm,
    actor_labels,
    discard,
    flash,
    optional,
    redirect,
    render,
    text,
)
from crownjewels.core.http import CurrentActor, DbSession, require
from crownjewels.core.panels import panels
from crownjewels.core.permissions import Permission as P

router = APIRouter(prefix="/access", include_in_schema=False)
Manager = Annotated[Actor, Depends(require(P.GRANTS_MANAGE))]
Decider = Annotated[Actor, Depends(require(P.GRANTS_DECIDE))]
GrantReader = Annotated[Actor, Depends(require(P.GRANTS_READ))]
#: the slot of an offboarding's page where capabilities above show what they know of the
#: people leaving (routes.py plugs them in: monitoring's departure watch); its subject is
#: the offboarded `person_ids`
OFFBOARDING_SLOT = "offboarding"


@router.get("/offboarding")
def offboarding_list(request: Request, session: DbSession, actor: GrantReader) -> Response:
    """Every offboarding, with the form to start one."""
    return render(
        request,
        "access/offboardings.html",
        {"offboardings": offboarding.list_offboardings(session, actor=actor)},
    )


@router.post("/offboarding")
def offboarding_start(
    request: Request, session: DbSession, actor: Manager, form: PostedForm
) -> Response:
    """Offboard the person or organisation named in the form."""
    try:
        made = offboarding.offboard(
            session,
            actor=actor,
            person=optional(form, "person"),
            organisation=optional(form, "organisation"),
        )
    except CrownJewelsError as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        flash(request, exc.message, kind="error")
        return redirect("/access/offboarding")
    flash(request, f"{made.ref}: {made.grants_revoked} grant(s) revoked")
    return redirect(f"/access/offboarding/{made.ref}")


@router.get("/offboarding/{ref}")
def offboarding_page(
    request: Request, session: DbSession, actor: GrantReader, ref: str
) -> Response:
    """The record, its certificate form and the access report."""
    record = offboarding.get(session, actor=actor, ref=ref)
    found = offboarding.report(session, actor=actor, ref=ref)
    actors = actor_labels(request, session, [record.started_by])  # a name, not a `user:` id
    subject = {"person_ids": found.person_ids}
    ctx = {
        "record": record,
        "report": found,
        "actors": actors,
        "slot_panels": panels(OFFBOARDING_SLOT, session, actor=actor, subject=subject),
    }
    return render(request, "access/offboarding.html", ctx)


@router.post("/offboarding/{ref}/certificate")
def offboarding_certify(
    request: Request, session: DbSession, actor: Manager, form: PostedForm, ref: str
) -> Response:
    """Collect the signed statement."""
    try:
        offboarding.certify(session, actor=actor, ref=ref, statement=text(form, "statement"))
        flash(request, "certificate collected")
    except CrownJewelsError as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        flash(request, exc.message, kind="error")
    return redirect(f"/access/offboarding/{ref}")


@router.post("/offboarding/{ref}/acknowledgement")
def offboarding_acknowledge(
    request: Request, session: DbSession, actor: CurrentActor, form: PostedForm, ref: str
) -> Response:
    """Record the exit acknowledgement (the person, or a manager for a signed copy)."""
    try:
        offboarding.acknowledge_exit(session, actor=actor, ref=ref, person=optional(form, "person"))
        flash(request, "acknowledgement recorded")
    except CrownJewelsError as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        flash(request, exc.message, kind="error")
    return redirect(f"/access/offboarding/{ref}")
