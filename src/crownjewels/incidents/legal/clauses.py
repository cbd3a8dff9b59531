"""The agreements a letter cites, read through the agreements service: title, kind, the other
parties, dates, governing law, and the clauses the clause analysis found in the latest analysed
version, quoted from its text (decrypted through the vault: a DOCUMENT_READ) with their number
and heading where the text numbers them. What the records cannot give is left for counsel and
said in `notes`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.agreements import documents
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementRead, FindingRead, FindingStatus
from crownjewels.core.actor import Actor
from crownjewels.core.codes import country_code, subdivision_code
from crownjewels.core.errors import Forbidden, Invalid, NotFound
from crownjewels.incidents.legal import rules
from crownjewels.incidents.letters.schemas import Agreement, Clause, ClauseTopic
from crownjewels.vault import service as vault

#: a clause's number the text does not give (counsel completes it)
NO_NUMBER = "[to complete: its number]"
#: the agreements a person reaches a case's letters with, as read
Found = tuple[AgreementRead, ...]


def read_all(session: Session, actor: Actor, refs: list[str], notes: list[str]) -> Found:
    """The agreements of these refs the actor may read (a note for each one they may not)."""
    out = []
    for ref in refs:
        try:
            out.append(agreements.get(session, actor=actor, agreement_ref=ref))
        except (Forbidden, NotFound):
            notes.append(f"{ref} is not shown to you, so the draft does not cite it")
    return tuple(out)


def names_party(agreement: AgreementRead, person_id: str | None, org_id: str | None) -> bool:
    """Whether the person, or the organisation, is a party to the agreement."""
    return any(
        (person_id and p.person_id == person_id) or (org_id and p.organisation_id == org_id)
        for p in agreement.parties
    )


def _codes(found: AgreementRead) -> tuple[str | None, str | None]:
    """The governing law's country and subdivision codes, when they are codes the letters read."""
    try:
        country = country_code(found.governing_law) if found.governing_law else None
        sub = found.governing_law_subdivision
        return country, subdivision_code(sub) if sub else None
    except ValueError:
        return None, None


def letter_agreement(
    session: Session,
    actor: Actor,
    found: AgreementRead,
    *,
    own_id: str | None,
    vault_: vault.Vault | None,
    notes: list[str],
) -> Agreement:
    """One agreement as a letter cites it, with its analysed clauses."""
    others = [p.name for p in found.parties if not own_id or p.organisation_id != own_id]
    signed = [s.signed_on for s in found.signatories if s.signed_on]
    country, subdivision = _codes(found)
    return Agreement(
        ref=found.ref,
        title=found.title,
        kind=rules.AGREEMENT_KINDS.get(found.kind.value, found.kind.value),
        counterparty=", ".join(others) or found.title,
        signed_on=max(signed) if signed else None,
        effective_on=found.effective_on,
        governing_law=rules.law_words(country, subdivision),
        governing_law_code=country,
        governing_law_subdivision=subdivision,
        clauses=clauses_of(session, actor, found.ref, vault_=vault_, notes=notes),
    )


def _analysed_text(
    session: Session, actor: Actor, ref: str, number: int, vault_: vault.Vault, notes: list[str]
) -> str | None:
    """The analysed version's text, if it is still the text its findings point into."""
    try:
        version, text = documents.version_text(
            session, actor=actor, vault_=vault_, agreement_ref=ref, number=number
        )
    except (Forbidden, NotFound, Invalid) as exc:
        notes.append(f"The clauses of {ref} could not be quoted: {exc}")
        return None
    if version.text_sha256 != documents.text_digest(text):
        notes.append(
            f"The text of {ref} version {number} is not the one analysed; analyse it again "
            f"(`crownjewels agreements analyse {ref}`) to quote its clauses"
        )
        return None
    return text


def clauses_of(
    session: Session, actor: Actor, ref: str, *, vault_: vault.Vault | None, notes: list[str]
) -> tuple[Clause, ...]:
    """The clauses a letter quotes from the agreement's latest analysed version: each satisfied
    finding of a topic letters cite, its first evidence sentence with the clause's number and
    heading; none (and a note) when the agreement has no analysed document."""
    detail = documents.detail(session, actor=actor, agreement_ref=ref)
    wanted = [
        (f, topic)
        for f in detail.findings
        if f.effective_status == FindingStatus.SATISFIED
        and f.evidence
        and (topic := rules.clause_topic(f.requirement)) is not None
    ]
    if detail.findings_version is None or not wanted:
        notes.append(
            f"No analysed clause of {ref} is quoted: upload and analyse its document, or "
            "complete the clauses in the draft"
        )
        return ()
    if vault_ is None:
        notes.append(f"The clauses of {ref} are not quoted: the vault is not open")
        return ()
    text = _analysed_text(session, actor, ref, detail.findings_version, vault_, notes)
    if text is None:
        return ()
    return _quoted(text, wanted)


def _quoted(text: str, wanted: list[tuple[FindingRead, ClauseTopic]]) -> tuple[Clause, ...]:
    """Each finding's first evidence sentence as a clause, numbered where the text numbers it
    (one clause per number and topic)."""
    out: list[Clause] = []
    for finding, topic in wanted:
        cited = finding.evidence[0]
        if not 0 <= cited.start < cited.end <= len(text):
            continue
        number, heading = rules.clause_at(text, cited.start)
        quoted = rules.excerpt(text[cited.start : cited.end], number, heading)
        if not quoted or any(c.number == (number or NO_NUMBER) and c.topic == topic for c in out):
            continue
        out.append(
            Clause(
                number=number or NO_NUMBER,
                heading=heading or finding.title,
                text=quoted,
                topic=topic,
            )
        )
    return tuple(out)
