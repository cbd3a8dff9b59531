"""The letter context of a case, built only through the services: the case and its subjects,
the organisation (parties' own organisation, the settings' company name without one), the
recipient (a person or organisation of the case), the agreements and their analysed clauses,
the ledger's disclosures to the recipient of the case's secrets, the secrets, the people, the
deadlines, the personal data facts, the legal steps, the containment measures and the author.
What the records cannot give is left for counsel in the draft and said in the notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.codes import country_name
from crownjewels.core.errors import Invalid
from crownjewels.incidents import clocking
from crownjewels.incidents import service as cases
from crownjewels.incidents.clocks.schemas import Clock as CaseClock
from crownjewels.incidents.containment import service as containment
from crownjewels.incidents.legal import clauses, repository, rules, sources
from crownjewels.incidents.legal.errors import LetterNeeds, NotConcerned
from crownjewels.incidents.legal.schemas import STEP_WORDS, StepKind
from crownjewels.incidents.legal.sources import Party
from crownjewels.incidents.letters.errors import LetterNotFound
from crownjewels.incidents.letters.render import TEMPLATES
from crownjewels.incidents.letters.schemas import (
    Agreement,
    Author,
    Case,
    Clock,
    LegalStep,
    LetterContext,
    Measure,
    Organisation,
    PersonalData,
    Regime,
    RegimeFacts,
    TemplateInfo,
)
from crownjewels.incidents.models import Incident
from crownjewels.incidents.schemas import ROLE_WORDS, CaseFacts, CaseRead, SubjectKind
from crownjewels.parties import service as parties
from crownjewels.vault import service as vault

#: days a cease-and-desist letter gives its recipient when no date is given
CEASE_REPLY_DAYS = 10
#: what counsel completes when the records do not say it
TODO_NAME = "[to complete: the signatory's name]"
TODO_TITLE = "[to complete: the signatory's title]"
TODO_EMAIL = "[to complete: the contact email]"
TODO_COUNTRY = "[to complete: the country]"
#: clocks that tell people rather than the authority (a regulator notice cites the authority's)
_TO_PEOPLE = ("-residents", "-individuals", "-media", "-art-34")


@dataclass
class Built:
    """A letter's context with what the records could not fill in, the letter asked for and
    the party it goes to."""

    context: LetterContext
    info: TemplateInfo
    party: Party | None
    notes: list[str] = field(default_factory=list)


def template_info(key: str) -> TemplateInfo:
    """The letter template of that key, or LetterNotFound naming the ones there are."""
    info = TEMPLATES.get(key.strip().lower())
    if info is None:
        raise LetterNotFound(f"There is no letter {key!r}; choose one of {', '.join(TEMPLATES)}")
    return info


def zone(tz: str) -> ZoneInfo:
    """The organisation's time zone, or Invalid naming the fix."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"{tz!r} is not a time zone; use an IANA name such as Europe/Berlin", field="tz"
        ) from None


def pick(case: CaseRead, found: list[Party], typed: str | None) -> Party | None:
    """The person or organisation of the case a person typed (email, name or ref)."""
    if typed is None or not typed.strip():
        return None
    wanted = " ".join(typed.split()).lower()
    for party in found:
        if wanted in party.typed:
            return party
    if not found:
        raise NotConcerned(
            f"{case.ref} concerns no person or organisation yet: add {typed.strip()} to the "
            "case first, then draft the letter to them",
            field="recipient",
        )
    raise NotConcerned(
        f"{typed.strip()} is not a person or organisation of {case.ref}; a letter goes to one "
        f"of them ({', '.join(p.label for p in found)}), or add them to the case first",
        field="recipient",
    )


def _agreement_refs(case: CaseRead, typed: str | None) -> tuple[list[str], bool]:
    """The case's agreements, or the one typed (refused when the case does not concern it)."""
    refs = [s.ref for s in case.of_kind(SubjectKind.AGREEMENT)]
    if typed is None or not typed.strip():
        return refs, False
    wanted = typed.strip().upper()
    if wanted not in refs:
        listed = ", ".join(refs) or "none yet"
        raise NotConcerned(
            f"{typed.strip()} is not an agreement of {case.ref} (its agreements: {listed}); "
            "add it to the case first",
            field="agreement",
        )
    return [wanted], True


