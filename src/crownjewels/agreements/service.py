"""The agreements file's verbs: record, update, put in force, terminate, renew, add parties and
signatories, and the scheduled expiry and renewal reminders. Reading is in `reads.py`, the
questions the access rules ask (`in_force_for`, `covering`, `why_not_covering`) in
`coverage.py`, documents and clause analysis in `documents.py`; this module re-exports the
reads and the coverage questions for the capabilities above (they import `service` only).
Every write records its custody event in the caller's transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crownjewels.agreements import repository, resolve, rules
from crownjewels.agreements.coverage import covered as covered
from crownjewels.agreements.coverage import covering as covering
from crownjewels.agreements.coverage import in_force_for as in_force_for
from crownjewels.agreements.coverage import kinds_in_force as kinds_in_force
from crownjewels.agreements.coverage import why_not_covering as why_not_covering
from crownjewels.agreements.errors import (
    AgreementNotFound,
    BadStatusChange,
    StaleAgreement,
)
from crownjewels.agreements.models import Agreement
from crownjewels.agreements.reads import get as get
from crownjewels.agreements.reads import get_row as get_row
from crownjewels.agreements.reads import list_agreements as list_agreements
from crownjewels.agreements.reads import read as read
from crownjewels.agreements.reads import terms_of as terms_of
from crownjewels.agreements.reads import terms_of_status as terms_of_status
from crownjewels.agreements.schemas import (
    Activation,
    AgreementCreate,
    AgreementRead,
    AgreementStatus,
    AgreementUpdate,
    PartyCreate,
    Renewal,
    SignatoryCreate,
    Termination,
)
from crownjewels.agreements.tasks import tasks_for as tasks_for
from crownjewels.core import clock
from crownjewels.core import search as core_search
from crownjewels.core.actor import Actor
from crownjewels.core.ids import new_id
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType

SUBJECT = "agreement"
_AUDITED = (
    "ref",
    "kind",
    "title",
    "status",
    "status_reason",
    "terminated_on",
    "effective_on",
    "expires_on",
    "survival_years",
    "trade_secrets_survive",
    "governing_law",
    "governing_law_subdivision",
    "forum",
    "scope",
    "renewal_notice_days",
    "breach_notice_hours",
    "notes",
)
_SCOPE_FIELDS = frozenset({"scope", "secrets", "categories"})
#: fields an update may not clear: an explicit null leaves them as they are
_REQUIRED = frozenset({"kind", "title", "trade_secrets_survive", "renewal_notice_days"})


def _snapshot(row: Agreement) -> dict[str, Any]:
    return {k: to_jsonable_python(getattr(row, k)) for k in _AUDITED}


def _scope_snapshot(row: Agreement) -> dict[str, Any]:
    return {
        "scope": row.scope,
        "secrets": sorted(s.secret_id for s in row.scope_items if s.secret_id),
        "categories": sorted(s.category for s in row.scope_items if s.category),
    }


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}


# --- recording -------------------------------------------------------------------------------


def create(session: Session, *, actor: Actor, data: AgreementCreate) -> AgreementRead:
    """Record an agreement with its parties, scope and signatories (AGREEMENT_ADDED)."""
    actor.require(Permission.AGREEMENTS_WRITE)
    resolve.check_law(data.governing_law, data.governing_law_subdivision)
    row = Agreement(
        id=new_id(),
        ref="",
        kind=data.kind,
        title=data.title,
        status=data.status,
        status_changed_at=clock.now() if data.status == AgreementStatus.IN_FORCE else None,
        effective_on=data.effective_on,
        expires_on=data.expires_on,
        survival_years=data.survival_years,
        trade_secrets_survive=data.trade_secrets_survive,
        governing_law=data.governing_law,
        governing_law_subdivision=data.governing_law_subdivision,
        forum=data.forum,
        scope=data.scope,
        renewal_notice_days=data.renewal_notice_days,
        breach_notice_hours=data.breach_notice_hours,
        notes=data.notes,
        parties=[],
        signatories=[],
        scope_items=resolve.scope_items(
            session, actor, data.scope, data.secrets, list(data.categories)
        ),
    )
    for party in data.parties:
        resolved = resolve.resolve_party(session, actor, party)
        resolve.check_new_party(row, resolved)
        row.parties.append(resolved)
    row.signatories = [resolve.signatory(session, actor, row, s) for s in data.signatories]
    row.ref = next_ref(session, Agreement.ref, f"AG-{clock.today().year}-", 3)
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_ADDED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "after": {**_snapshot(row), **_scope_snapshot(row)},
            "parties": [
                {"organisation_id": p.organisation_id, "person_id": p.person_id, "role": p.role}
                for p in row.parties
            ],
            "signatories": [
                {"name": s.name, "title": s.title, "party_id": s.party_id, "signed_on": s.signed_on}
                for s in row.signatories
            ],
        },
    )
    return read(session, actor, row)


def update(
    session: Session, *, actor: Actor, agreement_ref: str, changes: AgreementUpdate
) -> AgreementRead:
    """Change an agreement's fields (AGREEMENT_UPDATED) and scope (AGREEMENT_SCOPE_CHANGED);
    `version` refuses the change if someone else changed the agreement since it was read."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    if changes.version is not None and changes.version != row.version:
        raise StaleAgreement(
            f"{row.ref} was changed by someone else (version {row.version}, you edited version "
            f"{changes.version}); reload it and apply your change again"
        )
    fields = changes.model_dump(exclude_unset=True, exclude={"version"})
    before, scope_before = _snapshot(row), _scope_snapshot(row)
    resolve.check_dates(
        fields.get("effective_on", row.effective_on), fields.get("expires_on", row.expires_on)
    )
    resolve.check_law(
        fields.get("governing_law", row.governing_law),
        fields.get("governing_law_subdivision", row.governing_law_subdivision),
    )
    for key, value in fields.items():
        if key in _SCOPE_FIELDS or (value is None and key in _REQUIRED):
            continue
        setattr(row, key, value)
    if _SCOPE_FIELDS & fields.keys():
        resolve.change_scope(session, actor, row, fields, scope_before)
    # the scope has its own event; the field diff leaves it out
    diff = _diff(
        {k: v for k, v in before.items() if k != "scope"},
        {k: v for k, v in _snapshot(row).items() if k != "scope"},
    )
    scope_after = _scope_snapshot(row)
    try:
        session.flush()
    except StaleDataError:
        raise StaleAgreement(
            f"{row.ref} was changed by someone else; reload it and try again"
        ) from None
    if diff["after"]:
        custody.record(
            session,
            actor=actor,
            event_type=EventType.AGREEMENT_UPDATED,
            subject_type=SUBJECT,
            subject_id=row.id,
            details=diff,
        )
    if scope_after != scope_before:
        custody.record(
            session,
            actor=actor,
            event_type=EventType.AGREEMENT_SCOPE_CHANGED,
            subject_type=SUBJECT,
            subject_id=row.id,
            details={"before": scope_before, "after": scope_after},
        )
    return read(session, actor, row)


