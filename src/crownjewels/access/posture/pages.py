"""The page behind each posture number: the active secrets of a tier that lack a measure (or
have every one), as far as the actor may see them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from crownjewels.access.posture import service
from crownjewels.access.posture.schemas import MEASURE_LABELS, TIERS, Measure
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.forms import render
from crownjewels.core.http import DbSession, require
from crownjewels.core.panels import panels
from crownjewels.core.permissions import Permission as P

router = APIRouter(prefix="/posture", include_in_schema=False)
#: the slot of the posture page where capabilities above show their measures of the secrets
#: (routes.py plugs them in: monitoring's log reviews); its subject is empty (each panel
#: scopes to what the actor may see)
POSTURE_SLOT = "posture"
Reader = Annotated[Actor, Depends(require(P.SECRETS_READ_ALL, P.SECRETS_READ_OWN))]
_YES_NO = {"true": True, "false": False, "": None}


def _filters(request: Request) -> tuple[str | None, Measure | None, bool | None]:
    """The tier, the measure lacking and the protected flag asked for, or Invalid naming the
    values that may be given."""
    raw = {k: request.query_params.get(k, "").strip().lower() for k in ("tier", "missing")}
    flag = request.query_params.get("protected", "").strip().lower()
    if raw["tier"] and raw["tier"] not in TIERS:
        raise Invalid(f"no tier {raw['tier']!r}; choose one of: {', '.join(TIERS)}")
    if raw["missing"] and raw["missing"] not in set(Measure):
        names = ", ".join(m.value for m in Measure)
        raise Invalid(f"no measure {raw['missing']!r}; choose one of: {names}")
    if flag not in _YES_NO:
        raise Invalid("protected is true or false")
    return raw["tier"] or None, Measure(raw["missing"]) if raw["missing"] else None, _YES_NO[flag]


@router.get("/secrets")
def posture_secrets(request: Request, session: DbSession, actor: Reader) -> Response:
    """The secrets behind a dashboard number, with every measure each one lacks."""
    tier, measure, protected = _filters(request)
    items = service.gaps(session, actor=actor, tier=tier, measure=measure, protected=protected)
    ctx = {
        "items": items,
        "tier": tier,
        "measure": measure,
        "protected": protected,
        "labels": MEASURE_LABELS,
        "slot_panels": panels(POSTURE_SLOT, session, actor=actor, subject={}),
    }
    return render(request, "access/posture.html", ctx)
