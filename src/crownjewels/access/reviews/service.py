"""Access reviews: a campaign puts every approved or active person grant in front of its
secret's owner, flagging the grants not used for `access_unused_days`; the owner confirms
(the grant stays) or revokes (the grant is revoked) with a note; overdue items are listed and
the results export as CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from crownjewels.access import service
from crownjewels.access.errors import BatchRefused, GrantConflict, InvalidGrant
from crownjewels.access.models import Grant, ReviewCampaign, ReviewItem
from crownjewels.access.reviews import repository
from crownjewels.access.reviews.schemas import CampaignRead, CampaignStatus, Decision, ItemRead
from crownjewels.access.rules import GrantStatus
from crownjewels.core import clock, exports
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import CrownJewelsError, Forbidden, NotFound
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties

SUBJECT = "access-review"
READER = fact_reader("access")


class ReviewNotFound(NotFound):
    """No such campaign or item."""


def unused(grant: Grant, now: datetime, days: int) -> bool:
    """Not used within `days` (or never used though it started longer ago than that)."""
    cutoff = now - timedelta(days=days)
    if grant.last_used_at is None:
        return grant.starts_at < cutoff
    return grant.last_used_at < cutoff


def _campaign(session: Session, ref: str) -> ReviewCampaign:
    row = repository.campaign(session, ref)
    if row is None:
        raise ReviewNotFound(f"no access review {ref!r}; `crownjewels access review list`")
    return row


def _record(
    session: Session, actor: Actor, event: EventType, row: ReviewCampaign, **d: object
) -> None:
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, **d},
    )


def start(
    session: Session, *, actor: Actor, name: str, due_on: date, unused_days: int = 90
) -> CampaignRead:
    """Open a campaign: one item per approved or active person grant, reviewed by the owner
    of its secret (ACCESS_REVIEW_STARTED)."""
    actor.require(Permission.GRANTS_MANAGE)
    if len(name.strip()) < 3:
        raise InvalidGrant("name the review (at least 3 characters)", field="name")
    now = clock.now()
    if due_on < now.date():
        raise InvalidGrant(f"the due date {due_on} is in the past", field="due_on")
    row = ReviewCampaign(
        ref=next_ref(session, ReviewCampaign.ref, "AR-", 4),
        name=name.strip(),
        scope="secret-owner",
        due_on=due_on,
        status=CampaignStatus.OPEN,
        started_by=actor.ref,
    )
    session.add(row)
    session.flush()
    grants = repository.reviewable_grants(session)
    owners: dict[str, str] = {}
    count = 0
    for grant in grants:
        if grant.secret_id not in owners:
            owners[grant.secret_id] = inventory.get(
                session, actor=READER, secret_ref=grant.secret_id
            ).owner_id
        session.add(
            ReviewItem(
                campaign_id=row.id,
                grant_id=grant.id,
                reviewer_person_id=owners[grant.secret_id],
                flagged_unused=unused(grant, now, unused_days),
            )
        )
        count += 1
    session.flush()
    _record(
        session,
        actor,
        EventType.ACCESS_REVIEW_STARTED,
        row,
        name=row.name,
        due_on=due_on.isoformat(),
        items=count,
    )
    return read(session, row)


def _items(session: Session, campaign_id: str) -> list[ItemRead]:
    rows = repository.items_with_grants(session, campaign_id)
    ids = {g.person_id for _, g in rows if g.person_id} | {
        i.reviewer_person_id for i, _ in rows if i.reviewer_person_id
    }
    names = parties.person_names(session, ids)
    refs: dict[str, str] = {}
    out = []
    for item, grant in rows:
        if grant.secret_id not in refs:
            refs[grant.secret_id] = inventory.get(
                session, actor=READER, secret_ref=grant.secret_id
            ).ref
        read_ = ItemRead.model_validate(item)
        read_.grant_ref, read_.level, read_.last_used_at = (
            grant.ref,
            grant.level,
            grant.last_used_at,
        )
        read_.person_name = names.get(grant.person_id or "")
        read_.reviewer_name = names.get(item.reviewer_person_id or "")
        read_.secret_ref = refs[grant.secret_id]
        out.append(read_)
    return out


def read(session: Session, row: ReviewCampaign, *, items: bool = True) -> CampaignRead:
    """A campaign with its counts (and items)."""
    out = CampaignRead.model_validate(row)
    all_items = _items(session, row.id)
    out.total = len(all_items)
    out.decided = sum(1 for i in all_items if i.decision)
    out.items = all_items if items else []
    return out


def _may_see(actor: Actor) -> None:
    if not (actor.can(Permission.GRANTS_READ) or actor.can(Permission.GRANTS_DECIDE)):
        raise Forbidden("access reviews need grants:read or grants:decide")


def _mine(actor: Actor, out: CampaignRead) -> CampaignRead:
    """A reviewer without grants:read sees only their own items."""
    if actor.can(Permission.GRANTS_READ) or actor.kind == "system":
        return out
    out.items = [i for i in out.items if i.reviewer_person_id == actor.person_id]
    return out


def list_campaigns(session: Session, *, actor: Actor) -> list[CampaignRead]:
    """Every campaign, newest first, with counts."""
    _may_see(actor)
    return [read(session, r, items=False) for r in repository.campaigns(session)]


def get(session: Session, *, actor: Actor, campaign_ref: str) -> CampaignRead:
    """One campaign with its items (a reviewer sees their own)."""
    _may_see(actor)
    return _mine(actor, read(session, _campaign(session, campaign_ref)))


def decide(
    session: Session,
    *,
    actor: Actor,
    item_id: str,
    decision: Decision,
    note: str | None = None,
) -> ItemRead:
    """The reviewer's decision on one item (ACCESS_REVIEW_DECIDED); revoke revokes the grant."""
    actor.require(Permission.GRANTS_DECIDE)
    item = repository.item(session, item_id)
    if item is None:
        raise ReviewNotFound(f"no review item {item_id!r}; `crownjewels access review show`")
    campaign = session.get_one(ReviewCampaign, item.campaign_id)
    if campaign.status != CampaignStatus.OPEN:
        raise GrantConflict(f"{campaign.ref} is closed; its items can no longer be decided")
    if actor.kind != "system" and actor.person_id != item.reviewer_person_id:
        raise Forbidden("only the item's reviewer (the secret's owner) decides it")
    if item.decision:
        raise GrantConflict(f"this item was already decided ({item.decision})")
    if decision == Decision.REVOKE and not (note and len(note.strip()) >= 3):
        raise InvalidGrant("say why the grant is revoked", field="note")
    grant = session.get_one(Grant, item.grant_id)
    if decision == Decision.REVOKE and grant.status in (
        GrantStatus.APPROVED,
        GrantStatus.ACTIVE,
        GrantStatus.SUSPENDED,
    ):
        service.change_status(
            session,
            actor=actor,
            grant_ref=grant.id,
            status=GrantStatus.REVOKED,
            reason=f"access review {campaign.ref}: {(note or '').strip()}",
        )
    item.decision, item.note = decision.value, (note or "").strip() or None
    item.decided_by, item.decided_at = actor.ref, clock.now()
    session.flush()
    _record(
        session,
        actor,
        EventType.ACCESS_REVIEW_DECIDED,
        campaign,
        item_id=item.id,
        grant=grant.ref,
        decision=decision.value,
        note=item.note,
    )
    return next(i for i in _items(session, campaign.id) if i.id == item.id)


