"""Registered copies: every hand-out is recorded and marked for its recipient, and identify
names the copy of a found file (after a PDF re-save, a text copy-paste), or says why not."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.disclosure import service
from crownjewels.disclosure.schemas import Channel, IssuedCopy, Verdict
from crownjewels.disclosure.watermark import text as wm_text
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties.schemas import PersonRead
from crownjewels.settings import Settings
from crownjewels.vault import service as vault_service
from crownjewels.vault.keys import create_key_file
from crownjewels.vault.service import Vault
from tests.access.factories import bind_for_access
from tests.conftest import savepoint_per_test
from tests.disclosure.conftest import make_alice, make_blue_pigment
from tests.disclosure.helpers import make_docx, make_image, make_pdf, prose
from tests.parties.factories import actor_for, make_person, make_user
from tests.vault import samples

KEY = service.watermark_key("copies-test-secret-key-0123456789")


@pytest.fixture(scope="module")
def world(module_db: Database) -> tuple[SecretRead, PersonRead]:
    """The test secret and Alice, made once for the module. A secret's copy asks access first:
    Alice passes every rule for the test secret."""
    with module_db.unit_of_work() as session:
        admin = system_actor("test")
        secret = make_blue_pigment(session, admin)
        alice = make_alice(session, admin)
        bind_for_access(session, person_id=alice.id, secret_id=secret.id)
    return secret, alice


@pytest.fixture
def connection(
    module_connection: Connection, world: tuple[SecretRead, PersonRead]
) -> Iterator[Connection]:
    """Each test in a savepoint over the module's world."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def secret(world: tuple[SecretRead, PersonRead]) -> SecretRead:
    return world[0]


@pytest.fixture
def alice(world: tuple[SecretRead, PersonRead]) -> PersonRead:
    return world[1]


def _upload(session: Session, admin: Actor, vault: Vault, secret: SecretRead, data: bytes) -> str:
    doc = vault_service.add_document(
        session,
        actor=admin,
        vault=vault,
        owner_type="secret",
        owner_ref=secret.ref,
        title="Process sheet",
        upload=io.BytesIO(data),
        filename="process.bin",
    )
    return doc.id


def _issue(session: Session, actor: Actor, vault: Vault, doc: str, **kw: Any) -> IssuedCopy:
    return service.issue_copy(
        session,
        actor=actor,
        vault_=vault,
        key=KEY,
        document_id=doc,
        purpose=kw.pop("purpose", "supplier audit"),
        channel=kw.pop("channel", Channel.CLI),
        **kw,
    )


