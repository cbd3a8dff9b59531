"""Grant lifecycle: re-check every live grant against the rules and suspend those whose
recipient no longer passes for a lasting cause (an NDA expired, due diligence lapsed, training
expired, the person is leaving), telling each secret's owner in a notice (stored, and mailed
when SMTP is configured)."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy.orm import Session

from crownjewels.access import decide as deciding
from crownjewels.access import repository, service
from crownjewels.access.decision import recipient_mfa
from crownjewels.access.engine import PolicyEngine, engine_for
from crownjewels.access.facts import Level
from crownjewels.access.lifecycle import repository as notices
from crownjewels.access.models import Notice
from crownjewels.access.rules import GrantStatus
from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonRead
from crownjewels.settings import Settings

READER = fact_reader("access")
#: the failed rules that suspend a grant, in plain words; others (need-to-know, region, mfa)
#: are not lasting causes the job acts on
CAUSES: dict[str, str] = {
    "bound:agreement": "the confidentiality agreement (NDA) covering the secret is no longer "
    "in force",
    "diligence": "the vendor's due diligence has lapsed",
    "training": "required training has expired",
    "active": "the person is departing, departed or suspended",
}


def causes_of(failed_rules: list[str]) -> list[str]:
    """The lasting causes among a decision's failed rule names, in plain words."""
    return [CAUSES[r] for r in dict.fromkeys(failed_rules) if r in CAUSES]


@dataclass
class Suspension:
    """What one run of the re-check suspended, per secret owner."""

    refs: list[str] = field(default_factory=list)
    #: owner person id -> lines "G-… (person, secret): cause"
    by_owner: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notice_ids: list[str] = field(default_factory=list)


def _person(session: Session, cache: dict[str, PersonRead], pid: str) -> PersonRead:
    if pid not in cache:
        cache[pid] = parties.get_person(session, actor=READER, person_ref=pid)
    return cache[pid]


def _secret(session: Session, cache: dict[str, SecretRead], sid: str) -> SecretRead:
    if sid not in cache:
        cache[sid] = inventory.get(session, actor=READER, secret_ref=sid)
    return cache[sid]


def suspend_lapsed(
    session: Session, *, actor: Actor, engine: PolicyEngine | None = None
) -> Suspension:
    """Evaluate every live (approved or active) person grant once; suspend those failing for
    a lasting cause, with the cause as the reason; one notice per affected secret owner."""
    engine = engine or engine_for(None)
    people: dict[str, PersonRead] = {}
    secrets: dict[str, SecretRead] = {}
    out = Suspension()
    grants = repository.live_for(session, statuses=(GrantStatus.APPROVED, GrantStatus.ACTIVE))
    for grant in grants:
        if not grant.person_id:
            continue  # a group grant: its member grants are checked one by one
        person = _person(session, people, grant.person_id)
        secret = _secret(session, secrets, grant.secret_id)
        decision = deciding.evaluate(
            session,
            person=person,
            secret=secret,
            action=Level(grant.level),
            document_id=grant.document_id,
            mfa=recipient_mfa(session, person),
            engine=engine,
        )
        causes = causes_of([r.rule for r in decision.reasons])
        if not causes:
            continue
        reason = "; ".join(causes)
        out.refs += service.suspend_for(session, actor=actor, grants=[grant], reason=reason)
        out.by_owner[secret.owner_id].append(
            f"{grant.ref} ({person.full_name}, {secret.ref} {secret.name}): {reason}"
        )
    for owner_id, lines in out.by_owner.items():
        out.notice_ids.append(_notice(session, actor, owner_id, lines).id)
    return out


def _notice(session: Session, actor: Actor, owner_id: str, lines: list[str]) -> Notice:
    subject = f"{len(lines)} access grant(s) on your secrets suspended"
    body = (
        "These grants on secrets you own were suspended because their holder no longer "
        "meets the access rules:\n\n"
        + "\n".join(f"- {line}" for line in lines)
        + "\n\nResume a grant (`crownjewels access grants`) once the cause is fixed.\n"
    )
    row = Notice(recipient_person_id=owner_id, subject=subject, body=body, created_at=clock.now())
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ACCESS_NOTICE_CREATED,
        subject_type="person",
        subject_id=owner_id,
        details={"notice_id": row.id, "subject": subject, "grants": len(lines)},
    )
    return row


def unsent(session: Session, ids: list[str] | None = None) -> list[Notice]:
    """Notices not mailed yet (of the given ids, or all)."""
    return list(notices.unsent(session, ids))


def _message(settings: Settings, to: str, notice: Notice) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = notice.subject
    msg.set_content(notice.body)
    return msg


def send_notices(session: Session, *, settings: Settings, ids: list[str] | None = None) -> int:
    """Mail unsent notices through SMTP (after the suspensions committed) and mark them sent;
    nothing when no SMTP host is configured. Returns how many were sent."""
    if not settings.smtp_host:
        return 0
    rows = unsent(session, ids)
    if not rows:
        return 0
    emails = {p.id: p.email for p in _recipients(session, {r.recipient_person_id for r in rows})}
    sent = 0
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        for row in rows:
            to = emails.get(row.recipient_person_id)
            if not to:
                continue
            smtp.send_message(_message(settings, to, row))
            row.sent_at = clock.now()
            sent += 1
    session.flush()
    return sent


def _recipients(session: Session, ids: set[str]) -> list[PersonRead]:
    return [parties.get_person(session, actor=READER, person_ref=i) for i in sorted(ids)]


def notices_for(session: Session, *, person_id: str, limit: int = 50) -> list[Notice]:
    """A person's newest notices."""
    return list(notices.notices_for(session, person_id, limit=limit))
