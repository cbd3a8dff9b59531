"""Activity, the scoring queue and cursors, baselines, alerts and their triage, alert channels
and deliveries, departure watches, heightened watches and log reviews.

`activity_event` is append-only (the database refuses UPDATE and DELETE, like the custody
log); on PostgreSQL it is partitioned by month of `occurred_at` (the migration creates the
parent table and a default partition; `monitoring.storage` adds each month's partition and
drops those past the retention setting)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core.models import Base, IdMixin


class ActivityEvent(Base):
    """One thing a person (or an unknown actor) did to a resource, in the format of
    docs/monitoring.md, mapped to a person and a secret where it could be.

    The primary key is (id, occurred_at) because a partitioned table's key must hold the
    partition column; `id` alone is unique (allocated by `monitoring.storage`)."""

    __tablename__ = "activity_event"
    __table_args__ = (
        Index("ix_activity_event_person", "person_id", "occurred_at"),
        Index("ix_activity_event_secret", "secret_id", "occurred_at"),
        Index("ix_activity_event_organisation", "organisation_id", "occurred_at"),
        Index("ix_activity_event_occurred_at", "occurred_at"),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(primary_key=True)
    received_at: Mapped[datetime]
    #: as the source named them: an email, a username or a key id
    actor: Mapped[str] = mapped_column(String(320))
    #: None: an unknown actor (kept, shown as unknown)
    person_id: Mapped[str | None] = mapped_column(String(26))
    organisation_id: Mapped[str | None] = mapped_column(String(26))
    #: login, view, download, upload, copy, print, share, delete, clone, push, failed-login,
    #: denied, grant-change, export, signal (schemas.Action)
    action: Mapped[str] = mapped_column(String(20))
    resource: Mapped[str] = mapped_column(Text)
    #: None: unclassified (the resource matched no secret's location patterns)
    secret_id: Mapped[str | None] = mapped_column(String(26))
    document_id: Mapped[str | None] = mapped_column(String(26))
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    ip: Mapped[str | None] = mapped_column(String(45))
    country: Mapped[str | None] = mapped_column(String(2))
    device: Mapped[str | None] = mapped_column(String(200))
    #: free text from the sender: sftp, s3, github, m365, dlp, crownjewels …
    source: Mapped[str] = mapped_column(String(60))
    #: how it arrived: custody (the log), api, file, syslog, signal (another capability)
    channel: Mapped[str] = mapped_column(String(20))
    #: the custody event it was read from (channel custody)
    custody_seq: Mapped[int | None] = mapped_column(BigInteger)
    #: anything else the source said (a signal's kind and reference, a grant's ref …)
    details: Mapped[dict[str, Any]]


class PendingScore(Base):
    """The scoring queue: one row per stored event not yet scored. Scorers claim rows with
    FOR UPDATE SKIP LOCKED (PostgreSQL) and delete them in the transaction that stores the
    alerts, so no event is scored twice and none is missed."""

    __tablename__ = "monitoring_pending"

    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    person_key: Mapped[str] = mapped_column(String(340), index=True)


class Cursor(Base):
    """How far a feed has read (the custody log: its last seq), advanced in the transaction
    that stores what it read."""

    __tablename__ = "monitoring_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]


class Identity(IdMixin, Base):
    """Another name a person acts under elsewhere: an email, a username, a key id (their
    own email is always one)."""

    __tablename__ = "monitoring_identity"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: email, username, key
    kind: Mapped[str] = mapped_column(String(20))
    #: lower-cased
    value: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class Baseline(Base):
    """Robust statistics of one measure of one subject over a rolling window, updated as
    events arrive: a person (`person:<id>`), a peer group (`peers:<organisation id>:<role>`)
    or an organisation (`organisation:<id>`). `state` holds what the update needs (the
    window's daily values); `median` and `mad` are its current figures."""

    __tablename__ = "monitoring_baseline"

    subject: Mapped[str] = mapped_column(String(120), primary_key=True)
    measure: Mapped[str] = mapped_column(String(60), primary_key=True)
    state: Mapped[dict[str, Any]]
    median: Mapped[float] = mapped_column(default=0.0)
    mad: Mapped[float] = mapped_column(default=0.0)
    days: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


class Seen(Base):
    """What a person has been seen with before: a country, an IP network, a device; and the
    last place and time (impossible travel)."""

    __tablename__ = "monitoring_seen"

    person_key: Mapped[str] = mapped_column(String(340), primary_key=True)
    #: country, network, device, last-place
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    count: Mapped[int] = mapped_column(default=1)


class Alert(IdMixin, Base):
    """What a rule found, said in plain words with its numbers; repeated hits of one rule for
    one person (or organisation) and secret within its grouping window add to one alert."""

    __tablename__ = "monitoring_alert"
    __table_args__ = (
        Index("ix_monitoring_alert_status", "status", "severity", "last_event_at"),
        Index("ix_monitoring_alert_group", "group_key", "last_event_at"),
    )

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    rule_id: Mapped[str] = mapped_column(String(60), index=True)
    rule_version: Mapped[str] = mapped_column(String(20))
    #: low, medium, high, critical
    severity: Mapped[str] = mapped_column(String(10))
    #: open, assigned, dismissed, confirmed (a true positive), escalated
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    #: the plain-words reason with its numbers
    explanation: Mapped[str] = mapped_column(Text)
    #: the figures behind the explanation (counts, medians, window, thresholds)
    facts: Mapped[dict[str, Any]]
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: the actor as the source named them (an unknown actor has no person)
    actor: Mapped[str] = mapped_column(String(320))
    secret_ids: Mapped[list[str]]
    group_key: Mapped[str] = mapped_column(String(300))
    hits: Mapped[int] = mapped_column(default=1)
    first_event_at: Mapped[datetime]
    last_event_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    assignee_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    #: the case it was escalated to (set by the escalation hook's receiver)
    escalated_to: Mapped[str | None] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class AlertEvent(Base):
    """An event behind an alert (no foreign key: the event table is partitioned)."""

    __tablename__ = "monitoring_alert_event"

    alert_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_alert.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class AlertNote(IdMixin, Base):
    """The triage trail of an alert: comments, assignments, decisions, deliveries."""

    __tablename__ = "monitoring_alert_note"

    alert_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_alert.id", ondelete="CASCADE"), index=True
    )
    #: comment, assigned, dismissed, confirmed, reopened, grants-suspended, escalated
    kind: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]