def close(session: Session, *, actor: Actor, campaign_ref: str) -> CampaignRead:
    """Close a campaign (ACCESS_REVIEW_CLOSED); undecided items stay undecided, on record."""
    actor.require(Permission.GRANTS_MANAGE)
    row = _campaign(session, campaign_ref)
    if row.status == CampaignStatus.CLOSED:
        raise GrantConflict(f"{row.ref} is already closed")
    out = read(session, row, items=False)
    row.status, row.closed_at = CampaignStatus.CLOSED, clock.now()
    session.flush()
    _record(
        session,
        actor,
        EventType.ACCESS_REVIEW_CLOSED,
        row,
        decided=out.decided,
        undecided=out.total - out.decided,
    )
    return read(session, row)


def overdue(session: Session, *, actor: Actor, on: date | None = None) -> list[ItemRead]:
    """Undecided items of open campaigns past their due date (a reviewer: their own)."""
    _may_see(actor)
    on = on or clock.now().date()
    out: list[ItemRead] = []
    for row in repository.overdue_campaigns(session, on=on):
        out += [i for i in _mine(actor, read(session, row)).items if not i.decision]
    return out


CSV_FIELDS = (
    "grant_ref",
    "person_name",
    "secret_ref",
    "level",
    "last_used_at",
    "flagged_unused",
    "reviewer_name",
    "decision",
    "note",
    "decided_by",
    "decided_at",
)


def export_csv(session: Session, *, actor: Actor, campaign_ref: str) -> str:
    """The campaign's results as CSV, one row per item."""
    campaign = get(session, actor=actor, campaign_ref=campaign_ref)
    return exports.dicts_to_csv(
        CSV_FIELDS, (item.model_dump(mode="json") for item in campaign.items)
    )


def keep_many(
    session: Session,
    *,
    actor: Actor,
    campaign_ref: str,
    item_ids: list[str],
    note: str | None = None,
) -> list[ItemRead]:
    """Confirm (keep) several items of one campaign at once, each through `decide` (its checks,
    its event); all or none: BatchRefused names every item that could not be kept."""
    campaign = _campaign(session, campaign_ref)
    wanted = list(dict.fromkeys(i for i in item_ids if i))
    if not wanted:
        raise InvalidGrant("tick the items to keep, then keep them", field="item")
    refs = {i.id: i.grant_ref for i in _items(session, campaign.id)}
    done: list[ItemRead] = []
    refused: list[str] = []
    for item_id in wanted:
        try:
            if item_id not in refs:
                raise ReviewNotFound(f"it is not an item of {campaign.ref}")
            done.append(
                decide(session, actor=actor, item_id=item_id, decision=Decision.CONFIRM, note=note)
            )
        except CrownJewelsError as exc:
            refused.append(f"{refs.get(item_id, item_id)}: {exc.message}")
    if refused:
        raise BatchRefused(refused, total=len(wanted))
    return done
