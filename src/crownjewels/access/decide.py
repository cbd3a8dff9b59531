"""Deciding: gather the facts of a request from the capabilities below (parties, inventory,
training, agreements, vendors and their due diligence), let the policy engine decide, and
explain every failed rule in plain words. `who_can` and `what_can` list with reasons."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from crownjewels.access import notice, regimes, repository
from crownjewels.access.engine import NO_GRANT, PolicyEngine, Verdict, engine_for
from crownjewels.access.facts import (
    AssessmentFacts,
    Facts,
    Level,
    MechanismFacts,
    PersonFacts,
    SecretFacts,
)
from crownjewels.access.repository import Applying
from crownjewels.access.rules import levels_granted, scc_module, transfer_gaps
from crownjewels.access.schemas import Decision, Reason
from crownjewels.agreements import service as agreements
from crownjewels.core import clock
from crownjewels.core.actor import fact_reader
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonRead, PersonStanding
from crownjewels.training import service as training
from crownjewels.vault import service as vault
from crownjewels.vendors import service as vendors
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.transfers import schemas as transfers_schemas
from crownjewels.vendors.transfers import service as transfers

#: the facts are read with the installation's own eyes: the rules need them whoever asks
READER = fact_reader("access")


def _person_facts(
    session: Session, person: PersonRead, on: date, details: dict[str, str]
) -> PersonFacts:
    # the person read as a decision reads them (access.decision) brings their organisation and
    # login along; a person read otherwise (a portal session's own) costs one query for them
    standing = (
        person
        if isinstance(person, PersonStanding)
        else parties.person_standing(session, person_ref=person.id)
    )
    countries: frozenset[str] = frozenset()
    diligence_ok, org_status = True, standing.organisation_status.value
    vendor = vendors.standing(session, organisation_id=person.organisation_id)
    if vendor is not None:
        countries = frozenset(vendor.exposure)
        org_status = (
            "active" if vendor.status == "active" and org_status == "active" else vendor.status
        )
        diligence_ok, detail = diligence.standing(session, vendor_id=vendor.vendor_id, on=on)
        details["diligence"] = detail
        if org_status != "active":
            details["active:organisation"] = (
                f"vendor {vendor.ref} ({standing.organisation_name}) is {vendor.status}"
            )
    missing = training.required_missing(
        session,
        person_id=person.id,
        on=on,
        kinds=(person.kind.value, standing.organisation_kind.value),
    )
    if missing:
        details["training"] = "required training not current: " + ", ".join(
            f"{m.code} {m.name} "
            f"({f'expired on {m.expired_on}' if m.expired_on else 'never completed'})"
            for m in missing
        )
    return PersonFacts(
        id=person.id,
        status=person.status.value,
        kind=person.kind.value,
        country=person.country,
        organisation_id=person.organisation_id,
        organisation_name=standing.organisation_name,
        organisation_kind=standing.organisation_kind.value,
        organisation_status=org_status,
        account_active=standing.account_active,
        processing_countries=countries,
        diligence_current=diligence_ok,
        training_current=not missing,
    )


def _secret_facts(secret: SecretRead) -> SecretFacts:
    return SecretFacts(
        id=secret.id,
        tier=secret.tier.value,
        category=secret.category.value,
        owner_id=secret.owner_id,
        status=secret.status.value,
        allowed_regions=frozenset(secret.allowed_regions),
    )


def _binding(
    session: Session,
    person: PersonFacts,
    secret: SecretRead,
    purposes: list[str],
    on: date,
    details: dict[str, str],
) -> tuple[bool, bool]:
    """(an agreement covers the disclosure, the person acknowledged the exact notice of the
    secret under one of the grants that apply, whose purposes are given)."""
    org_id = person.organisation_id if person.organisation_kind != "own" else None
    why = agreements.why_not_covering(
        session, READER, secret=secret, organisation_id=org_id, person_id=person.id, on=on
    )
    if why:
        details["bound:agreement"] = "; ".join(why)
    ack = notice.acknowledged(session, person_id=person.id, secret=secret, purposes=purposes)
    if not ack and person.vendor_staff:
        details["bound:acknowledgement"] = (
            f"has not acknowledged the confidentiality notice of {secret.ref}: acknowledge the "
            "confidentiality notice on the grant's page in the portal first"
        )
    return not why, ack


def _waiting(
    waiting: list[repository.Waiting], secret: SecretRead, action: Level, details: dict[str, str]
) -> None:
    """When no grant applies, name the person's grants on the secret that are not in force."""
    if waiting:
        details[NO_GRANT] = (
            "no need-to-know grant in force for "
            f"{action.value} of {secret.ref}: "
            + ", ".join(f"{g.ref} is {g.status}" for g in waiting)
            + "; access is given only under an approved or active grant"
        )


