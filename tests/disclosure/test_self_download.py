"""issue_copy for a recipient downloading for themselves: without documents:read, a vendor user
gets a copy of a secret's document only when the access decision allows it, only for
themselves, and the custody log names them as the reader and the taker of the copy."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access.errors import AccessDenied
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.disclosure import service
from crownjewels.disclosure.schemas import Channel
from crownjewels.vault import service as vault_service
from crownjewels.vault.service import Vault
from tests.access.factories import BINDER, bind_for_access
from tests.disclosure.helpers import prose
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person
from tests.vendors.diligence_factories import make_contact, make_vendor, make_vendor_user


def _doc(session: Session, vault: Vault) -> tuple[str, str]:
    secret = make_secret(session, BINDER, name="Kiln curve", allowed_regions=["IN"])
    doc = vault_service.add_document(
        session,
        actor=BINDER,
        vault=vault,
        owner_type="secret",
        owner_ref=secret.id,
        title="Kiln sheet",
        upload=io.BytesIO(prose(1).encode()),
        filename="kiln.txt",
    )
    return secret.id, doc.id


def _vendor_user(session: Session) -> tuple[str, Actor]:
    vendor, org = make_vendor(session, BINDER, name="Kiln Works")
    make_contact(session, vendor)
    person, user = make_vendor_user(session, BINDER, org)
    return person.id, user


def _issue(session: Session, actor: Actor, vault: Vault, doc: str, to: str | None = None) -> str:
    return service.issue_copy(
        session,
        actor=actor,
        vault_=vault,
        key=b"k" * 32,
        document_id=doc,
        purpose="fire the trial batch",
        channel=Channel.PORTAL,
        recipient=to,
    ).copy.id


def test_a_vendor_user_takes_an_allowed_copy_for_themselves(session: Session, vault: Vault) -> None:
    secret_id, doc = _doc(session, vault)
    person_id, user = _vendor_user(session)
    bind_for_access(session, person_id=person_id, secret_id=secret_id)
    copy_id = _issue(session, user, vault, doc, to=person_id)
    custody.flush(session)
    events = session.scalars(
        select(CustodyEvent)
        .where(CustodyEvent.event_type.in_(["DOCUMENT_READ", "COPY_ISSUED"]))
        .order_by(CustodyEvent.seq)
    ).all()
    mine = [(e.event_type, e.actor) for e in events if e.subject_id in (doc, copy_id)]
    assert mine == [("DOCUMENT_READ", user.ref), ("COPY_ISSUED", user.ref)]
    assert json.loads(events[-1].details)["recipient_person_id"] == person_id


def test_without_documents_read_a_copy_is_only_for_oneself(session: Session, vault: Vault) -> None:
    secret_id, doc = _doc(session, vault)
    person_id, user = _vendor_user(session)
    bind_for_access(session, person_id=person_id, secret_id=secret_id)
    colleague = make_person(session, BINDER, name="Other Person")
    with pytest.raises(Forbidden, match="for someone else"):
        _issue(session, user, vault, doc, to=colleague.id)


def test_a_self_download_the_rules_refuse_is_access_denied(session: Session, vault: Vault) -> None:
    _, doc = _doc(session, vault)
    _, user = _vendor_user(session)
    with pytest.raises(AccessDenied) as denied:
        _issue(session, user, vault, doc)
    assert "no need-to-know grant" in denied.value.message


def test_a_read_only_token_takes_no_copy_even_for_oneself(session: Session, vault: Vault) -> None:
    """A copy is a write (a registered copy, a ledger entry): the read scope refuses it although
    a self-download needs no permission."""
    secret_id, doc = _doc(session, vault)
    person_id, user = _vendor_user(session)
    bind_for_access(session, person_id=person_id, secret_id=secret_id)
    token = dataclasses.replace(user, scopes=frozenset({"read"}))
    with pytest.raises(Forbidden, match="may only read"):
        _issue(session, token, vault, doc, to=person_id)