class Channel(IdMixin, Base):
    """Where alerts go: email addresses, a signed webhook, a syslog/CEF receiver."""

    __tablename__ = "monitoring_channel"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: email, webhook, syslog
    kind: Mapped[str] = mapped_column(String(20))
    #: email: addresses (comma-separated); webhook: URL; syslog: udp|tcp://host:port
    target: Mapped[str] = mapped_column(String(1000))
    #: webhook: json or slack; syslog: cef
    format: Mapped[str] = mapped_column(String(20))
    #: the webhook's HMAC key, sealed (core.sealing)
    secret: Mapped[str | None] = mapped_column(String(400))
    min_severity: Mapped[str] = mapped_column(String(10), default="medium")
    #: also mail each alert to the owners of its secrets
    notify_secret_owners: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class Delivery(IdMixin, Base):
    """One alert to one webhook or syslog channel: sent after the commit, retried with
    backoff (email goes through the mail outbox instead)."""

    __tablename__ = "monitoring_delivery"
    __table_args__ = (UniqueConstraint("alert_id", "channel_id", "alert_version"),)

    alert_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_alert.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_channel.id", ondelete="CASCADE"), index=True
    )
    alert_version: Mapped[int]
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]


class DepartureWatch(IdMixin, Base):
    """A departing person under watch from their notice to their last day (and after)."""

    __tablename__ = "monitoring_departure_watch"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    notice_on: Mapped[date]
    last_day: Mapped[date]
    #: open, closed
    status: Mapped[str] = mapped_column(String(20), index=True)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(120))
    #: the look-back's findings when the watch opened (counts, alerts raised)
    lookback: Mapped[dict[str, Any]]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(120))


class HeightenedWatch(IdMixin, Base):
    """A person put under heightened thresholds by someone's decision (an incident's
    containment names its case in `reference`), from `started_at` until it is ended or its
    `until` passes."""

    __tablename__ = "monitoring_heightened_watch"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    #: what it is for, as people read it: the case (IN-0004)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(120))
    until: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(120))
    end_reason: Mapped[str | None] = mapped_column(Text)


class LogReview(IdMixin, Base):
    """A secret owner's review of their secret's activity for one period: signed off or a
    concern raised; the summary they saw is kept with their decision."""

    __tablename__ = "monitoring_log_review"
    __table_args__ = (UniqueConstraint("secret_id", "period_start"),)

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    secret_id: Mapped[str] = mapped_column(ForeignKey("trade_secret.id"), index=True)
    reviewer_person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    #: due, signed-off, concern
    status: Mapped[str] = mapped_column(String(20), index=True)
    summary: Mapped[dict[str, Any]]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
