"""Suspending a vendor and reinstating it (vendors.service.suspend, reinstate): only an active
vendor is suspended and only a suspended one reinstated, each with its reason in the custody
event; vendor managers and the incident team containing a case may, nobody else."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.vendors import service
from crownjewels.vendors.errors import BadStatusChange
from crownjewels.vendors.schemas import VendorStatus
from tests.parties.factories import actor_for, make_user
from tests.vendors.factories import make_vendor


def _reasons(session: Session) -> list[tuple[str, str]]:
    custody.flush(session)
    query = select(CustodyEvent.details).where(CustodyEvent.event_type == "VENDOR_STATUS_CHANGED")
    out = []
    for raw in session.scalars(query.order_by(CustodyEvent.seq)):
        after = json.loads(raw)["after"]
        out.append((after["status"], after["status_reason"]))
    return out


def test_the_incident_team_suspends_and_reinstates_an_active_vendor(
    session: Session, admin: Actor
) -> None:
    vendor = make_vendor(session, admin, name="Lotus Process Services", status="active")
    security = actor_for(session, make_user(session, admin, Role.SECURITY))
    done = service.suspend(
        session, actor=security, vendor_ref=vendor.ref, reason="containment of IN-0001"
    )
    assert done.status == VendorStatus.SUSPENDED and done.status_reason == "containment of IN-0001"
    with pytest.raises(BadStatusChange, match="already suspended"):
        service.suspend(session, actor=security, vendor_ref=vendor.ref, reason="again")
    back = service.reinstate(session, actor=security, vendor_ref=vendor.ref, reason="reversed")
    assert back.status == VendorStatus.ACTIVE
    assert _reasons(session)[-2:] == [
        ("suspended", "containment of IN-0001"),
        ("active", "reversed"),
    ]


def test_only_an_active_vendor_is_suspended_and_only_by_those_who_may(
    session: Session, admin: Actor
) -> None:
    prospect = make_vendor(session, admin, name="Prospect Ltd")
    manager = actor_for(session, make_user(session, admin, Role.VENDOR_MANAGER))
    with pytest.raises(BadStatusChange, match="only an active vendor can be suspended"):
        service.suspend(session, actor=manager, vendor_ref=prospect.ref, reason="suspect")
    active = make_vendor(session, admin, name="Active Ltd", status="active")
    compliance = actor_for(session, make_user(session, admin, Role.COMPLIANCE))
    with pytest.raises(Forbidden, match="vendors:write or the incidents:contain"):
        service.suspend(session, actor=compliance, vendor_ref=active.ref, reason="suspect")
    with pytest.raises(BadStatusChange, match="the vendor is already active"):
        service.reinstate(session, actor=manager, vendor_ref=active.ref, reason="x")
    assert service.get(session, actor=admin, vendor_ref=active.ref).status == VendorStatus.ACTIVE
