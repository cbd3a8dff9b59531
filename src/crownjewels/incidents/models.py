"""Incident cases with their subjects, team, tasks, notes, containments, legal steps, evidence
items with their hand-overs and the deadline notices sent; the report channel's reports, their
messages and the reporters protected from retaliation.

A report keeps no IP address, user agent or other identifying data of its reporter: only what
they chose to write, the hash of their follow-up code and of their password."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core.models import Base, IdMixin


class Incident(IdMixin, Base):
    """One case (IN-0001): what happened, to which secrets and parties, where it came from,
    its dates kept apart and where it stands."""

    __tablename__ = "incident"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: theft, disclosure, device, vendor-breach, departure, leak-found, canary, personal-data
    kind: Mapped[str] = mapped_column(String(30))
    #: low, medium, high, critical
    severity: Mapped[str] = mapped_column(String(10))
    #: reported, triage, contained, investigating, remediating, closed, dismissed
    status: Mapped[str] = mapped_column(String(20), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    #: alert, leak-match, watchlist, canary, report, manual; with the origin's reference
    origin: Mapped[str] = mapped_column(String(20))
    origin_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    #: the playbook the tasks came from (its name), if any
    playbook: Mapped[str | None] = mapped_column(String(60))
    occurred_at: Mapped[datetime | None]
    discovered_at: Mapped[datetime]
    reported_at: Mapped[datetime | None]
    classified_at: Mapped[datetime | None]
    materiality_at: Mapped[datetime | None]
    contained_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: why it was dismissed (status dismissed)
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    #: the facts the clocks are computed from (personal data and whose, jurisdictions, sector,
    #: listed company, operator kinds); see incidents.clocks
    facts: Mapped[dict[str, Any]]
    #: the notices given under the clocks: {clock key: {"at": iso, "by": actor, "note": …}}
    notices: Mapped[dict[str, Any]]
    #: the post-incident review (what happened, root cause, failed measures, changes)
    review: Mapped[dict[str, Any] | None]
    opened_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Subject(Base):
    """A secret, person, organisation, agreement or document a case concerns."""

    __tablename__ = "incident_subject"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    #: secret, person, organisation, agreement, document
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(26), primary_key=True, index=True)
    added_at: Mapped[datetime]


class Member(Base):
    """A user on a case's team in one role (lead, legal, forensics, communications,
    management, owner)."""

    __tablename__ = "incident_member"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    added_at: Mapped[datetime]


class Task(IdMixin, Base):
    """A task of a case: from its playbook (a step and a role, due relative to discovery), added
    by hand, or a remediation item of the review (kind remediation)."""

    __tablename__ = "incident_task"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    #: 1, 2, … within the case (people say "task 3 of IN-0004")
    number: Mapped[int]
    #: playbook, manual, remediation
    kind: Mapped[str] = mapped_column(String(20))
    #: 1 assemble, 2 contain, 3 investigate, 4 counsel, 5 communicate, 6 remediate
    step: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    role: Mapped[str | None] = mapped_column(String(20))
    guidance: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None]
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    #: open, done, skipped
    status: Mapped[str] = mapped_column(String(10))
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Note(IdMixin, Base):
    """A note on a case's timeline."""

    __tablename__ = "incident_note"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Containment(IdMixin, Base):
    """One run of a case's containment: every change it made, as it was previewed, with what
    each undo needs; reversed as a whole or not at all."""

    __tablename__ = "incident_containment"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    #: the steps that ran: [{"action": "suspend-grant", "target": id, "label": ..., ...}]
    steps: Mapped[list[Any]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text)
    ran_by: Mapped[str] = mapped_column(String(120))
    ran_at: Mapped[datetime]
    reversed_by: Mapped[str | None] = mapped_column(String(120))
    reversed_at: Mapped[datetime | None]


