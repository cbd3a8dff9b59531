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
from typing import Any

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

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
PREFIX = "AL-"
_NOTIFY = text("SELECT pg_notify(:channel, ref) FROM unnest(:refs) AS ref").bindparams(
    bindparam("refs", type_=ARRAY(Text))
)


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


def _working_alerts(session: Session, keys: Sequence[str]) -> dict[str, Alert]:
    """The latest alert still being worked of each grouping key (one query per 500 keys)."""
    found: dict[str, Alert] = {}
    for start in range(0, len(keys), 500):
        query = (
            select(Alert)
            .where(Alert.group_key.in_(keys[start : start + 500]), Alert.status.in_(WORKING))
            .order_by(Alert.last_event_at)
        )
        for alert in session.scalars(query):
            found[alert.group_key] = alert  # ascending: the latest wins
    return found


def _higher(a: str, b: str) -> str:
    return a if SEVERITY_ORDER[Severity(a)] >= SEVERITY_ORDER[Severity(b)] else b


def _new_alert(finding: Finding, now: datetime) -> Alert:
    return Alert(
        id=new_id(),
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


def _number(session: Session, alerts: Sequence[Alert]) -> None:
    """AL-0001 …: the next ref once (under the append lock), then one more for each."""
    if not alerts:
        return
    first = int(next_ref(session, Alert.ref, PREFIX, 4).removeprefix(PREFIX))
    for n, alert in enumerate(alerts):
        alert.ref = f"{PREFIX}{first + n:04d}"


def _new_events(
    session: Session, events: dict[str, set[int]], grown: set[str]
) -> list[dict[str, Any]]:
    """The (alert, event) rows not held yet: an alert that grew may hold some already."""
    held: set[tuple[str, int]] = set()
    ids = sorted(grown)
    wanted = sorted({e for a in ids for e in events[a]})
    for start in range(0, len(ids), 500):
        for first in range(0, len(wanted), 1000):
            query = select(AlertEvent.alert_id, AlertEvent.event_id).where(
                AlertEvent.alert_id.in_(ids[start : start + 500]),
                AlertEvent.event_id.in_(wanted[first : first + 1000]),
            )
            held.update((a, e) for a, e in session.execute(query))
    return [
        {"alert_id": a, "event_id": e}
        for a, found in events.items()
        for e in sorted(found)
        if (a, e) not in held
    ]


def store(
    session: Session, *, actor: Actor, findings: Sequence[Finding], now: datetime
) -> list[Stored]:
    """Store a batch's findings as alerts (see the module's docstring), in a few statements
    whatever their number: one alert and one custody event per alert raised or grown."""
    if not findings:
        return []
    keys = sorted({f.group_key[:300] for f in findings})
    working = _working_alerts(session, keys)
    current: dict[str, Alert] = dict(working)
    touched: dict[str, Alert] = {}
    raised: list[Alert] = []
    events: dict[str, set[int]] = {}
    for finding in findings:
        key = finding.group_key[:300]
        alert = current.get(key)
        if alert is not None and alert.last_event_at < finding.first_event_at - group_window(
            finding
        ):
            alert = None  # past the grouping window: a new alert
        if alert is None:
            alert = current[key] = _new_alert(finding, now)
            raised.append(alert)
        else:
            _grow(alert, finding, now)
        touched[alert.id] = alert
        events.setdefault(alert.id, set()).update(finding.event_ids)
    _number(session, raised)
    session.add_all(raised)
    session.flush()
    new_ids = {a.id for a in raised}
    rows = _new_events(session, events, set(touched) - new_ids)
    if rows:
        session.execute(insert(AlertEvent), rows)
    added: dict[str, int] = {}
    for row in rows:
        added[row["alert_id"]] = added.get(row["alert_id"], 0) + 1
    out: list[Stored] = []
    for alert in touched.values():
        new = alert.id in new_ids
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ALERT_RAISED if new else EventType.ALERT_UPDATED,
            subject_type="alert",
            subject_id=alert.id,
            details={
                "ref": alert.ref,
                "rule": alert.rule_id,
                "rule_version": alert.rule_version,
                "severity": alert.severity,
                "hits": alert.hits,
                "events_added": added.get(alert.id, 0),
                "person_id": alert.person_id,
                "secret_ids": alert.secret_ids,
                "title": alert.title,
            },
        )
        hooks.dispatch(session, alert=alert, new=new)
        out.append(Stored(alert.ref, alert.rule_id, alert.severity, new))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NOTIFY, {"channel": NOTIFY_CHANNEL, "refs": [s.ref for s in out]})
    return out
