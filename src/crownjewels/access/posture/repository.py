"""The posture's one grant query: the live grants on a set of secrets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access.models import Grant
from crownjewels.access.rules import GrantStatus

#: grants under which someone holds a secret (or may again without a new request): a request
#: not yet approved holds nothing, an ended grant nothing any more
HELD = (GrantStatus.APPROVED, GrantStatus.ACTIVE, GrantStatus.SUSPENDED)


class Holding(NamedTuple):
    """A grant as the posture reads it."""

    secret_id: str
    person_id: str | None
    organisation_id: str | None
    expires_at: datetime


def holdings(session: Session, secret_ids: Iterable[str]) -> list[Holding]:
    """The held grants (`HELD`) on the secrets, plain columns, in one query. A group grant
    that was expanded names its organisation; its members' own grants name each person."""
    ids = sorted(set(secret_ids))
    if not ids:
        return []
    query = select(Grant.secret_id, Grant.person_id, Grant.organisation_id, Grant.expires_at).where(
        Grant.secret_id.in_(ids), Grant.status.in_([s.value for s in HELD])
    )
    return [Holding(*row) for row in session.execute(query.order_by(Grant.ref))]
