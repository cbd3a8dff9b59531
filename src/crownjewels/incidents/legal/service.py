"""A case's legal side: record and list its legal steps (INCIDENT_LEGAL_STEP), list the letters
the case calls for with whom each may go to, and draft one from the case's records as DOCX, PDF
or text (INCIDENT_LETTER_GENERATED with the template, the recipient, the format and the SHA-256
of what was made, in the caller's transaction).

Who: incidents:write records steps and drafts letters (legal and security hold it); the case's
readers (incidents:read, and its team) list its steps and letters. A case the actor cannot see
is not found, never which."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import labels
from crownjewels.custody.schemas import EventType
from crownjewels.incidents import clocking
from crownjewels.incidents import service as cases
from crownjewels.incidents.legal import context, repository, rules, sources
from crownjewels.incidents.legal.schemas import (
    EXTENSIONS,
    MEDIA_TYPES,
    STEP_WORDS,
    Choice,
    LetterPreview,
    StepCreate,
    StepKind,
    StepRead,
    TemplateRead,
)
from crownjewels.incidents.letters.markup import plain
from crownjewels.incidents.letters.render import TEMPLATES, Letter, render, templates_for
from crownjewels.incidents.models import Incident, LegalStep
from crownjewels.incidents.schemas import SubjectKind
from crownjewels.vault import service as vault

#: the letters addressed to a person or organisation of the case (chosen on the letters page)
ADDRESSED = frozenset({"cease-and-desist", "vendor-breach", "affected-people"})


def readable(session: Session, *, actor: Actor, ref: str) -> Incident:
    """The case, if the actor may read it (incidents:read, or a seat on its team); else not
    found, never which."""
    return cases.row(session, actor, ref)


def drafter(session: Session, *, actor: Actor, ref: str) -> Incident:
    """The case, if the actor may see it (else not found, never which) and holds
    incidents:write (else forbidden): who drafts its letters and records its legal steps."""
    found = cases.row(session, actor, ref)
    actor.require(P.INCIDENTS_WRITE, what="the legal side of an incident case")
    return found


# --- legal steps ------------------------------------------------------------------------------


def _step_reads(session: Session, rows: list[LegalStep]) -> list[StepRead]:
    names = labels.actor_texts(session, {r.recorded_by for r in rows})
    return [
        StepRead(
            number=n,
            kind=StepKind(r.kind),
            kind_words=STEP_WORDS[StepKind(r.kind)],
            taken_at=r.taken_at,
            note=r.note,
            recorded_by=names.get(r.recorded_by, r.recorded_by),
            created_at=r.created_at,
        )
        for n, r in enumerate(rows, start=1)
    ]


def record_step(session: Session, *, actor: Actor, ref: str, data: StepCreate) -> StepRead:
    """Record a legal step taken in an open case (INCIDENT_LEGAL_STEP); it cannot be taken in
    the future."""
    row = cases.writable(session, actor, ref, "recording a legal step")
    now = clock.now()
    at = data.taken_at or now
    if at > now:
        raise Invalid(
            "a legal step cannot be taken in the future; give when it was taken", field="taken_at"
        )
    step = LegalStep(
        incident_id=row.id,
        kind=data.kind.value,
        taken_at=at,
        note=data.note.strip(),
        recorded_by=actor.ref,
        created_at=now,
    )
    session.add(step)
    row.updated_at = now
    cases.record(
        session,
        actor,
        row,
        EventType.INCIDENT_LEGAL_STEP,
        kind=step.kind,
        taken_at=at.isoformat(),
        note=step.note or None,
    )
    rows = repository.steps_of(session, row.id)
    return _step_reads(session, rows)[[r.id for r in rows].index(step.id)]


def steps(session: Session, *, actor: Actor, ref: str) -> list[StepRead]:
    """A visible case's legal steps in the order they were taken."""
    row = cases.row(session, actor, ref)
    return _step_reads(session, repository.steps_of(session, row.id))


# --- letters ----------------------------------------------------------------------------------


