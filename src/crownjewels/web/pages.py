"""The page shell: login and logout (auth.py) and the dashboard. Capabilities add their own
pages (registry.PAGE_ROUTERS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crownjewels.core.forms import event_labels, redirect, render
from crownjewels.core.http import CurrentActor, DbSession
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretFilter
from crownjewels.web import auth

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)

DASHBOARD_LIST = 10


@router.get("/")
def dashboard(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The dashboard: the register by tier and category, overdue reviews, recent custody events.

    Any logged-in user may open it (it is the landing page); each panel shows only what the
    actor's permissions allow. A vendor user (no internal role) goes to the portal instead.
    """
    if actor.portal_only:
        return redirect("/portal")
    stats = overdue = events = None
    actors: Mapping[str, Any] = {}
    if actor.can(Permission.SECRETS_READ_ALL) or actor.can(Permission.SECRETS_READ_OWN):
        stats = inventory.stats(session, actor=actor)
        overdue, _ = inventory.list_secrets(
            session,
            actor=actor,
            filters=SecretFilter(overdue=True),
            page=PageParams(limit=DASHBOARD_LIST),
        )
    if actor.can(Permission.CUSTODY_READ):
        events = custody.recent(session, limit=DASHBOARD_LIST)
        actors = event_labels(request, session, events)
    ctx = {"stats": stats, "overdue": overdue, "events": events, "actors": actors}
    return render(request, "dashboard.html", ctx)
