"""What cases show on other capabilities' pages (plugged in by `routes.py`): a secret's cases
and open remediation items on the secret's page, and every visible secret's open remediation
items in the posture until they are done."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.panels import Panel
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents import service
from crownjewels.inventory import service as inventory


def secret_cases(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The cases concerning the secret (for readers of incidents) and its open remediation
    items (for anyone who sees the secret)."""
    cases = service.cases_of_secret(session, actor=actor, secret_id=subject["secret_id"])
    items = service.remediation_of_secrets(session, actor=actor, secret_ids=[subject["secret_id"]])
    if not cases and not items:
        return None
    return Panel("incidents/secret_panel.html", {"cases": cases, "items": items})


def posture_remediation(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """Open remediation items of the cases that concern the secrets the actor sees."""
    del subject
    secrets = {s.id: s for s in inventory.active_secrets(session, actor=actor)}
    items = service.remediation_of_secrets(session, actor=actor, secret_ids=list(secrets))
    if not items and not actor.can(P.INCIDENTS_READ):
        return None
    named = {sid: f"{s.ref} {s.name}" for sid, s in secrets.items()}
    return Panel("incidents/posture_panel.html", {"items": items, "secrets": named})