SAMPLES = {
    "pdf": lambda: make_pdf(3),
    "docx": lambda: make_docx(5),
    "text": lambda: prose(3).encode(),
    "png": lambda: make_image("PNG"),
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_issue_and_identify_each_markable_type(
    session: Session,
    admin: Actor,
    vault: Vault,
    secret: SecretRead,
    alice: PersonRead,
    kind: str,
) -> None:
    doc = _upload(session, admin, vault, secret, SAMPLES[kind]())
    issued = _issue(session, admin, vault, doc, recipient=alice.email)
    copy = issued.copy
    assert copy.marked and copy.methods
    assert (copy.recipient_name, copy.recipient_organisation) == ("Alice Smith", "Acme Ltd")
    assert copy.channel == Channel.CLI and copy.purpose == "supplier audit"
    assert copy.owner_id == secret.id and copy.version_number == 1
    found = service.identify(session, actor=admin, key=KEY, data=issued.data)
    assert found.verdict is Verdict.IDENTIFIED, found.message
    assert found.record is not None and found.record.id == copy.id
    assert "Alice Smith" in found.message and "Acme Ltd" in found.message
    assert f"{copy.issued_at:%Y-%m-%d}" in found.message
    events = [
        e.event_type for e in custody.history(session, subject_type="copy", subject_id=copy.id)
    ]
    assert sorted(events) == ["COPY_IDENTIFIED", "COPY_ISSUED"]
    reads = custody.history(session, subject_type="document", subject_id=doc)
    assert "DOCUMENT_READ" in [e.event_type for e in reads]


def test_the_secret_legend_is_stamped_on_the_pdf(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    doc = _upload(session, admin, vault, secret, make_pdf(1))
    issued = _issue(session, admin, vault, doc, recipient=alice.id)
    page = " ".join(pypdf.PdfReader(io.BytesIO(issued.data)).pages[0].extract_text().split())
    assert " ".join(secret.legend.split())[:40] in page
    assert "Issued to Alice Smith" in page


def test_an_unmarkable_type_is_registered_as_unmarked(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    data = samples.binary()
    doc = _upload(session, admin, vault, secret, data)
    issued = _issue(session, admin, vault, doc, recipient=alice.email)
    assert not issued.copy.marked and issued.copy.methods == []
    assert issued.data == data
    found = service.identify(session, actor=admin, key=KEY, data=issued.data)
    # an unmarked copy is the original's bytes: reported as the original, never "untraceable"
    assert found.verdict is Verdict.ORIGINAL and found.known and not found.identified
    assert [c.id for c in service.list_copies(session, actor=admin, secret_ref=secret.ref)] == [
        issued.copy.id
    ]


def test_the_original_is_named_as_the_original_to_those_who_may_see_it(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    data = make_pdf(2)
    doc = _upload(session, admin, vault, secret, data)
    found = service.identify(session, actor=admin, key=KEY, data=data)
    assert found.verdict is Verdict.ORIGINAL, found.message
    assert found.message.startswith(f"This is the original of “Process sheet” v1 of {secret.ref}")
    assert "not a registered copy" in found.message
    assert found.original is not None and found.original.document_id == doc
    assert found.record is None and found.copy_id is None
    # one byte more is another file: no mark, no original
    other = service.identify(session, actor=admin, key=KEY, data=data + b"\n")
    assert other.verdict is Verdict.NO_MARK and other.original is None
    # someone who may not see the secret's documents learns nothing of the original
    outsider = actor_for(session, make_user(session, admin, Role.SECRET_OWNER))
    hidden = service.identify(session, actor=outsider, key=KEY, data=data)
    assert hidden.verdict is Verdict.NO_MARK and hidden.original is None


def test_a_pikepdf_resave_still_names_the_copy(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    doc = _upload(session, admin, vault, secret, make_pdf(2))
    issued = _issue(session, admin, vault, doc, recipient=alice.email)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(issued.data)) as pdf:
        pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    found = service.identify(session, actor=admin, key=KEY, data=out.getvalue())
    assert found.verdict is Verdict.IDENTIFIED and found.copy_id == issued.copy.id


def test_pasted_text_names_the_copy_and_stripped_text_does_not(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    doc = _upload(session, admin, vault, secret, prose(6).encode())
    issued = _issue(session, admin, vault, doc, recipient=alice.email)
    text = issued.data.decode("utf-8")
    pasted = text[len(text) // 3 : len(text) // 3 + 1500]
    found = service.identify(session, actor=admin, key=KEY, data=pasted.encode())
    assert found.verdict is Verdict.IDENTIFIED and found.copy_id == issued.copy.id
    stripped = "".join(ch for ch in text if ch not in wm_text.ZW)
    found = service.identify(session, actor=admin, key=KEY, data=stripped.encode())
    # stripped of every mark, the text is the original's bytes again: named as the original
    assert found.verdict is Verdict.ORIGINAL and found.copy_id is None
    found = service.identify(session, actor=admin, key=KEY, data=stripped[1:].encode())
    assert found.verdict is Verdict.NO_MARK


def test_damaged_and_foreign_marks_are_named_as_such(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    doc = _upload(session, admin, vault, secret, make_pdf(1))
    issued = _issue(session, admin, vault, doc, recipient=alice.email)
    foreign_key = service.watermark_key("another-installation-key-000000000")
    found = service.identify(session, actor=admin, key=foreign_key, data=issued.data)
    assert found.verdict is Verdict.UNVERIFIED and "another installation" in found.message
    damaged = bytearray(issued.data)
    for start in _all(issued.data, b"CJMARK-"):
        pos = start + 7 + 10
        damaged[pos] = ord("A") if damaged[pos] != ord("A") else ord("B")
    found = service.identify(session, actor=admin, key=KEY, data=bytes(damaged))
    assert found.verdict in (Verdict.DAMAGED, Verdict.IDENTIFIED)  # the stamp may survive
    assert found.copy_id in (None, issued.copy.id)  # never another copy


def _all(data: bytes, needle: bytes) -> list[int]:
    out, at = [], data.find(needle)
    while at >= 0:
        out.append(at)
        at = data.find(needle, at + 1)
    return out


def test_text_with_only_damaged_marks_is_damaged(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, alice: PersonRead
) -> None:
    doc = _upload(session, admin, vault, secret, prose(2).encode())
    issued = _issue(session, admin, vault, doc, recipient=alice.email)
    text = issued.data.decode("utf-8")
    zw = wm_text.ZW
    flipped = "".join(
        (zw[1] if ch == zw[0] else zw[0]) if ch in zw[:2] and i % 7 == 0 else ch
        for i, ch in enumerate(text)
    )
    found = service.identify(session, actor=admin, key=KEY, data=flipped.encode())
    assert found.verdict in (Verdict.DAMAGED, Verdict.NO_MARK), found.message
    assert found.copy_id is None


def test_the_default_recipient_is_the_actor_and_purpose_is_required(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc = _upload(session, admin, vault, secret, prose(1).encode())
    with pytest.raises(Invalid, match="person record"):
        _issue(session, admin, vault, doc)  # the system actor has no person
    with pytest.raises(Invalid, match="purpose"):
        _issue(session, admin, vault, doc, purpose=" ")
    legal = make_person(session, admin, name="Lee Legal")
    bind_for_access(session, person_id=legal.id, secret_id=secret.id)
    actor = actor_for(session, make_user(session, admin, Role.LEGAL, person=legal))
    issued = _issue(session, actor, vault, doc, channel=Channel.WEB)
    assert issued.copy.recipient_person_id == legal.id
    assert issued.copy.issued_by == actor.ref


def test_roles_without_documents_read_get_no_copy(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc = _upload(session, admin, vault, secret, prose(1).encode())
    vm = actor_for(session, make_user(session, admin, Role.VENDOR_MANAGER))
    with pytest.raises(Forbidden):
        _issue(session, vm, vault, doc)
    with pytest.raises(Forbidden):
        service.list_copies(session, actor=vm)


def test_the_issuer_is_the_one_place_for_vault_and_key(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, secret_key="issuer-test-secret-key-0123456789")
    issuer = service.issuer(settings)
    assert issuer.key == service.watermark_key("issuer-test-secret-key-0123456789")
    assert "vault" not in vars(issuer)  # tracing a found file needs the key only
    create_key_file(tmp_path / "vault.key")
    assert issuer.vault is issuer.vault  # opened once, on first use
    other = service.issuer(Settings(home=tmp_path, secret_key="another-installation-key-98765"))
    assert other.key != issuer.key