def _set_status(row: Agreement, status: AgreementStatus, reason: str | None) -> dict[str, Any]:
    current = AgreementStatus(row.status)
    if not rules.can_change_status(current, status):
        allowed = ", ".join(sorted(rules.TRANSITIONS[current])) or "none (it is final)"
        raise BadStatusChange(
            f"{row.ref} is {current.value}; it can change to: {allowed}", field="status"
        )
    before = {"status": current.value, "status_reason": row.status_reason}
    row.status, row.status_reason, row.status_changed_at = status, reason, clock.now()
    return before


def activate(
    session: Session, *, actor: Actor, agreement_ref: str, data: Activation
) -> AgreementRead:
    """Put a signed draft in force from its effective date (AGREEMENT_STATUS_CHANGED)."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    effective = data.effective_on or row.effective_on or clock.today()
    resolve.check_dates(effective, row.expires_on)
    if row.expires_on is not None and row.expires_on < clock.today():
        raise BadStatusChange(
            f"{row.ref} expired on {row.expires_on}; change its expiry date before putting it "
            "in force",
            field="expires_on",
        )
    before = {**_set_status(row, AgreementStatus.IN_FORCE, None), "effective_on": row.effective_on}
    row.effective_on = effective
    _flush(session, row)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_STATUS_CHANGED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"before": before, "after": {"status": row.status, "effective_on": effective}},
    )
    return read(session, actor, row)


def _flush(session: Session, row: Agreement) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise StaleAgreement(
            f"{row.ref} was changed by someone else; reload it and try again"
        ) from None


def terminate(
    session: Session, *, actor: Actor, agreement_ref: str, data: Termination
) -> AgreementRead:
    """End an agreement with effect from a day (default today), with the reason
    (AGREEMENT_TERMINATED); it stays in force through the day before."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    on = data.terminated_on or clock.today()
    problem = rules.why_not_terminable(terms_of(row), on)
    if problem:
        raise BadStatusChange(problem, field="terminated_on")
    before = {**_set_status(row, AgreementStatus.TERMINATED, data.reason), "terminated_on": None}
    row.terminated_on = on
    _flush(session, row)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_TERMINATED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "before": before,
            "after": {"status": row.status, "status_reason": data.reason, "terminated_on": on},
        },
    )
    return read(session, actor, row)


