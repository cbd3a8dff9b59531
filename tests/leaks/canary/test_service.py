"""Canary tokens against the real database: planting records CANARY_PLANTED; a hit of the
callback is kept with its address, user agent and referrer, recorded as CANARY_FIRED and raised
to monitoring, whose scorer turns it into an alert naming the copy's recipient; unknown and
retired tokens and a flood write nothing; a token planted in an issued copy leaves the copy's
watermark readable."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.planting import PlantRequest
from crownjewels.disclosure.schemas import Channel, Verdict
from crownjewels.inventory.schemas import SecretRead
from crownjewels.leaks.canary import service
from crownjewels.leaks.canary.schemas import TokenCreate
from crownjewels.leaks.models import Token, TokenHit
from crownjewels.leaks.schemas import TokenKind, TokenStatus
from crownjewels.monitoring.models import Alert
from crownjewels.monitoring.scoring import service as scoring
from crownjewels.parties.schemas import PersonRead
from crownjewels.vault import service as vault_service
from crownjewels.vault.service import Vault
from tests.access.factories import bind_for_access
from tests.conftest import savepoint_per_test
from tests.disclosure.conftest import make_alice, make_blue_pigment, vault  # noqa: F401
from tests.disclosure.helpers import make_docx, make_pdf

BASE = "https://cj.example.com"
KEY = disclosure.watermark_key("canary-test-secret-key-0123456789")


@pytest.fixture(scope="module")
def world(module_db: Database) -> tuple[SecretRead, PersonRead]:
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
    yield from savepoint_per_test(module_connection)


def _plant(session: Session, admin: Actor, secret: SecretRead, kind: TokenKind) -> Token:
    made = service.plant(
        session,
        actor=admin,
        data=TokenCreate(secret=secret.ref, kind=kind, label="Q3 pricing"),
        base_url=BASE,
    )
    row = session.scalar(select(Token).where(Token.ref == made.ref))
    assert row is not None
    return row


def _events(session: Session, row: Token) -> list[str]:
    history = custody.history(session, subject_type="canary-token", subject_id=row.id)
    return [e.event_type for e in reversed(history)]  # oldest first


def _hits(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(TokenHit)) or 0


def test_planting_records_the_token_and_its_url(
    session: Session, admin: Actor, world: tuple[SecretRead, PersonRead]
) -> None:
    secret = world[0]
    row = _plant(session, admin, secret, TokenKind.DOCX)
    assert row.ref.startswith("CT-") and len(row.token) == 32
    assert _events(session, row) == ["CANARY_PLANTED"]
    (listed,) = service.list_tokens(session, actor=admin, base_url=BASE, secret_ref=secret.ref)
    assert listed.url == f"{BASE}/c/{row.token}.png" and listed.secret_ref == secret.ref
    url_token = _plant(session, admin, secret, TokenKind.URL)
    assert service.url_of(url_token, BASE) == f"{BASE}/c/{url_token.token}"
    made = service.artefact(session, actor=admin, ref=row.ref, base_url=BASE)
    assert made.filename == "Q3 pricing.docx" and row.token.encode() in _footer_xml(made.data)
    with pytest.raises(Invalid, match="has no file"):
        service.artefact(session, actor=admin, ref=url_token.ref, base_url=BASE)


def _footer_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/_rels/footer1.xml.rels")


def test_a_hit_is_kept_recorded_and_alerted(
    session: Session, admin: Actor, world: tuple[SecretRead, PersonRead]
) -> None:
    row = _plant(session, admin, world[0], TokenKind.IMAGE)
    kept = service.record_callback(
        session, token=row.token, ip="198.51.100.7", user_agent="Mail/1.0", referrer="x://y"
    )
    assert kept is True
    (hit,) = service.hits(session, actor=admin, ref=row.ref)
    assert (hit.ip, hit.user_agent, hit.referrer, hit.via) == (
        "198.51.100.7",
        "Mail/1.0",
        "x://y",
        "callback",
    )
    assert _events(session, row) == ["CANARY_PLANTED", "CANARY_FIRED"]
    detail = service.get_token(session, actor=admin, ref=row.ref, base_url=BASE)
    assert detail.hits == 1 and detail.last_hit_at is not None
    result = scoring.score_queued(session, actor=admin)
    (ref,) = result.alerts_raised
    alert = session.scalar(select(Alert).where(Alert.ref == ref))
    assert alert is not None and alert.title == "A canary token fired"
    assert world[0].id in alert.secret_ids and row.ref in alert.explanation


def test_unknown_retired_and_flooding_hits_write_nothing(
    session: Session, admin: Actor, world: tuple[SecretRead, PersonRead]
) -> None:
    row = _plant(session, admin, world[0], TokenKind.URL)
    assert (
        service.record_callback(
            session, token="f" * 32, ip="1.2.3.4", user_agent=None, referrer=None
        )
        is False
    )
    assert (
        service.record_callback(
            session, token="../etc", ip="1.2.3.4", user_agent=None, referrer=None
        )
        is False
    )
    kept = [
        service.record_callback(
            session, token=row.token, ip="1.2.3.4", user_agent=None, referrer=None
        )
        for _ in range(service.HITS_PER_ADDRESS + 3)
    ]
    assert kept == [True] * service.HITS_PER_ADDRESS + [False] * 3
    assert service.record_callback(
        session, token=row.token, ip="5.6.7.8", user_agent=None, referrer=None
    )
    assert _hits(session) == service.HITS_PER_ADDRESS + 1
    service.retire(session, actor=admin, ref=row.ref, reason="the lure was moved")
    assert (
        service.record_callback(
            session, token=row.token, ip="9.9.9.9", user_agent=None, referrer=None
        )
        is False
    )
    assert _hits(session) == service.HITS_PER_ADDRESS + 1
    assert _events(session, row)[-1] == "CANARY_RETIRED"
    (retired,) = service.list_tokens(
        session, actor=admin, base_url=BASE, status=TokenStatus.RETIRED
    )
    assert retired.ref == row.ref
    with pytest.raises(Invalid, match="already retired"):
        service.retire(session, actor=admin, ref=row.ref, reason="again")


def test_planting_and_reading_need_leaks_permissions(
    session: Session, world: tuple[SecretRead, PersonRead]
) -> None:
    compliance = Actor(kind="user", id="u1", name="c", roles=frozenset({Role.COMPLIANCE}))
    assert service.list_tokens(session, actor=compliance, base_url=BASE) == []
    with pytest.raises(Forbidden, match="leaks:manage"):
        service.plant(
            session,
            actor=compliance,
            data=TokenCreate(secret=world[0].ref, kind=TokenKind.URL),
            base_url=BASE,
        )
    vendor = Actor(kind="user", id="u2", name="v", roles=frozenset({Role.VENDOR_USER}))
    with pytest.raises(Forbidden, match="leaks:read"):
        service.list_tokens(session, actor=vendor, base_url=BASE)


def _upload(session: Session, admin: Actor, store: Vault, secret: SecretRead, data: bytes) -> str:
    doc = vault_service.add_document(
        session,
        actor=admin,
        vault=store,
        owner_type="secret",
        owner_ref=secret.ref,
        title="Process sheet",
        upload=io.BytesIO(data),
        filename="process.bin",
    )
    return doc.id


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_a_token_planted_in_a_copy_names_its_recipient_and_keeps_the_watermark(
    session: Session,
    admin: Actor,
    vault: Vault,  # noqa: F811
    world: tuple[SecretRead, PersonRead],
    kind: str,
) -> None:
    secret, alice = world
    data = make_docx(3) if kind == "docx" else make_pdf(2)
    doc = _upload(session, admin, vault, secret, data)
    issued = disclosure.issue_copy(
        session,
        actor=admin,
        vault_=vault,
        key=KEY,
        document_id=doc,
        purpose="supplier audit",
        channel=Channel.CLI,
        recipient=alice.email,
        plant=PlantRequest(kind, BASE),
    )
    assert issued.canary is not None
    row = session.scalar(select(Token).where(Token.ref == issued.canary))
    assert row is not None and row.copy_id == issued.copy.id
    assert row.recipient_person_id == alice.id
    assert row.token.encode() in (
        _footer_xml(issued.data) if kind == "docx" else _open_action(issued.data)
    )
    found = disclosure.identify(session, actor=admin, key=KEY, data=issued.data)
    assert found.verdict is Verdict.IDENTIFIED and found.copy_id == issued.copy.id
    import hashlib

    assert issued.copy.sha256 == hashlib.sha256(issued.data).hexdigest()
    service.record_callback(
        session, token=row.token, ip="203.0.113.9", user_agent="Word", referrer=None
    )
    (listed,) = service.list_tokens(session, actor=admin, base_url=BASE, secret_ref=secret.ref)
    assert listed.recipient_name == "Alice Smith" and listed.hits == 1
    (ref,) = scoring.score_queued(session, actor=admin).alerts_raised
    alert = session.scalar(select(Alert).where(Alert.ref == ref))
    assert alert is not None and alert.person_id == alice.id
    assert alert.severity == "critical"


def _open_action(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return bytes(pdf.Root.OpenAction.URI)


def test_a_copy_refuses_a_canary_that_does_not_fit(
    session: Session,
    admin: Actor,
    vault: Vault,  # noqa: F811
    world: tuple[SecretRead, PersonRead],
) -> None:
    doc = _upload(session, admin, vault, world[0], make_pdf(1))
    for kind, words in (("docx", "goes into a DOCX copy"), ("url", "cannot be planted")):
        with pytest.raises(Invalid, match=words):
            disclosure.issue_copy(
                session,
                actor=admin,
                vault_=vault,
                key=KEY,
                document_id=doc,
                purpose="supplier audit",
                channel=Channel.CLI,
                recipient=world[1].email,
                plant=PlantRequest(kind, BASE),
            )


def test_settings_give_the_callback_base(tmp_path: Path) -> None:
    from crownjewels.settings import Settings

    assert Settings(home=tmp_path).resolved_canary_base_url() == "http://127.0.0.1:8000"
    public = Settings(home=tmp_path, canary_base_url="https://cj.example.com/")
    assert public.resolved_canary_base_url() == "https://cj.example.com"
