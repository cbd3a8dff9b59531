"""Reading agreements: a row by ref as the actor may see it, the values the pure rules read
from it, one agreement as shown, and the filtered list."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from crownjewels.agreements import repository, resolve, rules
from crownjewels.agreements.errors import AgreementNotFound
from crownjewels.agreements.models import Agreement
from crownjewels.agreements.schemas import (
    AgreementFilter,
    AgreementRead,
    PartyRead,
    PartyRole,
    SignatoryRead,
    Terms,
)
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties


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


def terms_of_status(row: Agreement) -> Terms:
    """The dates and status of a row, without its scope (enough for expiry and renewal)."""
    return Terms(
        ref=row.ref,
        status=row.status,
        effective_on=row.effective_on,
        expires_on=row.expires_on,
        terminated_on=row.terminated_on,
    )


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
    if filters.findings_to_decide:
        query = repository.with_findings_to_decide(query)
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
