"""The lifecycle jobs: an NDA expires and the grants it carried are suspended, the secret's
owner gets a message in the mail outbox (mailed through a real local SMTP server)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels import registry
from crownjewels.access import jobs
from crownjewels.access.lifecycle import service as lifecycle
from crownjewels.access.models import Grant
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.jobs import JobContext
from crownjewels.custody import service as custody
from crownjewels.parties import service as parties
from crownjewels.parties.notifications import sender
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.parties.schemas import Departure
from crownjewels.settings import Settings
from crownjewels.training import service as training
from crownjewels.training.schemas import CompletionCreate, CourseCreate, RequiredFor
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.inventory.factories import make_secret
from tests.pinned_clock import pin


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _setup(session: Session, admin: Actor) -> tuple[list[Grant], Grant, str]:
    harbor, other = partner(session, admin), partner(session, admin, "Quay Analytics")
    nda(session, admin, org=harbor, expires_on=clock.today() + timedelta(days=1))
    nda(session, admin, org=other)
    recipe = make_secret(session, admin, name="Brine recipe")
    carried = [
        granted(session, admin, person=bound_person(session, admin, org=harbor), secret=recipe)
        for _ in range(2)
    ]
    kept = granted(session, admin, person=bound_person(session, admin, org=other), secret=recipe)
    return carried, kept, recipe.owner_id


def test_an_expired_nda_suspends_the_grants_it_carried(session: Session, admin: Actor) -> None:
    carried, kept, owner_id = _setup(session, admin)
    assert lifecycle.suspend_lapsed(session, actor=admin).refs == []
    moment = clock.now() + timedelta(days=3)
    clock.set_clock(lambda: moment)
    try:
        done = lifecycle.suspend_lapsed(session, actor=admin)
    finally:
        pin()
    assert sorted(done.refs) == sorted(g.ref for g in carried)
    for grant in carried:
        session.refresh(grant)
        assert grant.status == "suspended"
        assert "confidentiality agreement (NDA)" in (grant.status_reason or "")
    session.refresh(kept)
    assert kept.status == "active"
    notice = session.scalars(
        select(MailMessage).where(
            MailMessage.recipient_person_id == owner_id, MailMessage.kind == "grants-suspended"
        )
    ).one()
    assert notice.kind == "grants-suspended"
    assert all(g.ref in notice.body for g in carried) and kept.ref not in notice.body
    history = custody.history(session, subject_type="grant", subject_id=carried[0].id)
    assert history[0].event_type == "ACCESS_GRANT_STATUS_CHANGED"
    assert history[0].details["after"] == {"status": "suspended"}


def test_a_departing_person_is_suspended_not_for_need_to_know(
    session: Session, admin: Actor
) -> None:
    carried, kept, _ = _setup(session, admin)
    assert carried[0].person_id
    parties.depart_person(
        session, actor=admin, person_ref=carried[0].person_id, departure=Departure()
    )
    done = lifecycle.suspend_lapsed(session, actor=admin)
    assert done.refs == [carried[0].ref]
    session.refresh(carried[0])
    assert carried[0].status_reason == "the person is departing, departed or suspended"


def test_causes_name_only_lasting_failures() -> None:
    assert lifecycle.causes_of(["need-to-know", "mfa", "region:countries"]) == []
    assert lifecycle.causes_of(["training", "need-to-know", "diligence"]) == [
        "required training has expired",
        "the vendor's due diligence has lapsed",
    ]


def test_the_jobs_suspend_then_mail_the_owner(
    db: Database, admin: Actor, tmp_path: Path, smtp: tuple[_Inbox, int]
) -> None:
    inbox, port = smtp
    with db.unit_of_work() as s:
        carried, _, owner_id = _setup(s, admin)
        owner_email = parties.get_person(s, actor=admin, person_ref=owner_id).email
    settings = Settings(
        home=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="cj@example.com",
    )
    ctx = JobContext(db=db, settings=settings)
    sender.install(db, settings)  # as the worker does
    assert jobs.suspend_lapsed(ctx) is None
    moment = clock.now() + timedelta(days=3)
    clock.set_clock(lambda: moment)
    try:
        summary = jobs.suspend_lapsed(ctx)
        assert jobs.suspend_lapsed(ctx) is None  # nothing left to do
    finally:
        pin()
    assert summary and "owners told: 1" in summary
    # the worker's commit hook mailed it right after the suspensions committed
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail.rcpt_tos == [owner_email]
    assert all(g.ref in mail.content.decode() for g in carried)
    with db.unit_of_work(write=False) as s:
        suspended = select(MailMessage).where(MailMessage.kind == "grants-suspended")
        assert all(n.sent_at for n in s.scalars(suspended))
    assert {"access.expire_grants", "access.suspend_lapsed"} <= {j.name for j in registry.JOBS}


def test_expire_grants_job_expires_past_grants(db: Database, admin: Actor, tmp_path: Path) -> None:
    with db.unit_of_work() as s:
        _, kept, _ = _setup(s, admin)
    ctx = JobContext(db=db, settings=Settings(home=tmp_path))
    assert jobs.expire_grants(ctx) is None
    moment = clock.now() + timedelta(days=61)
    clock.set_clock(lambda: moment)
    try:
        assert kept.ref in (jobs.expire_grants(ctx) or "")
    finally:
        pin()


def test_expired_training_suspends_with_its_cause(session: Session, admin: Actor) -> None:
    course = training.create_course(
        session,
        actor=admin,
        data=CourseCreate(
            code="TS-101",
            name="Trade secret basics",
            validity_days=365,
            required_for=RequiredFor.ALL,
        ),
    )
    org = partner(session, admin)
    nda(session, admin, org=org)
    person = bound_person(session, admin, org=org)
    training.record_completion(
        session,
        actor=admin,
        data=CompletionCreate(
            person=person.id,
            course=course.code,
            completed_on=clock.today() - timedelta(days=300),
            expires_on=clock.today() + timedelta(days=1),
        ),
    )
    grant = granted(session, admin, person=person, secret=make_secret(session, admin))
    assert lifecycle.suspend_lapsed(session, actor=admin).refs == []
    moment = clock.now() + timedelta(days=3)
    clock.set_clock(lambda: moment)
    try:
        assert lifecycle.suspend_lapsed(session, actor=admin).refs == [grant.ref]
    finally:
        pin()
    session.refresh(grant)
    assert grant.status_reason == "required training has expired"
