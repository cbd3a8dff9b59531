"""What waits for a person in the register: reviews of the secrets they own that are due."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.tasks import Task
from crownjewels.inventory.models import TradeSecret


def tasks_for(session: Session, *, actor: Actor) -> list[Task]:
    """The actor's own active secrets whose review is due today or overdue."""
    if not actor.person_id:
        return []
    query = select(TradeSecret).where(
        TradeSecret.owner_id == actor.person_id,
        TradeSecret.status == "active",
        TradeSecret.next_review_on <= clock.today(),
    )
    return [
        Task(
            kind="review-secret",
            group="Reviews",
            title=f"Review {s.ref} {s.name}",
            href=f"/secrets/{s.ref}",
            due_on=s.next_review_on,
        )
        for s in session.scalars(query.order_by(TradeSecret.next_review_on, TradeSecret.ref))
    ]
