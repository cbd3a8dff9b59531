"""The mail outbox against a real local SMTP server: a message queued in a unit of work that
rolls back is never sent; one that commits is mailed right after the commit; a failing server
leaves the row with an attempt and the error, and it is retried after its backoff; a person's
choices suppress a kind; an admin lists and retries messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock, migrate
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.jobs import JobContext
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.parties.notifications import jobs, sender, service
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.parties.notifications.schemas import MailKind, MailStatus
from crownjewels.parties.schemas import PersonRead
from crownjewels.settings import Settings
from tests.parties.factories import actor_for, make_person, make_user
from tests.smtp_server import Inbox, free_port, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


def _settings(home: Path, port: int) -> Settings:
    return Settings(
        home=home,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="cj@example.com",
        base_url="https://cj.example.com/",
    )


def _queue(session: Session, admin: Actor, person_id: str, **kw: object) -> MailMessage | None:
    fields: dict[str, object] = {
        "kind": MailKind.SECRET_REVIEW_DUE,
        "subject": "Review of TS-0001 Brine recipe is due",
        "body": "Review it: " + service.link("/secrets/TS-0001") + "\n",
    }
    fields.update(kw)
    return service.enqueue(session, to=person_id, actor=admin, **fields)  # type: ignore[arg-type]


@pytest.fixture
def person(db: Database, admin: Actor) -> PersonRead:
    with db.unit_of_work() as s:
        return make_person(s, admin, name="Dana Whitfield")


def test_a_rolled_back_write_sends_nothing(
    db: Database, admin: Actor, person: PersonRead, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    sender.install(db, _settings(tmp_path, port))
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        assert _queue(s, admin, person.id) is not None
        raise RuntimeError("the write fails after queueing its mail")
    assert sender.deliver(db, _settings(tmp_path, port)).sent == 0
    assert inbox.envelopes == []
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(MailMessage)).all() == []


def test_a_committed_write_is_mailed_right_after_its_commit(
    db: Database, admin: Actor, person: PersonRead, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    sender.install(db, _settings(tmp_path, port))
    with db.unit_of_work() as s:
        row = _queue(s, admin, person.id)
        assert row is not None
        assert inbox.envelopes == []  # never inside the write
    assert len(inbox.envelopes) == 1
    assert inbox.envelopes[0].rcpt_tos == [person.email]
    mail = inbox.messages[0]
    assert mail["Subject"] == "Review of TS-0001 Brine recipe is due"
    assert "Dana Whitfield" in mail["To"]
    assert "Review it: https://cj.example.com/secrets/TS-0001" in inbox.bodies()[0]
    with db.unit_of_work(write=False) as s:
        stored = s.get(MailMessage, row.id)
        assert stored and stored.sent_at and stored.attempts == 1 and stored.last_error is None
    # the job finds nothing more to send
    assert jobs.send_mail(JobContext(db=db, settings=_settings(tmp_path, port))) is None


def test_a_failing_server_keeps_the_error_and_the_message_is_retried_later(
    db: Database, admin: Actor, person: PersonRead, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    down = _settings(tmp_path, free_port())
    moment = clock.now()
    clock.set_clock(lambda: moment)  # pinned: the backoff is read off the clock
    with db.unit_of_work() as s:
        row = _queue(s, admin, person.id)
        assert row is not None
    report = sender.deliver(db, down)
    assert (report.sent, report.failed) == (0, 1)
    with db.unit_of_work(write=False) as s:
        stored = s.get(MailMessage, row.id)
        assert stored and stored.attempts == 1 and stored.sent_at is None
        assert stored.last_error and "Connection" in stored.last_error
        assert stored.next_attempt_at == moment + timedelta(minutes=1)
        assert service.status_of(stored) is MailStatus.RETRYING
    up = _settings(tmp_path, port)
    assert sender.deliver(db, up).sent == 0  # not due before its backoff
    later = moment + timedelta(minutes=2)
    clock.set_clock(lambda: later)
    assert jobs.send_mail(JobContext(db=db, settings=up)) == "mail sent: 1, failed: 0"
    assert len(inbox.envelopes) == 1
    with db.unit_of_work(write=False) as s:
        stored = s.get(MailMessage, row.id)
        assert stored and stored.sent_at and stored.attempts == 2 and stored.last_error is None


def test_backoff_doubles_and_stops_at_six_hours() -> None:
    waits = [sender.backoff(n) for n in range(1, 12)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=6)


def test_a_kind_turned_off_is_not_queued_but_a_questionnaire_link_always_is(
    session: Session, admin: Actor
) -> None:
    user = make_user(session, admin, Role.SECRET_OWNER)
    me = actor_for(session, user)
    assert me.person_id
    prefs = service.set_preferences(session, actor=me, enabled=[MailKind.GRANT_DECIDED.value])
    off = {p.kind for p in prefs if not p.enabled}
    assert MailKind.SECRET_REVIEW_DUE in off and MailKind.QUESTIONNAIRE_SENT not in off
    assert _queue(session, admin, me.person_id) is None
    assert _queue(session, admin, me.person_id, kind=MailKind.GRANT_DECIDED) is not None
    assert _queue(session, admin, me.person_id, kind=MailKind.QUESTIONNAIRE_SENT) is not None
    with pytest.raises(Invalid, match="no kind of mail"):
        service.set_preferences(session, actor=me, enabled=["pigeon-post"])


def test_a_dedupe_key_queues_once(session: Session, admin: Actor) -> None:
    person = make_person(session, admin)
    assert _queue(session, admin, person.id, dedupe_key="review:TS-0001:2026-12-01")
    assert _queue(session, admin, person.id, dedupe_key="review:TS-0001:2026-12-01") is None


def test_a_one_time_secret_is_not_kept_once_sent(
    db: Database, admin: Actor, person: PersonRead, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    with db.unit_of_work() as s:
        row = _queue(s, admin, person.id, body="token abc", kept_body="(link removed)")
        assert row is not None
    sender.deliver(db, _settings(tmp_path, port))
    assert "token abc" in inbox.bodies()[0]
    with db.unit_of_work(write=False) as s:
        stored = s.get(MailMessage, row.id)
        assert stored and stored.body == "(link removed)" and stored.kept_body is None


def test_admins_list_and_retry_others_may_not(session: Session, admin: Actor) -> None:
    person = make_person(session, admin)
    row = _queue(session, admin, person.id)
    assert row is not None
    row.next_attempt_at, row.attempts, row.last_error = None, 8, "gave up"
    items, total = service.list_messages(session, actor=admin, unsent_only=True, page=PageParams())
    assert total == 1 and items[0].status is MailStatus.FAILED
    moment = clock.now()
    clock.set_clock(lambda: moment)
    done = service.retry(session, actor=admin, message_id=row.id)
    assert done.status is MailStatus.RETRYING and row.next_attempt_at == moment
    owner = actor_for(session, make_user(session, admin, Role.SECRET_OWNER))
    with pytest.raises(Forbidden):
        service.list_messages(session, actor=owner, page=PageParams())
    with pytest.raises(Forbidden):
        service.retry(session, actor=owner, message_id=row.id)


def test_the_web_app_mails_in_a_thread_of_its_own(
    tmp_path: Path, admin: Actor, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    url = f"sqlite:///{tmp_path / 'cj.db'}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        sender.install(db, _settings(tmp_path, port), in_thread=True)
        sender.install(db, _settings(tmp_path, port), in_thread=True)  # once is enough
        [hook] = db.on_commit
        assert isinstance(hook, sender._PromptSend)
        with db.unit_of_work() as s:
            person = make_person(s, admin, name="Dana Whitfield")
            assert _queue(s, admin, person.id) is not None
        assert hook.last is not None
        hook.last.join()
        assert [e.rcpt_tos for e in inbox.envelopes] == [[person.email]]
    finally:
        db.dispose()
