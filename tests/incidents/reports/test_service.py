"""The report channel against the real database: a report received with only the hashes of its
code and password, its follow-up opened by code and password (the same answer for a wrong one
of either), the lockout, messages both ways, the deadlines on a pinned clock, routing away from
the people it names, who sees reports (case handlers, not administrators), the files in the
vault, the notifications and the case a report opens."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - custody labels, vault owners, the adverse checker
from crownjewels.core import clock
from crownjewels.core.errors import Conflict, Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.incidents.models import Incident, Protected, Report
from crownjewels.incidents.reports import intake, rules, service
from crownjewels.incidents.reports.attachments import Upload
from crownjewels.incidents.reports.errors import ReportConflict, ReportNotFound
from crownjewels.incidents.reports.schemas import (
    Acknowledge,
    Assign,
    CaseFromReport,
    Protect,
    Reply,
    ReportStatus,
    StatusChange,
)
from crownjewels.incidents.schemas import IncidentKind
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from tests.incidents.reports.world import SECRET, send, staff
from tests.pinned_clock import pin


def events(session: Session, event_type: str) -> list[CustodyEvent]:
    custody.flush(session)  # the events are buffered until the commit
    query = select(CustodyEvent).where(CustodyEvent.event_type == event_type)
    return list(session.scalars(query.order_by(CustodyEvent.seq)))


def mail(session: Session) -> list[MailMessage]:
    return list(session.scalars(select(MailMessage).order_by(MailMessage.created_at)))


def report_row(session: Session, ref: str) -> Report:
    found = session.scalar(select(Report).where(Report.ref == ref))
    assert found is not None
    return found


class Clock:
    """The application clock at a moment the test moves."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        clock.set_clock(lambda: self.at)

    def go(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    """A vault over a temp folder that takes files of up to 1 MiB."""
    return Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(os.urandom(32), source="test")),
        segment_size=4096,
        max_upload=1 << 20,
    )


@pytest.fixture
def moment() -> Iterator[Clock]:
    pinned = Clock(datetime(2026, 1, 10, 9, 30, tzinfo=UTC))
    yield pinned
    pin()


def test_a_report_keeps_what_was_written_and_only_hashes_of_code_and_password(
    session: Session,
) -> None:
    received = send(session, reporter_kind="former-staff")
    assert received.ref == "RP-0001" and received.attachments == 0
    groups = received.code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    row = report_row(session, received.ref)
    assert row.code_hash == hashlib.sha256("".join(groups).encode()).hexdigest()
    assert received.code not in row.code_hash and "".join(groups) not in json.dumps(
        [row.code_hash, row.password_hash]
    )
    assert row.password_hash.startswith("$argon2") and SECRET not in row.password_hash
    assert row.reporter_name is None and row.status == "received"
    assert row.reporter_kind == "former-staff"
    [event] = events(session, "REPORT_RECEIVED")
    assert event.actor == "system:report-channel" and event.subject_type == "report"
    assert json.loads(event.details) == {"ref": "RP-0001", "attachments": 0}
    assert received.acknowledgement_due - received.received_at == timedelta(days=7)


def test_a_weak_password_or_a_blank_report_is_refused_in_words(session: Session) -> None:
    with pytest.raises(Invalid, match="at least 12 characters"):
        send(session, password="short")
    with pytest.raises(ValidationError):
        send(session, body="")
    assert session.scalar(select(Report.id)) is None


def test_follow_up_opens_with_code_and_password_however_the_code_is_typed(
    session: Session,
) -> None:
    received = send(session)
    ok = intake.follow_up(session, code=received.code, password=SECRET)
    assert ok.report_id == report_row(session, received.ref).id
    typed = received.code.lower().replace("-", " ").replace("0", "o")
    assert intake.follow_up(session, code=typed, password=SECRET).report_id == ok.report_id


def test_a_wrong_code_and_a_wrong_password_get_the_same_answer(session: Session) -> None:
    received = send(session)
    wrong_password = intake.follow_up(session, code=received.code, password="not-the-one-1")
    wrong_code = intake.follow_up(session, code=rules.new_code(), password=SECRET)
    empty = intake.follow_up(session, code="", password="")
    assert wrong_password == wrong_code == empty
    assert wrong_code.report_id is None and wrong_code.message == intake.REFUSED


