"""The verbs of triage: the queue and one alert (with its evidence, trail and the person's
activity), and what an analyst does with it: assign, comment, dismiss with a reason (kept per
rule as tuning feedback), confirm a true positive, reopen, suspend the person's grants in one
action (through access), escalate (to whatever registered in `escalation`). Each action is a
custody event on the alert (subject `alert`) in the caller's transaction.

Who: alerts:read reads every alert, alerts:triage acts on them (security, admin); a secret's
owner reads the alerts that name one of their own secrets and acts on none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crownjewels.access import service as access
from crownjewels.access.schemas import GrantFilter, GrantRead, GrantStatus
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementRead
from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden, NotFound
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.core.tasks import Task
from crownjewels.custody import labels
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.monitoring.models import Alert, AlertNote
from crownjewels.monitoring.schemas import AlertStatus
from crownjewels.monitoring.triage import chart, escalation, repository
from crownjewels.monitoring.triage.errors import AlertConflict, AlertNotFound, InvalidTriage
from crownjewels.monitoring.triage.schemas import (
    Activity,
    AlertFilter,
    AlertQueue,
    AlertRead,
    EscalationOutcome,
    EvidenceEvent,
    Named,
    NoteRead,
    QueueCounts,
    RuleFeedback,
    StatusFilter,
    SuspensionOutcome,
)
from crownjewels.parties import service as parties

SUBJECT = "alert"
READER = fact_reader("monitoring")
#: the most evidence events a page or an answer carries (the count says how many there are)
EVIDENCE_LIMIT = 500
#: days of activity the chart shows, ending on the alert's last event
CHART_DAYS = 42
#: the shortest reason a dismissal, a reopening or a suspension accepts
MIN_REASON = 3
#: the statuses a decided alert has
DECIDED = (AlertStatus.DISMISSED, AlertStatus.CONFIRMED, AlertStatus.ESCALATED)


# --- who sees what ----------------------------------------------------------------------------


def _owned(session: Session, actor: Actor) -> list[str] | None:
    """None: every alert; otherwise the secrets whose alerts the actor reads (their own)."""
    if actor.can(P.ALERTS_READ):
        return None
    if actor.person_id and actor.can(P.SECRETS_READ_OWN):
        return inventory.owned_ids(session, person_id=actor.person_id)
    actor.require(P.ALERTS_READ, what="reading alerts")
    return []  # pragma: no cover - require raised


def _visible(session: Session, actor: Actor) -> Select[Alert]:
    return repository.visible_to(_owned(session, actor))


def _row(session: Session, actor: Actor, ref: str) -> Alert:
    row = repository.find(_visible(session, actor), session, ref)
    if row is None:
        raise AlertNotFound(f"no alert {ref!r}; `crownjewels monitor alerts list` lists the alerts")
    return row


def _triage_row(session: Session, actor: Actor, ref: str, what: str) -> Alert:
    row = _row(session, actor, ref)  # an invisible alert is a 404 before it is a 403
    actor.require(P.ALERTS_TRIAGE, what=what)
    return row


def may_triage(actor: Actor) -> bool:
    """Whether the actor may act on alerts (pages show the forms only then)."""
    return actor.can(P.ALERTS_TRIAGE)


# --- reading ----------------------------------------------------------------------------------


def _reads(session: Session, rows: Sequence[Alert]) -> list[AlertRead]:
    """Alerts with their names: one lookup per kind, whatever the number of rows."""
    people = parties.person_names(
        session,
        {i for r in rows for i in (r.person_id, r.assignee_person_id) if i},
    )
    orgs = parties.organisation_names(
        session, {r.organisation_id for r in rows if r.organisation_id}
    )
    secret_labels = labels.refs(session, {f"secret:{s}" for r in rows for s in r.secret_ids})
    out = []
    for r in rows:
        item = AlertRead.model_validate(r)
        item.person_name = people.get(r.person_id or "")
        item.assignee_name = people.get(r.assignee_person_id or "")
        item.organisation_name = orgs.get(r.organisation_id or "")
        item.secrets = []
        for s in r.secret_ids:
            label = secret_labels.get(f"secret:{s}")
            item.secrets.append(
                Named(id=s, label=label.text if label else s, url=label.url if label else None)
            )
        out.append(item)
    return out


def read(session: Session, row: Alert) -> AlertRead:
    """One alert with its names."""
    return _reads(session, [row])[0]


def _person_id(session: Session, actor: Actor, typed: str, field: str) -> str:
    if typed.strip().lower() == "me":
        if not actor.person_id:
            raise InvalidTriage("you have no person record; name someone by email", field=field)
        return actor.person_id
    try:
        return parties.person_id_by_label(session, actor=READER, label=typed)
    except NotFound:
        raise InvalidTriage(
            f"no person is called {typed!r}; type their email or full name", field=field
        ) from None


def _filtered(session: Session, actor: Actor, filters: AlertFilter) -> Select[Alert]:
    secret_id = org_id = None
    if filters.secret:
        try:
            secret_id = inventory.get(session, actor=READER, secret_ref=filters.secret).id
        except NotFound:
            raise InvalidTriage(
                f"no secret {filters.secret!r}; type its ref, e.g. TS-0001", field="secret"
            ) from None
    if filters.organisation:
        try:
            org_id = parties.get_organisation(
                session, actor=READER, org_ref=filters.organisation
            ).id
        except NotFound:
            raise InvalidTriage(
                f"no organisation is called {filters.organisation!r}", field="organisation"
            ) from None
    return repository.filtered(
        _visible(session, actor),
        status=filters.status,
        severity=filters.severity.value if filters.severity else None,
        secret_id=secret_id,
        person_id=_person_id(session, actor, filters.person, "person") if filters.person else None,
        organisation_id=org_id,
        rule_id=filters.rule.strip() if filters.rule else None,
        assignee_id=(
            _person_id(session, actor, filters.assignee, "assignee") if filters.assignee else None
        ),
    )


def list_alerts(
    session: Session, *, actor: Actor, filters: AlertFilter, page: PageParams | None = None
) -> AlertQueue:
    """A page of the queue (most severe, then latest first) and its counts by status and
    severity under the other filters."""
    page = page or PageParams()
    query = _filtered(session, actor, filters)
    total = repository.count_by(session, query, Alert.status)
    rows = session.scalars(
        repository.queue_order(query).limit(page.limit).offset(page.offset)
    ).all()
    by_status = _filtered(session, actor, filters.model_copy(update={"status": "all"}))
    by_severity = _filtered(session, actor, filters.model_copy(update={"severity": None}))
    return AlertQueue(
        alerts=_reads(session, rows),
        total=sum(total.values()),
        counts=QueueCounts(
            by_status=repository.count_by(session, by_status, Alert.status),
            by_severity=repository.count_by(session, by_severity, Alert.severity),
        ),
    )


def get(session: Session, *, actor: Actor, ref: str) -> AlertRead:
    """One alert (AL-0007)."""
    return read(session, _row(session, actor, ref))


def evidence(
    session: Session, *, actor: Actor, ref: str, limit: int = EVIDENCE_LIMIT
) -> tuple[list[EvidenceEvent], int]:
    """The events behind the alert, oldest first (at most `limit`), and how many there are."""
    row = _row(session, actor, ref)
    events, total = repository.evidence(session, row.id, limit)
    secret_labels = labels.refs(session, {f"secret:{e.secret_id}" for e in events if e.secret_id})
    out = []
    for e in events:
        item = EvidenceEvent.model_validate(e)
        found = secret_labels.get(f"secret:{e.secret_id}")
        item.secret_label = found.short or found.text if found else None
        out.append(item)
    return out, total


def trail(session: Session, *, actor: Actor, ref: str) -> list[NoteRead]:
    """The triage trail of the alert, oldest first."""
    row = _row(session, actor, ref)
    return [NoteRead.model_validate(n) for n in repository.notes(session, row.id)]


def _utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date() if at.tzinfo else at.date()


def activity(session: Session, *, actor: Actor, ref: str) -> Activity:
    """The person's (or unknown actor's) events per day over the CHART_DAYS ending on the
    alert's last event, each day against the median and MAD of the days before it."""
    row = _row(session, actor, ref)
    last = _utc_day(row.last_event_at)
    shown = [last - timedelta(days=k) for k in range(CHART_DAYS - 1, -1, -1)]
    since = datetime.combine(shown[0] - timedelta(days=chart.HISTORY), datetime.min.time(), UTC)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
    counts: dict[date, int] = {}
    for at in repository.event_times(
        session, person_id=row.person_id, actor=row.actor, since=since, until=until
    ):
        counts[_utc_day(at)] = counts.get(_utc_day(at), 0) + 1
    flagged = {_utc_day(at) for at in repository.event_days(session, row.id)}
    days = chart.activity_days(counts, shown, flagged)
    first = _utc_day(row.first_event_at)
    anchor = next((d for d in days if d.day == first), days[-1])
    subject = read(session, row).person_name or row.actor
    return Activity(
        subject=subject,
        days=days,
        median=anchor.median,
        mad=anchor.mad,
        history_days=chart.HISTORY,
    )


