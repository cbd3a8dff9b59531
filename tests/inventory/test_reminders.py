"""Review reminders: a secret's owner is mailed once its review falls due (once per due
date, however often the job runs), and the review is in the owner's tasks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.jobs import JobContext
from crownjewels.core.permissions import Role
from crownjewels.inventory import jobs
from crownjewels.inventory import service as inventory
from crownjewels.inventory.models import TradeSecret
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.settings import Settings
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_person, make_user


def test_the_owner_is_reminded_once_and_sees_the_task(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    with db.unit_of_work() as s:
        person = make_person(s, admin, name="Olive Owner")
        owner = actor_for(s, make_user(s, admin, Role.SECRET_OWNER, person=person))
        due = make_secret(s, admin, owner=person, name="Brine recipe")
        later = make_secret(s, admin, owner=person, name="Smoke blend")
        row = s.get(TradeSecret, due.id)
        assert row is not None
        row.next_review_on = clock.today() - timedelta(days=3)
        assert [t.title for t in inventory.tasks_for(s, actor=owner)] == [
            f"Review {due.ref} Brine recipe"
        ]
    ctx = JobContext(db=db, settings=Settings(home=tmp_path))
    assert jobs.notify_reviews_due(ctx) == f"review reminders: {due.ref}"
    assert jobs.notify_reviews_due(ctx) is None
    with db.unit_of_work(write=False) as s:
        query = select(MailMessage).where(MailMessage.recipient_person_id == person.id)
        [mail] = s.scalars(query)
        kind, subject, body = mail.kind, mail.subject, mail.body
    assert kind == "secret-review-due" and due.ref in subject
    assert "3 day(s) ago" in body and f"{{base_url}}/secrets/{due.ref}" in body
    assert later.ref not in body
