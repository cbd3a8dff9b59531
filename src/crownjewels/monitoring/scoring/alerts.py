"""Findings stored as alerts. Repeated hits of one rule for one person (or organisation) and
secret group into one alert: a finding whose `group_key` matches an alert still being worked
(open, assigned or escalated) whose last event lies within the rule's grouping window adds to
it (one more hit, its events, the explanation and figures of the latest hit, the higher of
the two severities); otherwise it raises a new alert (AL-0001 …). Each is a custody event
(ALERT_RAISED / ALERT_UPDATED) and goes to the channels' dispatch, all in the caller's
transaction. On PostgreSQL a `NOTIFY monitoring_alerts` names the alert's ref at commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.ids import new_id
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.monitoring.detection.types import Finding
from crownjewels.monitoring.models import Alert, AlertEvent
from crownjewels.monitoring.schemas import SEVERITY_ORDER, AlertStatus, Severity
from crownjewels.monitoring.scoring import hooks

#: a finding groups into an alert whose last event is at most this much older, unless the rule
#: says otherwise (its finding's `facts["group_window_s"]`, or a longer `window_seconds`)
DEFAULT_GROUP_WINDOW = timedelta(hours=24)
#: alerts still being worked: a new hit adds to them (a dismissed or confirmed one is closed)
WORKING = (AlertStatus.OPEN, AlertStatus.ASSIGNED, AlertStatus.ESCALATED)
NOTIFY_CHANNEL = "monitoring_alerts"


@dataclass(frozen=True, slots=True)
class Stored:
    """An alert a batch raised (`new`) or added to."""

    ref: str
    rule_id: str
    severity: str
    new: bool


def group_window(finding: Finding) -> timedelta:
    """How far back an alert may lie and still take this finding: the rule's own grouping
    window when it names one, else a day (or the rule's detection window, if longer)."""
    seconds = finding.facts.get("group_window_s")
    if isinstance(seconds, int | float) and seconds > 0:
        return timedelta(seconds=seconds)
    window = finding.facts.get("window_seconds")
    if isinstance(window, int | float) and window > 0:
        return max(DEFAULT_GROUP_WINDOW, timedelta(seconds=window))
    return DEFAULT_GROUP_WINDOW


def _working_alert(session: Session, finding: Finding) -> Alert | None:
    since = finding.first_event_at - group_window(finding)
    query = (
        select(Alert)
        .where(
            Alert.group_key == finding.group_key,
            Alert.status.in_(WORKING),
            Alert.last_event_at >= since,
        )
        .order_by(Alert.last_event_at.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _higher(a: str, b: str) -> str:
    return a if SEVERITY_ORDER[Severity(a)] >= SEVERITY_ORDER[Severity(b)] else b


def _raise(session: Session, finding: Finding, now: datetime) -> Alert:
    alert = Alert(
        id=new_id(),
        ref=next_ref(session, Alert.ref, "AL-", 4),
        rule_id=finding.rule_id,
        rule_version=finding.rule_version,
        severity=str(finding.severity),
        status=AlertStatus.OPEN,
        title=finding.title[:300],
        explanation=finding.explanation,
        facts=custody.jsonable(finding.facts),
        person_id=finding.person_key,
        organisation_id=finding.organisation_id,
        actor=finding.actor[:320],
        secret_ids=sorted(set(finding.secret_ids)),
        group_key=finding.group_key[:300],
        hits=1,
        first_event_at=finding.first_event_at,
        last_event_at=finding.last_event_at,
        created_at=now,
        updated_at=now,
    )
    session.add(alert)
    return alert


def _grow(alert: Alert, finding: Finding, now: datetime) -> None:
    alert.hits += 1
    alert.severity = _higher(alert.severity, str(finding.severity))
    alert.title = finding.title[:300]
    alert.explanation = finding.explanation
    alert.facts = custody.jsonable(finding.facts)
    alert.secret_ids = sorted(set(alert.secret_ids) | set(finding.secret_ids))
    alert.first_event_at = min(alert.first_event_at, finding.first_event_at)
    alert.last_event_at = max(alert.last_event_at, finding.last_event_at)
    alert.updated_at = now


def _add_events(session: Session, alert: Alert, event_ids: Sequence[int], *, new: bool) -> int:
    wanted = set(event_ids)
    if not new and wanted:
        held = select(AlertEvent.event_id).where(
            AlertEvent.alert_id == alert.id, AlertEvent.event_id.in_(wanted)
        )
        wanted -= set(session.scalars(held))
    session.add_all(AlertEvent(alert_id=alert.id, event_id=e) for e in sorted(wanted))
    return len(wanted)


def store(
    session: Session, *, actor: Actor, findings: Sequence[Finding], now: datetime
) -> list[Stored]:
    """Store a batch's findings as alerts (see the module's docstring); in order."""
    out: list[Stored] = []
    by_key: dict[str, Alert] = {}
    for finding in findings:
        alert = by_key.get(finding.group_key)
        if alert is not None and alert.last_event_at < finding.first_event_at - group_window(
            finding
        ):
            alert = None
        if alert is None:
            alert = _working_alert(session, finding)
        new = alert is None
        if alert is None:
            alert = _raise(session, finding, now)
            session.flush()  # the alert's row before its events
        else:
            _grow(alert, finding, now)
        by_key[finding.group_key] = alert
        added = _add_events(session, alert, finding.event_ids, new=new)
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ALERT_RAISED if new else EventType.ALERT_UPDATED,
            subject_type="alert",
            subject_id=alert.id,
            details={
                "ref": alert.ref,
                "rule": finding.rule_id,
                "rule_version": finding.rule_version,
                "severity": alert.severity,
                "hits": alert.hits,
                "events_added": added,
                "person_id": alert.person_id,
                "secret_ids": alert.secret_ids,
                "title": alert.title,
            },
        )
        session.flush()
        hooks.dispatch(session, alert=alert, new=new)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_notify(:channel, :ref)"),
                {"channel": NOTIFY_CHANNEL, "ref": alert.ref},
            )
        out.append(Stored(alert.ref, alert.rule_id, alert.severity, new))
    return out
