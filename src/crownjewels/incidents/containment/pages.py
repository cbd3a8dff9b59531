"""Pages of a case's containment: /incidents/IN-0001/contain (the preview in words, a checkbox
per kind of change and the confirm button; then what ran), /incidents/IN-0001/containment (the
runs, with the form to reverse them; then what the reversal did)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import PostedForm, discard, error_status, render, text
from crownjewels.core.http import DbSession
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents.containment import service
from crownjewels.incidents.containment.router import require_containing
from crownjewels.incidents.containment.schemas import StepKind
from crownjewels.incidents.guards import CaseReader

router = APIRouter(prefix="/incidents", include_in_schema=False)
Container = Annotated[Actor, Depends(require_containing)]


def _preview(
    request: Request,
    session: Session,
    actor: Actor,
    ref: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    plan = service.plan(session, actor=actor, ref=ref)
    ctx: dict[str, Any] = {"plan": plan, "error": error}
    return render(request, "incidents/containment/contain.html", ctx, status=status)


@router.get("/{ref}/contain")
def contain_page(request: Request, session: DbSession, actor: Container, ref: str) -> Response:
    """The preview: what containing the case would change, kind by kind, to confirm."""
    return _preview(request, session, actor, ref)


@router.post("/{ref}/contain")
def contain(
    request: Request, session: DbSession, actor: Container, ref: str, form: PostedForm
) -> Response:
    """Run the kinds ticked, as previewed; a plan that changed since comes back as the new
    preview, with why nothing was changed."""
    ticked = set(form.getlist("run"))
    skip = frozenset(k for k in StepKind if k.value not in ticked)
    try:
        result = service.contain(
            session, actor=actor, ref=ref, skip=skip, expected=text(form, "digest") or None
        )
    except CrownJewelsError as exc:
        discard(session)
        return _preview(request, session, actor, ref, error=exc.message, status=error_status(exc))
    return render(request, "incidents/containment/result.html", {"result": result})


@router.get("/{ref}/containment")
def history_page(request: Request, session: DbSession, actor: CaseReader, ref: str) -> Response:
    """The case's containment runs, newest first, with the form to reverse them."""
    runs = service.history(session, actor=actor, ref=ref)
    ctx = {
        "ref": ref.strip().upper(),
        "runs": runs,
        "standing": any(r.reversed_at is None for r in runs),
        "may_contain": actor.can(P.INCIDENTS_CONTAIN),
        "error": None,
    }
    return render(request, "incidents/containment/history.html", ctx)


@router.post("/{ref}/containment/reverse")
def reverse(
    request: Request, session: DbSession, actor: Container, ref: str, form: PostedForm
) -> Response:
    """Reverse the case's containment with the reason given; then what was undone and what
    stays."""
    try:
        done = service.reverse(session, actor=actor, ref=ref, reason=text(form, "reason"))
    except CrownJewelsError as exc:
        discard(session)
        runs = service.history(session, actor=actor, ref=ref)
        ctx = {
            "ref": ref.strip().upper(),
            "runs": runs,
            "standing": any(r.reversed_at is None for r in runs),
            "may_contain": True,
            "error": exc.message,
        }
        return render(request, "incidents/containment/history.html", ctx, status=error_status(exc))
    return render(request, "incidents/containment/reversed.html", {"done": done})