def templates(
    session: Session, *, actor: Actor, ref: str, tz: str, everything: bool = False
) -> list[TemplateRead]:
    """The letters the case calls for (its kind and the regimes of its deadlines), or every
    letter with `everything`, each with whom it goes to and the case's people, organisations
    and agreements to choose from."""
    case = cases.get(session, actor=actor, ref=ref)
    regimes = {
        r for c in clocking.clocks(session, actor=actor, ref=case.ref, tz=tz)
        if (r := context.regime_of(c)) is not None
    }  # fmt: skip
    applying = {t.key for t in templates_for(case.kind.value, regimes)}
    found = sources.parties_of(session, actor, case)
    agreements = [Choice(value=s.ref, label=s.name) for s in case.of_kind(SubjectKind.AGREEMENT)]
    out = []
    for info in TEMPLATES.values():
        if info.key not in applying and not everything:
            continue
        addressed = info.key in ADDRESSED
        people = [p for p in found if info.key != "affected-people" or p.kind == "person"]
        missing = info.regime is not None and info.regime not in regimes
        out.append(
            TemplateRead(
                key=info.key,
                title=info.title,
                to=info.to,
                regime=info.regime.value if info.regime else None,
                applies=info.key in applying,
                needs_recipient="recipient" in info.needs,
                needs_agreement="agreements" in info.needs,
                takes_recipient=addressed,
                note=f"No deadline of {case.ref} falls under {info.regime.value}"
                if info.regime and missing
                else None,
                recipients=[Choice(value=p.value, label=p.label) for p in people]
                if addressed
                else [],
                agreements=agreements,
            )
        )
    return out


@dataclass(frozen=True)
class Drafted:
    """A letter drafted and recorded: the letter, the file made of it and the notes."""

    letter: Letter
    built: context.Built
    filename: str
    media_type: str
    data: bytes
    sha256: str


def _file(letter: Letter, fmt: str) -> bytes:
    if fmt == "docx":
        return letter.to_docx()
    if fmt == "pdf":
        return letter.to_pdf()
    return ("\n".join(plain(line) for line in letter.text.splitlines()) + "\n").encode()


def _filename(built: context.Built, letter: Letter, fmt: str) -> str:
    to = f"-{rules.slug(built.party.name)}" if built.party else ""
    return f"{letter.filename}{to}.{EXTENSIONS[fmt]}"


def draft(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    template: str,
    recipient: str | None = None,
    agreement: str | None = None,
    fmt: str = "docx",
    tz: str,
    company: str,
    respond_by: date | None = None,
    vault_: vault.Vault | None = None,
) -> Drafted:
    """Draft the letter `template` of a visible case (incidents:write) in `fmt` (docx, pdf,
    text) and record it (INCIDENT_LETTER_GENERATED with the SHA-256 of the file)."""
    row = drafter(session, actor=actor, ref=ref)
    if fmt not in MEDIA_TYPES:
        raise Invalid(f"no format {fmt!r}; choose docx, pdf or text", field="format")
    built = context.build(
        session, actor=actor, ref=row.ref, template=template, recipient=recipient,
        agreement=agreement, tz=tz, company=company, respond_by=respond_by, vault_=vault_,
    )  # fmt: skip
    letter = render(built.info.key, built.context)
    data = _file(letter, fmt)
    digest = hashlib.sha256(data).hexdigest()
    filename = _filename(built, letter, fmt)
    cases.record(
        session,
        actor,
        row,
        EventType.INCIDENT_LETTER_GENERATED,
        template=letter.key,
        recipient=built.party.value if built.party else None,
        agreements=[a.ref for a in built.context.agreements],
        format=fmt,
        filename=filename,
        sha256=digest,
    )
    return Drafted(letter, built, filename, MEDIA_TYPES[fmt], data, digest)


def generate(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    template: str,
    recipient: str | None = None,
    agreement: str | None = None,
    fmt: str = "docx",
    tz: str,
    company: str,
    respond_by: date | None = None,
    vault_: vault.Vault | None = None,
) -> tuple[str, str, bytes]:
    """The letter as a file: (file name, media type, bytes); recorded as `draft` records it."""
    made = draft(
        session, actor=actor, ref=ref, template=template, recipient=recipient,
        agreement=agreement, fmt=fmt, tz=tz, company=company, respond_by=respond_by,
        vault_=vault_,
    )  # fmt: skip
    return made.filename, made.media_type, made.data


def preview(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    template: str,
    recipient: str | None = None,
    agreement: str | None = None,
    tz: str,
    company: str,
    respond_by: date | None = None,
    vault_: vault.Vault | None = None,
) -> LetterPreview:
    """The letter's text with the notes on what the draft leaves to counsel (a text draft,
    recorded as `draft` records it)."""
    made = draft(
        session, actor=actor, ref=ref, template=template, recipient=recipient,
        agreement=agreement, fmt="text", tz=tz, company=company, respond_by=respond_by,
        vault_=vault_,
    )  # fmt: skip
    return preview_of(made)


def preview_of(made: Drafted) -> LetterPreview:
    """A text draft as its preview: the text and the notes on what counsel must complete."""
    ctx = made.built.context
    return LetterPreview(
        key=made.letter.key,
        title=made.letter.title,
        case=ctx.case.ref,
        to=made.built.info.to,
        recipient=made.built.party.label if made.built.party else None,
        agreements=[a.ref for a in ctx.agreements],
        filename=made.filename,
        sha256=made.sha256,
        text=made.data.decode(),
        notes=made.built.notes,
    )
