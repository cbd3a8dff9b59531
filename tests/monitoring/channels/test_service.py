"""Alert channels against real receivers on 127.0.0.1: a signed webhook (JSON and Slack), syslog
over UDP and TCP (RFC 5424 carrying CEF), email through the outbox to a real SMTP server.
Deliveries are queued in the alert's transaction and sent only after its commit; a failing
receiver keeps the error and the job retries after the backoff; routing by severity and to the
secrets' owners; each channel change is a custody event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Conflict, Forbidden, Invalid
from crownjewels.core.jobs import JobContext
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventFilter
from crownjewels.monitoring.channels import jobs, sender, service
from crownjewels.monitoring.channels.errors import ChannelNotFound
from crownjewels.monitoring.channels.schemas import (
    ChannelCreate,
    ChannelUpdate,
    DeliveryStatus,
)
from crownjewels.monitoring.models import AlertNote, Channel, Delivery
from crownjewels.monitoring.schemas import Severity
from crownjewels.parties.notifications import sender as mail_sender
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.settings import Settings
from tests.inventory.factories import make_secret
from tests.monitoring.channels.factories import make_alert
from tests.monitoring.channels.receivers import (
    WebhookReceiver,
    syslog_receiver,
    webhook_receiver,
)
from tests.parties.factories import actor_for, make_person, make_user
from tests.smtp_server import Inbox, free_port, smtp_server


def _settings(home: Path, smtp_port: int | None = None) -> Settings:
    return Settings(
        home=home,
        secret_key="channels-test-key-0123456789",
        smtp_host="127.0.0.1" if smtp_port else None,
        smtp_port=smtp_port or 587,
        smtp_starttls=False,
        smtp_from="cj@example.com",
        base_url="https://cj.example.com/",
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path)


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


def _add(
    session: Session,
    actor: Actor,
    settings: Settings,
    name: str,
    kind: str,
    target: str,
    **kw: object,
) -> str | None:
    data = ChannelCreate.model_validate({"name": name, "kind": kind, "target": target, **kw})
    added = service.add_channel(
        session, actor=actor, data=data, sealer=service.sealer_for(settings)
    )
    return added.signing_key


def _events(session: Session, event_type: str) -> list[dict[str, object]]:
    found, _ = custody.list_events(
        session,
        actor=system_actor("test"),
        filters=EventFilter(event_type=event_type),
        page=PageParams(limit=50),
    )
    return [e.details for e in found]


def test_a_webhook_gets_its_key_once_and_it_is_stored_sealed(
    session: Session, admin: Actor, settings: Settings
) -> None:
    key = _add(session, admin, settings, "SOC", "webhook", "https://soc.example.com/hook")
    assert key and len(key) >= 40
    row = session.scalars(select(Channel).where(Channel.name == "SOC")).one()
    assert row.secret and key not in row.secret
    assert service.sealer_for(settings).open(row.secret) == key
    [listed] = service.list_channels(session, actor=admin)
    assert listed.signed and listed.format == "json" and listed.min_severity == "medium"
    assert "signing_key" not in listed.model_dump()
    [added] = _events(session, "ALERT_CHANNEL_ADDED")
    assert added["name"] == "SOC" and key not in json.dumps(added)
    # a webhook's path is often its credential (Slack's): the custody log keeps the host only
    assert added["target"] == "https://soc.example.com/…"
    service.update_channel(
        session,
        actor=admin,
        name="SOC",
        data=ChannelUpdate(target="https://soc.example.com/T0/B0/secret-token"),
    )
    [changed] = _events(session, "ALERT_CHANNEL_CHANGED")
    assert changed["changes"] == {
        "target": {"before": "https://soc.example.com/…", "after": "another path"}
    }
    assert "secret-token" not in json.dumps(changed)


@pytest.mark.parametrize(
    ("kind", "target", "extra", "words"),
    [
        ("email", "dana@, soc@example.com", {}, "'dana@' is not an email address"),
        ("email", "", {}, "give at least one email address"),
        ("webhook", "ftp://soc.example.com/x", {}, "is not a webhook URL"),
        ("webhook", "https://user:pw@soc.example.com/", {}, "no user name or password"),
        ("syslog", "udp://siem.example.com", {}, "names no port"),
        ("syslog", "siem.example.com:514", {}, "udp://host:port or tcp://host:port"),
        ("syslog", "udp://siem.example.com:514", {"format": "slack"}, "sends cef, not slack"),
    ],
)
def test_bad_channels_are_refused_in_words(
    session: Session,
    admin: Actor,
    settings: Settings,
    kind: str,
    target: str,
    extra: dict[str, object],
    words: str,
) -> None:
    with pytest.raises(Invalid, match=words):
        _add(session, admin, settings, "bad", kind, target, **extra)


def test_names_are_unique_and_only_channel_managers_configure(
    session: Session, admin: Actor, settings: Settings
) -> None:
    _add(session, admin, settings, "SIEM", "syslog", "tcp://siem.example.com:6514")
    with pytest.raises(Conflict, match="named 'siem' already"):
        _add(session, admin, settings, "siem", "syslog", "udp://siem.example.com:514")
    security = actor_for(session, make_user(session, admin, Role.SECURITY))
    with pytest.raises(Forbidden, match="channels:manage"):
        service.list_channels(session, actor=security)
    with pytest.raises(ChannelNotFound, match="no alert channel 'nope'"):
        service.get_channel(session, actor=admin, name="nope")


def test_change_and_remove_are_custody_events(
    session: Session, admin: Actor, settings: Settings
) -> None:
    _add(session, admin, settings, "SIEM", "syslog", "udp://siem.example.com:514")
    changed = service.update_channel(
        session,
        actor=admin,
        name="siem",
        data=ChannelUpdate(min_severity=Severity.HIGH, active=False),
    )
    assert changed.min_severity == "high" and not changed.active
    service.update_channel(session, actor=admin, name="SIEM", data=ChannelUpdate(active=False))
    [event] = _events(session, "ALERT_CHANNEL_CHANGED")  # the second changed nothing
    assert event["changes"] == {
        "min_severity": {"before": "medium", "after": "high"},
        "active": {"before": True, "after": False},
    }
    service.remove_channel(session, actor=admin, name="SIEM")
    assert service.list_channels(session, actor=admin) == []
    assert _events(session, "ALERT_CHANNEL_REMOVED")[0]["target"] == "udp://siem.example.com:514"


def test_a_signed_webhook_is_sent_only_after_the_alerts_commit(
    db: Database, admin: Actor, settings: Settings, hook: WebhookReceiver
) -> None:
    sender.install(db, settings)
    with db.unit_of_work() as s:
        hook.key = _add(s, admin, settings, "SOC", "webhook", hook.url)
        owner = make_person(s, admin, name="Dana Whitfield")
        secret = make_secret(s, admin, owner=owner, name="Brine recipe")
        rohan = make_person(s, admin, name="Rohan Gupta")
    with db.unit_of_work() as s:
        alert = make_alert(s, person=rohan, secrets=[secret], severity="high")
        result = service.dispatch(s, alert=alert, new=True)
        assert (result.deliveries, result.channels) == (1, ["SOC"])
        assert hook.empty()  # never inside the alert's transaction
        ref = alert.ref
    got = hook.wait()
    assert got.verified, "the receiver checks the HMAC-SHA256 signature over timestamp and body"
    assert got.headers["x-crownjewels-signature"].startswith("sha256=")
    body = json.loads(got.body)
    assert body["event"] == "raised" and body["type"] == "crownjewels.alert"
    assert body["alert"]["ref"] == ref and body["alert"]["severity"] == "high"
    assert body["alert"]["person"] == "Rohan Gupta"
    assert body["alert"]["secrets"] == [secret.ref]
    assert body["alert"]["url"] == f"https://cj.example.com/alerts/{ref}"
    assert "downloaded 48 documents" in body["alert"]["explanation"]
    with db.unit_of_work(write=False) as s:
        [row] = s.scalars(select(Delivery)).all()
        assert row.sent_at and row.attempts == 1 and row.last_error is None
        [dispatched] = _events(s, "ALERT_DISPATCHED")
        assert dispatched["alert"] == ref and dispatched["channels"] == ["SOC"]
        [note] = s.scalars(select(AlertNote)).all()
        assert (note.kind, note.body, note.author) == ("sent", "Sent to SOC.", "system:monitoring")
    # the job finds nothing more to send
    assert jobs.send_alerts(JobContext(db=db, settings=settings)) is None


def test_a_rolled_back_alert_sends_nothing(
    db: Database, admin: Actor, settings: Settings, hook: WebhookReceiver
) -> None:
    sender.install(db, settings)
    with db.unit_of_work() as s:
        hook.key = _add(s, admin, settings, "SOC", "webhook", hook.url)
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        service.dispatch(s, alert=make_alert(s), new=True)
        raise RuntimeError("storing the alert failed after its dispatch")
    assert sender.deliver(db, settings).sent == 0
    assert hook.empty()


def test_a_slack_webhook_gets_text_and_blocks(
    db: Database, admin: Actor, settings: Settings, hook: WebhookReceiver
) -> None:
    sender.install(db, settings)
    with db.unit_of_work() as s:
        hook.key = _add(s, admin, settings, "Slack", "webhook", hook.url, format="slack")
    with db.unit_of_work() as s:
        alert = make_alert(s, severity="critical", explanation="svc-backup copied <all> & more")
        service.dispatch(s, alert=alert, new=True)
    got = hook.wait()
    assert got.verified
    body = json.loads(got.body)
    assert body["text"].startswith(f"CRITICAL {alert.ref}: Bulk download of a secret")
    assert "&lt;all&gt; &amp; more" in body["text"]
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds == ["header", "section", "section", "actions"]
    assert body["blocks"][3]["elements"][0]["url"].endswith(f"/alerts/{alert.ref}")


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_syslog_carries_an_rfc5424_message_with_a_cef_line(
    db: Database, admin: Actor, settings: Settings, transport: str
) -> None:
    sender.install(db, settings)
    with syslog_receiver(transport) as siem:
        with db.unit_of_work() as s:
            _add(s, admin, settings, "SIEM", "syslog", siem.target)
            person = make_person(s, admin, name="Rohan Gupta")
            secret = make_secret(s, admin, name="Pipe | layout")
        with db.unit_of_work() as s:
            alert = make_alert(
                s,
                person=person,
                secrets=[secret],
                severity="critical",
                explanation="a=b\nnext line",
            )
            service.dispatch(s, alert=alert, new=True)
        message = siem.wait().decode("utf-8")
    # facility 13 (log audit) * 8 + severity 2 (critical) = 106
    assert message.startswith("<106>1 ")
    head, cef = message.split(" - alert - ", 1)
    assert head.split(" ")[3] == "crownjewels"
    assert cef.startswith("CEF:0|Crown Jewels|crownjewels|")
    assert "|bulk-download|Bulk download of a secret|10|" in cef
    assert f"externalId={alert.ref}" in cef
    assert "msg=a\\=b\\nnext line" in cef  # extension escaping
    assert f"cs1={secret.ref}" in cef and "cs2=Rohan Gupta" in cef


def test_routing_by_minimum_severity_and_once_per_channel(
    db: Database, admin: Actor, settings: Settings
) -> None:
    with db.unit_of_work() as s:
        _add(s, admin, settings, "All", "syslog", "udp://127.0.0.1:9", min_severity="low")
        _add(s, admin, settings, "Urgent", "syslog", "udp://127.0.0.1:9", min_severity="high")
        _add(s, admin, settings, "Off", "syslog", "udp://127.0.0.1:9", min_severity="low")
        service.update_channel(s, actor=admin, name="Off", data=ChannelUpdate(active=False))
        alert = make_alert(s, severity="medium")
        assert service.dispatch(s, alert=alert, new=True).channels == ["All"]
        # another hit of the same alert: no second delivery to a channel it reached
        alert.hits += 1
        assert service.dispatch(s, alert=alert, new=False).deliveries == 0
        # its severity rose: now it reaches the urgent channel too, once
        alert.severity = "high"
        assert service.dispatch(s, alert=alert, new=False).channels == ["Urgent"]
        rows = s.scalars(select(Delivery).order_by(Delivery.alert_version)).all()
        assert [r.alert_version for r in rows] == [1, 3]
        nothing = make_alert(s, severity="low")
        assert service.dispatch(s, alert=nothing, new=True).channels == ["All"]


def test_a_failing_receiver_keeps_the_error_and_the_job_retries_after_the_backoff(
    db: Database, admin: Actor, settings: Settings, hook: WebhookReceiver
) -> None:
    moment = clock.now()
    clock.set_clock(lambda: moment)  # pinned: the backoff is read off the clock
    hook.status = 503
    with db.unit_of_work() as s:
        hook.key = _add(s, admin, settings, "SOC", "webhook", hook.url)
        alert = make_alert(s)
        service.dispatch(s, alert=alert, new=True)
    report = sender.deliver(db, settings)
    assert (report.sent, report.failed) == (0, 1)
    assert hook.wait().verified
    with db.unit_of_work(write=False) as s:
        [row] = s.scalars(select(Delivery)).all()
        assert row.attempts == 1 and row.sent_at is None
        assert row.last_error and "answered 503" in row.last_error
        assert row.next_attempt_at == moment + timedelta(seconds=30)
        [listed], total = service.list_deliveries(s, actor=admin, page=PageParams())
        assert listed.status is DeliveryStatus.RETRYING and listed.alert_ref == alert.ref
        assert listed.channel == "SOC" and total == 1
        assert service.get_channel(s, actor=admin, name="SOC").pending == 1
    hook.status = 200
    assert sender.deliver(db, settings).sent == 0  # not due before its backoff
    later = moment + timedelta(seconds=31)
    clock.set_clock(lambda: later)
    ctx = JobContext(db=db, settings=settings)
    assert jobs.send_alerts(ctx) == "alert deliveries sent: 1, failed: 0"
    assert hook.wait().verified
    with db.unit_of_work(write=False) as s:
        [row] = s.scalars(select(Delivery)).all()
        assert row.sent_at and row.attempts == 2 and row.last_error is None


def test_an_unreachable_receiver_is_given_up_after_the_last_attempt_and_retried_by_hand(
    db: Database, admin: Actor, settings: Settings
) -> None:
    moment = clock.now()
    clock.set_clock(lambda: moment)
    with db.unit_of_work() as s:
        _add(s, admin, settings, "SIEM", "syslog", f"tcp://127.0.0.1:{free_port()}")
        service.dispatch(s, alert=make_alert(s), new=True)
    for attempt in range(1, sender.MAX_ATTEMPTS + 1):
        assert sender.deliver(db, settings).failed == 1
        moment += sender.backoff(attempt)
    assert sender.deliver(db, settings).failed == 0  # given up
    with db.unit_of_work() as s:
        failed_note = s.scalars(select(AlertNote).where(AlertNote.kind == "delivery-failed")).one()
        assert failed_note.body.startswith(f"Not delivered to SIEM after {sender.MAX_ATTEMPTS}")
        [listed], _ = service.list_deliveries(s, actor=admin, page=PageParams(), unsent_only=True)
        assert listed.status is DeliveryStatus.FAILED
        assert listed.last_error and "could not be reached" in listed.last_error
        assert service.get_channel(s, actor=admin, name="SIEM").failed == 1
        again = service.retry_delivery(s, actor=admin, delivery_id=listed.id)
        assert again.status is DeliveryStatus.RETRYING
        assert _events(s, "ALERT_DELIVERY_RETRIED")[0]["channel"] == "SIEM"


def test_email_reaches_the_channels_addresses_and_the_secrets_owners(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    with smtp_server() as (inbox, port):
        settings = _settings(tmp_path, port)
        mail_sender.install(db, settings)
        with db.unit_of_work() as s:
            _add(
                s,
                admin,
                settings,
                "Security desk",
                "email",
                "soc@example.com; ciso@example.com",
                notify_secret_owners=True,
            )
            owner = make_person(s, admin, name="Dana Whitfield")
            secret = make_secret(s, admin, owner=owner, name="Brine recipe")
            rohan = make_person(s, admin, name="Rohan Gupta")
        with db.unit_of_work() as s:
            alert = make_alert(s, person=rohan, secrets=[secret], severity="high")
            result = service.dispatch(s, alert=alert, new=True)
            assert result.mails == 3 and result.deliveries == 0
            trail = s.scalars(select(AlertNote)).one().body
            assert trail == "Sent to Security desk and the secrets' owners."
            assert inbox.envelopes == []
            # a later hit mails nobody twice
            alert.hits += 1
            assert service.dispatch(s, alert=alert, new=False).mails == 0
        _check_mail(inbox, alert.ref, secret.ref, owner.email)


def _check_mail(inbox: Inbox, ref: str, secret_ref: str, owner_email: str) -> None:
    to = sorted(e.rcpt_tos[0] for e in inbox.envelopes)
    assert to == sorted(["soc@example.com", "ciso@example.com", owner_email])
    subjects = {m["Subject"] for m in inbox.messages}
    assert subjects == {f"[high] {ref} Bulk download of a secret"}
    body = next(b for b in inbox.bodies() if b.startswith("Hello Dana Whitfield"))
    assert f"Secrets: {secret_ref} Brine recipe" in body
    assert "Who: Rohan Gupta" in body
    assert f"Open it: https://cj.example.com/alerts/{ref}" in body


def test_an_owner_who_turned_alert_mail_off_is_not_mailed(
    session: Session, admin: Actor, settings: Settings
) -> None:
    owner_user = make_user(session, admin, Role.SECRET_OWNER)
    me = actor_for(session, owner_user)
    assert me.person_id
    notifications.set_preferences(session, actor=me, enabled=[])
    secret = make_secret(session, admin, owner_id=me.person_id)
    _add(session, admin, settings, "Owners", "email", "", notify_secret_owners=True)
    alert = make_alert(session, secrets=[secret])
    assert service.dispatch(session, alert=alert, new=True).mails == 0
    assert session.scalars(select(MailMessage)).all() == []


def test_testing_a_channel_reports_what_happened(
    session: Session, admin: Actor, settings: Settings, hook: WebhookReceiver
) -> None:
    hook.key = _add(session, admin, settings, "SOC", "webhook", hook.url)
    sealer = service.sealer_for(settings)
    done = service.test_channel(
        session, actor=admin, name="SOC", sealer=sealer, base_url=settings.base_url
    )
    assert done.ok, done.detail
    got = hook.wait()
    assert got.verified and json.loads(got.body)["event"] == "test"
    _add(session, admin, settings, "Dead", "webhook", f"http://127.0.0.1:{free_port()}/x")
    failed = service.test_channel(
        session, actor=admin, name="Dead", sealer=sealer, base_url=settings.base_url
    )
    assert not failed.ok and "could not be reached" in failed.detail
    hook.key = "another key"
    refused = service.test_channel(
        session, actor=admin, name="SOC", sealer=sealer, base_url=settings.base_url
    )
    assert not refused.ok and "answered 401" in refused.detail
    outcomes = [e["ok"] for e in _events(session, "ALERT_CHANNEL_TESTED")]
    assert sorted(outcomes) == [False, False, True]


def test_a_secret_no_longer_in_the_register_does_not_fail_the_alerts_transaction(
    session: Session, admin: Actor, settings: Settings
) -> None:
    _add(session, admin, settings, "Desk", "email", "soc@example.com", notify_secret_owners=True)
    alert = make_alert(session)
    alert.secret_ids = ["01JZZZZZZZZZZZZZZZZZZZZZZZ"]
    assert service.dispatch(session, alert=alert, new=True).mails == 1
    [mail] = session.scalars(select(MailMessage)).all()
    assert "Secrets: none named" in mail.body


def test_a_receiver_that_is_down_is_tried_once_per_batch_and_holds_up_no_other(
    db: Database, admin: Actor, settings: Settings, hook: WebhookReceiver
) -> None:
    with db.unit_of_work() as s:
        _add(s, admin, settings, "Dead", "syslog", f"tcp://127.0.0.1:{free_port()}")
        hook.key = _add(s, admin, settings, "SOC", "webhook", hook.url)
        for _ in range(3):
            service.dispatch(s, alert=make_alert(s), new=True)
    report = sender.deliver(db, settings)
    assert (report.sent, report.failed) == (3, 3)
    assert all(hook.wait().verified for _ in range(3))
    with db.unit_of_work(write=False) as s:
        failed, _ = service.list_deliveries(
            s, actor=admin, page=PageParams(), unsent_only=True, channel="Dead"
        )
        skipped = [
            (d.last_error or "").startswith("not tried: the syslog receiver") for d in failed
        ]
        assert sorted(skipped) == [False, True, True]


def test_a_new_signing_key_replaces_the_old_one(
    session: Session, admin: Actor, settings: Settings, hook: WebhookReceiver
) -> None:
    old = _add(session, admin, settings, "SOC", "webhook", hook.url)
    sealer = service.sealer_for(settings)
    done = service.new_signing_key(session, actor=admin, name="SOC", sealer=sealer)
    assert done.signing_key and done.signing_key != old
    hook.key = old
    refused = service.test_channel(
        session, actor=admin, name="SOC", sealer=sealer, base_url=settings.base_url
    )
    assert not refused.ok and "answered 401" in refused.detail
    hook.key = done.signing_key
    assert service.test_channel(
        session, actor=admin, name="SOC", sealer=sealer, base_url=settings.base_url
    ).ok
    [changed] = _events(session, "ALERT_CHANNEL_CHANGED")
    assert changed["changes"] == {"signing_key": "replaced"}
    assert done.signing_key not in json.dumps(changed)
    _add(session, admin, settings, "SIEM", "syslog", "udp://127.0.0.1:9")
    with pytest.raises(Invalid, match="only webhooks are signed"):
        service.new_signing_key(session, actor=admin, name="SIEM", sealer=sealer)
