"""What agreements shows on other capabilities' pages (plugged in by `routes.py`): the
agreements signed with a vendor, on the vendor's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.agreements import service
from crownjewels.agreements.schemas import AgreementFilter
from crownjewels.core.actor import Actor
from crownjewels.core.pagination import PageParams
from crownjewels.core.panels import Panel
from crownjewels.core.permissions import Permission as P


def vendor_agreements(session: Session, actor: Actor, subject: Mapping[str, Any]) -> Panel | None:
    """The agreements with the vendor's organisation, for a reader of agreements (the subject
    has the vendor's `organisation_id` and `name`)."""
    if not actor.can(P.AGREEMENTS_READ):
        return None
    signed, _ = service.list_agreements(
        session,
        actor=actor,
        filters=AgreementFilter(organisation=subject["organisation_id"]),
        page=PageParams(limit=50),
    )
    context = {
        "agreements": signed,
        "party_name": subject["name"],
        "may_record": actor.can(P.AGREEMENTS_WRITE),
    }
    return Panel("agreements/vendor_panel.html", context)