def agreements_for(
    session: Session,
    actor: Actor,
    case: CaseRead,
    *,
    party: Party | None,
    typed: str | None,
    vault_: vault.Vault | None,
    notes: list[str],
) -> tuple[Agreement, ...]:
    """The agreements a letter cites: the one chosen, else the case's agreements that name the
    recipient (or their organisation) as a party, else all the case's agreements."""
    refs, chosen = _agreement_refs(case, typed)
    found = clauses.read_all(session, actor, refs, notes)
    if party is not None and not chosen and found:
        named = tuple(
            a for a in found if clauses.names_party(a, party.person_id, party.organisation_id)
        )
        if not named:
            notes.append(
                f"None of {case.ref}'s agreements names {party.label} as a party: the draft "
                "leaves the agreement for counsel to complete"
            )
        found = named
    own = parties.own_organisation(session)
    return tuple(
        clauses.letter_agreement(
            session, actor, a, own_id=own.id if own else None, vault_=vault_, notes=notes
        )
        for a in found
    )


def _due(item: CaseClock, tz: str, month_first: bool) -> str:
    if item.status == "met" and item.done_at is not None:
        return f"met: notice given {rules.moment_words(item.done_at, tz, month_first)}"
    if item.due_at is not None:
        return rules.moment_words(item.due_at, tz, month_first)
    return item.remaining


def _clocks(items: list[CaseClock], tz: str, month_first: bool) -> tuple[Clock, ...]:
    """The case's deadlines as a letter lists them, due times in the organisation's style."""
    return tuple(
        Clock(
            name=c.name,
            due=_due(c, tz, month_first),
            recipient=c.recipient,
            citation=c.citation,
            regime=regime_of(c),
        )
        for c in items
    )


def regime_of(item: CaseClock) -> Regime | None:
    """The letter regime a case's clock falls under."""
    return rules.letter_regime(item.kind, item.regime, item.key)


def _regime(info: TemplateInfo, items: list[CaseClock], facts: CaseFacts) -> RegimeFacts | None:
    """The regime's facts for a regulator notice, from the case's clock under it (its citation;
    a US state's name) and the countries of the people concerned."""
    matching = [c for c in items if info.regime and regime_of(c) == info.regime]
    if info.regime is None or not matching:
        return None
    chosen = next((c for c in matching if not c.key.endswith(_TO_PEOPLE)), matching[0])
    state = rules.us_state_of(chosen.key)
    countries = facts.data_subject_countries
    return RegimeFacts(
        key=info.regime,
        jurisdiction=rules.state_name(state) if state else None,
        law=chosen.citation,
        cross_border=len(countries) > 1 if countries else None,
    )


def _personal_data(facts: CaseFacts) -> PersonalData | None:
    if not (facts.personal_data or facts.phi):
        return None
    sensitive = ("protected health information",) if facts.phi else ()
    return PersonalData(subject_count=facts.affected, sensitive=sensitive)


def _steps(session: Session, row: Incident) -> tuple[LegalStep, ...]:
    return tuple(
        LegalStep(kind=STEP_WORDS[StepKind(s.kind)], taken_at=s.taken_at, note=s.note)
        for s in repository.steps_of(session, row.id)
    )


def _measures(session: Session, actor: Actor, ref: str) -> tuple[Measure, ...]:
    """What the case's containment runs changed, oldest first (a reversed run said so)."""
    out = []
    for run in reversed(containment.history(session, actor=actor, ref=ref)):
        undone = " (since reversed)" if run.reversed_at else ""
        for step in run.steps:
            shown = ", ".join(step.items[:5]) + (" and more" if len(step.items) > 5 else "")
            words = f"{step.title}: {shown}" if shown else step.title
            out.append(Measure(description=words + undone, taken_at=run.ran_at))
    return tuple(out)


def _author(session: Session, actor: Actor, case: CaseRead) -> Author:
    """The acting user as the letter's signatory (their title from parties, else their seat
    on the case's team); a signatory to complete when no person acts (the command line)."""
    found = parties.people_by_ids(session, {actor.person_id}) if actor.person_id else []
    if not found:
        return Author(name=TODO_NAME, title=TODO_TITLE)
    person = found[0]
    seat = next((m for m in case.team if m.email == person.email), None)
    title = person.title or (ROLE_WORDS[seat.role].capitalize() if seat else TODO_TITLE)
    return Author(name=person.full_name, title=title, email=person.email)


def _organisation(session: Session, company: str, tz: str, author: Author) -> Organisation:
    own = parties.own_organisation(session)
    return Organisation(
        name=own.name if own else company,
        address_lines=(),
        country=country_name(own.country) if own else TODO_COUNTRY,
        country_code=own.country if own else None,
        contact_name=author.name,
        contact_email=author.email or TODO_EMAIL,
        timezone=tz,
    )


