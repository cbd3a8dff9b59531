"""What monitoring's intake shows on other capabilities' pages (plugged in by `routes.py`):
the identities a person acts under in other systems, on the person's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.panels import Panel
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring import service
from crownjewels.monitoring.schemas import IdentityKind


def person_identities(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The person's identities (usernames, key ids, other emails), with the forms to link and
    unlink them for those who manage them; shown to those who may manage or send activity."""
    if not (actor.can(P.ACTIVITY_MANAGE) or actor.can(P.ACTIVITY_INGEST)):
        return None
    person_id = subject["person_id"]
    context = {
        "person_id": person_id,
        "identities": service.identities_of(session, actor=actor, person_ref=person_id),
        "kinds": [(k.value, k.value) for k in IdentityKind],
        "may_manage": actor.can(P.ACTIVITY_MANAGE),
    }
    return Panel("monitoring/identities_panel.html", context)