class LegalStep(IdMixin, Base):
    """A legal step taken in a case: counsel engaged, letter sent, TRO or ex parte seizure
    application (18 U.S.C. §1836(b)(2)), injunction, settlement."""

    __tablename__ = "incident_legal_step"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    taken_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class Evidence(IdMixin, Base):
    """An evidence item of a case (EV-0001): preserved by the system (an evidence bundle, a
    ledger snapshot, alerts and matches; then `document_id` holds it in the vault) or collected
    outside it (a forensic image, an email export, a USB stick), with its hash and custodian."""

    __tablename__ = "incident_evidence"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), index=True)
    #: bundle, ledger, findings, external
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    #: in bytes (a forensic image of a disk runs to terabytes)
    size: Mapped[int | None] = mapped_column(BigInteger)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    collected_by: Mapped[str] = mapped_column(String(200))
    collected_at: Mapped[datetime]
    collected_where: Mapped[str] = mapped_column(Text, default="")
    #: where it is kept now, and by whom (changes with each hand-over)
    stored_at: Mapped[str] = mapped_column(Text, default="")
    custodian: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class Handover(IdMixin, Base):
    """One hand-over of an evidence item between custodians (the chain-of-custody form's rows)."""

    __tablename__ = "incident_handover"

    evidence_id: Mapped[str] = mapped_column(ForeignKey("incident_evidence.id"), index=True)
    from_custodian: Mapped[str] = mapped_column(String(200))
    to_custodian: Mapped[str] = mapped_column(String(200))
    handed_at: Mapped[datetime]
    purpose: Mapped[str] = mapped_column(Text, default="")
    stored_at: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class ClockNotice(Base):
    """A reminder sent before a case's deadline (once per clock and stage), so the worker's job
    never sends it twice."""

    __tablename__ = "incident_clock_notice"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    clock: Mapped[str] = mapped_column(String(60), primary_key=True)
    #: due-soon, overdue
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    sent_at: Mapped[datetime]


class Report(IdMixin, Base):
    """A report to the report channel (RP-0001): what the reporter chose to tell, never where
    it came from. The follow-up code is kept as a hash only; the password as a slow hash."""

    __tablename__ = "incident_report"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    #: SHA-256 of the follow-up code (the code itself is shown once, to the reporter)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: the reporter's name and how to reach them, when they chose to give them
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_contact: Mapped[str | None] = mapped_column(String(200))
    #: staff, vendor-staff, former-staff, public, other (what they said they are)
    reporter_kind: Mapped[str] = mapped_column(String(20))
    #: the people the reporter names as involved, as written, and as matched to people
    involved: Mapped[str] = mapped_column(Text, default="")
    involved_people: Mapped[list[str]]
    #: received, acknowledged, in-progress, closed
    status: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    feedback_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incident.id"), index=True)
    #: the case handler the report is assigned to
    handler_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    #: wrong follow-up passwords in a row; past the limit the report is locked until then
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]


class ReportMessage(IdMixin, Base):
    """A message on a report: the reporter's (no author) or a case handler's reply."""

    __tablename__ = "incident_report_message"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("incident_report.id", ondelete="CASCADE"), index=True
    )
    from_reporter: Mapped[bool]
    author_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Protected(Base):
    """A person protected from retaliation (a reporter who gave their name, matched to a
    person): adverse actions against them need a second approval with a reason."""

    __tablename__ = "incident_protected"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("incident_report.id"))
    since: Mapped[datetime]
    flagged_by: Mapped[str] = mapped_column(String(120))


class Approval(IdMixin, Base):
    """An adverse action against a protected person (revoking or suspending a grant, disabling
    an account), asked for with a reason and approved by a second person before it may run."""

    __tablename__ = "incident_approval"

    #: what people call it (AA-0001)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    #: revoke-grant, suspend-grant, disable-account, end-sessions, revoke-token
    action: Mapped[str] = mapped_column(String(30))
    #: what it acts on as people read it (GR-000012, the account's email)
    target: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime]
    #: pending, approved, refused, used
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