def test_five_wrong_passwords_lock_the_report_for_fifteen_minutes(
    session: Session, moment: Clock
) -> None:
    received = send(session)
    for _ in range(intake.MAX_FAILURES):
        assert (
            intake.follow_up(session, code=received.code, password="guess-guess-1").report_id
            is None
        )
    locked = intake.follow_up(session, code=received.code, password=SECRET)
    assert locked.report_id is None and locked.message == intake.REFUSED  # the same answer
    [event] = events(session, "REPORT_FOLLOW_UP_LOCKED")
    assert json.loads(event.details)["ref"] == received.ref
    moment.go(minutes=16)
    assert intake.follow_up(session, code=received.code, password=SECRET).report_id is not None
    assert report_row(session, received.ref).failures == 0


def test_messages_go_both_ways_and_nothing_is_sent_to_the_reporter(session: Session) -> None:
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    received = send(session, reporter_name="Sam Reporter", reporter_contact="sam@outside.example")
    row = report_row(session, received.ref)
    service.reply(
        session, actor=hana.actor, ref=received.ref, data=Reply(body="Thank you; which binder?")
    )
    intake.reporter_message(session, report_id=row.id, body="The blue one, on shelf 3.")
    seen = intake.reporter_view(session, report_id=row.id)
    assert [(m.from_reporter, m.author, m.body) for m in seen.messages] == [
        (False, None, "Thank you; which binder?"),
        (True, None, "The blue one, on shelf 3."),
    ]
    read = service.get(session, actor=hana.actor, ref=received.ref)
    assert [m.author for m in read.messages] == ["Hana Kovac", None]
    assert (
        read.waiting_for_reply and read.deadlines.acknowledged_at is not None
    )  # a reply acknowledges
    assert [json.loads(e.details)["by"] for e in events(session, "REPORT_MESSAGE_ADDED")] == [
        "handler",
        "reporter",
    ]
    sent = mail(session)
    assert {m.recipient_email for m in sent} == {hana.email}
    assert all(m.recipient_email != "sam@outside.example" for m in sent)
    assert all("binder" not in m.body and "shelf" not in m.body for m in sent)  # no content
    with pytest.raises(Invalid):
        intake.reporter_message(session, report_id=row.id, body="   ")


def test_the_deadlines_follow_the_pinned_clock_and_a_late_acknowledgement(
    session: Session, moment: Clock
) -> None:
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    received = send(session)
    first = service.get(session, actor=hana.actor, ref=received.ref).deadlines
    assert first.acknowledgement_due == datetime(2026, 1, 17, 9, 30, tzinfo=UTC)
    assert first.feedback_due == datetime(2026, 4, 17, 9, 30, tzinfo=UTC)
    assert not first.acknowledgement_overdue
    moment.go(days=10)  # 20 January: the seven days are over
    [listed] = service.list_reports(session, actor=hana.actor, open_only=True)
    assert listed.overdue and listed.deadlines.acknowledgement_overdue
    done = service.acknowledge(session, actor=hana.actor, ref=received.ref, data=Acknowledge())
    assert done.status == ReportStatus.ACKNOWLEDGED
    assert done.deadlines.acknowledged_late and not done.deadlines.acknowledgement_overdue
    # three months from the acknowledgement: later than from the end of the seven days
    assert done.deadlines.feedback_due == datetime(2026, 4, 20, 9, 30, tzinfo=UTC)
    assert "2026-04-20" in done.messages[0].body  # the standard acknowledgement says it
    with pytest.raises(ReportConflict):
        service.acknowledge(session, actor=hana.actor, ref=received.ref, data=Acknowledge())
    moment.go(days=95)
    assert service.get(session, actor=hana.actor, ref=received.ref).deadlines.feedback_overdue
    answered = service.reply(
        session, actor=hana.actor, ref=received.ref, data=Reply(body="We acted.", feedback=True)
    )
    assert answered.status == ReportStatus.IN_PROGRESS and not answered.overdue