def renew(session: Session, *, actor: Actor, agreement_ref: str, data: Renewal) -> AgreementRead:
    """Extend an agreement to a new expiry (None: indefinite); an expired one is back in force
    (AGREEMENT_RENEWED). The renewal reminder starts over for the new expiry."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    today = clock.today()
    problem = rules.why_not_renewable(terms_of(row), data.expires_on, on=today)
    if problem:
        raise BadStatusChange(problem, field="expires_on")
    before = {"status": row.status, "expires_on": row.expires_on}
    if row.status == AgreementStatus.EXPIRED:
        _set_status(row, AgreementStatus.IN_FORCE, data.reason)
    row.expires_on = data.expires_on
    _flush(session, row)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_RENEWED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "before": before,
            "after": {"status": row.status, "expires_on": row.expires_on},
            "reason": data.reason,
        },
    )
    return read(session, actor, row)


def add_party(
    session: Session, *, actor: Actor, agreement_ref: str, data: PartyCreate
) -> AgreementRead:
    """Name another party of the agreement (AGREEMENT_PARTY_ADDED)."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    party = resolve.resolve_party(session, actor, data)
    resolve.check_new_party(row, party)
    row.parties.append(party)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_PARTY_ADDED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "party_id": party.id,
            "organisation_id": party.organisation_id,
            "person_id": party.person_id,
            "role": party.role,
        },
    )
    return read(session, actor, row)


def remove_party(
    session: Session, *, actor: Actor, agreement_ref: str, party_id: str
) -> AgreementRead:
    """Remove a party (AGREEMENT_PARTY_REMOVED); the custody log keeps who it was."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    party = next((p for p in row.parties if p.id == party_id), None)
    if party is None:
        raise AgreementNotFound(f"{row.ref} has no party {party_id!r}")
    before = {
        "organisation_id": party.organisation_id,
        "person_id": party.person_id,
        "role": party.role,
    }
    for signatory in row.signatories:
        if signatory.party_id == party.id:
            signatory.party_id = None
    row.parties.remove(party)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_PARTY_REMOVED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"party_id": party_id, "before": before},
    )
    return read(session, actor, row)


def add_signatory(
    session: Session, *, actor: Actor, agreement_ref: str, data: SignatoryCreate
) -> AgreementRead:
    """Record who signed, for which party and when (AGREEMENT_SIGNATORY_ADDED)."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    signatory = resolve.signatory(session, actor, row, data)
    row.signatories.append(signatory)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_SIGNATORY_ADDED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "signatory_id": signatory.id,
            "name": signatory.name,
            "title": signatory.title,
            "party_id": signatory.party_id,
            "signed_on": signatory.signed_on,
        },
    )
    return read(session, actor, row)


# --- scheduled -------------------------------------------------------------------------------


def mark_expired(session: Session, *, actor: Actor, on: date | None = None) -> list[str]:
    """Record as expired every agreement in force whose expiry date has passed
    (AGREEMENT_EXPIRED each); returns their references. Idempotent."""
    today = on or clock.today()
    done = []
    for row in repository.lapsed(session, today=today):
        if not rules.lapsed(terms_of_status(row), on=today):
            continue
        _set_status(row, AgreementStatus.EXPIRED, f"expired on {row.expires_on}")
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.AGREEMENT_EXPIRED,
            subject_type=SUBJECT,
            subject_id=row.id,
            details={
                "before": {"status": "in_force"},
                "after": {"status": row.status},
                "expires_on": row.expires_on,
            },
        )
        done.append(row.ref)
    return done


def flag_renewals(session: Session, *, actor: Actor, on: date | None = None) -> list[str]:
    """Record AGREEMENT_RENEWAL_DUE once per agreement per renewal window (the window of its
    current expiry date, `renewal_notice_days` long); returns the references flagged."""
    today = on or clock.today()
    done = []
    for row in repository.renewal_candidates(session, today=today):
        terms = terms_of_status(row)
        if not rules.renewal_due(terms, row.renewal_notice_days, on=today):
            continue
        row.renewal_flagged_for = row.expires_on
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.AGREEMENT_RENEWAL_DUE,
            subject_type=SUBJECT,
            subject_id=row.id,
            details={
                "ref": row.ref,
                "expires_on": row.expires_on,
                "notice_days": row.renewal_notice_days,
                "days_left": rules.days_until_expiry(terms, on=today),
            },
        )
        done.append(row.ref)
    return done


def search(session: Session, *, actor: Actor, q: str) -> list[AgreementRead]:
    """Agreements the actor may see: the reference typed (AG-2026-005) first, then titles
    containing the words (the global search)."""
    rows = core_search.matching(
        session,
        repository.visible_to(actor),
        exact=[Agreement.ref],
        names=[Agreement.title],
        q=q,
        order=Agreement.ref,
    )
    return [read(session, actor, r) for r in rows]
