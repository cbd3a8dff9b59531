"""Documents through the service: round trips for every kind of file, media type from content,
refusals with clear messages, damage that never yields plaintext, holds, retention, destruction
and key rotation."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import AFTER_COMMIT, Database
from crownjewels.core.errors import Forbidden
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventFilter
from crownjewels.inventory import documents as secret_docs
from crownjewels.inventory.schemas import SecretRead
from crownjewels.vault import keyring, lifecycle, reading, service, sweep
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.errors import (
    BlobTooLarge,
    CorruptContent,
    DestructionBlocked,
    DocumentDestroyed,
    RefusedContent,
    WrongKey,
)
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.models import DataKey
from crownjewels.vault.service import Vault
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_user
from tests.vault import samples

KINDS: list[tuple[str, Callable[[], bytes], str]] = [
    ("text", samples.text, "text/plain"),
    ("pdf", samples.pdf, "application/pdf"),
    (
        "docx",
        samples.docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("png", samples.png, "image/png"),
    ("binary", samples.binary, "application/octet-stream"),
]


def put(
    session: Session, actor: Actor, vault: Vault, secret: SecretRead, data: bytes, name: str = "f"
) -> str:
    doc = secret_docs.attach_document(
        session,
        actor=actor,
        vault_=vault,
        secret_ref=secret.ref,
        title=name,
        upload=io.BytesIO(data),
        filename=name,
    )
    return doc.id


def events(session: Session, doc_id: str) -> list[str]:
    items, _ = custody.list_events(
        session,
        actor=Actor(kind="system", id="t", name="t"),
        filters=EventFilter(subject_type="document", subject_id=doc_id),
        page=PageParams(limit=100, offset=0),
    )
    return [e.event_type for e in reversed(items)]


@pytest.mark.parametrize(("kind", "make", "media_type"), KINDS, ids=[k[0] for k in KINDS])
def test_round_trip(
    session: Session,
    admin: Actor,
    vault: Vault,
    secret: SecretRead,
    tmp_path: Path,
    kind: str,
    make: Callable[[], bytes],
    media_type: str,
) -> None:
    data = make()
    doc_id = put(session, admin, vault, secret, data, name=f"file.{kind}")
    doc = service.get_document(session, actor=admin, document_id=doc_id)
    version = doc.versions[0]
    assert version.media_type == media_type
    assert version.size == len(data)
    assert version.legend == secret.legend and doc.tier == secret.tier
    out = tmp_path / "out"
    reading.export_version(session, actor=admin, vault=vault, document_id=doc_id, path=out)
    assert out.read_bytes() == data
    meta, handle = reading.open_version(session, actor=admin, vault=vault, document_id=doc_id)
    with handle:
        assert handle.read() == data
    _, chunks = reading.stream_version(session, actor=admin, vault=vault, document_id=doc_id)
    assert b"".join(chunks) == data
    assert events(session, doc_id) == ["DOCUMENT_ADDED"] + ["DOCUMENT_READ"] * 3


def test_media_type_comes_from_content_not_name(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc_id = put(session, admin, vault, secret, samples.png(), name="innocent.txt")
    assert (
        service.get_document(session, actor=admin, document_id=doc_id).versions[0].media_type
        == "image/png"
    )
    doc_id = put(session, admin, vault, secret, samples.binary(), name="report.pdf")
    got = service.get_document(session, actor=admin, document_id=doc_id).versions[0]
    assert got.media_type == "application/octet-stream"


@pytest.mark.parametrize(
    ("make", "error", "needle"),
    [
        (samples.malformed_pdf, RefusedContent, "not a valid PDF"),
        (
            samples.malformed_docx,
            RefusedContent,
            "not a valid DOCX file: it has no word/document.xml",
        ),
        (samples.truncated_docx, RefusedContent, "not a valid ZIP archive"),
        (samples.zip_bomb, RefusedContent, "zip bomb"),
        (lambda: os.urandom((1 << 20) + 1), BlobTooLarge, "limit"),
    ],
    ids=["malformed-pdf", "malformed-docx", "truncated-docx", "zip-bomb", "too-large"],
)
def test_refused_uploads_leave_nothing(
    session: Session,
    admin: Actor,
    vault: Vault,
    secret: SecretRead,
    tmp_path: Path,
    make: Callable[[], bytes],
    error: type[Exception],
    needle: str,
) -> None:
    if make is samples.zip_bomb:
        vault.max_upload = 8 << 20
    with pytest.raises(error, match=needle):
        put(session, admin, vault, secret, make())
    assert service.list_documents(session, actor=admin) == []
    blobs = tmp_path / "blobs"
    assert not blobs.exists() or [p for p in blobs.rglob("*") if p.is_file()] == []


def test_new_version_keeps_the_old(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, tmp_path: Path
) -> None:
    doc_id = put(session, admin, vault, secret, b"one")
    doc = service.add_version(
        session, actor=admin, vault=vault, document_id=doc_id, upload=io.BytesIO(b"two")
    )
    assert [v.number for v in doc.versions] == [1, 2] and doc.current_version == 2
    out = tmp_path / "v1"
    reading.export_version(
        session, actor=admin, vault=vault, document_id=doc_id, path=out, version=1
    )
    assert out.read_bytes() == b"one"


def _blob(vault: Vault, session: Session, admin: Actor, doc_id: str) -> Path:
    doc = service.get_document(session, actor=admin, document_id=doc_id)
    assert isinstance(vault.store, LocalBlobStore)
    return vault.store.path(doc.versions[-1].id)


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_damaged_blob_never_yields_plaintext(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, tmp_path: Path, damage: str
) -> None:
    data = os.urandom(3 * 4096) + samples.MARKER
    doc_id = put(session, admin, vault, secret, data)
    path = _blob(vault, session, admin, doc_id)
    blob = bytearray(path.read_bytes())
    if damage == "flip":
        blob[-10] ^= 1
    else:
        blob = blob[: len(blob) - 4096 - 20]
    path.chmod(0o600)
    path.write_bytes(bytes(blob))
    out = tmp_path / "out"
    with pytest.raises(CorruptContent):
        reading.export_version(session, actor=admin, vault=vault, document_id=doc_id, path=out)
    assert not out.exists() and list(tmp_path.glob(".out*")) == []
    with pytest.raises(CorruptContent):
        reading.open_version(session, actor=admin, vault=vault, document_id=doc_id)


def test_wrong_kek_is_named(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, tmp_path: Path
) -> None:
    doc_id = put(session, admin, vault, secret, b"x")
    other = Vault(store=vault.store, keys=KeyRing(LocalKeyProvider(os.urandom(32), source="other")))
    with pytest.raises(WrongKey, match="wrapped by KEK local-"):
        reading.export_version(
            session, actor=admin, vault=other, document_id=doc_id, path=tmp_path / "o"
        )


def test_hold_and_retention_block_destruction(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc_id = put(session, admin, vault, secret, b"keep me")
    lifecycle.set_hold(session, actor=admin, document_id=doc_id, reason="litigation 2026-17")
    with pytest.raises(DestructionBlocked, match="legal hold"):
        lifecycle.destroy(session, actor=admin, vault=vault, document_id=doc_id, reason="old")
    lifecycle.release_hold(session, actor=admin, document_id=doc_id)
    until = clock.now() + timedelta(days=30)
    lifecycle.set_retention(session, actor=admin, document_id=doc_id, until=until)
    with pytest.raises(DestructionBlocked, match="must be kept until"):
        lifecycle.destroy(session, actor=admin, vault=vault, document_id=doc_id, reason="old")
    assert events(session, doc_id) == [
        "DOCUMENT_ADDED",
        "DOCUMENT_LEGAL_HOLD_SET",
        "DOCUMENT_LEGAL_HOLD_RELEASED",
        "DOCUMENT_RETENTION_SET",
    ]


def test_tier_retention_from_settings(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    vault.retention_days = {secret.tier.value: 365}
    doc = service.get_document(
        session, actor=admin, document_id=put(session, admin, vault, secret, b"x")
    )
    assert doc.retention_until is not None
    assert doc.retention_until - clock.now() > timedelta(days=364)


def test_destroy_shreds_keys_and_certifies(
    db: object, session: Session, admin: Actor, vault: Vault, secret: SecretRead, tmp_path: Path
) -> None:
    data = samples.text()
    doc_id = put(session, admin, vault, secret, data)
    doc_id2 = service.add_version(
        session, actor=admin, vault=vault, document_id=doc_id, upload=io.BytesIO(b"v2")
    ).id
    assert doc_id2 == doc_id
    blob_paths = [
        vault.store.path(v.id)  # type: ignore[attr-defined]
        for v in service.get_document(session, actor=admin, document_id=doc_id).versions
    ]
    cert = lifecycle.destroy(
        session, actor=admin, vault=vault, document_id=doc_id, reason="end of project"
    )
    assert cert.versions[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert cert.destroyed_by == admin.ref and cert.reason == "end of project"
    assert cert.inclusion_proof is not None and cert.inclusion_proof["seq"] == cert.custody_seq
    event = custody.get_event(session, seq=cert.custody_seq)
    assert event.event_type == "DOCUMENT_DESTROYED" and event.hash == cert.custody_hash
    keys = session.scalars(select(DataKey)).all()
    assert keys and all(k.wrapped is None and k.destroyed_at for k in keys)
    with pytest.raises(DocumentDestroyed, match="destroyed on"):
        reading.export_version(
            session, actor=admin, vault=vault, document_id=doc_id, path=tmp_path / "o"
        )
    assert lifecycle.certificate(session, actor=admin, document_id=doc_id).id == cert.id
    # The blobs go after commit (the test transaction is a savepoint: run the callbacks here).
    assert all(p.exists() for p in blob_paths)
    for callback in session.info.pop(AFTER_COMMIT, []):
        callback()
    assert not any(p.exists() for p in blob_paths)
    assert custody.verify(session, actor=admin).ok


def test_rotation_rewraps_and_old_kek_is_not_needed(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead, kek: bytes, tmp_path: Path
) -> None:
    docs = [put(session, admin, vault, secret, f"doc {i}".encode()) for i in range(3)]
    blob = _blob(vault, session, admin, docs[0])
    before = blob.read_bytes()
    old = LocalKeyProvider(kek, source="old")
    new = LocalKeyProvider(os.urandom(32), source="new")
    result = keyring.rotate_keys(session, actor=admin, ring=KeyRing(new, older=[old]))
    assert result.rewrapped == 3 and result.from_kek_ids == [old.key_id]
    assert blob.read_bytes() == before  # content untouched
    only_new = Vault(store=vault.store, keys=KeyRing(new))
    for i, doc_id in enumerate(docs):
        out = tmp_path / f"o{i}"
        reading.export_version(session, actor=admin, vault=only_new, document_id=doc_id, path=out)
        assert out.read_bytes() == f"doc {i}".encode()
    again = keyring.rotate_keys(session, actor=admin, ring=KeyRing(new))
    assert again.rewrapped == 0


def test_rollback_deletes_the_orphan_blob(
    db: object, admin: Actor, vault: Vault, tmp_path: Path
) -> None:
    assert isinstance(db, Database)
    with db.unit_of_work() as s:
        secret = make_secret(s, admin, name="Rollback secret")
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        put(s, admin, vault, secret, b"will roll back")
        raise RuntimeError("boom")
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


def test_sweep_removes_only_old_orphans(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    kept = _blob(vault, session, admin, put(session, admin, vault, secret, b"committed"))
    assert isinstance(vault.store, LocalBlobStore)
    for name in ("old-orphan", "new-orphan"):
        with vault.store.writer(name) as out:
            out.write(b"ciphertext")
    old = vault.store.path("old-orphan")
    two_days_ago = (clock.now() - timedelta(days=2)).timestamp()
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(kept, (two_days_ago, two_days_ago))
    gone = sweep.sweep_orphans(session, actor=admin, store=vault.store)
    assert gone == ["old-orphan"]
    assert not old.exists() and kept.exists() and vault.store.exists("new-orphan")
    assert sweep.sweep_orphans(session, actor=admin, store=vault.store) == []


def test_sweep_removes_blobs_a_destroy_left_behind(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc_id = put(session, admin, vault, secret, b"shred me")
    blob = _blob(vault, session, admin, doc_id)
    lifecycle.destroy(session, actor=admin, vault=vault, document_id=doc_id, reason="expired")
    session.info.pop(AFTER_COMMIT, None)  # as if the process died before deleting the blobs
    two_days_ago = (clock.now() - timedelta(days=2)).timestamp()
    os.utime(blob, (two_days_ago, two_days_ago))
    assert sweep.sweep_orphans(session, actor=admin, store=vault.store) == [blob.name]
    assert not blob.exists()


def test_a_hold_without_destroy_permission_is_refused_in_words(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc_id = put(session, admin, vault, secret, b"keep me")
    owner = actor_for(session, make_user(session, admin, Role.SECRET_OWNER))
    with pytest.raises(
        Forbidden, match="a legal hold needs the documents:destroy or the incidents:contain perm"
    ):
        lifecycle.set_hold(session, actor=owner, document_id=doc_id, reason="litigation 2026-17")