def test_a_report_is_routed_away_from_the_people_it_names(session: Session) -> None:
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    ivo = staff(session, "Ivo Petrov", Role.CASE_HANDLER)
    uma = staff(session, "Uma Singh", Role.CASE_HANDLER)
    named = send(session, involved="Mr. Ivo Petrov (night shift), and someone else")
    avoided = send(session, subject="Second report", avoid=[uma.person.id])
    assert [r.ref for r in service.list_reports(session, actor=hana.actor)] == [
        avoided.ref,
        named.ref,
    ]
    assert [r.ref for r in service.list_reports(session, actor=ivo.actor)] == [avoided.ref]
    assert [r.ref for r in service.list_reports(session, actor=uma.actor)] == [named.ref]
    with pytest.raises(ReportNotFound):
        service.get(session, actor=ivo.actor, ref=named.ref)
    with pytest.raises(ReportNotFound):
        service.reply(session, actor=ivo.actor, ref=named.ref, data=Reply(body="hello"))
    with pytest.raises(Invalid, match="names Ivo Petrov"):
        service.assign(session, actor=hana.actor, ref=named.ref, data=Assign(handler=ivo.email))
    assigned = service.assign(
        session, actor=hana.actor, ref=named.ref, data=Assign(handler=uma.email)
    )
    assert assigned.handler == "Uma Singh" and assigned.involved_people == ["Ivo Petrov"]
    new_report_mail = [m for m in mail(session) if m.subject.startswith("New report")]
    told = {(m.recipient_email, m.subject[11:18]) for m in new_report_mail}
    assert (ivo.email, named.ref) not in told and (hana.email, named.ref) in told
    assert (uma.email, avoided.ref) not in told and (ivo.email, avoided.ref) in told
    with pytest.raises(Invalid, match="choose the case handlers"):
        send(session, avoid=[hana.actor.id])  # a user id is not a handler's person


def test_when_every_handler_is_named_the_admins_are_told_without_details(
    session: Session,
) -> None:
    ivo = staff(session, "Ivo Petrov", Role.CASE_HANDLER)
    boss = staff(session, "Ada Admin", Role.ADMIN)
    received = send(session, involved=ivo.email)
    [message] = mail(session)
    assert message.recipient_email == boss.email and message.kind == "report-unrouted"
    assert received.ref not in message.body and "binder" not in message.body
    assert "case-handler" in message.body


def test_administrators_do_not_see_reports_case_handlers_do(session: Session) -> None:
    boss = staff(session, "Ada Admin", Role.ADMIN)
    security = staff(session, "Sol Security", Role.SECURITY)
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    received = send(session)
    for outsider in (boss, security):
        with pytest.raises(Forbidden, match="reports:handle"):
            service.list_reports(session, actor=outsider.actor)
        with pytest.raises(Forbidden):
            service.get(session, actor=outsider.actor, ref=received.ref)
    assert service.get(session, actor=hana.actor, ref=received.ref).subject == (
        "Recipe binder taken home"
    )


def test_a_named_reporter_is_protected_and_the_custody_log_does_not_say_by_which_report(
    session: Session,
) -> None:
    dana = staff(session, "Dana Whitfield")
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    received = send(session, reporter_name="D. W.", reporter_contact=dana.email.upper())
    protection = session.get(Protected, dana.person.id)
    assert protection is not None and protection.report_id == report_row(session, received.ref).id
    [event] = events(session, "REPORTER_PROTECTED")
    assert (event.subject_type, event.subject_id) == ("person", dana.person.id)
    assert received.ref not in event.details
    assert service.get(session, actor=hana.actor, ref=received.ref).protected == "Dana Whitfield"
    anonymous = send(session, subject="Anonymous one")
    with pytest.raises(ReportConflict, match="protected already"):
        service.protect(
            session, actor=hana.actor, ref=received.ref, data=Protect(person=dana.email)
        )
    assert service.get(session, actor=hana.actor, ref=anonymous.ref).protected is None


