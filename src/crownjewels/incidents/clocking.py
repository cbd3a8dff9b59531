"""A case's deadlines: its facts and dates (and the breach notice periods of the agreements it
concerns) given to the clock rules, the notices given under them (INCIDENT_NOTICE_GIVEN), and
the reminders the worker sends to the team before each deadline and when one passes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crownjewels.agreements import service as agreements
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden, Invalid, NotFound
from crownjewels.custody.schemas import EventType
from crownjewels.incidents import repository
from crownjewels.incidents import service as cases
from crownjewels.incidents.clocks import rules
from crownjewels.incidents.clocks.schemas import Agreement, Clock, Facts
from crownjewels.incidents.models import ClockNotice, Incident
from crownjewels.incidents.schemas import CaseFacts, CaseRead, NoticeGiven, TeamRole
from crownjewels.parties import accounts
from crownjewels.parties import service as parties
from crownjewels.parties.notifications import service as mail
from crownjewels.parties.notifications.schemas import MailKind


def _agreements(session: Session, actor: Actor, row: Incident) -> tuple[Agreement, ...]:
    """The case's agreements that set a breach notice period (those the actor may read)."""
    ids = [s.subject_id for s in repository.subjects_of(session, row.id) if s.kind == "agreement"]
    own = parties.own_organisation(session)
    out = []
    for agreement_id in ids:
        try:
            found = agreements.get(session, actor=actor, agreement_ref=agreement_id)
        except (NotFound, Forbidden):
            continue
        if not found.breach_notice_hours:
            continue
        others = [p.name for p in found.parties if not own or p.organisation_id != own.id]
        out.append(
            Agreement(
                ref=found.ref,
                counterparty=", ".join(others) or found.title,
                notice_hours=found.breach_notice_hours,
            )
        )
    return tuple(out)


def facts_of(session: Session, actor: Actor, row: Incident) -> Facts:
    """What the clock rules are given: the case's facts, its dates and its agreements."""
    facts = CaseFacts.model_validate(row.facts)
    return Facts(
        personal_data=facts.personal_data,
        data_subject_countries=tuple(facts.data_subject_countries),
        us_states=tuple(facts.us_states),
        residents=facts.residents,
        affected=facts.affected,
        jurisdictions=tuple(facts.jurisdictions),
        sectors=tuple(facts.sectors),
        listed_us=facts.listed_us,
        nydfs=facts.nydfs,
        phi=facts.phi,
        agreements=_agreements(session, actor, row),
        trade_secret=facts.trade_secret,
        us_state_of_claim=facts.us_state_of_claim,
        discovered_at=row.discovered_at,
        occurred_at=row.occurred_at,
        classified_at=row.classified_at,
        materiality_at=row.materiality_at,
    )


def _done(row: Incident) -> dict[str, datetime]:
    return {key: datetime.fromisoformat(n["at"]) for key, n in (row.notices or {}).items()}


def of_row(
    session: Session, actor: Actor, row: Incident, *, tz: str, now: datetime | None = None
) -> list[Clock]:
    """The clocks of a case at `now` (the clock's now by default)."""
    facts = facts_of(session, actor, row)
    return rules.compute(facts, tz=tz, now=now or clock.now(), done=_done(row))


def clocks(session: Session, *, actor: Actor, ref: str, tz: str) -> list[Clock]:
    """Every deadline that applies to a visible case, soonest first."""
    return of_row(session, actor, cases.row(session, actor, ref), tz=tz)


def give_notice(session: Session, *, actor: Actor, ref: str, data: NoticeGiven) -> CaseRead:
    """Record that the notice a clock asks for was given (INCIDENT_NOTICE_GIVEN): the clock is
    met from then on. Only a clock that applies to the case can be met."""
    row = cases.writable(session, actor, ref, "recording a notice")
    now = clock.now()
    at = data.at or now
    if at > now:
        raise Invalid("a notice cannot be given in the future; give when it was sent", field="at")
    keys = {c.key: c for c in of_row(session, actor, row, tz="UTC", now=now)}
    if data.clock not in keys:
        raise Invalid(
            f"no clock {data.clock!r} applies to {row.ref}; its page lists the ones that do: "
            + ", ".join(sorted(keys)),
            field="clock",
        )
    row.notices = {
        **(row.notices or {}),
        data.clock: {"at": at.isoformat(), "by": actor.ref, "note": data.note.strip()},
    }
    row.updated_at = now
    cases.record(
        session,
        actor,
        row,
        EventType.INCIDENT_NOTICE_GIVEN,
        clock=data.clock,
        name=keys[data.clock].name,
        at=at.isoformat(),
        note=data.note.strip() or None,
    )
    return cases.read(session, row)


def _stage(item: Clock) -> str | None:
    if item.status == "due-soon":
        return "due-soon"
    if item.status == "overdue":
        return "overdue"
    return None


def remind(session: Session, *, actor: Actor, tz: str) -> list[str]:
    """Mail the lead and legal counsel of each open case once when a deadline enters its last
    stretch and once when it passes (INCIDENT_CLOCK_NOTIFIED); lines of what was sent."""
    now = clock.now()
    sent: list[str] = []
    query = repository.cases_query(open_only=True)
    for row in session.scalars(query):
        for item in of_row(session, actor, row, tz=tz, now=now):
            stage = _stage(item)
            if stage is None:
                continue
            if session.get(ClockNotice, (row.id, item.key, stage)) is not None:
                continue
            session.add(ClockNotice(incident_id=row.id, clock=item.key, stage=stage, sent_at=now))
            _mail_team(session, actor, row, item, stage)
            cases.record(
                session, actor, row, EventType.INCIDENT_CLOCK_NOTIFIED, clock=item.key, stage=stage
            )
            sent.append(f"{row.ref}: {item.name} {item.remaining}")
    return sent


def _mail_team(session: Session, actor: Actor, row: Incident, item: Clock, stage: str) -> None:
    seats = repository.members_of(session, row.id)
    users = {m.user_id for m in seats if m.role in (TeamRole.LEAD, TeamRole.LEGAL)}
    people = {accounts.get_user(session, user_id=u, mfa_policy=False).person_id for u in users}
    due = f"{item.due_local:%Y-%m-%d %H:%M %Z}" if item.due_local else "no fixed time"
    words = "is due soon" if stage == "due-soon" else "has passed"
    for person_id in sorted(people):
        mail.enqueue(
            session,
            to=person_id,
            kind=MailKind.INCIDENT_DEADLINE,
            subject=f"{row.ref}: {item.name} {words} ({due})",
            body=(
                f"{row.ref} {row.title}\n\n{item.name} to {item.recipient} {words}: due {due}, "
                f"{item.remaining}.\nUnder {item.citation}.\n\n"
                f"Open the case: {mail.link(f'/incidents/{row.ref}')}"
            ),
            actor=actor,
            dedupe_key=f"incident-clock:{row.id}:{item.key}:{stage}",
        )
