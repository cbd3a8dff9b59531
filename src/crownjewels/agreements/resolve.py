"""Inputs of the agreements file resolved through the capabilities below it (parties by id,
name or email through `parties.service`, secrets through `inventory.service`, never their
tables) and checked for consistency, and the names a read shows for them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.agreements.errors import BadAgreement
from crownjewels.agreements.models import Agreement, AgreementParty, AgreementScope, Signatory
from crownjewels.agreements.schemas import (
    PartyCreate,
    ScopeKind,
    ScopeSecret,
    SignatoryCreate,
)
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import NotFound
from crownjewels.core.ids import new_id
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties


def party_names(session: Session, actor: Actor, rows: Iterable[AgreementParty]) -> dict[str, str]:
    """Display names of the parties: people by full name, organisations by name (one the
    actor may not see is named as such)."""
    names: dict[str, str] = {}
    people = {p.person_id for p in rows if p.person_id}
    names.update(parties.person_names(session, people))
    for p in rows:
        if p.organisation_id and p.organisation_id not in names:
            try:
                org = parties.get_organisation(session, actor=actor, org_ref=p.organisation_id)
                names[p.organisation_id] = org.name
            except NotFound:
                names[p.organisation_id] = "(an organisation you may not see)"
    return names


def scope_secrets(session: Session, actor: Actor, row: Agreement) -> list[ScopeSecret]:
    """The secrets a named scope lists, as the actor may see them."""
    out = []
    for item in row.scope_items:
        if not item.secret_id:
            continue
        try:
            secret = inventory.get(session, actor=actor, secret_ref=item.secret_id)
            out.append(ScopeSecret(id=secret.id, ref=secret.ref, name=secret.name))
        except NotFound:
            out.append(
                ScopeSecret(id=item.secret_id, ref="(hidden)", name="a secret you may not see")
            )
    return out


def resolve_party(session: Session, actor: Actor, data: PartyCreate) -> AgreementParty:
    """A new party row for an organisation (id or name) or a person (id or email)."""
    if data.organisation:
        org = parties.get_organisation(session, actor=actor, org_ref=data.organisation)
        return AgreementParty(id=new_id(), organisation_id=org.id, role=data.role)
    person = parties.get_person(session, actor=actor, person_ref=data.person or "")
    return AgreementParty(id=new_id(), person_id=person.id, role=data.role)


def check_new_party(row: Agreement, party: AgreementParty) -> None:
    """Refuse a party the agreement already names."""
    for p in row.parties:
        if (p.organisation_id, p.person_id) == (party.organisation_id, party.person_id):
            raise BadAgreement(
                f"{row.ref or 'the agreement'} already names this party; give each party once",
                field="parties",
            )


def party_matches(session: Session, actor: Actor, party: AgreementParty, ref: str) -> bool:
    """Whether `ref` names this party: its id, its organisation's id or name, or its
    person's id, email or full name."""
    key = ref.strip().lower()
    if key in {
        party.id.lower(),
        (party.organisation_id or "").lower(),
        (party.person_id or "").lower(),
    }:
        return True
    if party.organisation_id:
        org = parties.get_organisation(session, actor=actor, org_ref=party.organisation_id)
        return org.name.lower() == key
    person = parties.get_person(session, actor=actor, person_ref=party.person_id or "")
    return key in {person.email.lower(), person.full_name.lower()}


def signatory(session: Session, actor: Actor, row: Agreement, data: SignatoryCreate) -> Signatory:
    """A signatory row, signing for one of the agreement's parties (or none named)."""
    party_id = None
    if data.party:
        found = [p for p in row.parties if party_matches(session, actor, p, data.party)]
        if not found:
            raise BadAgreement(
                f"signatory {data.name} signs for {data.party!r}, which is not a party of the "
                "agreement; name one of its organisations or people",
                field="signatories",
            )
        party_id = found[0].id
    if data.signed_on and data.signed_on > clock.today():
        raise BadAgreement(
            f"signatory {data.name}: signature date {data.signed_on} is in the future",
            field="signatories",
        )
    return Signatory(
        id=new_id(), name=data.name, title=data.title, party_id=party_id, signed_on=data.signed_on
    )


def scope_items(
    session: Session, actor: Actor, scope: str, secrets: list[str], categories: list[str]
) -> list[AgreementScope]:
    """The scope rows for a scope kind: the named secrets (looked up for the actor) or the
    categories; none for `all`. Items the scope kind does not use are refused, not dropped."""
    if secrets and scope != ScopeKind.NAMED:
        raise BadAgreement(
            f"secrets are named but the scope is {scope!r}; use scope 'named' to cover only them",
            field="secrets",
        )
    if categories and scope != ScopeKind.CATEGORIES:
        raise BadAgreement(
            f"categories are given but the scope is {scope!r}; use scope 'categories' to cover "
            "only them",
            field="categories",
        )
    if scope == ScopeKind.NAMED:
        ids = []
        for ref in secrets:
            secret_id = inventory.get(session, actor=actor, secret_ref=ref).id
            if secret_id not in ids:
                ids.append(secret_id)
        return [AgreementScope(id=new_id(), secret_id=i) for i in ids]
    if scope == ScopeKind.CATEGORIES:
        return [AgreementScope(id=new_id(), category=str(c)) for c in dict.fromkeys(categories)]
    return []


def check_law(country: str | None, subdivision: str | None) -> None:
    """The subdivision of the governing law must lie in its country."""
    if subdivision and not country:
        raise BadAgreement(
            f"governing_law_subdivision {subdivision} needs the country in governing_law",
            field="governing_law",
        )
    if subdivision and country and not subdivision.startswith(country + "-"):
        raise BadAgreement(
            f"governing_law_subdivision {subdivision} is not in {country}; "
            f"use a code that starts with {country}-",
            field="governing_law_subdivision",
        )


def check_dates(effective_on: date | None, expires_on: date | None) -> None:
    """An agreement must start before it ends."""
    if effective_on and expires_on and expires_on < effective_on:
        raise BadAgreement(
            f"expires_on ({expires_on}) is before effective_on ({effective_on}); an agreement "
            "must start before it ends",
            field="expires_on",
        )


def change_scope(
    session: Session, actor: Actor, row: Agreement, fields: dict[str, Any], before: dict[str, Any]
) -> None:
    """Replace the scope with the one an update gives; secrets or categories it leaves out
    stay as they are when the scope kind still uses them."""
    scope = fields.get("scope") or row.scope
    secrets = fields.get("secrets")
    categories = fields.get("categories")
    if secrets is None:
        secrets = before["secrets"] if scope == ScopeKind.NAMED else []
    if categories is None:
        categories = before["categories"] if scope == ScopeKind.CATEGORIES else []
    if scope == ScopeKind.NAMED and not secrets:
        raise BadAgreement("scope 'named' needs at least one secret in `secrets`", field="secrets")
    if scope == ScopeKind.CATEGORIES and not categories:
        raise BadAgreement(
            "scope 'categories' needs at least one category in `categories`", field="categories"
        )
    row.scope = scope
    row.scope_items = scope_items(session, actor, scope, list(secrets), list(categories))
