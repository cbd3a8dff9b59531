"""Small factories for vendor profile tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.parties.schemas import OrgKind
from crownjewels.vendors import service
from crownjewels.vendors.schemas import Criticality, VendorCreate, VendorRead
from tests.parties.factories import make_org


def make_vendor(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    country: str = "IN",
    criticality: Criticality = Criticality.HIGH,
    countries: list[str] | None = None,
    **fields: Any,
) -> VendorRead:
    org = make_org(session, actor, name=name, kind=OrgKind.VENDOR, country=country)
    data = VendorCreate.model_validate(
        {
            "organisation_id": org.id,
            "services": "Claims processing for US payers.",
            "criticality": criticality,
            "countries": countries if countries is not None else [country],
            **fields,
        }
    )
    return service.create(session, actor=actor, data=data)
