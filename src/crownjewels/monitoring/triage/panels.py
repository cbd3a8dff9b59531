"""What triage shows on other capabilities' pages (plugged in by `routes.py`): the alerts
naming a person, on the person's page, for a reader of alerts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.pagination import PageParams
from crownjewels.core.panels import Panel
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring.triage import service
from crownjewels.monitoring.triage.schemas import AlertFilter, StatusFilter

#: the most alerts the panel lists (the link opens the whole queue filtered to the person)
PANEL_LIMIT = 10


def person_alerts(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The person's alerts, newest decisions included (the subject has their `person_id`)."""
    if not actor.can(P.ALERTS_READ):
        return None
    person = subject["person_id"]
    queue = service.list_alerts(
        session,
        actor=actor,
        filters=AlertFilter(status=StatusFilter.ALL, person=person),
        page=PageParams(limit=PANEL_LIMIT),
    )
    return Panel("monitoring/person_alerts_panel.html", {"queue": queue, "person_id": person})
