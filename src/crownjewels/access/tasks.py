"""What waits for a person in access: grants to approve (the first approval is the secret
owner's, the second an admin's, legal's or security's), access review items to decide, and
(for a recipient) confidentiality notices to acknowledge before the first access."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access import notice, repository, rules
from crownjewels.access.models import Grant, ReviewCampaign, ReviewItem
from crownjewels.access.reviews.schemas import CampaignStatus
from crownjewels.access.rules import GrantStatus
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.permissions import Permission
from crownjewels.core.tasks import Task
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties

READER = fact_reader("access")


def _to_approve(session: Session, actor: Actor) -> list[Task]:
    if not actor.person_id or not actor.can(Permission.GRANTS_DECIDE):
        return []
    rows = list(session.scalars(select(Grant).where(Grant.status == GrantStatus.REQUESTED)))
    if not rows:
        return []
    done = repository.approvals(session, [r.id for r in rows])
    owned = set(inventory.owned_ids(session, person_id=actor.person_id))
    second = bool(actor.roles & rules.SECOND_APPROVERS)
    names = parties.person_names(session, {r.person_id for r in rows if r.person_id})
    out = []
    for row in rows:
        approvals = done[row.id]
        if row.requester_person_id == actor.person_id:
            continue
        if any(a.approver_person_id == actor.person_id for a in approvals):
            continue
        if (not approvals and row.secret_id in owned) or (approvals and second):
            secret = inventory.get(session, actor=READER, secret_ref=row.secret_id)
            who = names.get(row.person_id or "", "an organisation")
            out.append(
                Task(
                    kind="approve-grant",
                    group="Approvals",
                    title=f"Approve or deny {row.ref}: {secret.ref} {secret.name} for {who}",
                    href=f"/access/grants/{row.ref}",
                )
            )
    return out


def _review_items(session: Session, actor: Actor) -> list[Task]:
    if not actor.person_id:
        return []
    query = (
        select(ReviewCampaign)
        .join(ReviewItem, ReviewItem.campaign_id == ReviewCampaign.id)
        .where(
            ReviewItem.reviewer_person_id == actor.person_id,
            ReviewItem.decision.is_(None),
            ReviewCampaign.status == CampaignStatus.OPEN,
        )
    )
    campaigns: dict[str, tuple[ReviewCampaign, int]] = {}
    for campaign in session.scalars(query):
        seen = campaigns.get(campaign.id)
        campaigns[campaign.id] = (campaign, (seen[1] if seen else 0) + 1)
    return [
        Task(
            kind="access-review",
            group="Reviews",
            title=f"Decide {count} grant(s) in access review {c.ref} {c.name}",
            href=f"/access/reviews/{c.ref}",
            due_on=c.due_on,
        )
        for c, count in campaigns.values()
    ]


def _to_acknowledge(session: Session, actor: Actor) -> list[Task]:
    if not actor.person_id:
        return []
    live = (GrantStatus.APPROVED, GrantStatus.ACTIVE)
    query = select(Grant).where(Grant.person_id == actor.person_id, Grant.status.in_(live))
    out = []
    for row in session.scalars(query.order_by(Grant.ref)):
        secret = inventory.get(session, actor=READER, secret_ref=row.secret_id)
        if notice.acknowledged(
            session, person_id=actor.person_id, secret=secret, purposes=[row.purpose]
        ):
            continue
        out.append(
            Task(
                kind="acknowledge-notice",
                group="To acknowledge",
                title=f"Acknowledge the confidentiality notice of {secret.ref} {secret.name}",
                href=f"/portal/grants/{row.ref}",
            )
        )
    return out


def tasks_for(session: Session, *, actor: Actor) -> list[Task]:
    """Grants to approve, review items to decide, notices to acknowledge."""
    return (
        _to_approve(session, actor)
        + _review_items(session, actor)
        + _to_acknowledge(session, actor)
    )