def test_close_with_a_note_the_reporter_reads_and_reopen(session: Session) -> None:
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    received = send(session)
    with pytest.raises(ReportConflict, match="acknowledge"):
        service.change_status(
            session, actor=hana.actor, ref=received.ref, data=StatusChange(status="in-progress")
        )
    with pytest.raises(Invalid, match="what was done"):
        service.change_status(
            session, actor=hana.actor, ref=received.ref, data=StatusChange(status="closed")
        )
    closed = service.change_status(
        session,
        actor=hana.actor,
        ref=received.ref,
        data=StatusChange(status="closed", note="The binder is back; we retrained the team."),
    )
    assert closed.status == ReportStatus.CLOSED and closed.deadlines.feedback_at is not None
    view = intake.reporter_view(session, report_id=report_row(session, received.ref).id)
    assert view.messages[-1].body.startswith("The binder is back")
    with pytest.raises(ReportConflict, match="closed"):
        service.reply(session, actor=hana.actor, ref=received.ref, data=Reply(body="more"))
    reopened = service.change_status(
        session, actor=hana.actor, ref=received.ref, data=StatusChange(status="in-progress")
    )
    assert reopened.status == ReportStatus.IN_PROGRESS and reopened.closed_at is None
    moves = [json.loads(e.details) for e in events(session, "REPORT_STATUS_CHANGED")]
    assert [(m["from"], m["to"]) for m in moves] == [
        ("received", "closed"),
        ("closed", "in-progress"),
    ]


def test_a_report_opens_a_case_without_the_reporter_unless_the_handler_says_so(
    session: Session,
) -> None:
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER, Role.SECURITY)
    plain = staff(session, "Pia Plain", Role.CASE_HANDLER)
    received = send(session, reporter_name="Sam Reporter", reporter_contact="sam@outside.example")
    data = CaseFromReport(title="Recipe binder taken home", kind=IncidentKind.THEFT)
    with pytest.raises(Forbidden, match="incidents:write"):
        service.open_case(session, actor=plain.actor, ref=received.ref, data=data)
    case = service.open_case(session, actor=hana.actor, ref=received.ref, data=data)
    assert case.origin.value == "report" and case.origin_ref == received.ref
    assert "Sam Reporter" not in case.summary and "sam@" not in case.summary
    assert "binder" not in case.summary.lower()  # nothing of the report is copied
    row = report_row(session, received.ref)
    assert row.incident_id == session.scalar(select(Incident.id).where(Incident.ref == case.ref))
    assert service.get(session, actor=hana.actor, ref=received.ref).case == case.ref
    with pytest.raises(ReportConflict, match=f"opened {case.ref}"):
        service.open_case(session, actor=hana.actor, ref=received.ref, data=data)
    other = send(session, subject="Named one", reporter_name="Sam Reporter")
    named = CaseFromReport(title="Second", kind=IncidentKind.DISCLOSURE, include_reporter=True)
    case2 = service.open_case(session, actor=hana.actor, ref=other.ref, data=named)
    assert "Sam Reporter" in case2.summary
    anonymous = send(session, subject="Anonymous")
    with pytest.raises(Invalid, match="no name"):
        service.open_case(session, actor=hana.actor, ref=anonymous.ref, data=named)


def test_files_are_kept_encrypted_and_limited(session: Session, vault: Vault) -> None:
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    plaintext = b"shift log: 02:14 binder removed from shelf 3\n" * 20
    files = [Upload(filename="log.txt", file=io.BytesIO(plaintext))]
    received = send(session, files=files, store=vault)
    assert received.attachments == 1
    [attached] = service.get(session, actor=hana.actor, ref=received.ref).attachments
    assert (attached.filename, attached.size, attached.media_type) == (
        "log.txt",
        len(plaintext),
        "text/plain",
    )
    assert isinstance(vault.store, LocalBlobStore)
    blobs = list(vault.store.root.rglob("*"))
    stored = b"".join(p.read_bytes() for p in blobs if p.is_file())
    assert stored and b"binder removed" not in stored
    too_many = [Upload(filename=f"{n}.txt", file=io.BytesIO(b"x")) for n in range(6)]
    with pytest.raises(Invalid, match="at most 5 files"):
        send(session, files=too_many, store=vault)
    big = [Upload(filename="big.bin", file=io.BytesIO(b"\0" * ((1 << 20) + 1)))]
    with pytest.raises(Invalid, match=r"big\.bin is larger than the 1 MiB"):
        send(session, files=big, store=vault)
    broken = [Upload(filename="scan.pdf", file=io.BytesIO(b"%PDF-1.7\nbroken"))]
    with pytest.raises(Invalid, match=r"scan\.pdf could not be read"):
        send(session, files=broken, store=vault)