def _case(case: CaseRead) -> Case:
    return Case(
        ref=case.ref,
        title=case.title,
        kind=case.kind_words[:1].upper() + case.kind_words[1:],
        severity=case.severity.value.capitalize(),
        summary=case.summary or case.title,
        occurred_at=case.occurred_at,
        discovered_at=case.discovered_at,
        contained_at=case.contained_at,
        materiality_at=case.materiality_at,
    )


def _reply_by(info: TemplateInfo, today: date, respond_by: date | None) -> date | None:
    if respond_by is not None and respond_by < today:
        raise Invalid(
            f"the date to comply by ({respond_by}) is already past; give a later one",
            field="respond_by",
        )
    if respond_by is None and info.key == "cease-and-desist":
        return today + timedelta(days=CEASE_REPLY_DAYS)
    return respond_by


def _needs(info: TemplateInfo, case: CaseRead, found: list[Party]) -> LetterNeeds:
    choices = ", ".join(p.label for p in found) or "none yet: add one to the case"
    return LetterNeeds(
        f"The {info.title.lower()} goes to {info.to}: choose its recipient among the people "
        f"and organisations of {case.ref} ({choices})",
        field="recipient",
    )


def _context(
    session: Session,
    actor: Actor,
    row: Incident,
    case: CaseRead,
    *,
    info: TemplateInfo,
    party: Party | None,
    notes: list[str],
    found: list[Party],
    agreements: tuple[Agreement, ...],
    tz: str,
    company: str,
    respond_by: date | None,
) -> LetterContext:
    """Everything the letter is drafted from, gathered through the services."""
    items = clocking.clocks(session, actor=actor, ref=case.ref, tz=tz)
    if info.regime is not None and not any(regime_of(c) == info.regime for c in items):
        notes.append(
            f"No deadline of {case.ref} falls under {info.regime.value}: check that this "
            "notice is due at all before you send it"
        )
    author = _author(session, actor, case)
    organisation = _organisation(session, company, tz, author)
    secrets = sources.secrets_of(session, actor, case)
    refs = {s.ref for s in secrets}
    targets = [party] if party else found
    today = clock.now().astimezone(zone(tz)).date()
    return LetterContext(
        organisation=organisation,
        case=_case(case),
        recipient=party.recipient() if party else None,
        agreements=agreements,
        disclosures=sources.disclosures_to(session, actor, targets, refs, notes),
        secrets=secrets,
        people=tuple(p.person() for p in found if p.kind == "person"),
        clocks=_clocks(items, tz, organisation.country_code == "US"),
        regime=_regime(info, items, case.facts),
        personal_data=_personal_data(case.facts),
        legal_steps=_steps(session, row),
        measures=_measures(session, actor, case.ref),
        author=author,
        today=today,
        respond_by=_reply_by(info, today, respond_by),
    )


def build(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    template: str,
    recipient: str | None,
    agreement: str | None,
    tz: str,
    company: str,
    respond_by: date | None = None,
    vault_: vault.Vault | None = None,
) -> Built:
    """The context of the letter `template` of the case, with the notes on what is left; a
    letter without the recipient or agreement it needs, or naming one the case does not
    concern, is refused in words."""
    info = template_info(template)
    zone(tz)
    row = cases.row(session, actor, ref)
    case = cases.read(session, row)
    found = sources.parties_of(session, actor, case)
    party = pick(case, found, recipient)
    if party is None and "recipient" in info.needs:
        raise _needs(info, case, found)
    notes: list[str] = []
    agreements = agreements_for(
        session, actor, case, party=party, typed=agreement, vault_=vault_, notes=notes
    )
    if not agreements and "agreements" in info.needs:
        raise LetterNeeds(
            f"The {info.title.lower()} is given under the agreement with "
            f"{party.label if party else 'the vendor'}: add that agreement to {case.ref} first",
            field="agreement",
        )
    context = _context(
        session, actor, row, case, info=info, party=party, notes=notes, found=found,
        agreements=agreements, tz=tz, company=company, respond_by=respond_by,
    )  # fmt: skip
    return Built(context=context, info=info, party=party, notes=notes)


def context_for(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    template: str,
    recipient: str | None,
    agreement: str | None,
    tz: str,
    company: str,
    respond_by: date | None = None,
    vault_: vault.Vault | None = None,
) -> LetterContext:
    """The context of the letter `template` of a visible case, built through the services (a
    cease-and-desist letter gives CEASE_REPLY_DAYS to comply unless `respond_by` says)."""
    return build(
        session, actor=actor, ref=ref, template=template, recipient=recipient,
        agreement=agreement, tz=tz, company=company, respond_by=respond_by, vault_=vault_,
    ).context  # fmt: skip
