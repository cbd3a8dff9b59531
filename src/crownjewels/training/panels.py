"""What training shows on other capabilities' pages (plugged in by `routes.py`): a person's
required courses, completions and acknowledgements, on the person's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.panels import Panel
from crownjewels.core.permissions import Permission as P
from crownjewels.training import service


def person_training(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The person's training and attestations, for a reader of training (the subject has the
    person's `person_id`)."""
    if not actor.can(P.TRAINING_READ):
        return None
    person = subject["person_id"]
    context = {
        "training": service.status(session, actor=actor, person=person),
        "attestations": service.attestations(session, actor=actor, person=person),
    }
    return Panel("training/person_panel.html", context)
