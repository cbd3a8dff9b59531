"""Several access review items kept at once: each through `decide` (an event each), all or
none, every item that cannot be kept named by its grant."""

from __future__ import annotations

import pytest

from crownjewels.access.errors import BatchRefused
from crownjewels.access.reviews import service as reviews
from crownjewels.access.reviews.schemas import Decision
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from tests.access.reviews.test_service import _setup


def test_items_are_kept_all_or_none(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        owner, grants = _setup(s, admin)
        campaign = reviews.start(s, actor=admin, name="Q4 review", due_on=clock.today())
        ids = {i.grant_ref: i.id for i in campaign.items}
        first, second = (ids[g.ref] for g in grants)
        reviews.decide(s, actor=owner, item_id=first, decision=Decision.CONFIRM)
    with pytest.raises(BatchRefused) as refused, db.unit_of_work() as s:
        reviews.keep_many(s, actor=owner, campaign_ref=campaign.ref, item_ids=[first, second])
    assert refused.value.items == [f"{grants[0].ref}: this item was already decided (confirm)"]
    with db.unit_of_work(write=False) as s:
        after = reviews.get(s, actor=admin, campaign_ref=campaign.ref)
    assert after.decided == 1  # the second item was not kept either
    with db.unit_of_work() as s:
        kept = reviews.keep_many(
            s, actor=owner, campaign_ref=campaign.ref, item_ids=[second], note="still needed"
        )
    assert [i.decision for i in kept] == ["confirm"] and kept[0].note == "still needed"
