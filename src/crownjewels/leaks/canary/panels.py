"""What canary tokens show on other capabilities' pages (plugged in by `routes.py`): a
secret's tokens and their hits, on the secret's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.panels import Panel
from crownjewels.core.permissions import Permission as P
from crownjewels.leaks.canary import service


def secret_tokens(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The secret's canary tokens, for readers of leak detection."""
    if not actor.can(P.LEAKS_READ):
        return None
    tokens = service.list_tokens(session, actor=actor, base_url="", secret_ref=subject["secret_id"])
    context = {
        "secret_ref": subject["secret_ref"],
        "tokens": tokens,
        "may_manage": actor.can(P.LEAKS_MANAGE),
    }
    return Panel("leaks/canary/secret_panel.html", context)
