"""Departure watches: HR records a person's notice date and last day (on the person, by CSV
import or the API: `parties.service.depart_person`), which opens a watch in the same
transaction (`on_notice`, registered in `core.departures`). The watch keeps the look-back of
their last 90 days, puts them under heightened thresholds until their last day
(`watched_people`) and gives HR and legal their report."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from crownjewels.access import schemas as access_schemas
from crownjewels.access import service as access
from crownjewels.agreements import service as agreements
from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.departures import NoticeGiven
from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.monitoring import service as monitoring
from crownjewels.monitoring.models import DepartureWatch
from crownjewels.monitoring.schemas import Severity, Signal, SignalKind
from crownjewels.monitoring.watch import heightened, lookback, repository
from crownjewels.monitoring.watch.errors import WatchNotFound
from crownjewels.monitoring.watch.schemas import (
    ActivityLine,
    AgreementLine,
    AlertLine,
    AttestationLine,
    DepartureReport,
    GrantLine,
    Lookback,
    WatchRead,
    WatchStatus,
)
from crownjewels.parties import schemas as parties_schemas
from crownjewels.parties import service as parties
from crownjewels.training import service as training

#: the facts a watch and its report gather are read with the installation's eyes, after the
#: caller's own permission is checked
READER = fact_reader("monitoring")
SUBJECT = "departure-watch"
#: the most peers a look-back pools (the first by id: a stable sample of a large group)
MAX_PEERS = 500
#: an open watch closes by itself this many days after the last day (access after leaving is
#: still worth seeing for a while: a shared credential, a forgotten token)
GRACE_DAYS = 30


def require_reader(actor: Actor) -> None:
    """HR's and legal's report: readers of the custody log (legal, security, compliance,
    auditors, admins)."""
    actor.require(Permission.CUSTODY_READ, what="a departure watch")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _lookback(session: Session, person: parties_schemas.PersonRead, notice_on: date) -> Lookback:
    """The person's last 90 days against their own baseline and their peers'."""
    end = clock.today()
    group = parties.people_of(session, organisation_id=person.organisation_id, active_only=False)
    peers = sorted(p.id for p in group if p.kind == person.kind and p.id != person.id)
    peers = peers[:MAX_PEERS]
    since = _day_start(end - timedelta(days=2 * lookback.WINDOW_DAYS - 1))
    until = _day_start(end) + timedelta(days=1)
    totals = repository.daily_totals(session, [person.id, *peers], since, until)
    own = totals.get(person.id, {})
    others = {pid: totals.get(pid, {}) for pid in peers}
    return lookback.assess(person.full_name, own, others, end=end, notice_on=notice_on)


def _read(session: Session, row: DepartureWatch) -> WatchRead:
    person = parties.get_person(session, actor=READER, person_ref=row.person_id)
    return WatchRead(
        ref=row.ref,
        person_id=row.person_id,
        person_name=person.full_name,
        person_email=person.email,
        notice_on=row.notice_on,
        last_day=row.last_day,
        status=WatchStatus(row.status),
        heightened=row.status == WatchStatus.OPEN and row.last_day >= clock.today(),
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        lookback=Lookback.model_validate(row.lookback) if row.lookback else None,
    )


def _record(
    session: Session, actor: Actor, event: EventType, row: DepartureWatch, **d: object
) -> None:
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, "person_id": row.person_id, **d},
    )


def _signal(
    session: Session,
    actor: Actor,
    row: DepartureWatch,
    person: parties_schemas.PersonRead,
    found: Lookback,
) -> None:
    """Unusual days in the look-back go to monitoring's intake as a signal naming the person
    and the watch, so the scorer raises (or adds to) an alert that triage handles like any
    other; a quiet look-back raises nothing."""
    if not found.unusual_days:
        return
    monitoring.raise_signal(
        session,
        actor=actor,
        signal=Signal(
            kind=SignalKind.DEPARTURE_LOOKBACK,
            secret_id=None,
            summary=found.summary,
            reference=row.ref,
            occurred_at=clock.now(),
            actor=person.email,
            severity=Severity.HIGH,
            details={"watch": row.ref, "unusual_days": len({u.day for u in found.unusual_days})},
        ),
    )


def on_notice(session: Session, actor: Actor, notice: NoticeGiven) -> None:
    """The listener of `core.departures`: open the person's watch, or move the dates of the
    open one (and look back again), in the transaction that recorded the notice."""
    open_watch(session, actor=actor, notice=notice)


def open_watch(session: Session, *, actor: Actor, notice: NoticeGiven) -> WatchRead:
    """Open a departure watch with its look-back (DEPARTURE_WATCH_OPENED), or update the
    person's open one (DEPARTURE_WATCH_UPDATED). Called by the notice's own transaction: the
    permission checked is the one that recorded the notice (parties:write)."""
    actor.require(Permission.PARTIES_WRITE, what="recording a notice of departure")
    person = parties.get_person(session, actor=READER, person_ref=notice.person_id)
    found = _lookback(session, person, notice.notice_on)
    facts = {
        "notice_on": notice.notice_on.isoformat(),
        "last_day": notice.last_day.isoformat(),
        "unusual_days": len({u.day for u in found.unusual_days}),
        "summary": found.summary,
    }
    row = repository.open_watch_of(session, notice.person_id)
    if row is not None:
        before = {"notice_on": row.notice_on.isoformat(), "last_day": row.last_day.isoformat()}
        previous = Lookback.model_validate(row.lookback)
        row.notice_on, row.last_day = notice.notice_on, notice.last_day
        row.lookback = found.model_dump(mode="json")
        session.flush()
        _record(session, actor, EventType.DEPARTURE_WATCH_UPDATED, row, before=before, **facts)
        if found.unusual_days != previous.unusual_days:
            _signal(session, actor, row, person, found)
        return _read(session, row)
    row = DepartureWatch(
        ref=next_ref(session, DepartureWatch.ref, "DW-", 4),
        person_id=notice.person_id,
        notice_on=notice.notice_on,
        last_day=notice.last_day,
        status=WatchStatus.OPEN,
        opened_at=clock.now(),
        opened_by=actor.ref,
        lookback=found.model_dump(mode="json"),
    )
    session.add(row)
    session.flush()
    _record(session, actor, EventType.DEPARTURE_WATCH_OPENED, row, **facts)
    _signal(session, actor, row, person, found)
    return _read(session, row)


def give_notice(
    session: Session, *, actor: Actor, person_ref: str, notice_on: date, last_day: date
) -> WatchRead:
    """Record a person's notice and last day through parties (its checks, its custody event),
    which opens their watch; the watch as it stands."""
    if notice_on > last_day:
        raise Invalid(
            f"the notice date {notice_on} is after the last day {last_day}; notice comes first",
            field="notice_on",
        )
    departure = parties_schemas.Departure(on=last_day, notice_on=notice_on)
    person = parties.depart_person(session, actor=actor, person_ref=person_ref, departure=departure)
    row = repository.open_watch_of(session, person.id)
    if row is None:  # a listener not registered: the wiring is broken, not the input
        raise RuntimeError("no departure watch opened: monitoring's notice listener is missing")
    return _read(session, row)


def _watch(session: Session, ref: str) -> DepartureWatch:
    row = repository.watch(session, ref)
    if row is None:
        raise WatchNotFound(f"no departure watch {ref!r}; `crownjewels monitor departures list`")
    return row


def get_watch(session: Session, *, actor: Actor, ref: str) -> WatchRead:
    """One watch by its ref (DW-0001)."""
    require_reader(actor)
    return _read(session, _watch(session, ref))


def list_watches(
    session: Session, *, actor: Actor, status: WatchStatus | None = None
) -> list[WatchRead]:
    """Every watch (or those of one status), newest first."""
    require_reader(actor)
    return [_read(session, row) for row in repository.watches(session, status)]


def watch_of_person(session: Session, *, actor: Actor, person_id: str) -> WatchRead | None:
    """The person's latest watch (for their page and their offboarding), or None."""
    require_reader(actor)
    row = repository.latest_watch_of(session, person_id)
    return _read(session, row) if row is not None else None


