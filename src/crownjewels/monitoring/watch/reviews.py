"""Log reviews: each period (a calendar month by default) every active secret's owner is
asked to review its activity: a generated summary of who accessed what, the alerts and their
outcomes, the unknown actors. They sign it off or raise a concern (custody events either
way); reviews past their due date are overdue, listed, shown in the posture and in My tasks."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.core.tasks import Task
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.monitoring.models import LogReview
from crownjewels.monitoring.watch import repository
from crownjewels.monitoring.watch.errors import ReviewDecided, ReviewNotFound
from crownjewels.monitoring.watch.schemas import LogReviewRead, ReviewStatus
from crownjewels.parties import service as parties

READER = fact_reader("monitoring")
SUBJECT = "log-review"
#: a review is due this many days after its period ends
DUE_DAYS = 14
#: the most people and unknown actors a summary lists by name (the rest are counted)
LISTED = 50


def period_before(day: date, months: int = 1) -> tuple[date, date]:
    """The last complete period before `day`: calendar months in blocks of `months` counted
    from January (1: each month; 3: quarters), first and last day."""
    if not 1 <= months <= 12:
        raise Invalid("a review period is 1 to 12 months", field="months")
    index = (day.year * 12 + day.month - 1) // months * months  # the current period's start
    start_index = index - months
    start = date(start_index // 12, start_index % 12 + 1, 1)
    end = date(index // 12, index % 12 + 1, 1) - timedelta(days=1)
    return start, end


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def summarise(session: Session, secret: SecretRead, start: date, end: date) -> dict[str, Any]:
    """What the owner reads: per person their actions, the unknown actors, the alerts on the
    secret and their outcomes, and the whole in a sentence with its numbers."""
    since, until = _moment(start), _moment(end + timedelta(days=1))
    rows = repository.secret_activity(session, secret.id, since, until)
    people: dict[str, Counter[str]] = defaultdict(Counter)
    unknown: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for person_id, actor, action, count, size in rows:
        key = person_id or actor
        (people if person_id else unknown)[key][action] += count
        sizes[key] += size
    names = parties.person_names(session, set(people))
    alerts = [
        a for a in repository.alerts_between(session, since, until) if secret.id in a.secret_ids
    ]
    outcomes = Counter(a.status for a in alerts)
    events = sum(c for _, _, _, c, _ in rows)

    def listed(who: dict[str, Counter[str]], label: dict[str, str]) -> list[dict[str, Any]]:
        ranked = sorted(who.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        return [
            {
                "who": label.get(k, k),
                "events": sum(acts.values()),
                "actions": dict(sorted(acts.items())),
                "bytes": sizes[k],
            }
            for k, acts in ranked[:LISTED]
        ]

    alert_words = ", ".join(f"{n} {s}" for s, n in sorted(outcomes.items())) or "none"
    text = (
        f"{secret.ref} {secret.name}, {start} to {end}: {events} event(s) by "
        f"{len(people)} known {'person' if len(people) == 1 else 'people'} and "
        f"{len(unknown)} unknown actor(s); "
        f"{len(alerts)} alert(s) ({alert_words})."
    )
    return {
        "text": text,
        "events": events,
        "people": listed(people, names),
        "people_count": len(people),
        "unknown_actors": listed(unknown, {}),
        "unknown_count": len(unknown),
        "alerts": [
            {
                "ref": a.ref,
                "title": a.title,
                "severity": a.severity,
                "status": a.status,
                "resolution": a.resolution,
            }
            for a in alerts
        ],
        "outcomes": dict(outcomes),
    }


def _record(session: Session, actor: Actor, event: EventType, row: LogReview, **d: object) -> None:
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, "secret_id": row.secret_id, **d},
    )


def create_due(
    session: Session, *, actor: Actor, on: date | None = None, months: int = 1
) -> list[LogReviewRead]:
    """A review of the last complete period for every active secret that has none yet, asked
    of its owner with its summary (LOG_REVIEW_CREATED each). Running it again does nothing."""
    actor.require(Permission.GRANTS_MANAGE, what="asking owners for log reviews")
    start, end = period_before(on or clock.today(), months)
    done = repository.reviewed_secrets(session, start)
    made: list[LogReview] = []
    secrets = {s.id: s for s in inventory.active_secrets(session, actor=READER)}
    for secret in secrets.values():
        if secret.id in done:
            continue
        row = LogReview(
            ref=next_ref(session, LogReview.ref, "LR-", 4),
            secret_id=secret.id,
            reviewer_person_id=secret.owner_id,
            period_start=start,
            period_end=end,
            due_on=end + timedelta(days=DUE_DAYS),
            status=ReviewStatus.DUE,
            summary=summarise(session, secret, start, end),
            created_at=clock.now(),
        )
        session.add(row)
        session.flush()
        _record(
            session,
            actor,
            EventType.LOG_REVIEW_CREATED,
            row,
            period_start=start.isoformat(),
            period_end=end.isoformat(),
            due_on=row.due_on.isoformat(),
            reviewer_id=row.reviewer_person_id,
        )
        made.append(row)
    return _reads(session, made, secrets)


def _reads(
    session: Session, rows: list[LogReview], secrets: dict[str, SecretRead] | None = None
) -> list[LogReviewRead]:
    """Reviews with their secrets' refs and names and their reviewers' names."""
    known = dict(secrets or {})
    for sid in {r.secret_id for r in rows} - set(known):
        known[sid] = inventory.get(session, actor=READER, secret_ref=sid)
    names = parties.person_names(session, {r.reviewer_person_id for r in rows})
    today = clock.today()
    out = []
    for row in rows:
        read = LogReviewRead.model_validate(row)
        read.secret_ref, read.secret_name = known[row.secret_id].ref, known[row.secret_id].name
        read.reviewer_name = names.get(row.reviewer_person_id, "")
        read.overdue = row.status == ReviewStatus.DUE and row.due_on < today
        out.append(read)
    return out


def _sees_all(actor: Actor) -> bool:
    return actor.can(Permission.CUSTODY_READ)


def _review(session: Session, actor: Actor, ref: str) -> LogReview:
    row = repository.review(session, ref)
    if row is None or not (_sees_all(actor) or _reviewer(session, actor, row)):
        raise ReviewNotFound(f"no log review {ref!r}; `crownjewels monitor reviews list`")
    return row


def _reviewer(session: Session, actor: Actor, row: LogReview) -> bool:
    """The person asked, or the secret's owner now (ownership may have moved since)."""
    if actor.person_id is None:
        return False
    if actor.person_id == row.reviewer_person_id:
        return True
    return (
        inventory.get(session, actor=READER, secret_ref=row.secret_id).owner_id == actor.person_id
    )


