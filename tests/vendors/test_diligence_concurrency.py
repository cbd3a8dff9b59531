"""Two people changing one assessment at once: the second change is refused with a clear 409,
never mixed into the first (PostgreSQL, where writers do not queue as on SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.vendors.diligence import service
from crownjewels.vendors.diligence.errors import StaleAssessment
from crownjewels.vendors.diligence.schemas import AnswersSave, AssessmentSend
from tests.conftest import fresh_migrated_url
from tests.vendors.diligence_factories import import_builtin, make_contact, make_vendor


@pytest.mark.postgres
def test_a_stale_save_is_refused(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = fresh_migrated_url("postgresql", tmp_path, request)
    db = Database(url)
    admin = system_actor("test")
    with db.unit_of_work() as s:
        import_builtin(s, admin)
        vendor, _ = make_vendor(s, admin)
        make_contact(s, vendor)
        sent = service.send(s, actor=admin, data=AssessmentSend(vendor=vendor.ref))
    assert sent.link is not None
    with (
        pytest.raises(StaleAssessment, match="changed by someone else"),
        db.unit_of_work() as first,
    ):
        holder = service.link_actor(first, token=sent.link.token)
        # the first request has read the assessment (version 1) when the second one commits
        loaded = service.assessment_row(first, actor=holder, assessment_ref=sent.id)
        assert loaded.version == 1
        with db.unit_of_work() as second:
            other = service.link_actor(second, token=sent.link.token)
            service.save_answers(
                second,
                actor=other,
                assessment_ref=sent.id,
                data=AnswersSave(answers={"2.1": "no"}),
            )
        service.save_answers(
            first,
            actor=holder,
            assessment_ref=sent.id,
            data=AnswersSave(answers={"2.1": "yes"}),
        )
    with db.unit_of_work(write=False) as s:
        d = service.detail(s, actor=admin, assessment_ref=sent.id)
    assert next(q.answer for q in d.questions if q.id == "2.1").value == "no"  # type: ignore[union-attr]
    db.dispose()
