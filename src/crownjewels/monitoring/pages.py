"""Pages of monitoring's intake: linking and unlinking a person's identities from the panel on
their page (monitoring/panels.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden
from crownjewels.core.forms import PostedForm, discard, flash, redirect, text
from crownjewels.core.http import DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring import service
from crownjewels.monitoring.schemas import IdentityCreate

router = APIRouter(prefix="/monitoring", include_in_schema=False)
Manager = Annotated[Actor, Depends(require(P.ACTIVITY_MANAGE))]


@router.post("/identities")
def link_identity(
    request: Request, session: DbSession, actor: Manager, form: PostedForm
) -> Response:
    """Link the identity of the form to its person, back to their page."""
    person = text(form, "person")
    try:
        data = IdentityCreate(person=person, kind=text(form, "kind"), value=text(form, "value"))
        row = service.add_identity(session, actor=actor, data=data)
    except ValidationError:
        flash(
            request, "Choose a kind and type the name as the other system writes it.", kind="error"
        )
        return redirect(f"/people/{person}#identities")
    except CrownJewelsError as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        flash(request, exc.message, kind="error")
        return redirect(f"/people/{person}#identities")
    flash(request, f"{row.value} ({row.kind}) is linked to {row.person_name}.")
    return redirect(f"/people/{row.person_id}#identities")


@router.post("/identities/{identity_id}/remove")
def unlink_identity(
    request: Request, session: DbSession, actor: Manager, identity_id: str
) -> Response:
    """Unlink an identity, back to its person's page."""
    row = service.remove_identity(session, actor=actor, identity_id=identity_id)
    flash(request, f"{row.value} ({row.kind}) is no longer linked to {row.person_name}.")
    return redirect(f"/people/{row.person_id}#identities")
