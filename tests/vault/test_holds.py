"""Legal holds set and released by the incident team containing a case (incidents:contain), as
by those who may destroy documents; nobody else. A held document cannot be destroyed."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Role
from crownjewels.inventory.schemas import SecretRead
from crownjewels.vault import lifecycle, service
from crownjewels.vault.errors import DestructionBlocked
from crownjewels.vault.service import Vault
from tests.parties.factories import actor_for, make_user


def test_the_incident_team_holds_and_releases_a_document(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc = service.add_document(
        session,
        actor=admin,
        vault=vault,
        owner_type="secret",
        owner_ref=secret.ref,
        title="Brine sheet",
        upload=io.BytesIO(b"salt, dill, vinegar"),
        filename="brine.txt",
    )
    security = actor_for(session, make_user(session, admin, Role.SECURITY))
    held = lifecycle.set_hold(
        session, actor=security, document_id=doc.id, reason="containment of IN-0001"
    )
    assert held.legal_hold and held.legal_hold_reason == "containment of IN-0001"
    with pytest.raises(DestructionBlocked, match="legal hold"):
        lifecycle.destroy(session, actor=admin, vault=vault, document_id=doc.id, reason="tidy")
    compliance = actor_for(session, make_user(session, admin, Role.COMPLIANCE))
    with pytest.raises(Forbidden, match="documents:destroy or the incidents:contain"):
        lifecycle.release_hold(session, actor=compliance, document_id=doc.id)
    released = lifecycle.release_hold(session, actor=security, document_id=doc.id, reason="over")
    assert not released.legal_hold and released.legal_hold_reason is None
