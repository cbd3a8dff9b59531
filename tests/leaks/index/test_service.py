"""The fingerprint index in the database: a secret's document queued in its upload's
transaction and fingerprinted (after commit or by the job), hashes and offsets only, removed
with a shredded document, honey strings, re-indexing, and the process's in-memory index."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers the vault owners and the listeners
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden
from crownjewels.core.jobs import JobContext
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.inventory.schemas import SecretRead
from crownjewels.leaks.errors import Unreadable
from crownjewels.leaks.fingerprint import fingerprint
from crownjewels.leaks.index import jobs, prompt, service
from crownjewels.leaks.models import Fingerprint, PendingIndex, Source, Token
from crownjewels.settings import Settings
from crownjewels.vault import lifecycle
from crownjewels.vault import service as vault_service
from crownjewels.vault.keys import create_key_file
from crownjewels.vault.service import Vault
from tests.inventory.factories import make_secret
from tests.leaks.fingerprint.samples import SAMPLES, disguise

NAME, CODE, NAMES, _ = SAMPLES["python"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(home=tmp_path / "home", company_name="Acme Foods")
    create_key_file(s.resolved_vault_key_file())
    return s


@pytest.fixture
def vault(settings: Settings) -> Vault:
    return vault_service.open_vault(settings)


@pytest.fixture
def secret(session: Session, admin: Actor) -> SecretRead:
    return make_secret(session, admin, name="Brine recipe")


def _upload(session: Session, admin: Actor, vault: Vault, ref: str, name: str, data: bytes) -> str:
    return vault_service.add_document(
        session,
        actor=admin,
        vault=vault,
        owner_type="secret",
        owner_ref=ref,
        title=name,
        upload=io.BytesIO(data),
        filename=name,
    ).id


def _events(session: Session, kind: str) -> list[CustodyEvent]:
    custody.flush(session)
    return list(session.scalars(select(CustodyEvent).where(CustodyEvent.event_type == kind)))


def test_a_secrets_document_is_queued_then_fingerprinted_holding_no_text(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc_id = _upload(session, admin, vault, secret.ref, NAME, CODE.encode())
    assert session.get(PendingIndex, (doc_id, 1)) is not None
    assert service.queued(session.info) == [(doc_id, 1)]

    report = service.index_pending(session, actor=admin, vault=vault)
    assert (report.indexed, report.unreadable, report.skipped) == (1, 0, 0)
    (source,) = report.sources
    assert (source.secret_ref, source.name, source.kind, source.language) == (
        secret.ref,
        NAME,
        "code",
        "python",
    )
    assert source.fingerprints == report.fingerprints > 10
    assert service.pending(session) == []
    (event,) = _events(session, "DOCUMENT_FINGERPRINTED")
    assert event.subject_id == doc_id

    # hashes and offsets only: no column of the index holds any of the document's words
    row = session.get(Source, source.id)
    assert row is not None
    stored = [str(v) for v in vars(row).values()]
    stored += [str(v) for f in session.scalars(select(Fingerprint)) for v in vars(f).values()]
    for word in ("ingest_batches", "records", "batch", "fermentation", "1.5"):
        assert not any(word in value for value in stored), word


def test_the_loaded_index_finds_a_disguised_copy_and_follows_changes(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc_id = _upload(session, admin, vault, secret.ref, NAME, CODE.encode())
    service.index_pending(session, actor=admin, vault=vault)
    index = service.load(session)
    (key,) = index.keys()
    copy = fingerprint(disguise("python", CODE, NAMES), language="python")
    found = index.query(copy)
    assert list(found) == [key]
    assert found[key].renamed and found[key].fragments[0].source_lines[0] >= 2
    rows = service.source_rows(session, [key])
    assert rows[key].secret_ref == secret.ref and rows[key].document_id == doc_id

    assert service.load(session) is index  # the process's cache, brought up to date
    service.reindex(session, actor=admin, vault=vault, secret_ref=secret.ref)
    (again,) = service.load(session).keys()
    assert again != key and list(index.query(copy)) == [again]


def test_a_shredded_document_takes_its_fingerprints_with_it(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    doc_id = _upload(session, admin, vault, secret.ref, NAME, CODE.encode())
    service.index_pending(session, actor=admin, vault=vault)
    assert session.scalars(select(Fingerprint)).first() is not None
    lifecycle.destroy(session, actor=admin, vault=vault, document_id=doc_id, reason="obsolete")
    assert session.scalars(select(Source)).all() == []
    assert session.scalars(select(Fingerprint)).all() == []
    (event,) = _events(session, "FINGERPRINTS_REMOVED")
    assert event.subject_id == doc_id
    assert service.load(session).keys() == []


def test_unreadable_and_text_documents(
    session: Session, admin: Actor, vault: Vault, secret: SecretRead
) -> None:
    _upload(session, admin, vault, secret.ref, "firmware.bin", b"\x00\x01\x02" * 100)
    prose = " ".join(f"step{i} of the brine process at {i} degrees" for i in range(60))
    _upload(session, admin, vault, secret.ref, "SOP.txt", prose.encode())
    report = service.index_pending(session, actor=admin, vault=vault)
    by_name = {s.name: s for s in report.sources}
    assert by_name["firmware.bin"].status == "unreadable"
    assert "binary data, not text" in (by_name["firmware.bin"].reason or "")
    assert by_name["SOP.txt"].status == "indexed" and by_name["SOP.txt"].kind == "text"
    status = service.status(session, actor=admin)
    assert (status.indexed, status.unreadable, status.pending, status.stale) == (1, 1, 0, 0)
    listed, total = service.list_sources(session, actor=admin, secret_ref=secret.ref)
    assert {s.name for s in listed} == {"firmware.bin", "SOP.txt"} and total == 2
    first, _ = service.list_sources(session, actor=admin, page=PageParams(limit=1))
    second, total = service.list_sources(session, actor=admin, page=PageParams(limit=1, offset=1))
    assert total == 2 and {first[0].name, second[0].name} == {"firmware.bin", "SOP.txt"}
    assert service.fingerprinted_documents(session, secret_id=secret.id) == 1


def test_honey_strings_are_registered_and_removed(
    session: Session, admin: Actor, secret: SecretRead
) -> None:
    token = Token(
        ref="LT-0001",
        token="t" * 32,
        kind="honey",
        secret_id=secret.id,
        label="honey",
        honey=None,
        status="active",
        created_by="test",
        created_at=secret.created_at,
    )
    session.add(token)
    session.flush()
    honey = (
        "customer record 88213 Maribel Quintero account ACME-7781-QX credit limit 250000 "
        "api key cj_live_5f1e9a7c2b region north contact since 2019 tier platinum"
    )
    source = service.register_text(
        session, actor=admin, token_id=token.id, secret_id=secret.id, name="LT-0001", text=honey
    )
    assert source.token_id == token.id and source.fingerprints > 0
    found = service.load(session).query(fingerprint("leaked: " + honey + " end"))
    assert list(found) == [source.id]
    with pytest.raises(Unreadable, match="too short to fingerprint"):
        service.register_text(
            session, actor=admin, token_id=token.id, secret_id=secret.id, name="x", text="a b c"
        )
    assert service.unregister_token(session, actor=admin, token_id=token.id) > 0
    assert service.load(session).keys() == []


def test_permissions(session: Session, vault: Vault, secret: SecretRead) -> None:
    viewer = Actor(kind="user", id="u", name="Ada Auditor", roles=frozenset({Role.AUDITOR}))
    with pytest.raises(Forbidden, match="leaks:manage"):
        service.index_pending(session, actor=viewer, vault=vault)


def test_indexed_right_after_the_upload_commits_and_by_the_job(
    db: Database, settings: Settings, vault: Vault
) -> None:
    admin = system_actor("test")
    prompt.install(db, settings)
    with db.unit_of_work() as s:
        secret = make_secret(s, admin, name="Glaze")
        _upload(s, admin, vault, secret.ref, NAME, CODE.encode())
    with db.unit_of_work() as s:
        assert service.pending(s) == []
        assert [x.status for x in service.list_sources(s, actor=admin)[0]] == ["indexed"]

    db.on_commit.clear()  # a CLI upload: nothing indexes promptly; the job catches up
    with db.unit_of_work() as s:
        _upload(s, admin, vault, secret.ref, "other.py", CODE.replace("1.5", "2.5").encode())
    assert jobs.index_pending(JobContext(db=db, settings=settings)) == (
        "fingerprinted 1 document version"
    )
    assert jobs.index_pending(JobContext(db=db, settings=settings)) is None
    with db.unit_of_work() as s:  # as if fingerprinted by an older version's parameters
        s.execute(update(Source).values(params="fp0 c0 k5 w5"))
    with db.unit_of_work(write=False) as s:
        assert len(service.stale(s)) == 2 and service.status(s, actor=admin).stale == 2
    assert jobs.index_pending(JobContext(db=db, settings=settings)) == (
        "fingerprinted 2 document versions"
    )
    with db.unit_of_work(write=False) as s:
        assert service.stale(s) == [] and service.status(s, actor=admin).stale == 0