def grants_of(session: Session, *, actor: Actor, ref: str) -> list[GrantRead]:
    """The person's grants, as the actor may see them (none for an unknown actor)."""
    row = _row(session, actor, ref)
    if not row.person_id:
        return []
    try:
        return access.list_grants(session, actor=actor, filters=GrantFilter(person=row.person_id))
    except Forbidden:
        return []


def agreements_of(session: Session, *, actor: Actor, ref: str) -> list[AgreementRead]:
    """The agreements in force today binding the person or their organisation."""
    row = _row(session, actor, ref)
    if not (row.person_id or row.organisation_id):
        return []
    if not actor.can(P.AGREEMENTS_READ):
        return []
    found: dict[str, AgreementRead] = {}
    for ids in ({"person_id": row.person_id}, {"organisation_id": row.organisation_id}):
        if any(ids.values()):
            for a in agreements.in_force_for(session, actor, on=clock.today(), **ids):
                found[a.id] = a
    return sorted(found.values(), key=lambda a: a.ref)


def rule_feedback(session: Session, *, actor: Actor) -> list[RuleFeedback]:
    """Per rule: how its alerts were decided (the tuning feedback), most dismissed first."""
    query = _visible(session, actor)
    decided = repository.decisions_by_rule(session, query)
    reasons = repository.dismissal_reasons(session, query, per_rule=3)
    out = []
    for rule_id, by in decided.items():
        dismissed, confirmed = by.get("dismissed", 0), by.get("confirmed", 0)
        out.append(
            RuleFeedback(
                rule_id=rule_id,
                total=sum(by.values()),
                active=by.get("open", 0) + by.get("assigned", 0),
                dismissed=dismissed,
                confirmed=confirmed,
                escalated=by.get("escalated", 0),
                precision=(
                    round(confirmed / (confirmed + dismissed), 3) if confirmed + dismissed else None
                ),
                reasons=reasons.get(rule_id, []),
            )
        )
    return sorted(out, key=lambda f: (-f.dismissed, -f.total, f.rule_id))


