"""A case's evidence against the real database and vault: an item registered with its hash
(typed or computed), a chain of hand-overs with the custody event of each row, hand-overs from
the wrong person or at impossible times refused in words, and the system's records preserved
(a custody bundle that verifies offline, the ledger snapshot, the findings with their passages)
as vault documents on legal hold that the vault refuses to destroy. Nothing can be deleted."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - custody labels and vault owners
from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden, Invalid, NotFound
from crownjewels.core.permissions import Role
from crownjewels.custody import bundle, keys
from crownjewels.custody import labels as custody_labels
from crownjewels.custody import service as custody
from crownjewels.incidents import service as cases
from crownjewels.incidents.errors import CaseClosed
from crownjewels.incidents.evidence import pages, preserve, router, service
from crownjewels.incidents.evidence.errors import NotCustodian
from crownjewels.incidents.evidence.schemas import (
    EvidenceKind,
    EvidenceRead,
    EvidenceRegister,
    HandoverCreate,
    PreserveRequest,
)
from crownjewels.incidents.models import Evidence
from crownjewels.incidents.schemas import CaseOpen, IncidentKind, Status, StatusMove
from crownjewels.vault import lifecycle, reading
from crownjewels.vault import service as vault
from crownjewels.vault.errors import DestructionBlocked
from tests.conftest import savepoint_per_test
from tests.incidents.evidence.world import World, make_world

IMAGE_SHA = "9f2c1e0b7d4a" + "0" * 40 + "5e6f7a8b9c0d"
IMAGE_SIZE = 256_060_514_304  # a 256 GB disk: past what a 32-bit column holds


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    with module_db.unit_of_work() as session:
        return make_world(session, system_actor("test"), tmp_path_factory.mktemp("home"))


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


def _image(**changes: object) -> EvidenceRegister:
    return EvidenceRegister.model_validate(
        {
            "description": "Forensic image of Alice's laptop (Dell XPS 13, serial 7Q2K)",
            "sha256": IMAGE_SHA,
            "size": IMAGE_SIZE,
            "collected_by": "Kim Lee, Acme Forensics",
            "collected_at": clock.now() - timedelta(days=2),
            "collected_where": "Berlin office, room 4.12",
            "stored_at": "Evidence safe 2, shelf B",
            **changes,
        }
    )


def _register(session: Session, world: World, **changes: object) -> EvidenceRead:
    security = world.actors[Role.SECURITY]
    return service.register(session, actor=security, ref=world.case_ref, data=_image(**changes))


def _row(session: Session, ref: str) -> Evidence:
    found = session.scalar(select(Evidence).where(Evidence.ref == ref))
    assert found is not None
    return found


def _hand(session: Session, world: World, item: str, **fields: object) -> EvidenceRead:
    return service.hand_over(
        session,
        actor=world.actors[Role.LEGAL],
        ref=world.case_ref,
        item_ref=item,
        data=HandoverCreate.model_validate(fields),
    )


def test_a_registered_item_is_a_custody_event_carrying_its_hash(
    session: Session, world: World
) -> None:
    done = _register(session, world)
    assert done.ref.startswith("EV-") and done.case_ref == world.case_ref
    assert done.kind is EvidenceKind.EXTERNAL and done.kind_words == "collected outside the system"
    assert (done.sha256, done.size) == (IMAGE_SHA, IMAGE_SIZE)
    assert done.custodian == "Kim Lee, Acme Forensics" and done.stored_at == done.first_stored_at
    assert done.document_id is None and not done.legal_hold
    row = _row(session, done.ref)
    (event,) = custody.history(session, subject_type="evidence", subject_id=row.id)
    assert event.event_type == "EVIDENCE_REGISTERED" and event.seq == done.custody_seq
    assert event.details["sha256"] == IMAGE_SHA and event.details["case"] == world.case_ref
    assert event.details["ref"] == done.ref and event.details["hash_computed"] is False
    label = custody_labels.refs(session, {f"evidence:{row.id}"})[f"evidence:{row.id}"]
    assert label.text.startswith(f"{done.ref} of {world.case_ref}: Forensic image of Alice")
    assert label.url == f"/incidents/{world.case_ref}/evidence/{done.ref}"
    listed = service.list_items(session, actor=world.actors[Role.AUDITOR], ref=world.case_ref)
    assert [(i.ref, i.handovers) for i in listed] == [(done.ref, 0)]


def test_the_hash_is_computed_from_the_file_or_checked_against_it(
    session: Session, world: World
) -> None:
    content = b"From: alice@example.com\nSubject: the feed schedule\n\n" * 2000
    computed = service.digest(io.BytesIO(content))
    assert computed == service.FileDigest(hashlib.sha256(content).hexdigest(), len(content))
    security = world.actors[Role.SECURITY]
    typed = _image(sha256=None, size=None, description="Export of Alice's mailbox (mbox)")
    done = service.register(
        session, actor=security, ref=world.case_ref, data=typed, computed=computed
    )
    assert (done.sha256, done.size) == (computed.sha256, len(content))
    with pytest.raises(Invalid, match=f"the file's SHA-256 is {computed.sha256}, not the"):
        service.register(
            session, actor=security, ref=world.case_ref, data=_image(), computed=computed
        )
    with pytest.raises(Invalid, match="give the item's SHA-256"):
        service.register(session, actor=security, ref=world.case_ref, data=_image(sha256=None))
    with pytest.raises(ValidationError, match="is not a SHA-256: it is 64 hexadecimal digits"):
        _image(sha256="d41d8cd98f00b204e9800998ecf8427e")  # an MD5
    assert _image(sha256="SHA256:" + IMAGE_SHA.upper()).sha256 == IMAGE_SHA
    with pytest.raises(Invalid, match="the collection cannot be in the future"):
        _register(session, world, collected_at=clock.now() + timedelta(days=1))


def test_each_hand_over_moves_the_item_and_is_recorded(session: Session, world: World) -> None:
    item = _register(session, world)
    now = clock.now()
    _hand(
        session,
        world,
        item.ref,
        from_custodian="kim  lee, ACME forensics",  # as typed: spacing and case do not matter
        to_custodian="Dana Whitfield",
        handed_at=now - timedelta(days=1),
        purpose="analysis of the image",
        stored_at="Forensics lab, locker 3",
    )
    done = _hand(
        session,
        world,
        item.ref,
        from_custodian="Dana Whitfield",
        to_custodian="Hale & Co LLP (outside counsel)",
        handed_at=(now - timedelta(hours=1)).replace(tzinfo=None),  # no zone: UTC
        purpose="for the TRO application",
    )
    assert done.custodian == "Hale & Co LLP (outside counsel)"
    assert done.stored_at == "Forensics lab, locker 3"  # unchanged when not given
    assert done.first_stored_at == "Evidence safe 2, shelf B"
    first, second = done.handovers
    assert (first.from_custodian, first.to_custodian) == (
        "Kim Lee, Acme Forensics",
        "Dana Whitfield",
    )
    assert second.handed_at == (now - timedelta(hours=1)) and second.number == 2
    events = custody.history(
        session, subject_type="evidence", subject_id=_row(session, item.ref).id
    )
    by_seq = {e.seq: e for e in events}
    for h in done.handovers:
        assert h.custody_seq is not None
        event = by_seq[h.custody_seq]
        assert event.event_type == "EVIDENCE_HANDED_OVER" and event.hash == h.custody_hash
        assert event.details["handover"] == h.number and event.details["sha256"] == IMAGE_SHA
        assert event.details["to"] == h.to_custodian
    assert done.custody_seq is not None and done.custody_seq < first.custody_seq  # type: ignore[operator]
    assert (
        service.list_items(session, actor=world.actors[Role.SECURITY], ref=world.case_ref)[
            0
        ].handovers
        == 2
    )


def test_impossible_hand_overs_are_refused_in_words(session: Session, world: World) -> None:
    item = _register(session, world)
    now = clock.now()
    with pytest.raises(NotCustodian, match=r"is held by Kim Lee, Acme Forensics, not Dana"):
        _hand(session, world, item.ref, from_custodian="Dana", to_custodian="Bo", handed_at=now)
    kim = {"from_custodian": "Kim Lee, Acme Forensics", "to_custodian": "Dana Whitfield"}
    with pytest.raises(Invalid, match="a hand-over cannot be in the future"):
        _hand(session, world, item.ref, **kim, handed_at=now + timedelta(days=1))
    with pytest.raises(Invalid, match=r"was collected on .* cannot come before it"):
        _hand(session, world, item.ref, **kim, handed_at=now - timedelta(days=3))
    with pytest.raises(Invalid, match=r"holds .* already; hand it to someone else"):
        _hand(
            session, world, item.ref, from_custodian=kim["from_custodian"],
            to_custodian="KIM LEE, Acme Forensics", handed_at=now,
        )  # fmt: skip
    _hand(session, world, item.ref, **kim, handed_at=now - timedelta(hours=2))
    with pytest.raises(Invalid, match="recorded in the order they happened"):
        _hand(
            session, world, item.ref, from_custodian="Dana Whitfield", to_custodian="Bo Chen",
            handed_at=now - timedelta(hours=3),
        )  # fmt: skip
    shown = service.get_item(session, actor=world.actors[Role.AUDITOR], ref=world.case_ref,
                             item_ref=item.ref.lower())  # fmt: skip
    assert [h.to_custodian for h in shown.handovers] == ["Dana Whitfield"]


def test_readers_read_and_only_the_incident_team_writes(session: Session, world: World) -> None:
    item = _register(session, world)
    for role in (Role.COMPLIANCE, Role.AUDITOR):
        reader = world.actors[role]
        assert service.get_item(session, actor=reader, ref=world.case_ref, item_ref=item.ref)
        with pytest.raises(Forbidden, match="needs the incidents:write permission"):
            service.register(session, actor=reader, ref=world.case_ref, data=_image())
        with pytest.raises(Forbidden, match="incidents:write"):
            _hand_as(session, world, reader, item.ref)
    vendor = world.actors[Role.VENDOR_USER]
    with pytest.raises(NotFound, match=f"there is no case {world.case_ref}"):
        service.list_items(session, actor=vendor, ref=world.case_ref)
    with pytest.raises(NotFound):
        service.get_item(session, actor=world.actors[Role.SECURITY], ref=world.case_ref,
                         item_ref="EV-9999")  # fmt: skip


def _hand_as(session: Session, world: World, actor: Actor, item: str) -> EvidenceRead:
    data = HandoverCreate(
        from_custodian="Kim Lee, Acme Forensics", to_custodian="Dana", handed_at=clock.now()
    )
    return service.hand_over(session, actor=actor, ref=world.case_ref, item_ref=item, data=data)


def test_a_closed_cases_items_still_change_hands_but_it_takes_no_new_ones(
    session: Session, world: World
) -> None:
    item = _register(session, world)
    security = world.actors[Role.SECURITY]
    cases.move(
        session,
        actor=security,
        ref=world.case_ref,
        to=StatusMove(status=Status.DISMISSED, reason="a test case"),
    )
    with pytest.raises(CaseClosed, match="takes no more changes"):
        _register(session, world)
    done = _hand_as(session, world, security, item.ref)
    assert done.custodian == "Dana"


def _open(zipped: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _content(session: Session, world: World, item: EvidenceRead) -> bytes:
    assert item.document_id is not None
    opened = vault.open_vault(world.settings)
    _, handle = reading.open_version(
        session, actor=system_actor("test"), vault=opened, document_id=item.document_id
    )
    with handle:
        return handle.read()


def _preserve(
    session: Session, world: World, actor: Actor, *kinds: EvidenceKind
) -> list[EvidenceRead]:
    wanted = PreserveRequest.model_validate(
        {"note": "before the letter goes out", **({"kinds": list(kinds)} if kinds else {})}
    )
    return preserve.preserve(
        session,
        actor=actor,
        ref=world.case_ref,
        request=wanted,
        vault_=vault.open_vault(world.settings),
        key=preserve.signing_key(world.home),
    )


def test_preserving_keeps_the_records_in_the_vault_on_legal_hold(
    session: Session, world: World, tmp_path: Path
) -> None:
    made = _preserve(session, world, world.actors[Role.SECURITY])
    assert [m.kind for m in made] == [
        EvidenceKind.BUNDLE,
        EvidenceKind.LEDGER,
        EvidenceKind.FINDINGS,
    ]
    admin = system_actor("test")
    opened = vault.open_vault(world.settings)
    contents = {}
    for m in made:
        assert m.legal_hold and m.custodian == "Crown Jewels vault" and m.document_id
        assert m.description.endswith("before the letter goes out")
        document = vault.get_document(session, actor=admin, document_id=m.document_id)
        assert document.owner_type == "incident" and document.legal_hold
        assert document.legal_hold_reason == f"evidence of incident case {world.case_ref}"
        contents[m.kind] = data = _content(session, world, m)
        assert hashlib.sha256(data).hexdigest() == m.sha256 and len(data) == m.size
        (event,) = custody.history(
            session, subject_type="evidence", subject_id=_row(session, m.ref).id
        )
        assert event.event_type == "EVIDENCE_PRESERVED" and event.details["sha256"] == m.sha256
        with pytest.raises(DestructionBlocked, match="is under legal hold"):
            lifecycle.destroy(
                session, actor=admin, vault=opened, document_id=m.document_id, reason="tidy"
            )
        # while the case is open, its evidence keeps its hold even for documents:destroy
        with pytest.raises(DestructionBlocked, match=f"evidence of {world.case_ref}"):
            lifecycle.release_hold(session, actor=admin, document_id=m.document_id)
    _bundles_verify(contents[EvidenceKind.BUNDLE], world, tmp_path)
    ledger = _open(contents[EvidenceKind.LEDGER])
    assert world.disclosure_id in ledger[f"{world.secret_ref}-ledger.csv"].decode()
    assert ledger[f"{world.secret_ref}-ledger.pdf"].startswith(b"%PDF")
    findings = json.loads(contents[EvidenceKind.FINDINGS])
    assert findings["case"] == world.case_ref and findings["origin"]["ref"] == world.match_ref
    (alert,) = findings["alerts"]
    assert alert["ref"] == world.alert_ref and alert["events_total"] == len(alert["events"]) > 0
    (match,) = findings["matches"]
    assert match["ref"] == world.match_ref and match["passages"]
    assert {"source_lines", "suspect_lines"} <= set(match["passages"][0])


def _bundles_verify(zipped: bytes, world: World, tmp_path: Path) -> None:
    files = _open(zipped)
    readme = files.pop("README.txt").decode()
    assert f"incident case {world.case_ref}" in readme and "verify-bundle" in readme
    assert {f"custody-{world.case_ref}.zip", f"custody-{world.secret_ref}.zip",
            f"custody-{world.alice_email}.zip"} <= set(files)  # fmt: skip
    trusted = (world.home / keys.PUBLIC_FILE).read_bytes()
    for name, data in files.items():
        assert f"{name}  SHA-256 {hashlib.sha256(data).hexdigest()}" in readme
        path = tmp_path / name
        path.write_bytes(data)
        report = bundle.verify(path, trusted_key=trusted)
        assert report.ok, (name, report.problems)


def test_preserving_needs_what_each_record_needs(session: Session, world: World) -> None:
    legal = world.actors[Role.LEGAL]
    with pytest.raises(Forbidden, match=r"alerts and leak matches of .* needs the alerts:read"):
        _preserve(session, world, legal)
    assert service.list_items(session, actor=legal, ref=world.case_ref) == []  # nothing made
    kept = _preserve(session, world, legal, EvidenceKind.BUNDLE, EvidenceKind.LEDGER)
    assert [m.kind for m in kept] == [EvidenceKind.BUNDLE, EvidenceKind.LEDGER]
    for role in (Role.COMPLIANCE, Role.AUDITOR):
        with pytest.raises(Forbidden, match="incidents:write"):
            _preserve(session, world, world.actors[role], EvidenceKind.LEDGER)
    with pytest.raises(Invalid, match="no custody signing key"):
        preserve.preserve(
            session, actor=legal, ref=world.case_ref, request=PreserveRequest(),
            vault_=vault.open_vault(world.settings), key=None,
        )  # fmt: skip
    with pytest.raises(Invalid, match="registered instead"):
        _preserve(session, world, legal, EvidenceKind.EXTERNAL)


def test_a_case_without_secrets_has_no_ledger_to_preserve(session: Session, world: World) -> None:
    security = world.actors[Role.SECURITY]
    other = cases.open_case(
        session,
        actor=security,
        data=CaseOpen(
            title="Laptop lost on a train", kind=IncidentKind.DEVICE, people=[world.alice_email],
            playbook="none",
        ),
    )  # fmt: skip
    with pytest.raises(Invalid, match=f"{other.ref} concerns no secret"):
        preserve.preserve(
            session, actor=security, ref=other.ref,
            request=PreserveRequest(kinds=[EvidenceKind.LEDGER]),
            vault_=vault.open_vault(world.settings), key=preserve.signing_key(world.home),
        )  # fmt: skip


def test_nothing_deletes_evidence() -> None:
    verbs = ("delete", "remove", "destroy", "withdraw", "purge")
    for module in (service, preserve):
        assert not [n for n in dir(module) if any(v in n.lower() for v in verbs)]
    for route in (*router.router.routes, *pages.router.routes):
        assert not {"DELETE", "PUT", "PATCH"} & set(getattr(route, "methods", set()))