def _origins(session: Session, secret: SecretRead, own_country: str | None) -> list[str]:
    """Where the personal data is held, so exported from: the countries of the secret's
    locations that name one (a German subsidiary's drive: DE), else our own company's."""
    held = inventory.holding_countries(session, secret_id=secret.id)
    return held or ([own_country] if own_country else [])


def _personal_data(
    session: Session, secret: SecretRead, document_id: str | None
) -> tuple[bool, list[str]]:
    """Whether the request reaches personal data (the secret's flag, or the asked document's),
    and where its data subjects are. The category is not read: a customer list may hold only
    companies, a process document may hold staff data."""
    if secret.personal_data or document_id is None:
        return secret.personal_data, list(secret.data_subject_regions)
    return vault.personal_data_of(session, document_id=document_id)


def _transfer(
    session: Session,
    person: PersonFacts,
    secret: SecretRead,
    document_id: str | None,
    on: date,
    details: dict[str, str],
) -> bool:
    """Personal data leaving the regime of the country where it is held (GDPR, UK GDPR, the
    Swiss FADP, China's PIPL: access/data/transfer_regimes.yaml) reaches the person's country
    and the vendor's processing countries only under a mechanism of that regime recorded with
    the recipient, plus its transfer impact assessment (`rules.transfer_gaps`). A DPA is not a
    mechanism (GDPR Art. 28 governs processing; Chapter V, Art. 44, governs transfers); it only
    tells the SCC module (the vendor processes for us: C2P). Our own staff are no importer for
    data our own company exports (EDPB Guidelines 05/2021, the employee example)."""
    personal, subjects = _personal_data(session, secret, document_id)
    if not personal:
        return True
    own = parties.own_organisation(session)
    standing: transfers_schemas.TransferStanding | None = None
    module: str | None = None
    for origin in _origins(session, secret, own.country if own else None):
        regime = regimes.regime_of(origin)
        if regime is None or (
            own and person.organisation_id == own.id and own.country in regime.members
        ):
            continue
        for destination in sorted({person.country, *person.processing_countries}):
            if destination in regime.members:
                continue
            if standing is None:
                standing = transfers.standing(
                    session, organisation_id=person.organisation_id, name=person.organisation_name
                )
            if module is None:
                module = scc_module(importer_is_processor=_processor(session, person, on))
            gaps = transfer_gaps(
                regime=regime,
                origin=origin,
                destination=destination,
                recipient=standing.name,
                module=module,
                mechanisms=[_mechanism(m) for m in standing.mechanisms],
                assessments=[
                    AssessmentFacts(a.regime.value, a.country, a.assessed_on, a.outcome.value)
                    for a in standing.assessments
                ],
                on=on,
            )
            if gaps:
                who = f" (data subjects in {', '.join(subjects)})" if subjects else ""
                details["region:transfer"] = (
                    f"{secret.ref} holds personal data{who} under {regime.code}: " + "; ".join(gaps)
                )
                return False
    return True


def _processor(session: Session, person: PersonFacts, on: date) -> bool:
    """The recipient processes for us when a DPA (GDPR Art. 28) with it is in force."""
    kinds = agreements.kinds_in_force(
        session, READER, organisation_id=person.organisation_id, on=on
    )
    return "dpa" in kinds


def _mechanism(m: transfers_schemas.MechanismRead) -> MechanismFacts:
    return MechanismFacts(
        kind=m.kind.value,
        regime=m.regime.value,
        countries=frozenset(m.countries),
        module=m.module.value if m.module else None,
        ground=m.ground.value if m.ground else None,
        filed_on=m.filed_on,
        effective_on=m.effective_on,
        expires_on=m.expires_on,
    )


def gather(
    session: Session,
    *,
    person: PersonRead,
    secret: SecretRead,
    action: Level,
    document_id: str | None = None,
    mfa: bool = False,
    at: datetime | None = None,
) -> tuple[Facts, list[Applying]]:
    """The facts of one request, and the grants that apply to it (id, ref, level, purpose)."""
    at = at or clock.now()
    on = at.date()
    details: dict[str, str] = {}
    pf = _person_facts(session, person, on, details)
    held = repository.on_secret(
        session, person_id=person.id, secret_id=secret.id, document_id=document_id, at=at
    )
    grants = held.applying
    if not grants:
        _waiting(held.waiting, secret, action, details)
    covers, acknowledged = _binding(session, pf, secret, [g.purpose for g in grants], on, details)
    facts = Facts(
        person=pf,
        secret=_secret_facts(secret),
        action=action,
        granted=levels_granted([g.level for g in grants]),
        mfa=mfa,
        agreement_covers=covers,
        acknowledged=acknowledged,
        transfer_allowed=_transfer(session, pf, secret, document_id, on, details),
        details=details,
    )
    return facts, grants