def tasks_for(session: Session, *, actor: Actor) -> list[Task]:
    """The alerts assigned to the actor and not yet decided, for My tasks (most severe first)."""
    if not actor.person_id or not actor.can(P.ALERTS_TRIAGE):
        return []
    query = repository.filtered(
        repository.visible_to(None),
        status=StatusFilter.ACTIVE,
        assignee_id=actor.person_id,
    )
    rows = session.scalars(repository.queue_order(query).limit(100)).all()
    return [
        Task(
            kind="triage-alert",
            group="Alerts",
            title=f"Triage {r.ref} ({r.severity}): {r.title}",
            href=f"/alerts/{r.ref}",
        )
        for r in rows
    ]


# --- acting -----------------------------------------------------------------------------------


def _note(session: Session, actor: Actor, row: Alert, kind: str, body: str) -> None:
    session.add(AlertNote(alert_id=row.id, kind=kind, body=body, author=actor.ref, at=clock.now()))


def _record(session: Session, actor: Actor, event: EventType, row: Alert, **details: Any) -> None:
    row.updated_at = clock.now()
    try:
        session.flush()  # the version moves with the change (optimistic locking)
    except StaleDataError:
        raise AlertConflict(
            f"{row.ref} changed while you were acting on it (new events, or another analyst); "
            "open it again and repeat the action"
        ) from None
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "ref": row.ref,
            "rule_id": row.rule_id,
            "person_id": row.person_id,
            "status": row.status,
            **details,
        },
    )


