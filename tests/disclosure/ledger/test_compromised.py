"""A copy marked compromised (its recipient suspected, an incident's containment): found among
the copies issued to its recipient, marked once with its reason (COPY_COMPROMISED), and shown
by the ledger, its CSV and its PDF beside the entry of that copy; who may mark it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pypdf
import pytest
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict, Forbidden
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.disclosure import service
from crownjewels.disclosure.ledger import export
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import Channel, CopyRead, LedgerFilter
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties.schemas import PersonRead
from crownjewels.vault import service as vault_service
from crownjewels.vault.service import Vault
from tests.access.factories import bind_for_access
from tests.parties.factories import actor_for, make_user

KEY = service.watermark_key("compromised-test-secret-key-0123456789")


@pytest.fixture
def issued(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> CopyRead:
    """A copy of the secret's process sheet issued to Alice."""
    bind_for_access(session, person_id=alice.id, secret_id=secret.id)
    doc = vault_service.add_document(
        session,
        actor=admin,
        vault=vault,
        owner_type="secret",
        owner_ref=secret.ref,
        title="Process sheet",
        upload=io.BytesIO(b"mill twice at low heat, wash in cold brine\n" * 20),
        filename="process.txt",
    )
    return service.issue_copy(
        session,
        actor=admin,
        vault_=vault,
        key=KEY,
        document_id=doc.id,
        purpose="supplier audit",
        channel=Channel.CLI,
        recipient=alice.id,
    ).copy


def test_a_copy_marked_compromised_shows_in_the_ledger_and_its_exports(
    session: Session, admin: Actor, issued: CopyRead, alice: PersonRead, tmp_path: Path
) -> None:
    security = actor_for(session, make_user(session, admin, Role.SECURITY))
    [found] = ledger.copies_to(session, actor=security, person_ids=[alice.id])
    assert found.id == issued.id and found.document_title == "Process sheet"
    assert found.compromised_at is None
    [entry] = ledger.list_entries(session, actor=security, filters=LedgerFilter())
    assert entry.copy_id == issued.id and entry.copy_compromised_at is None
    marked = ledger.mark_compromised(
        session, actor=security, copy_id=issued.id.lower(), reason="containment of IN-0001"
    )
    assert marked.compromised_at is not None and marked.compromised_reason == (
        "containment of IN-0001"
    )
    with pytest.raises(Conflict, match="already marked compromised"):
        ledger.mark_compromised(session, actor=security, copy_id=issued.id, reason="again")
    [entry] = ledger.list_entries(session, actor=security, filters=LedgerFilter())
    assert entry.copy_compromised_at == marked.compromised_at
    assert ledger.get_entry(session, actor=security, entry_id=entry.id).copy_compromised_reason
    rows = list(
        csv.DictReader(
            io.StringIO(export.ledger_csv(session, actor=security, filters=LedgerFilter()))
        )
    )
    assert rows[0]["copy_compromised_reason"] == "containment of IN-0001"
    assert rows[0]["copy_compromised_at"].startswith(f"{marked.compromised_at:%Y-%m-%d}")
    pdf = export.ledger_pdf(session, actor=security, filters=LedgerFilter())
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "compromised" in text
    events = custody.history(session, subject_type="copy", subject_id=issued.id)
    assert "COPY_COMPROMISED" in [e.event_type for e in events]


def test_who_may_mark_a_copy_compromised(session: Session, admin: Actor, issued: CopyRead) -> None:
    compliance = actor_for(session, make_user(session, admin, Role.COMPLIANCE))
    with pytest.raises(Forbidden, match="grants:manage"):
        ledger.mark_compromised(session, actor=compliance, copy_id=issued.id, reason="suspect")
    legal = actor_for(session, make_user(session, admin, Role.LEGAL))
    assert ledger.mark_compromised(
        session, actor=legal, copy_id=issued.id, reason="suspect"
    ).compromised_at