def list_reviews(
    session: Session,
    *,
    actor: Actor,
    status: ReviewStatus | None = None,
    overdue: bool = False,
) -> list[LogReviewRead]:
    """The reviews the actor may see (all for readers of the custody log, else their own),
    newest period first; `overdue`: only those due and past their date."""
    reviewer = None if _sees_all(actor) else actor.person_id
    if reviewer is None and not _sees_all(actor):
        return []
    rows = repository.reviews(
        session,
        reviewer=reviewer,
        status=status,
        overdue_on=clock.today() if overdue else None,
    )
    return _reads(session, rows)


def get_review(session: Session, *, actor: Actor, ref: str) -> LogReviewRead:
    """One review by its ref (LR-0001), with its summary."""
    return _reads(session, [_review(session, actor, ref)])[0]


def _decide(
    session: Session, actor: Actor, ref: str, status: ReviewStatus, comment: str | None
) -> LogReviewRead:
    actor.require_write(what="deciding a log review")
    row = _review(session, actor, ref)
    if not _reviewer(session, actor, row):
        raise Forbidden(f"only the owner of the secret decides {row.ref}")
    if row.status != ReviewStatus.DUE:
        raise ReviewDecided(
            f"{row.ref} is already {row.status} ({row.decided_at:%Y-%m-%d}); "
            "a new concern goes to security directly"
        )
    row.status, row.decided_at, row.decided_by = status, clock.now(), actor.ref
    row.comment = comment.strip() if comment and comment.strip() else None
    session.flush()
    event = (
        EventType.LOG_REVIEW_SIGNED_OFF
        if status == ReviewStatus.SIGNED_OFF
        else EventType.LOG_REVIEW_CONCERN_RAISED
    )
    _record(session, actor, event, row, comment=row.comment, summary=row.summary.get("text"))
    return _reads(session, [row])[0]


def sign_off(
    session: Session, *, actor: Actor, ref: str, comment: str | None = None
) -> LogReviewRead:
    """The owner saw nothing amiss (LOG_REVIEW_SIGNED_OFF)."""
    return _decide(session, actor, ref, ReviewStatus.SIGNED_OFF, comment)


def raise_concern(session: Session, *, actor: Actor, ref: str, comment: str) -> LogReviewRead:
    """The owner saw something to look into, in words (LOG_REVIEW_CONCERN_RAISED)."""
    if len((comment or "").strip()) < 10:
        raise Invalid(
            "say what concerns you (at least 10 characters): who, what, when", field="comment"
        )
    return _decide(session, actor, ref, ReviewStatus.CONCERN, comment)


def tasks_for(session: Session, *, actor: Actor) -> list[Task]:
    """The actor's log reviews waiting for their decision (My tasks)."""
    if actor.person_id is None:
        return []
    rows = repository.reviews(session, reviewer=actor.person_id, status=ReviewStatus.DUE)
    return [
        Task(
            kind="log-review",
            group="Reviews",
            title=(
                f"Review the activity of {r.secret_ref} {r.secret_name}, "
                f"{r.period_start} to {r.period_end} ({r.ref})"
            ),
            href=f"/monitoring/reviews/{r.ref}",
            due_on=r.due_on,
        )
        for r in _reads(session, rows)
    ]


def latest_by_secret(session: Session, *, actor: Actor) -> list[LogReviewRead]:
    """Each visible secret's review that stands for it in the posture: its oldest overdue one
    while any is overdue, else its latest."""
    chosen: dict[str, LogReviewRead] = {}
    for review in list_reviews(session, actor=actor):  # newest period first
        held = chosen.get(review.secret_id)
        if held is None or (
            review.overdue and (not held.overdue or review.period_start < held.period_start)
        ):
            chosen[review.secret_id] = review
    return sorted(chosen.values(), key=lambda r: r.secret_ref)