def close_watch(session: Session, *, actor: Actor, ref: str, reason: str) -> WatchRead:
    """Close a watch: thresholds back to normal (DEPARTURE_WATCH_CLOSED with the reason)."""
    actor.require(Permission.GRANTS_MANAGE, what="closing a departure watch")
    row = _watch(session, ref)
    if row.status == WatchStatus.CLOSED:
        return _read(session, row)
    if len(reason.strip()) < 3:
        raise Invalid("say why the watch closes (at least 3 characters)", field="reason")
    row.status, row.closed_at, row.closed_by = WatchStatus.CLOSED, clock.now(), actor.ref
    session.flush()
    _record(session, actor, EventType.DEPARTURE_WATCH_CLOSED, row, reason=reason.strip())
    return _read(session, row)


def close_ended(session: Session, *, actor: Actor, today: date | None = None) -> list[str]:
    """Close the open watches whose last day is more than GRACE_DAYS past (the worker's job);
    their refs."""
    day = today or clock.today()
    closed = []
    for row in repository.watches_ended_before(session, day - timedelta(days=GRACE_DAYS)):
        row.status, row.closed_at, row.closed_by = WatchStatus.CLOSED, clock.now(), actor.ref
        session.flush()
        reason = f"{GRACE_DAYS} days past the last day ({row.last_day})"
        _record(session, actor, EventType.DEPARTURE_WATCH_CLOSED, row, reason=reason)
        closed.append(row.ref)
    return closed


