"""What the fingerprint index shows on another capability's page (plugged in by
`routes.py`): how many of a secret's documents scans can find, on the secret's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.panels import Panel
from crownjewels.core.permissions import Permission as P
from crownjewels.leaks.index import service


def secret_fingerprints(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The secret's fingerprinted documents, for readers of leak detection."""
    if not actor.can(P.LEAKS_READ):
        return None
    context = {
        "secret_ref": subject["secret_ref"],
        "documents": service.fingerprinted_documents(session, secret_id=subject["secret_id"]),
        "may_scan": actor.can(P.LEAKS_REVIEW) or actor.can(P.LEAKS_MANAGE),
    }
    return Panel("leaks/index/secret_panel.html", context)