def _reason(text: str | None, what: str, field: str = "reason") -> str:
    words = " ".join((text or "").split())
    if len(words) < MIN_REASON:
        raise InvalidTriage(f"say why {what}", field=field)
    return words


def assign(session: Session, *, actor: Actor, ref: str, assignee: str) -> AlertRead:
    """Give the alert to someone (an email, a full name, or "me") (ALERT_ASSIGNED); an open
    alert becomes assigned."""
    row = _triage_row(session, actor, ref, "assigning an alert")
    person_id = _person_id(session, actor, assignee, "assignee")
    name = parties.person_names(session, {person_id}).get(person_id, person_id)
    before = row.assignee_person_id
    row.assignee_person_id = person_id
    if row.status == AlertStatus.OPEN:
        row.status = AlertStatus.ASSIGNED
    _note(session, actor, row, "assigned", f"assigned to {name}")
    _record(session, actor, EventType.ALERT_ASSIGNED, row, assignee=person_id, before=before)
    return read(session, row)


def comment(session: Session, *, actor: Actor, ref: str, body: str) -> AlertRead:
    """Add a comment to the trail (ALERT_COMMENTED)."""
    row = _triage_row(session, actor, ref, "commenting on an alert")
    text = (body or "").strip()
    if len(text) < 2:
        raise InvalidTriage("write the comment", field="body")
    if len(text) > 10_000:
        raise InvalidTriage("a comment is at most 10,000 characters", field="body")
    _note(session, actor, row, "comment", text)
    _record(session, actor, EventType.ALERT_COMMENTED, row, length=len(text))
    return read(session, row)


def _decide(
    session: Session,
    actor: Actor,
    row: Alert,
    status: AlertStatus,
    resolution: str | None,
    event: EventType,
) -> None:
    if row.status == status:
        raise AlertConflict(f"{row.ref} is already {status}")
    if row.status in (AlertStatus.DISMISSED, AlertStatus.CONFIRMED):
        raise AlertConflict(f"{row.ref} is {row.status}; reopen it first")
    row.status = status
    row.resolution, row.resolved_at, row.resolved_by = resolution, clock.now(), actor.ref
    _note(session, actor, row, status.value, resolution or "")
    _record(session, actor, event, row, resolution=resolution)


def dismiss(session: Session, *, actor: Actor, ref: str, reason: str) -> AlertRead:
    """Dismiss the alert as a false alarm, saying why (ALERT_DISMISSED); the reason is kept
    with the rule's tuning feedback."""
    row = _triage_row(session, actor, ref, "dismissing an alert")
    _decide(
        session,
        actor,
        row,
        AlertStatus.DISMISSED,
        _reason(reason, "the alert is dismissed"),
        EventType.ALERT_DISMISSED,
    )
    return read(session, row)