_PLAIN = {
    NO_GRANT: "no need-to-know grant for {action} of {secret}",
    "bound:agreement": "no confidentiality agreement in force covers {secret}",
    "bound:acknowledgement": "has not acknowledged the notice of {secret}",
    "diligence": "the vendor's due diligence is not passed or has expired",
    "training": "required training is not current",
    "region:countries": (
        "{country} (or the vendor's processing countries {countries}) is outside "
        "the allowed regions of {secret} ({regions})"
    ),
    "region:transfer": "the jurisdiction rules do not allow this transfer",
    "active": "the person is {status}, not active",
    "mfa": "{secret} is highly sensitive: sign in with MFA (TOTP) first",
}


def explain(engine: PolicyEngine, facts: Facts, rule: str, secret_ref: str) -> Reason:
    """A failed rule in plain words, with the facts' own detail where there is one."""
    if (
        rule == "active"
        and "active:organisation" in facts.details
        and facts.person.status == "active"
    ):
        return Reason(rule=rule, message=facts.details["active:organisation"])
    if rule == "active" and not facts.person.account_active and facts.person.status == "active":
        return Reason(rule=rule, message="the person's login is deactivated")
    if rule in facts.details:
        return Reason(rule=rule, message=facts.details[rule])
    if rule in engine.reasons:
        return Reason(rule=rule, message=engine.reasons[rule])
    template = _PLAIN.get(rule) or _PLAIN.get(rule.split(":")[0]) or f"policy {rule} forbids it"
    return Reason(
        rule=rule,
        message=template.format(
            action=facts.action.value,
            secret=secret_ref,
            country=facts.person.country,
            countries=", ".join(sorted(facts.person.processing_countries)) or "none",
            regions=", ".join(sorted(facts.secret.allowed_regions)) or "anywhere",
            status=facts.person.status,
        ),
    )


def decision_of(
    engine: PolicyEngine,
    facts: Facts,
    verdict: Verdict,
    *,
    person: PersonRead,
    secret: SecretRead,
    action: Level,
    failed: list[str] | None = None,
) -> Decision:
    """The engine's verdict on `facts` as a Decision that names its rules in words; `failed`
    overrides the verdict's failed rules (a missing grant said first)."""
    return Decision(
        allowed=verdict.allowed,
        person_id=person.id,
        person_name=person.full_name,
        secret_id=secret.id,
        secret_ref=secret.ref,
        action=action,
        reasons=[
            explain(engine, facts, r, secret.ref)
            for r in dict.fromkeys(verdict.failed if failed is None else failed)
        ],
        permitted_by=list(verdict.permitted_by),
    )


def evaluate(
    session: Session,
    *,
    person: PersonRead,
    secret: SecretRead,
    action: Level,
    document_id: str | None = None,
    mfa: bool = False,
    engine: PolicyEngine | None = None,
    at: datetime | None = None,
) -> Decision:
    """Decide one request and explain it. A default deny also lists every other rule that
    would fail, so one answer says everything that must change."""
    decision, _ = evaluate_with_grants(
        session,
        person=person,
        secret=secret,
        action=action,
        document_id=document_id,
        mfa=mfa,
        engine=engine,
        at=at,
    )
    return decision


def evaluate_with_grants(
    session: Session,
    *,
    person: PersonRead,
    secret: SecretRead,
    action: Level,
    document_id: str | None = None,
    mfa: bool = False,
    engine: PolicyEngine | None = None,
    at: datetime | None = None,
) -> tuple[Decision, list[str]]:
    """`evaluate`, and the ids of the grants that apply (an allowed use marks them used
    without reading them again)."""
    engine = engine or engine_for(None)
    facts, grants = gather(
        session,
        person=person,
        secret=secret,
        action=action,
        document_id=document_id,
        mfa=mfa,
        at=at,
    )
    verdict: Verdict = engine.decide(facts)
    failed = list(verdict.failed)
    if not verdict.allowed and action not in facts.granted and person.id != secret.owner_id:
        failed.insert(0, NO_GRANT)  # forbidden, and no grant either: say both
    decision = decision_of(
        engine, facts, verdict, person=person, secret=secret, action=action, failed=failed
    )
    decision.grant_refs = [g.ref for g in grants]
    return decision, [g.id for g in grants]
