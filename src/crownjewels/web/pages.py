"""The page shell: login and logout (auth.py) and the dashboard. Capabilities add their own
pages (routes.PAGE_ROUTERS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crownjewels.access.posture.schemas import MEASURE_LABELS
from crownjewels.core.forms import actor_labels, event_labels, redirect, render
from crownjewels.core.http import CurrentActor, DbSession
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretFilter
from crownjewels.web import auth, charts, tasks
from crownjewels.web import dashboard as panels

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(tasks.router)

DASHBOARD_LIST = 10


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/")
def dashboard(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The dashboard: "am I protected?" (the posture of the secrets the actor may see, per
    tier), what waits for someone, overdue reviews and the custody state.

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
    posture = panels.posture_of(session, actor)
    custody_state = panels.custody_state(session, actor)
    if custody_state and custody_state.verified_by:  # who verified, by name
        actors = {**actors, **actor_labels(request, session, [custody_state.verified_by])}
    ctx = {
        "stats": stats,
        "overdue": overdue,
        "events": events,
        "actors": actors,
        "posture": posture,
        "segments": charts.donut([(t.tier, t.total) for t in posture.tiers]) if posture else [],
        "share": charts.share,
        "work": panels.work(session, actor),
        "order": panels.order(actor),
        "custody_state": custody_state,
        "labels": MEASURE_LABELS,
        "own_only": not actor.can(Permission.SECRETS_READ_ALL),
        "may_register": actor.can(Permission.SECRETS_WRITE_ALL)
        or actor.can(Permission.SECRETS_WRITE_OWN),
    }
    return render(request, "dashboard.html", ctx)
