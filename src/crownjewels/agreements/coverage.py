"""What the access rules ask of agreements: which are in force for an organisation or a
person, which cover disclosing a secret to them, and, when none does, why not in plain words."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from crownjewels.agreements import repository, rules
from crownjewels.agreements.models import Agreement
from crownjewels.agreements.reads import read, terms_of, terms_of_status
from crownjewels.agreements.schemas import AgreementRead, CoverAsk, SecretFacts, Terms
from crownjewels.core import db as core_db
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead


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


def kinds_in_force(
    session: Session, actor: Actor, *, organisation_id: str, on: date
) -> frozenset[str]:
    """The kinds (nda, dpa, …) of the agreements in force on `on` with the organisation: one
    query, for a rule that asks only whether a kind is in force (a DPA: the vendor is our
    processor)."""
    query = repository.not_drafts(
        repository.with_party(repository.visible_to(actor, loaded=False), organisation_id, None)
    )
    return frozenset(
        r.kind for r in session.scalars(query) if rules.in_force(terms_of_status(r), on=on)
    )


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


def covered(session: Session, actor: Actor, *, asks: Sequence[CoverAsk], on: date) -> list[bool]:
    """`covering` as yes or no for many questions at once (the posture of the whole register):
    the agreements naming any of the parties are read once, with their parties and scope, and
    `rules.covers` decides each question, as it does for one."""
    orgs = {a.organisation_id for a in asks if a.organisation_id}
    people = {a.person_id for a in asks if a.person_id}
    if not orgs and not people:
        return [False] * len(asks)
    query = repository.with_any_party(
        repository.not_drafts(repository.visible_to(actor)), orgs, people
    )
    found = [
        (
            terms_of(row),
            {p.organisation_id for p in row.parties if p.organisation_id},
            {p.person_id for p in row.parties if p.person_id},
        )
        for row in session.scalars(query)
    ]
    return [
        any(
            (a.organisation_id in org_ids or a.person_id in person_ids)
            and rules.covers(terms, a.secret, on=on)
            for terms, org_ids, person_ids in found
        )
        for a in asks
    ]


@functools.cache
def _covering(by_organisation: bool, by_person: bool) -> Select[*tuple[Any, ...]]:
    """`_covers`'s query for one shape of the question (an organisation, a person, or either
    named), built once: the values are bound when it runs."""
    query = repository.covering_secret(
        repository.not_drafts(
            repository.with_party(
                select(Agreement),
                bindparam("organisation_id") if by_organisation else None,
                bindparam("person_id") if by_person else None,
            )
        ),
        bindparam("secret_id"),
        bindparam("category"),
    )
    return query.with_only_columns(
        Agreement.ref,
        Agreement.status,
        Agreement.effective_on,
        Agreement.expires_on,
        Agreement.terminated_on,
        Agreement.scope,
        Agreement.survival_years,
        Agreement.trade_secrets_survive,
    )


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
    decide on the status and dates; no party, scope or signatory is loaded. (An actor who may
    not read agreements sees none, so none covers for them.)"""
    if not repository.sees_all(actor):
        return False
    query = _covering(bool(organisation_id), bool(person_id))
    values = {
        "organisation_id": organisation_id,
        "person_id": person_id,
        "secret_id": secret.id,
        "category": secret.category,
    }
    for row in core_db.read(session, query, values):
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
    secret: str | SecretRead,
    organisation_id: str | None = None,
    person_id: str | None = None,
    on: date,
) -> list[str]:
    """Why no agreement with the organisation or person covers the secret on `on`: one plain
    sentence per agreement naming them (expired, terminated, out of scope …), or a sentence
    saying there is none. Empty when one does cover it. The secret is named (id, ref) or
    given as the caller already read it."""
    if not organisation_id and not person_id:
        raise Invalid("name the organisation or the person the secret would be disclosed to")
    if not isinstance(secret, SecretRead):
        secret = inventory.get_plain(session, actor=actor, secret_ref=secret)
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
