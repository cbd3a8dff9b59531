"""Scheduled scans (LW-0001): a folder, repository, bucket prefix or URL re-scanned every so
many hours by the worker's job, each run a scan of its own that reports only the matches the
watch has not reported before (by match key: the same document in the same content).
Adding, pausing, resuming and removing are custody events on the watch (subject
`leak-watch`); leaks:manage."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.ids import new_id
from crownjewels.core.permissions import Permission as P
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.leaks.errors import ScanNotFound
from crownjewels.leaks.models import Scan, Watch
from crownjewels.leaks.scan import repository
from crownjewels.leaks.scan.schemas import WATCHABLE, ScanOutcome, WatchCreate, WatchRead
from crownjewels.leaks.scan.service import Reading, may_scan, read, record
from crownjewels.leaks.scan.sources import kind_of
from crownjewels.leaks.schemas import ScanStatus, TargetKind, WatchStatus
from crownjewels.settings import Settings

SUBJECT = "leak-watch"


def _read(session: Session, row: Watch) -> WatchRead:
    last = repository.scan_refs(session, [row.last_scan_id] if row.last_scan_id else [])
    return WatchRead(
        ref=row.ref,
        name=row.name,
        target_kind=TargetKind(row.target_kind),
        target=row.target,
        every_hours=row.every_hours,
        next_due=row.next_due,
        last_run_at=row.last_run_at,
        last_scan_ref=last.get(row.last_scan_id or ""),
        status=WatchStatus(row.status),
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _row(session: Session, ref: str) -> Watch:
    row = repository.watch(session, ref)
    if row is None:
        raise ScanNotFound(f"no watch {ref!r}; `crownjewels leaks watches list` lists them")
    return row


def _record(
    session: Session, actor: Actor, event: EventType, row: Watch, **details: object
) -> None:
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, **details},
    )


def add(session: Session, *, actor: Actor, data: WatchCreate) -> WatchRead:
    """Watch a folder, repository, bucket prefix or URL; its first run is due at once."""
    actor.require(P.LEAKS_MANAGE, what="adding a scan watch")
    kind = data.kind or kind_of(data.target)
    if kind not in WATCHABLE:
        raise Invalid(
            f"a watch re-scans a folder, git repository, s3:// prefix or URL; {data.target!r} "
            f"is a {kind.value}: scan it once with `crownjewels leaks scan`",
            field="target",
        )
    may_scan(actor, kind)
    now = clock.now()
    row = Watch(
        id=new_id(),
        ref=next_ref(session, Watch.ref, "LW-", 4),
        name=data.name,
        target_kind=kind.value,
        target=data.target,
        every_hours=data.every_hours,
        next_due=now,
        last_run_at=None,
        last_scan_id=None,
        status=WatchStatus.ACTIVE.value,
        created_by=actor.ref,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _record(
        session,
        actor,
        EventType.LEAK_WATCH_ADDED,
        row,
        name=row.name,
        target_kind=row.target_kind,
        target=row.target[:500],
        every_hours=row.every_hours,
    )
    return _read(session, row)


def list_watches(session: Session, *, actor: Actor) -> list[WatchRead]:
    """Every watch not removed, by ref."""
    actor.require(P.LEAKS_READ, what="reading scan watches")
    return [_read(session, r) for r in repository.watches(session)]


def get(session: Session, *, actor: Actor, ref: str) -> WatchRead:
    """One watch (LW-0002, or its name)."""
    actor.require(P.LEAKS_READ, what="reading scan watches")
    return _read(session, _row(session, ref))


def _change(session: Session, actor: Actor, ref: str, status: WatchStatus) -> WatchRead:
    row = _row(session, ref)
    actor.require(P.LEAKS_MANAGE, what="changing a scan watch")
    if row.status == status.value:
        return _read(session, row)
    before, row.status = row.status, status.value
    if status is WatchStatus.ACTIVE and row.next_due < clock.now():
        row.next_due = clock.now()
    event = (
        EventType.LEAK_WATCH_REMOVED
        if status is WatchStatus.REMOVED
        else EventType.LEAK_WATCH_CHANGED
    )
    _record(session, actor, event, row, status={"from": before, "to": status.value})
    session.flush()
    return _read(session, row)


def pause(session: Session, *, actor: Actor, ref: str) -> WatchRead:
    """Stop running the watch until it is resumed."""
    return _change(session, actor, ref, WatchStatus.PAUSED)


def resume(session: Session, *, actor: Actor, ref: str) -> WatchRead:
    """Run the watch again (at once if a run was missed)."""
    return _change(session, actor, ref, WatchStatus.ACTIVE)


def remove(session: Session, *, actor: Actor, ref: str) -> WatchRead:
    """Stop and remove the watch (its scans and matches stay)."""
    return _change(session, actor, ref, WatchStatus.REMOVED)


def run(session: Session, *, actor: Actor, settings: Settings, ref: str) -> ScanOutcome:
    """Run the watch now: a scan that reports only new matches; the next run is due a cadence
    later (`read_run` then `record_run`, both in `session`)."""
    return record_run(session, read_run(session, actor=actor, settings=settings, ref=ref))


def read_run(session: Session, *, actor: Actor, settings: Settings, ref: str) -> Reading:
    """The watch's target read and compared; nothing is written (`record_run` writes it)."""
    row = _row(session, ref)
    actor.require(P.LEAKS_MANAGE, what="running a scan watch")
    return read(
        session,
        actor=actor,
        settings=settings,
        target=row.target,
        kind=TargetKind(row.target_kind),
        label=row.target,
        watch_id=row.id,
    )


def record_run(session: Session, reading: Reading) -> ScanOutcome:
    """The run's scan and its new matches written; the next run due a cadence later."""
    outcome = record(session, reading)
    row = session.get(Watch, reading.ctx.watch_id)
    assert row is not None, "a watch's reading names its watch"
    _ran(session, row, outcome.scan.ref)
    return outcome


def _ran(session: Session, row: Watch, scan_ref: str) -> None:
    now = clock.now()
    found = repository.scan(session, scan_ref)
    row.last_run_at = now
    row.last_scan_id = found.id if found else None
    row.next_due = now + timedelta(hours=row.every_hours)
    session.flush()


def due(session: Session) -> list[str]:
    """The refs of the active watches due now (the job runs each in its own transaction)."""
    return [w.ref for w in repository.due_watches(session, clock.now())]


def failed(session: Session, *, actor: Actor, ref: str, error: str) -> str:
    """Record a watch's run that failed (the target unreachable, over a limit) as a failed
    scan saying why; the next run is due a cadence later. Its ref."""
    row = _row(session, ref)
    now = clock.now()
    record = Scan(
        id=new_id(),
        ref=next_ref(session, Scan.ref, "LS-", 4),
        target_kind=row.target_kind,
        target=row.target,
        watch_id=row.id,
        started_at=now,
        finished_at=now,
        started_by=actor.ref,
        status=ScanStatus.FAILED.value,
        error=error[:2000],
        files=0,
        bytes=0,
        matches=0,
        identified=0,
        skipped={},
    )
    session.add(record)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.LEAK_SCAN_COMPLETED,
        subject_type="leak-scan",
        subject_id=record.id,
        details={"ref": record.ref, "watch": row.ref, "status": "failed", "error": error[:500]},
    )
    _ran(session, row, record.ref)
    return record.ref