def watched_people(session: Session) -> set[str]:
    """The ids of the people under heightened thresholds: an open watch, their last day not
    yet past, or a live heightened watch (an incident's containment); scoring reads it into
    `PersonFacts.heightened`."""
    return repository.heightened_people(session, clock.today()) | heightened.heightened_people(
        session
    )


def _secret_names(session: Session, ids: set[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for sid in ids:
        try:
            found = inventory.get(session, actor=READER, secret_ref=sid)
        except NotFound:
            continue
        out[sid] = (found.ref, found.name)
    return out


def _lines(
    session: Session, person_id: str, since: datetime, until: datetime
) -> tuple[list[ActivityLine], list[ActivityLine]]:
    """What the person accessed, and what they took (downloads, copies, prints, exports)."""
    rows = repository.person_activity(session, person_id, since, until)
    names = _secret_names(session, {r[0] for r in rows if r[0]})
    accessed: list[ActivityLine] = []
    taken: list[ActivityLine] = []
    for secret_id, resource, action, count, size, first, last in rows:
        ref, name = names.get(secret_id or "", (None, None))
        line = ActivityLine(
            secret_ref=ref,
            secret_name=name,
            resource=None if secret_id else resource,
            action=action,
            count=count,
            bytes=size,
            first_at=first,
            last_at=last,
        )
        (taken if action in lookback.TAKE_ACTIONS else accessed).append(line)
    order = lambda a: (a.secret_ref or "~", a.resource or "", a.action)  # noqa: E731
    return sorted(accessed, key=order), sorted(taken, key=order)


def report(session: Session, *, actor: Actor, ref: str) -> DepartureReport:
    """The report for HR and legal: activity over the look-back and since, alerts, grants,
    agreements in force and the acknowledgements they gave (the exit obligations among them)."""
    require_reader(actor)
    row = _watch(session, ref)
    watch = _read(session, row)
    start = watch.lookback.start if watch.lookback else row.notice_on - timedelta(days=90)
    since, until = _day_start(start), clock.now()
    accessed, taken = _lines(session, row.person_id, since, until)
    alerts = [
        AlertLine(
            ref=a.ref,
            rule_id=a.rule_id,
            severity=a.severity,
            status=a.status,
            title=a.title,
            last_event_at=a.last_event_at,
            resolution=a.resolution,
        )
        for a in repository.alerts_of_person(session, row.person_id, since)
    ]
    grant_filter = access_schemas.GrantFilter(person=row.person_id)
    grants = [
        GrantLine(
            ref=g.ref,
            secret=f"{g.secret_ref} {g.secret_name}".strip() if g.secret_ref else g.secret_id,
            level=g.level.value,
            status=g.status.value,
            expires_at=g.expires_at,
        )
        for g in access.list_grants(session, actor=READER, filters=grant_filter)
    ]
    person = parties.get_person(session, actor=READER, person_ref=row.person_id)
    in_force = agreements.in_force_for(
        session,
        READER,
        organisation_id=person.organisation_id,
        person_id=person.id,
        on=min(clock.today(), row.last_day),
    )
    attested = training.attestations(session, actor=READER, person=person.id)
    return DepartureReport(
        watch=watch,
        since=since,
        until=until,
        accessed=accessed,
        taken=taken,
        alerts=alerts,
        grants=grants,
        agreements=[AgreementLine(ref=a.ref, kind=a.kind.value, title=a.title) for a in in_force],
        attestations=[
            AttestationLine(
                kind=a.kind.value, acknowledged_at=a.acknowledged_at, text_sha256=a.text_sha256
            )
            for a in attested
        ],
        exit_obligations_attested=any(a.kind.value == "exit-obligations" for a in attested),
    )
