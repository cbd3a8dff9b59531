"""The posture of the register as an actor may see it: every active secret visible to the
actor checked against every measure (`rules.missing`), from a handful of bulk reads: the
secrets, their held grants, each distinct holder's facts once (as the access rules read them:
training, vendor due diligence) and one read of the agreements that could bind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from crownjewels.access.posture import repository, rules
from crownjewels.access.posture.repository import Holding
from crownjewels.access.posture.schemas import (
    HolderFacts,
    Measure,
    Posture,
    SecretCheck,
    SecretGap,
)
from crownjewels.agreements import schemas as agreement_schemas
from crownjewels.agreements import service as agreements
from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Permission
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import Factor, SecretRead
from crownjewels.parties import service as parties
from crownjewels.training import service as training
from crownjewels.vendors import service as vendors
from crownjewels.vendors.diligence import service as diligence

#: the holders' facts are read with the installation's eyes, as a decision reads them
READER = fact_reader("access")
Key = tuple[str | None, str | None]


@dataclass(frozen=True)
class _Party:
    """A holder as the measures read it: whom an agreement must name (their organisation
    unless it is our own, and the person), training and due diligence."""

    agreement_org: str | None
    person_id: str | None
    vendor: bool
    training_current: bool
    diligence_current: bool


def _organisation(
    session: Session, org_id: str, on: date, seen: dict[str, tuple[bool, bool, bool]]
) -> tuple[bool, bool, bool]:
    """(our own organisation, a vendor, its due diligence current), read once per organisation."""
    if org_id not in seen:
        org = parties.get_organisation(session, actor=READER, org_ref=org_id)
        vendor = vendors.standing(session, organisation_id=org_id)
        current = (
            diligence.standing(session, vendor_id=vendor.vendor_id, on=on)[0] if vendor else True
        )
        seen[org_id] = (org.kind.value == "own", vendor is not None, current)
    return seen[org_id]


def _party(
    session: Session, h: Holding, on: date, orgs: dict[str, tuple[bool, bool, bool]]
) -> _Party:
    """The facts of one holder: a person (their organisation, training), or the organisation
    of a group grant (no person to train)."""
    trained = True
    org_id = h.organisation_id or ""
    if h.person_id:
        person = parties.get_person(session, actor=READER, person_ref=h.person_id)
        org_id = person.organisation_id
        trained = not training.required_missing(session, person_id=person.id, on=on)
    own, vendor, current = _organisation(session, org_id, on, orgs)
    return _Party(None if own else org_id, h.person_id, vendor, trained, current)


def _bound(
    session: Session, secrets: dict[str, SecretRead], pairs: list[tuple[str, _Party]], on: date
) -> list[bool]:
    """Whether an agreement in force binds each (secret, holder): one read for all of them."""
    asks = [
        agreement_schemas.CoverAsk(
            secret=agreement_schemas.SecretFacts(
                id=sid, ref=secrets[sid].ref, category=secrets[sid].category.value
            ),
            organisation_id=p.agreement_org,
            person_id=p.person_id,
        )
        for sid, p in pairs
    ]
    return agreements.covered(session, READER, asks=asks, on=on)


def _holders(
    session: Session, secrets: dict[str, SecretRead], held: list[Holding], on: date
) -> dict[str, list[HolderFacts]]:
    """Per secret, the facts of each distinct holder (each holder's facts read once)."""
    orgs: dict[str, tuple[bool, bool, bool]] = {}
    by_key: dict[Key, _Party] = {}
    pairs: dict[tuple[str, Key], _Party] = {}
    for h in held:
        key = (h.person_id, None if h.person_id else h.organisation_id)
        if key not in by_key:
            by_key[key] = _party(session, h, on, orgs)
        pairs[(h.secret_id, key)] = by_key[key]
    listed = [(sid, p) for (sid, _), p in pairs.items()]
    out: dict[str, list[HolderFacts]] = {}
    for (sid, p), bound in zip(listed, _bound(session, secrets, listed, on), strict=True):
        facts = HolderFacts(bound, p.training_current, p.vendor, p.diligence_current)
        out.setdefault(sid, []).append(facts)
    return out


def _owners_in_post(session: Session, owner_ids: set[str]) -> dict[str, bool]:
    """Whether each owner is still in post (not departed), read once per owner."""
    return {
        i: parties.get_person(session, actor=READER, person_ref=i).status.value != "departed"
        for i in sorted(owner_ids)
    }


def checks(session: Session, *, actor: Actor, at: datetime) -> list[tuple[SecretRead, SecretCheck]]:
    """Every active secret the actor may see, with what the posture rule reads of it."""
    if not (actor.can(Permission.SECRETS_READ_ALL) or actor.can(Permission.SECRETS_READ_OWN)):
        raise Forbidden("the posture needs secrets:read-all or secrets:read-own")
    secrets = {s.id: s for s in inventory.active_secrets(session, actor=actor)}
    held = repository.holdings(session, secrets)
    holders = _holders(session, secrets, held, at.date())
    expiries: dict[str, list[datetime]] = {}
    for h in held:
        expiries.setdefault(h.secret_id, []).append(h.expires_at)
    owners = _owners_in_post(session, {s.owner_id for s in secrets.values()})
    return [
        (
            s,
            SecretCheck(
                ref=s.ref,
                tier=s.tier.value,
                owner_active=owners[s.owner_id],
                factors_assessed=len(s.secrecy_assessment),
                factors_required=len(Factor),
                legend=s.legend,
                next_review_on=s.next_review_on,
                holders=tuple(holders.get(s.id, ())),
                grant_expiries=tuple(expiries.get(s.id, ())),
            ),
        )
        for s in secrets.values()
    ]


def posture(session: Session, *, actor: Actor, at: datetime | None = None) -> Posture:
    """Per tier: the active secrets the actor may see, those with every measure in place, and
    per measure those lacking it."""
    at = at or clock.now()
    return Posture(tiers=rules.tally((c for _, c in checks(session, actor=actor, at=at)), at=at))


def gaps(
    session: Session,
    *,
    actor: Actor,
    tier: str | None = None,
    measure: Measure | None = None,
    protected: bool | None = None,
    at: datetime | None = None,
) -> list[SecretGap]:
    """The secrets behind one posture number, by ref: of a tier (or all), lacking a measure
    (or any), or with every measure in place (`protected=True`) or not (`False`)."""
    at = at or clock.now()
    out = []
    for secret, check in checks(session, actor=actor, at=at):
        missing = rules.missing(check, at=at)
        if tier and check.tier != tier:
            continue
        if measure and measure not in missing:
            continue
        if protected is not None and protected != (not missing):
            continue
        ordered = [m for m in Measure if m in missing]
        out.append(SecretGap(**_gap_fields(secret), missing=ordered))
    return out


def _gap_fields(secret: SecretRead) -> dict[str, str | None]:
    return {
        "ref": secret.ref,
        "name": secret.name,
        "tier": secret.tier.value,
        "owner_name": secret.owner_name,
    }
