"""Offboarding: every live grant revoked in one action (group and member grants of a vendor
included), the exit acknowledgement, the certificate (file or statement), the 90-day report."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.errors import InvalidGrant
from crownjewels.access.facts import Level
from crownjewels.access.models import Grant
from crownjewels.access.offboarding import service as offboarding
from crownjewels.access.offboarding.report import build, to_csv
from crownjewels.access.schemas import GrantRequest
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties.schemas import OrganisationRead, PersonRead
from crownjewels.vault.service import Vault
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.agreements.samples import nda_pdf
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_user

STATEMENT = "I returned every copy of the Brine recipe and destroyed my notes on 1 Dec."


def _setup(
    session: Session, admin: Actor
) -> tuple[OrganisationRead, list[PersonRead], list[Grant]]:
    org = partner(session, admin)
    nda(session, admin, org=org)
    people = [bound_person(session, admin, org=org) for _ in range(2)]
    secrets = [make_secret(session, admin, name=n) for n in ("Brine recipe", "Smoker timings")]
    grants = [granted(session, admin, person=p, secret=s) for p in people for s in secrets]
    return org, people, grants


def test_offboarding_a_person_revokes_their_grants_and_completes(
    session: Session, admin: Actor
) -> None:
    _, (leaver, stayer), grants = _setup(session, admin)
    made = offboarding.offboard(session, actor=admin, person=leaver.id)
    assert made.grants_revoked == 2 and made.status == "open"
    for g in grants:
        session.refresh(g)
    assert {g.status for g in grants if g.person_id == leaver.id} == {"revoked"}
    assert {g.status for g in grants if g.person_id == stayer.id} == {"active"}
    user = make_user(session, admin, Role.VENDOR_USER, person=leaver)
    acked = offboarding.acknowledge_exit(session, actor=actor_for(session, user), ref=made.ref)
    assert acked.exit_attestation_id and acked.status == "open"
    done = offboarding.certify(session, actor=admin, ref=made.ref, statement=STATEMENT)
    assert done.statement_sha256 == hashlib.sha256(STATEMENT.encode()).hexdigest()
    assert done.status == "completed" and done.completed_at
    kinds = [
        e.event_type
        for e in custody.history(session, subject_type="offboarding", subject_id=made.id)
    ]
    assert set(kinds) == {
        "OFFBOARDING_STARTED",
        "OFFBOARDING_CERTIFICATE_COLLECTED",
        "OFFBOARDING_COMPLETED",
    }


def test_offboarding_an_organisation_revokes_group_and_member_grants(
    session: Session, admin: Actor
) -> None:
    org, _, grants = _setup(session, admin)
    secret = make_secret(session, admin, name="Label artwork")
    group = access.request_grant(
        session,
        actor=admin,
        data=GrantRequest(
            organisation=org.id,
            secret=secret.id,
            level=Level.VIEW,
            purpose="label design",
            expires_at=grants[0].expires_at,
        ),
    )
    access.approve(session, actor=admin, grant_ref=group.ref)
    made = offboarding.offboard(session, actor=admin, organisation=org.name)
    assert made.grants_revoked == 4 + 1 + 2  # person grants, the group grant, its 2 members
    assert all(
        g.status == "revoked"
        for g in access.repository.live_for(session, organisation_id=org.id, statuses=("revoked",))
    )
    assert access.repository.live_for(session, organisation_id=org.id) == []


def test_the_certificate_can_be_a_file_in_the_vault(
    session: Session, admin: Actor, vault: Vault
) -> None:
    _, (leaver, _), _ = _setup(session, admin)
    made = offboarding.offboard(session, actor=admin, person=leaver.email)
    done = offboarding.certify(
        session,
        actor=admin,
        ref=made.ref,
        vault_=vault,
        upload=io.BytesIO(nda_pdf("Certificate of destruction: every copy destroyed.")),
        filename="cert.pdf",
    )
    assert done.certificate_document_id and done.status == "open"  # no acknowledgement yet
    with pytest.raises(InvalidGrant):
        offboarding.certify(session, actor=admin, ref=made.ref, statement="short")


def test_only_grant_managers_offboard(session: Session, admin: Actor) -> None:
    _, (leaver, _), _ = _setup(session, admin)
    owner = actor_for(session, make_user(session, admin, Role.SECRET_OWNER))
    with pytest.raises(Forbidden):
        offboarding.offboard(session, actor=owner, person=leaver.id)


def test_the_report_lists_copies_reads_and_denials_of_90_days(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        _, (leaver, stayer), grants = _setup(session, admin)
        user = make_user(session, admin, Role.VENDOR_USER, person=leaver)
        reader = actor_for(session, user)
        custody.record(
            session,
            actor=admin,
            event_type=EventType.COPY_ISSUED,
            subject_type="copy",
            subject_id="c1",
            details={
                "document_id": "d1",
                "recipient_person_id": leaver.id,
                "channel": "download",
                "purpose": "trial",
            },
        )
        custody.record(
            session,
            actor=admin,
            event_type=EventType.COPY_ISSUED,
            subject_type="copy",
            subject_id="c2",
            details={"document_id": "d2", "recipient_person_id": stayer.id},
        )
        custody.record(
            session,
            actor=reader,
            event_type=EventType.DOCUMENT_READ,
            subject_type="document",
            subject_id="d1",
            details={"version": 1},
        )
        made = offboarding.offboard(session, actor=admin, person=leaver.id)
        secret_id = grants[0].secret_id
    # a refusal is written durably, in its own unit of work after the one that decided
    with db.unit_of_work() as session:
        denied = access.decide(
            session, actor=admin, person=leaver.id, secret=secret_id, action=Level.VIEW
        )
        assert not denied.allowed
    with db.unit_of_work() as session:
        report = offboarding.report(session, actor=admin, ref=made.ref)
    assert [e.event_type for e in report.entries] == [
        "COPY_ISSUED",
        "DOCUMENT_READ",
        "ACCESS_DENIED",
    ]
    assert report.entries[2].secret_id == secret_id
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert [r["document_id"] for r in rows[:2]] == ["d1", "d1"]
    assert report.model_dump(mode="json")["entries"][0]["person_id"] == leaver.id


def test_the_report_csv_neutralises_names_a_spreadsheet_would_run(
    session: Session, admin: Actor
) -> None:
    name = "=cmd|' /C calc'!A0"
    person = bound_person(session, admin, org=partner(session, admin), name=name)
    custody.record(
        session,
        actor=admin,
        event_type=EventType.COPY_ISSUED,
        subject_type="copy",
        subject_id="c1",
        details={"document_id": "-d1", "recipient_person_id": person.id, "channel": "cli"},
    )
    [row] = csv.DictReader(io.StringIO(to_csv(build(session, person_ids=[person.id]))))
    assert (row["person_name"], row["document_id"]) == ("'" + name, "'-d1")
