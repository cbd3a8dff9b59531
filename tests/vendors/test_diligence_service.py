"""Due-diligence services against a real database (SQLite, and PostgreSQL when configured):
templates, sending by link and to a vendor user, save-and-resume, submit, review answer by
answer with ask-again, remediation, the explained risk, reassessment, evidence in the vault."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers assessments as document owners
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden, Invalid, NotFound
from crownjewels.core.pagination import PageParams
from crownjewels.custody import service as custody
from crownjewels.inventory.schemas import Tier
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from crownjewels.vendors import certifications
from crownjewels.vendors.diligence import documents, loader, schedule, service
from crownjewels.vendors.diligence import review as reviewing
from crownjewels.vendors.diligence.errors import (
    AnswerErrors,
    AssessmentNotFound,
    BadAnswer,
    LinkGone,
    TemplateConflict,
    WrongState,
)
from crownjewels.vendors.diligence.loader import QuestionnaireError
from crownjewels.vendors.diligence.models import Assessment, AssessmentLink
from crownjewels.vendors.diligence.schemas import (
    AnswersSave,
    AssessmentFilter,
    AssessmentSend,
    AssessmentStatus,
    Channel,
    Decision,
    Level,
    RemediationCreate,
    RemediationStatus,
    RemediationUpdate,
    Review,
    ReviewSave,
)
from crownjewels.vendors.schemas import CertificationCreate, CertState
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person
from tests.pinned_clock import pin
from tests.vendors.diligence_factories import (
    full_answers,
    import_builtin,
    make_contact,
    make_vendor,
    make_vendor_user,
)

BUILT_IN = loader.BUILT_IN / "vendor-security.yaml"


@pytest.fixture
def world(session: Session, admin: Actor) -> dict[str, Any]:
    import_builtin(session, admin)
    vendor, org = make_vendor(session, admin, name="Lotus Process", countries=("IN",))
    contact = make_contact(session, vendor)
    secret = make_secret(session, admin, name="Glaze recipe", tier=Tier.HIGHLY_SENSITIVE)
    return {"vendor": vendor, "org": org, "contact": contact, "secret": secret}


def _send_link(session: Session, admin: Actor, world: dict[str, Any], **extra: Any) -> Any:
    return service.send(
        session,
        actor=admin,
        data=AssessmentSend(vendor=world["vendor"].ref, secrets=[world["secret"].ref], **extra),
    )


def _events(session: Session, subject_id: str) -> list[str]:
    rows = custody.history(session, subject_type="assessment", subject_id=subject_id)
    return [e.event_type for e in reversed(rows)]


# --- templates ---------------------------------------------------------------------------------


def test_import_is_idempotent_and_refuses_changed_content(
    session: Session, admin: Actor, tmp_path: Path
) -> None:
    first = service.import_file(session, actor=admin, path=BUILT_IN)
    assert (first.key, first.version, first.unchanged) == ("vendor-security", 2, False)
    again = service.import_file(session, actor=admin, path=BUILT_IN)
    assert again.unchanged and again.id == first.id
    changed = tmp_path / "changed.yaml"
    changed.write_text(BUILT_IN.read_text().replace("Is our data encrypted", "Is data encrypted"))
    with pytest.raises(TemplateConflict, match="raise `version`"):
        service.import_file(session, actor=admin, path=changed)
    bumped = tmp_path / "v2.yaml"
    bumped.write_text(changed.read_text().replace("version: 2", "version: 3", 1))
    assert service.import_file(session, actor=admin, path=bumped).version == 3
    listed = service.list_templates(session, actor=admin)
    assert [(t.key, t.version) for t in listed] == [("vendor-security", 2), ("vendor-security", 3)]


def test_a_yaml_error_names_the_file_and_line(
    session: Session, admin: Actor, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BUILT_IN.read_text().replace("type: yes_no", "type: yes-or-no", 1))
    with pytest.raises(QuestionnaireError) as caught:
        service.import_file(session, actor=admin, path=broken)
    assert f"{broken}:31:" in caught.value.message and "yes_no" in caught.value.message


# --- the one-time link flow --------------------------------------------------------------------


def test_link_save_resume_submit_review_complete(
    session: Session, admin: Actor, world: dict[str, Any]
) -> None:
    sent = _send_link(session, admin, world)
    assert sent.status is AssessmentStatus.SENT and sent.link is not None
    token = sent.link.path.removeprefix("/a/")
    stored = session.scalars(select(AssessmentLink)).one()
    assert token not in stored.token_sha256 and len(stored.token_sha256) == 64

    vendor = service.link_actor(session, token=token)
    half = dict(list(full_answers().items())[:9])
    saved = service.save_answers(
        session, actor=vendor, assessment_ref=sent.id, data=AnswersSave(answers=half)
    )
    assert saved.assessment.status is AssessmentStatus.IN_PROGRESS
    assert saved.risk is None  # the vendor does not see our risk view
    with pytest.raises(BadAnswer, match=r"still open: 5\.1"):
        service.submit(session, actor=vendor, assessment_ref=sent.id)

    # resume later: the draft is there
    resumed = service.detail(
        session, actor=service.link_actor(session, token=token), assessment_ref=sent.id
    )
    answered = {q.id: q.answer.value for q in resumed.questions if q.answer}
    assert answered["4.2"] == 400.0 and answered["1.1"] == ["ISO/IEC 27001"]
    service.save_answers(
        session, actor=vendor, assessment_ref=sent.id, data=AnswersSave(answers=full_answers())
    )
    submitted = service.submit(session, actor=vendor, assessment_ref=sent.id)
    assert submitted.status is AssessmentStatus.SUBMITTED
    with pytest.raises(LinkGone, match="works once"):
        service.link_actor(session, token=token)

    decisions = [Decision(question_id=q, decision=Review.ACCEPTED) for q in full_answers()]
    decisions[5] = Decision(question_id="3.2", decision=Review.REJECTED, note="MFA only for admins")
    reviewing.review(
        session, actor=admin, assessment_ref=sent.id, data=ReviewSave(decisions=decisions)
    )
    owner = make_person(session, admin, name="Rita Owner")
    reviewing.add_remediation(
        session,
        actor=admin,
        assessment_ref=sent.id,
        data=RemediationCreate(
            title="MFA", owner=owner.id, due_on=date(2027, 1, 15), question_id="3.2"
        ),
    )
    done = reviewing.complete(session, actor=admin, assessment_ref=sent.id)
    assert done.assessment.status is AssessmentStatus.COMPLETED
    assert done.risk is not None and done.risk.frozen
    inherent = [f.text for f in done.risk.inherent.factors]
    assert inherent[:2] == [
        "criticality high: +3",
        f"shares {world['secret'].ref} (highly sensitive): +4",
    ]
    assert "India: USTR Priority Watch List 2025: +2" in inherent
    assert done.risk.inherent.level is Level.CRITICAL  # 3 + 4 + 2 + 1 = 10
    residual = [f.text for f in done.risk.residual.factors]
    assert "MFA for all staff answer 3.2 rejected: no reduction (weight 3)" in residual
    assert "open remediation: MFA by 2027-01-15" in residual
    assert any(t.startswith("encryption at rest in place (answer 2.1 accepted") for t in residual)
    assert done.risk.residual.points < done.risk.inherent.points
    assert _events(session, sent.id) == [
        "ASSESSMENT_SENT",
        "ASSESSMENT_LINK_ISSUED",
        "ASSESSMENT_ANSWER_SAVED",
        "ASSESSMENT_ANSWER_SAVED",
        "ASSESSMENT_SUBMITTED",
        *["ASSESSMENT_ANSWER_REVIEWED"] * len(decisions),
        "REMEDIATION_ADDED",
        "ASSESSMENT_COMPLETED",
    ]


def test_an_expired_link_is_gone_and_a_new_one_works(
    session: Session, admin: Actor, world: dict[str, Any]
) -> None:
    sent = _send_link(session, admin, world, link_days=1)
    assert sent.link is not None
    token = sent.link.token
    later = clock.now() + timedelta(days=2)
    clock.set_clock(lambda: later)
    try:
        with pytest.raises(LinkGone, match="expired") as caught:
            service.link_actor(session, token=token)
        assert caught.value.status_code == 410
        fresh = service.issue_link(session, actor=admin, assessment_ref=sent.ref, days=3)
        assert service.link_actor(session, token=fresh.token).kind == "link"
    finally:
        pin()
    with pytest.raises(NotFound):
        service.link_actor(session, token="not-a-real-token")


def test_a_link_sees_only_its_own_assessment(
    session: Session, admin: Actor, world: dict[str, Any]
) -> None:
    one = _send_link(session, admin, world)
    two = _send_link(session, admin, world)
    assert one.link is not None
    holder = service.link_actor(session, token=one.link.token)
    with pytest.raises(AssessmentNotFound):
        service.detail(session, actor=holder, assessment_ref=two.id)
    with pytest.raises(Forbidden):
        reviewing.review(session, actor=holder, assessment_ref=one.id, data=ReviewSave())


def test_answers_are_checked_per_type(
    session: Session, admin: Actor, world: dict[str, Any]
) -> None:
    sent = _send_link(session, admin, world)
    assert sent.link is not None
    vendor = service.link_actor(session, token=sent.link.token)
    bad = {"2.1": "maybe", "4.2": "a year", "3.3": "Daily", "5.5": "01/02/2026", "99": "x"}
    with pytest.raises(AnswerErrors) as caught:
        service.save_answers(
            session, actor=vendor, assessment_ref=sent.id, data=AnswersSave(answers=bad)
        )
    errors = caught.value.errors
    assert errors["2.1"] == "question 2.1: answer yes or no"
    assert errors["4.2"] == "question 4.2: enter a number, e.g. 72"
    assert errors["3.3"].startswith("question 3.3: choose one of: Monthly")
    assert errors["5.5"] == "question 5.5: enter a date as YYYY-MM-DD"
    assert errors["99"] == "there is no question 99 in this questionnaire"
    assert _events(session, sent.id)[-1] == "ASSESSMENT_LINK_ISSUED"  # nothing was saved


# --- vendor users ------------------------------------------------------------------------------


def test_vendor_user_sees_only_its_organisation_and_ask_again_reopens(
    session: Session, admin: Actor, world: dict[str, Any]
) -> None:
    person, vendor_user = make_vendor_user(session, admin, world["org"])
    other, other_org = make_vendor(session, admin, name="Other Vendor", countries=("DE",))
    _, other_user = make_vendor_user(session, admin, other_org)
    sent = service.send(
        session,
        actor=admin,
        data=AssessmentSend(
            vendor=world["vendor"].ref, channel=Channel.ACCOUNT, recipient=person.email
        ),
    )
    assert sent.link is None and sent.recipient_person_id == person.id
    with pytest.raises(AssessmentNotFound):
        service.detail(session, actor=other_user, assessment_ref=sent.id)
    listed, total = service.list_assessments(
        session, actor=other_user, filters=AssessmentFilter(), page=PageParams()
    )
    assert (listed, total) == ([], 0)
    with pytest.raises(Invalid, match="does not work for this vendor"):
        service.send(
            session,
            actor=admin,
            data=AssessmentSend(vendor=other.ref, channel=Channel.ACCOUNT, recipient=person.email),
        )

    service.save_answers(
        session,
        actor=vendor_user,
        assessment_ref=sent.ref,
        data=AnswersSave(answers=full_answers()),
    )
    service.submit(session, actor=vendor_user, assessment_ref=sent.ref)
    with pytest.raises(WrongState):
        service.save_answers(
            session,
            actor=vendor_user,
            assessment_ref=sent.ref,
            data=AnswersSave(answers={"2.1": "no"}),
        )
    decisions = [Decision(question_id=q, decision=Review.ACCEPTED) for q in full_answers()]
    decisions[0] = Decision(question_id="1.1", decision=Review.ASK_AGAIN, note="Which scope?")
    with pytest.raises(WrongState, match=r"1\.1 was asked again"):
        reviewing.review(
            session, actor=admin, assessment_ref=sent.id, data=ReviewSave(decisions=decisions)
        )
        reviewing.complete(session, actor=admin, assessment_ref=sent.id)
    returned = reviewing.review(
        session, actor=admin, assessment_ref=sent.id, data=ReviewSave(return_to_vendor=True)
    )
    assert returned.assessment.status is AssessmentStatus.RETURNED
    assert returned.assessment.round == 2
    assert _events(session, sent.id)[-1] == "ASSESSMENT_RETURNED"
    editable = {q.id for q in returned.questions if q.editable}
    assert "1.1" in editable and "2.1" not in editable
    with pytest.raises(AnswerErrors, match="accepted in review"):
        service.save_answers(
            session,
            actor=vendor_user,
            assessment_ref=sent.ref,
            data=AnswersSave(answers={"2.1": "no"}),
        )
    service.save_answers(
        session,
        actor=vendor_user,
        assessment_ref=sent.ref,
        data=AnswersSave(answers={"1.1": ["ISO/IEC 27001", "SOC 2 Type II"]}),
    )
    service.submit(session, actor=vendor_user, assessment_ref=sent.ref)
    reviewing.review(
        session,
        actor=admin,
        assessment_ref=sent.id,
        data=ReviewSave(decisions=[Decision(question_id="1.1", decision=Review.ACCEPTED)]),
    )
    assert (
        reviewing.complete(session, actor=admin, assessment_ref=sent.id).assessment.status
        == "completed"
    )


# --- remediation, reassessment, evidence -------------------------------------------------------


def test_remediation_done(session: Session, admin: Actor, world: dict[str, Any]) -> None:
    sent = _send_link(session, admin, world)
    owner = make_person(session, admin)
    item = reviewing.add_remediation(
        session,
        actor=admin,
        assessment_ref=sent.id,
        data=RemediationCreate(title="Encrypt backups", owner=owner.email, due_on=date(2027, 3, 1)),
    )
    assert item.status is RemediationStatus.OPEN and item.owner_name == owner.full_name
    risk = service.risk(session, actor=admin, assessment_ref=sent.id)
    assert "open remediation: Encrypt backups by 2027-03-01" in [
        f.text for f in risk.residual.factors
    ]
    done = reviewing.update_remediation(
        session,
        actor=admin,
        assessment_ref=sent.id,
        item_id=item.id,
        data=RemediationUpdate(status=RemediationStatus.DONE),
    )
    assert done.status is RemediationStatus.DONE and done.done_on == clock.today()
    risk = service.risk(session, actor=admin, assessment_ref=sent.id)
    assert not any("Encrypt backups" in f.text for f in risk.residual.factors)


def _complete(session: Session, admin: Actor, world: dict[str, Any]) -> str:
    sent = _send_link(session, admin, world)
    assert sent.link is not None
    vendor = service.link_actor(session, token=sent.link.token)
    service.save_answers(
        session, actor=vendor, assessment_ref=sent.id, data=AnswersSave(answers=full_answers())
    )
    service.submit(session, actor=vendor, assessment_ref=sent.id)
    decisions = [Decision(question_id=q, decision=Review.ACCEPTED) for q in full_answers()]
    reviewing.review(
        session, actor=admin, assessment_ref=sent.id, data=ReviewSave(decisions=decisions)
    )
    reviewing.complete(session, actor=admin, assessment_ref=sent.id)
    return sent.id


def test_an_expired_certification_lowers_the_standing_and_says_why(
    session: Session, admin: Actor, world: dict[str, Any]
) -> None:
    """Once an expired certificate had no effect on the due-diligence standing the access rules
    read; now it lowers it, naming the certificate and the fix, until it is removed or renewed."""
    vendor, today = world["vendor"], clock.today()
    _complete(session, admin, world)
    ok, why = service.standing(session, vendor_id=vendor.id, on=today)
    assert ok and "current until" in why
    valid = certifications.add_certification(
        session, actor=admin, vendor_ref=vendor.ref,
        data=CertificationCreate(standard="tisax", issuer="ENX",  # type: ignore[arg-type]
                                 expires_on=today + timedelta(days=400)),
    )  # fmt: skip
    assert valid.state == CertState.VALID
    assert service.standing(session, vendor_id=vendor.id, on=today)[0]
    lapsed = certifications.add_certification(
        session, actor=admin, vendor_ref=vendor.ref,
        data=CertificationCreate(standard="iso-27001", issuer="BSI",  # type: ignore[arg-type]
                                 expires_on=today - timedelta(days=1)),
    )  # fmt: skip
    ok, why = service.standing(session, vendor_id=vendor.id, on=today)
    assert not ok
    assert why.startswith("due diligence DD-") and why.endswith(
        f" of vendor {vendor.ref} is lowered: ISO/IEC 27001 from BSI expired "
        f"on {today - timedelta(days=1)}: record the renewed certificate, or remove it and "
        "reassess the vendor"
    )
    # on its last day it still counts (the badge's rule: expired after its date)
    assert service.standing(session, vendor_id=vendor.id, on=today - timedelta(days=1))[0]
    certifications.remove_certification(
        session, actor=admin, vendor_ref=vendor.ref, certification_id=lapsed.id
    )
    assert service.standing(session, vendor_id=vendor.id, on=today)[0]


def test_a_critical_residual_risk_fails_the_standing(
    session: Session, admin: Actor, world: dict[str, Any]
) -> None:
    """The standing reads the residual level of the last completed assessment (in the
    database, not the whole frozen explanation): critical fails it."""
    vendor, today = world["vendor"], clock.today()
    row = session.get_one(Assessment, _complete(session, admin, world))
    assert row.risk is not None
    assert service.standing(session, vendor_id=vendor.id, on=today)[0]
    row.risk = {**row.risk, "residual": {**row.risk["residual"], "level": "critical"}}
    ok, why = service.standing(session, vendor_id=vendor.id, on=today)
    assert not ok
    assert why == f"due diligence {row.ref} of vendor {vendor.ref} left a critical residual risk"


def test_reassessment_is_flagged_once_after_the_cadence(
    session: Session, admin: Actor, world: dict[str, Any]
) -> None:
    assert service.latest_risk(session, actor=admin, vendor_ref=world["vendor"].ref) is None
    _complete(session, admin, world)
    latest = service.latest_risk(session, actor=admin, vendor_ref=world["vendor"].ref)
    assert latest is not None and latest.frozen
    assert schedule.flag_reassessments(session, actor=admin) == []
    later = clock.now() + timedelta(days=370)
    clock.set_clock(lambda: later)
    try:
        assert schedule.flag_reassessments(session, actor=admin) == [world["vendor"].ref]
        assert schedule.flag_reassessments(session, actor=admin) == []
        due = schedule.reassessments_due(session, actor=admin)
        assert [(d.vendor_ref, d.vendor_name) for d in due] == [
            (world["vendor"].ref, "Lotus Process")
        ]
        _send_link(session, admin, world)  # sent again: no longer listed as due
        assert schedule.reassessments_due(session, actor=admin) == []
    finally:
        pin()
    events = custody.history(session, subject_type="vendor", subject_id=world["vendor"].id)
    assert [e.event_type for e in events] == ["REASSESSMENT_DUE"]


def test_file_evidence_is_stored_in_the_vault(
    session: Session, admin: Actor, world: dict[str, Any], tmp_path: Path
) -> None:
    vault = Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(b"k" * 32, source="test")),
        segment_size=4096,
        max_upload=1 << 20,
    )
    sent = _send_link(session, admin, world)
    assert sent.link is not None
    vendor = service.link_actor(session, token=sent.link.token)
    out = documents.attach_evidence(
        session,
        actor=vendor,
        vault_=vault,
        assessment_ref=sent.id,
        question_id="1.2",
        upload=io.BytesIO(b"ISO 27001 certificate no. 1234"),
        filename="iso27001.txt",
    )
    answer = next(q.answer for q in out.questions if q.id == "1.2")
    assert answer is not None and answer.document_id and answer.value == "iso27001.txt"
    blobs = [f for f in (tmp_path / "blobs").rglob("*") if f.is_file()]
    assert blobs and all(b"certificate" not in f.read_bytes() for f in blobs)
    with pytest.raises(BadAnswer, match="does not take a file"):
        service.set_evidence(
            session, actor=vendor, assessment_ref=sent.id, question_id="2.1", document_id="x"
        )