def confirm(session: Session, *, actor: Actor, ref: str, note: str | None = None) -> AlertRead:
    """Mark the alert a true positive (ALERT_CONFIRMED), with an optional note."""
    row = _triage_row(session, actor, ref, "confirming an alert")
    text = " ".join((note or "").split()) or None
    _decide(session, actor, row, AlertStatus.CONFIRMED, text, EventType.ALERT_CONFIRMED)
    return read(session, row)


def reopen(session: Session, *, actor: Actor, ref: str, reason: str) -> AlertRead:
    """Take a decided alert back into the queue, saying why (ALERT_REOPENED): assigned again
    if it had an assignee, open otherwise."""
    row = _triage_row(session, actor, ref, "reopening an alert")
    if row.status not in DECIDED:
        raise AlertConflict(f"{row.ref} is {row.status}; only a decided alert can be reopened")
    why = _reason(reason, "the alert is reopened")
    before = row.status
    row.status = AlertStatus.ASSIGNED if row.assignee_person_id else AlertStatus.OPEN
    row.resolution = row.resolved_at = row.resolved_by = None
    _note(session, actor, row, "reopened", why)
    _record(session, actor, EventType.ALERT_REOPENED, row, before=before, reason=why)
    return read(session, row)


def suspend_grants(session: Session, *, actor: Actor, ref: str, reason: str) -> SuspensionOutcome:
    """Suspend every live grant of the alert's person in one action, through access (each an
    ACCESS_GRANT_STATUS_CHANGED of its own), and note it on the alert (ALERT_GRANTS_SUSPENDED).
    Needs alerts:triage and grants:manage."""
    row = _triage_row(session, actor, ref, "suspending grants from an alert")
    actor.require(P.GRANTS_MANAGE, what="suspending a person's grants")
    if not row.person_id:
        raise InvalidTriage(
            f"{row.ref} names no known person ({row.actor}); there are no grants to suspend",
            field="reason",
        )
    why = _reason(reason, "the grants are suspended")
    live = [
        g
        for g in access.list_grants(session, actor=actor, filters=GrantFilter(person=row.person_id))
        if g.status in (GrantStatus.ACTIVE, GrantStatus.APPROVED)
    ]
    if not live:
        raise AlertConflict(f"{read(session, row).person_name or 'the person'} holds no live grant")
    suspended = []
    for grant in live:
        access.change_status(
            session,
            actor=actor,
            grant_ref=grant.ref,
            status=GrantStatus.SUSPENDED,
            reason=f"{row.ref}: {why}",
        )
        suspended.append(grant.ref)
    _note(session, actor, row, "grants-suspended", f"{', '.join(suspended)} suspended: {why}")
    _record(session, actor, EventType.ALERT_GRANTS_SUSPENDED, row, grants=suspended, reason=why)
    return SuspensionOutcome(alert=read(session, row), grants=suspended)


def escalate(session: Session, *, actor: Actor, ref: str, note: str) -> EscalationOutcome:
    """Escalate the alert (ALERT_ESCALATED): each registered receiver (the incidents
    capability) may open or join a case; without one the alert is marked escalated and the
    answer says that no case was opened."""
    row = _triage_row(session, actor, ref, "escalating an alert")
    if row.status == AlertStatus.ESCALATED:
        raise AlertConflict(f"{row.ref} is already escalated to {row.escalated_to or 'no case'}")
    if row.status in (AlertStatus.DISMISSED, AlertStatus.CONFIRMED):
        raise AlertConflict(f"{row.ref} is {row.status}; reopen it first")
    why = _reason(note, "the alert is escalated", field="note")
    case = escalation.hand_over(
        session, actor, escalation.Escalation(alert=read(session, row), note=why)
    )
    _decide(session, actor, row, AlertStatus.ESCALATED, why, EventType.ALERT_ESCALATED)
    row.escalated_to = case
    session.flush()
    message = (
        f"{row.ref} escalated to {case}"
        if case
        else f"{row.ref} marked escalated; no incident capability is installed to open a case"
    )
    return EscalationOutcome(alert=read(session, row), case=case, message=message)