def test_the_reporter_adds_files_with_a_later_message(session: Session, vault: Vault) -> None:
    """Files sent with a message join the report's (numbered on, encrypted), within the same
    limits and a cap for the whole report; the handlers read them, the log counts them."""
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    first = [Upload(filename="log.txt", file=io.BytesIO(b"02:14 binder removed"))]
    received = send(session, files=first, store=vault)
    report_id = session.scalars(select(Report.id).where(Report.ref == received.ref)).one()
    later = [Upload(filename="photo-shelf-3.txt", file=io.BytesIO(b"empty shelf at 02:20"))]
    intake.reporter_message(
        session, report_id=report_id, body="Here is the shelf.", uploads=later, store=vault
    )
    shown = service.get(session, actor=hana.actor, ref=received.ref)
    assert [a.filename for a in shown.attachments] == ["log.txt", "photo-shelf-3.txt"]
    assert "Here is the shelf." in [m.body for m in shown.messages]
    view = intake.reporter_view(session, report_id=report_id)
    assert [a.filename for a in view.attachments] == ["log.txt", "photo-shelf-3.txt"]
    custody.flush(session)
    details = session.scalars(
        select(CustodyEvent.details).where(CustodyEvent.event_type == "REPORT_MESSAGE_ADDED")
    ).all()
    assert [json.loads(d)["attachments"] for d in details] == [1]
    with pytest.raises(Invalid, match="files cannot be taken here"):
        intake.reporter_message(session, report_id=report_id, body="More.", uploads=later)
    six = [Upload(filename=f"{n}.txt", file=io.BytesIO(b"x")) for n in range(6)]
    with pytest.raises(Invalid, match="a report or a message takes at most 5 files"):
        intake.reporter_message(session, report_id=report_id, body="Six.", uploads=six, store=vault)
    for n in range(4):  # 2 + 4 x 5 = 22 files
        five = [Upload(filename=f"{n}-{k}.txt", file=io.BytesIO(b"x")) for k in range(5)]
        intake.reporter_message(
            session, report_id=report_id, body="More.", uploads=five, store=vault
        )
    four = [Upload(filename=f"last-{k}.txt", file=io.BytesIO(b"x")) for k in range(4)]
    with pytest.raises(Invalid, match="holds 22 files and takes at most 25; send at most 3 more"):
        intake.reporter_message(
            session, report_id=report_id, body="Four.", uploads=four, store=vault
        )


def test_my_tasks_list_what_to_acknowledge_and_to_answer(session: Session, moment: Clock) -> None:
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    ivo = staff(session, "Ivo Petrov", Role.CASE_HANDLER)
    first = send(session)
    second = send(session, subject="Second", involved="Hana Kovac")
    service.acknowledge(session, actor=ivo.actor, ref=second.ref, data=Acknowledge())
    mine = service.tasks_for(session, actor=hana.actor)
    assert [(t.title, t.due_on) for t in mine] == [
        (f"Acknowledge report {first.ref} to its reporter", datetime(2026, 1, 17).date())
    ]
    theirs = {t.title for t in service.tasks_for(session, actor=ivo.actor)}
    assert f"Give the reporter of {second.ref} feedback on what is done" in theirs
    boss = staff(session, "Ada Admin", Role.ADMIN)
    assert service.tasks_for(session, actor=boss.actor) == []


def test_a_handler_without_the_role_cannot_be_assigned(session: Session) -> None:
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    boss = staff(session, "Ada Admin", Role.ADMIN)
    received = send(session)
    with pytest.raises(Invalid, match="not a case handler"):
        service.assign(session, actor=hana.actor, ref=received.ref, data=Assign(handler=boss.email))
    with pytest.raises(Conflict):
        service.change_status(
            session, actor=hana.actor, ref=received.ref, data=StatusChange(status="received")
        )
