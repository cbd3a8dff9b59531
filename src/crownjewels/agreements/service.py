"""The agreements file's verbs: record, update, put in force, terminate, renew, add parties and
signatories, read and list; the questions the access rules ask (`in_force_for`, `covering`);
and the scheduled expiry and renewal reminders. Documents and clause analysis are in
`documents.py`. Every write records its custody event in the caller's transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crownjewels.agreements import repository, resolve, rules
from crownjewels.agreements.errors import (
    AgreementNotFound,
    BadStatusChange,
    StaleAgreement,
)
from crownjewels.agreements.models import Agreement
from crownjewels.agreements.schemas import (
    Activation,
    AgreementCreate,
    AgreementFilter,
    AgreementRead,
    AgreementStatus,
    AgreementUpdate,
    PartyCreate,
    PartyRead,
    PartyRole,
    Renewal,
    SecretFacts,
    SignatoryCreate,
    SignatoryRead,
    Termination,
    Terms,
)
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.ids import new_id
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties

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
    "notes",
)
_SCOPE_FIELDS = frozenset({"scope", "secrets", "categories"})
#: fields an update may not clear: an explicit null leaves them as they are
_REQUIRED = frozenset({"kind", "title", "trade_secrets_survive", "renewal_notice_days"})


def require(actor: Actor, permission: Permission) -> None:
    """Raise Forbidden unless the actor holds the permission."""
    if not actor.can(permission):
        raise Forbidden(
            f"this needs the {permission.value} permission; ask an admin for a role that has it"
        )


def get_row(session: Session, actor: Actor, ref: str) -> Agreement:
    """A visible agreement row by id or reference, or AgreementNotFound naming the fix."""
    row = repository.find(session, actor, ref)
    if row is None:
        raise AgreementNotFound(
            f"no agreement {ref!r}; `crownjewels agreements list` shows the agreements"
        )
    return row


def terms_of(row: Agreement) -> Terms:
    """The values the pure rules read, from a row (its scope items loaded)."""
    return Terms(
        ref=row.ref,
        status=row.status,
        effective_on=row.effective_on,
        expires_on=row.expires_on,
        terminated_on=row.terminated_on,
        scope=row.scope,
        secret_ids=frozenset(s.secret_id for s in row.scope_items if s.secret_id),
        categories=frozenset(s.category for s in row.scope_items if s.category),
        survival_years=row.survival_years,
        trade_secrets_survive=row.trade_secrets_survive,
    )


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


# --- reading ---------------------------------------------------------------------------------


def read(
    session: Session, actor: Actor, row: Agreement, *, on: date | None = None
) -> AgreementRead:
    """An agreement row as shown, with where it stands on `on` (default today)."""
    today = on or clock.today()
    names = resolve.party_names(session, actor, row.parties)
    terms = terms_of(row)
    standing = rules.standing(terms, on=today)
    return AgreementRead.model_validate(
        {
            **{c: getattr(row, c) for c in AgreementRead.model_fields if hasattr(Agreement, c)},
            "parties": [
                PartyRead(
                    id=p.id,
                    organisation_id=p.organisation_id,
                    person_id=p.person_id,
                    role=PartyRole(p.role),
                    name=names.get(p.organisation_id or p.person_id or "", ""),
                )
                for p in row.parties
            ],
            "secrets": resolve.scope_secrets(session, actor, row),
            "categories": sorted(s.category for s in row.scope_items if s.category),
            "signatories": [SignatoryRead.model_validate(s) for s in row.signatories],
            "in_force_today": standing is None,
            "standing": standing or f"{row.ref} is in force",
            "expires_in_days": rules.days_until_expiry(terms, on=today),
            "renewal_due": rules.renewal_due(terms, row.renewal_notice_days, on=today),
            "renewal_due_on": rules.renewal_due_on(terms, row.renewal_notice_days),
        }
    )


def get(session: Session, *, actor: Actor, agreement_ref: str) -> AgreementRead:
    """One agreement by id or reference."""
    return read(session, actor, get_row(session, actor, agreement_ref))


def list_agreements(
    session: Session, *, actor: Actor, filters: AgreementFilter, page: PageParams
) -> tuple[list[AgreementRead], int]:
    """A page of the agreements the actor may see, filtered."""
    query = repository.visible_to(actor)
    org_id = person_id = None
    if filters.organisation:
        org_id = parties.get_organisation(session, actor=actor, org_ref=filters.organisation).id
    if filters.person:
        person_id = parties.get_person(session, actor=actor, person_ref=filters.person).id
    query = repository.with_party(query, org_id, person_id)
    if filters.secret:
        secret = inventory.get(session, actor=actor, secret_ref=filters.secret)
        query = repository.covering_secret(query, secret.id, secret.category)
    today = clock.today()
    query = repository.filtered(
        query,
        kind=filters.kind,
        status=filters.status,
        expiring_within_days=filters.expiring_within_days,
        q=filters.q,
        today=today,
    )
    if filters.renewal_due:
        # the window is per agreement (its own notice days): decided by the rule, then paged
        candidates = session.scalars(repository.in_force_with_expiry(query, today=today)).all()
        due = [
            r
            for r in candidates
            if rules.renewal_due(terms_of_status(r), r.renewal_notice_days, on=today)
        ]
        window = due[page.offset : page.offset + page.limit]
        return [read(session, actor, r, on=today) for r in window], len(due)
    rows, total = paginate(session, query, page)
    return [read(session, actor, r, on=today) for r in rows], total


# --- what the access rules ask ---------------------------------------------------------------


def in_force_for(
    session: Session,
    actor: Actor,
    *,
    organisation_id: str | None = None,
    person_id: str | None = None,
    on: date,
) -> list[AgreementRead]:
    """Agreements in force on `on` that name the organisation or the person (either) as a
    party; in force as `rules.in_force` says (inclusive dates, drafts never)."""
    if not organisation_id and not person_id:
        raise Invalid("name the organisation or the person whose agreements are asked for")
    query = repository.not_drafts(
        repository.with_party(repository.visible_to(actor), organisation_id, person_id)
    )
    rows = session.scalars(query.order_by(Agreement.ref)).all()
    return [read(session, actor, r, on=on) for r in rows if rules.in_force(terms_of(r), on=on)]


def covering(
    session: Session,
    actor: Actor,
    *,
    secret_id: str,
    organisation_id: str | None = None,
    person_id: str | None = None,
    on: date,
) -> list[AgreementRead]:
    """Agreements with the organisation or the person that cover disclosing the secret on `on`:
    in force that day and the secret inside their scope (`rules.covers`)."""
    if not organisation_id and not person_id:
        raise Invalid("name the organisation or the person the secret would be disclosed to")
    secret = inventory.get(session, actor=actor, secret_ref=secret_id)
    facts = SecretFacts(id=secret.id, ref=secret.ref, category=secret.category)
    query = repository.covering_secret(
        repository.not_drafts(
            repository.with_party(repository.visible_to(actor), organisation_id, person_id)
        ),
        secret.id,
        secret.category,
    )
    rows = session.scalars(query.order_by(Agreement.ref)).all()
    return [read(session, actor, r, on=on) for r in rows if rules.covers(terms_of(r), facts, on=on)]


def _covers(
    session: Session,
    actor: Actor,
    secret: SecretFacts,
    organisation_id: str | None,
    person_id: str | None,
    *,
    on: date,
) -> bool:
    """`covering`, as yes or no, in one query: the scope is matched in SQL (all, naming the
    secret, or its category), so the rules are given the one scope item that matched and
    decide on the status and dates; no party, scope or signatory is loaded."""
    query = repository.covering_secret(
        repository.not_drafts(
            repository.with_party(
                repository.visible_to(actor, loaded=False), organisation_id, person_id
            )
        ),
        secret.id,
        secret.category,
    )
    for row in session.scalars(query):
        terms = Terms(
            ref=row.ref,
            status=row.status,
            effective_on=row.effective_on,
            expires_on=row.expires_on,
            terminated_on=row.terminated_on,
            scope=row.scope,
            secret_ids=frozenset({secret.id}),
            categories=frozenset({secret.category}),
            survival_years=row.survival_years,
            trade_secrets_survive=row.trade_secrets_survive,
        )
        if rules.covers(terms, secret, on=on):
            return True
    return False


def why_not_covering(
    session: Session,
    actor: Actor,
    *,
    secret_id: str,
    organisation_id: str | None = None,
    person_id: str | None = None,
    on: date,
) -> list[str]:
    """Why no agreement with the organisation or person covers the secret on `on`: one plain
    sentence per agreement naming them (expired, terminated, out of scope …), or a sentence
    saying there is none. Empty when one does cover it."""
    if not organisation_id and not person_id:
        raise Invalid("name the organisation or the person the secret would be disclosed to")
    secret = inventory.get_plain(session, actor=actor, secret_ref=secret_id)
    facts = SecretFacts(id=secret.id, ref=secret.ref, category=secret.category)
    if _covers(session, actor, facts, organisation_id, person_id, on=on):
        return []
    query = repository.with_party(repository.visible_to(actor), organisation_id, person_id)
    rows = session.scalars(query.order_by(Agreement.ref)).all()
    out = []
    for row in rows:
        reason = rules.why_not_covered(terms_of(row), facts, on=on)
        if reason:
            out.append(f"{row.kind.upper()} {reason}")
    return out or [f"no confidentiality agreement binds the recipient for secret {secret.ref}"]


# --- recording -------------------------------------------------------------------------------


def create(session: Session, *, actor: Actor, data: AgreementCreate) -> AgreementRead:
    """Record an agreement with its parties, scope and signatories (AGREEMENT_ADDED)."""
    require(actor, Permission.AGREEMENTS_WRITE)
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
    custody.lock(session)  # numbering (AG-2026-001 ...) is serialized with the custody appends
    row.ref = repository.next_ref(session, clock.today().year)
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
    require(actor, Permission.AGREEMENTS_WRITE)
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
    require(actor, Permission.AGREEMENTS_WRITE)
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
    require(actor, Permission.AGREEMENTS_WRITE)
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
    require(actor, Permission.AGREEMENTS_WRITE)
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
    require(actor, Permission.AGREEMENTS_WRITE)
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
    require(actor, Permission.AGREEMENTS_WRITE)
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
    require(actor, Permission.AGREEMENTS_WRITE)
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


def terms_of_status(row: Agreement) -> Terms:
    """The dates and status of a row, without its scope (enough for expiry and renewal)."""
    return Terms(
        ref=row.ref,
        status=row.status,
        effective_on=row.effective_on,
        expires_on=row.expires_on,
        terminated_on=row.terminated_on,
    )


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
