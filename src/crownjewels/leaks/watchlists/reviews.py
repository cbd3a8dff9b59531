"""The review queue: items that scored at or above a watched secret's threshold, and legal's
judgement of each (WATCH_ITEM_REVIEWED). A relevant item raises a monitoring signal (kind
watchlist) and may hand the finding to the incident capability (leaks.escalation) or record the
secret disclosed in the register (inventory's status change, with its own custody event)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretStatus, StatusChange
from crownjewels.leaks import escalation
from crownjewels.leaks.errors import AlreadyReviewed, FeedNotFound
from crownjewels.leaks.models import Review
from crownjewels.leaks.schemas import ReviewStatus
from crownjewels.leaks.watchlists import repository
from crownjewels.leaks.watchlists.schemas import ReviewMark, ReviewRead
from crownjewels.leaks.watchlists.service import REVIEW
from crownjewels.monitoring import service as monitoring
from crownjewels.monitoring.schemas import Severity, Signal, SignalKind

#: what a reviewer reads when no incident capability receives findings
NO_CASE = (
    "no investigation could be opened: nothing here receives findings (the incident "
    "capability is not installed); open a case by hand"
)


def _reads(session: Session, rows: list[Review]) -> list[ReviewRead]:
    items = repository.items_and_feeds(session, {r.item_id for r in rows})
    secrets = {s.id: s for s in inventory.secrets_by_ids(session, {r.secret_id for r in rows})}
    out = []
    for r in rows:
        item, feed = items[r.item_id]
        secret = secrets[r.secret_id]
        out.append(
            ReviewRead(
                ref=r.ref,
                secret_ref=secret.ref,
                secret_name=secret.name,
                score=r.score,
                reason=r.reason,
                status=ReviewStatus(r.status),
                title=item.title,
                link=item.link,
                summary=item.summary,
                published_at=item.published_at,
                feed=feed.ref,
                feed_name=feed.name,
                reviewed_by=r.reviewed_by,
                reviewed_at=r.reviewed_at,
                note=r.note,
                outcome=r.outcome,
                created_at=r.created_at,
            )
        )
    return out


def list_reviews(
    session: Session,
    *,
    actor: Actor,
    status: ReviewStatus | None = ReviewStatus.PENDING,
    secret_ref: str | None = None,
    page: PageParams,
) -> tuple[list[ReviewRead], int]:
    """Queued items, newest first: pending ones by default, or of a status, or of a secret."""
    actor.require(Permission.LEAKS_READ, what="reading the watchlist review queue")
    secret_id = None
    if secret_ref:
        secret_id = inventory.get_plain(session, actor=actor, secret_ref=secret_ref).id
    query = repository.reviews_query(status=status.value if status else None, secret_id=secret_id)
    rows, total = paginate(session, query, page)
    return _reads(session, list(rows)), total


def _get(session: Session, ref: str) -> Review:
    row = repository.review_by_ref(session, ref)
    if row is None:
        raise FeedNotFound(
            f"there is no queued item {ref}; `crownjewels leaks reviews list` shows them"
        )
    return row


def get_review(session: Session, *, actor: Actor, review_ref: str) -> ReviewRead:
    """One queued item by reference (WR-0001)."""
    actor.require(Permission.LEAKS_READ, what="reading a queued item")
    return _reads(session, [_get(session, review_ref)])[0]


def mark_review(session: Session, *, actor: Actor, review_ref: str, data: ReviewMark) -> ReviewRead:
    """Legal marks an item relevant or not, with a note (WATCH_ITEM_REVIEWED). Relevant: a
    monitoring signal (its event id kept), then, as asked, an investigation handed over and the
    secret recorded disclosed (inventory's status change and custody event), all in this
    transaction: a refusal of any step leaves the item pending."""
    actor.require(Permission.LEAKS_REVIEW, what="reviewing a watchlist item")
    row = _get(session, review_ref)
    if row.status != ReviewStatus.PENDING.value:
        raise AlreadyReviewed(
            f"{row.ref} was marked {row.status} already"
            f"{f' on {row.reviewed_at:%Y-%m-%d}' if row.reviewed_at else ''}; it stays so"
        )
    if not data.relevant and (data.open_investigation or data.mark_disclosed):
        raise Invalid(
            "only a relevant item opens an investigation or marks its secret disclosed; mark "
            "it relevant, or leave those out",
            field="relevant",
        )
    read = _reads(session, [row])[0]
    now = clock.now()
    row.status = (ReviewStatus.RELEVANT if data.relevant else ReviewStatus.NOT_RELEVANT).value
    row.reviewed_by, row.reviewed_at, row.note = actor.ref, now, data.note
    outcomes: list[str] = []
    if data.relevant:
        row.event_id = _signal(session, actor, row, read)
        if data.open_investigation:
            outcomes.append(_escalate(session, actor, row, read, data.note))
        if data.mark_disclosed:
            change = StatusChange(
                status=SecretStatus.DISCLOSED,
                reason=f"{row.ref}: {read.title} ({read.link or read.feed_name}); {data.note}",
            )
            inventory.change_status(session, actor=actor, secret_ref=read.secret_ref, change=change)
            outcomes.append(f"{read.secret_ref} recorded disclosed")
    row.outcome = "; ".join(outcomes) or None
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.WATCH_ITEM_REVIEWED,
        subject_type=REVIEW,
        subject_id=row.id,
        details={
            "ref": row.ref,
            "secret": read.secret_ref,
            "status": row.status,
            "note": data.note,
            "outcome": row.outcome,
            "event_id": row.event_id,
        },
    )
    return _reads(session, [row])[0]


def _signal(session: Session, actor: Actor, row: Review, read: ReviewRead) -> int:
    signal = Signal(
        kind=SignalKind.WATCHLIST,
        secret_id=row.secret_id,
        summary=f"{read.feed_name} published an item legal judged relevant to "
        f"{read.secret_ref}: {read.title[:200]}",
        reference=row.ref,
        occurred_at=read.published_at or read.created_at,
        actor=f"feed {read.feed} {read.feed_name}",
        severity=Severity.HIGH,
        details={"link": read.link, "score": read.score, "reason": read.reason},
    )
    return monitoring.raise_signal(session, actor=actor, signal=signal)


def _escalate(session: Session, actor: Actor, row: Review, read: ReviewRead, note: str) -> str:
    finding = escalation.Finding(
        kind="watchlist",
        reference=row.ref,
        secret_ids=[row.secret_id],
        summary=f"{read.title} ({read.link or read.feed_name})",
        note=note,
        details={"score": read.score, "reason": read.reason, "feed": read.feed},
    )
    case = escalation.hand_over(session, actor, finding)
    return f"investigation {case} opened" if case else NO_CASE
