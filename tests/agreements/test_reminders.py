"""Expiry reminders: legal is mailed once per agreement and threshold (90, 30, 7 days), however
often the job runs; the renewal shows in legal's tasks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.agreements import jobs, reminders, rules
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate, PartyCreate
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.jobs import JobContext
from crownjewels.core.permissions import Role
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.settings import Settings
from tests.parties.factories import actor_for, make_org, make_person, make_user


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(120, None), (91, None), (90, 90), (31, 90), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_the_threshold_reached(days_left: int, threshold: int | None) -> None:
    assert rules.expiry_threshold(days_left) == threshold


def _agreement(session: Session, admin: Actor, days: int) -> str:
    org = make_org(session, admin, name="Harbor Labs")
    return agreements.create(
        session,
        actor=admin,
        data=AgreementCreate(
            kind="nda",  # type: ignore[arg-type]
            title="NDA with Harbor Labs",
            status="in_force",  # type: ignore[arg-type]
            effective_on=clock.today() - timedelta(days=300),
            expires_on=clock.today() + timedelta(days=days),
            parties=[PartyCreate(organisation=org.id)],
        ),
    ).ref


def test_legal_is_reminded_once_per_threshold(db: Database, admin: Actor, tmp_path: Path) -> None:
    with db.unit_of_work() as s:
        person = make_person(s, admin, name="Lena Legal")
        legal = actor_for(s, make_user(s, admin, Role.LEGAL, person=person))
        ref = _agreement(s, admin, days=25)
        [task] = agreements.tasks_for(s, actor=legal)
        assert task.kind == "renew-agreement" and ref in task.title
    ctx = JobContext(db=db, settings=Settings(home=tmp_path))
    assert jobs.notify_expiring(ctx) == f"expiry reminders: {ref}"
    assert jobs.notify_expiring(ctx) is None  # once
    with db.unit_of_work() as s:
        assert reminders.notify_expiring(s, actor=admin, on=clock.today() + timedelta(days=5)) == []
        assert reminders.notify_expiring(s, actor=admin, on=clock.today() + timedelta(days=20)) == [
            ref
        ]
        rows = list(
            s.scalars(select(MailMessage).where(MailMessage.recipient_person_id == person.id))
        )
    assert [r.kind for r in rows] == ["agreement-expiring"] * 2
    first = next(r for r in rows if "(25 days)" in r.subject)
    assert ref in first.subject and "NDA with Harbor Labs" in first.body
    assert f"{{base_url}}/agreements/{ref}" in first.body
