"""Preserving a case's evidence from the system's own records, each artefact a vault document
owned by the case and under legal hold from the start (the vault refuses to destroy it), and an
evidence item whose EVIDENCE_PRESERVED event carries its SHA-256:

- the **bundle**: the custody evidence bundle (signed, verifiable offline) of the case, of each
  of its subjects and of each item registered before, in one zip;
- the **ledger**: the disclosure ledger of the case's secrets, as CSV and PDF, in one zip;
- the **findings**: the alerts about its subjects (with the events behind them and their triage
  trail) and the leak matches of its secrets (with their passages), and its origin, as JSON.

Each kind reads with the actor's own permissions, checked before anything is made: the bundle
signs a checkpoint (custody:sign), the ledger needs disclosures:read, the findings alerts:read
and leaks:read."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.core.refs import next_ref
from crownjewels.custody import keys, labels
from crownjewels.custody.schemas import EventType
from crownjewels.incidents import repository as case_rows
from crownjewels.incidents import service as cases
from crownjewels.incidents.evidence import service
from crownjewels.incidents.evidence.artefacts import MAKERS, Artefact, Inputs
from crownjewels.incidents.evidence.documents import OWNER_TYPE
from crownjewels.incidents.evidence.schemas import (
    KIND_WORDS,
    EvidenceKind,
    EvidenceRead,
    PreserveRequest,
)
from crownjewels.incidents.models import Evidence, Incident
from crownjewels.vault import service as vault

#: where a preserved artefact was collected, and who holds it
MADE_WHERE = "Crown Jewels: made from its own records"
HOLDER = "Crown Jewels vault"


def signing_key(home: Path) -> Ed25519PrivateKey | None:
    """The installation's custody signing key (made by `crownjewels init`), if it has one."""
    if not (home / keys.PRIVATE_FILE).exists():
        return None
    return keys.load_signing_key(home)


def preserve(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    request: PreserveRequest,
    vault_: vault.Vault,
    key: Ed25519PrivateKey | None,
) -> list[EvidenceRead]:
    """Preserve what the request names (every kind by default) as evidence items of an open
    case (EVIDENCE_PRESERVED each); `key` is the custody signing key the bundle is signed with."""
    case = cases.writable(session, actor, ref, "preserving evidence")
    kinds = list(dict.fromkeys(request.kinds))
    if not kinds or EvidenceKind.EXTERNAL in kinds:
        raise Invalid(
            "choose what to preserve: bundle, ledger or findings (items collected outside the "
            "system are registered instead)",
            field="kinds",
        )
    for kind in kinds:
        _may_preserve(actor, case, kind, key)
    given = Inputs(actor, case, case_rows.subjects_of(session, case.id), key)
    made = []
    for kind in kinds:
        artefact = MAKERS[kind](session, given)
        made.append(_keep(session, given, kind, artefact, vault_, request.note.strip()))
    return [service.read(session, case, row) for row in made]


def _may_preserve(
    actor: Actor, case: Incident, kind: EvidenceKind, key: Ed25519PrivateKey | None
) -> None:
    """Refuse, in words, a kind the actor may not read or the installation cannot sign."""
    needs = {
        EvidenceKind.BUNDLE: (
            (P.CUSTODY_SIGN,),
            "exports the custody log of the case and its subjects and signs a fresh checkpoint",
        ),
        EvidenceKind.LEDGER: ((P.DISCLOSURES_READ,), "reads the disclosure ledger"),
        EvidenceKind.FINDINGS: (
            (P.ALERTS_READ, P.LEAKS_READ),
            "reads the alerts and the leak matches",
        ),
    }
    wanted, does = needs[kind]
    missing = [p.value for p in wanted if not actor.can(p)]
    if missing:
        raise Forbidden(
            f"preserving the {KIND_WORDS[kind]} of {case.ref} {does}, which needs the "
            f"{' and '.join(missing)} permission; preserve the other kinds alone, or ask "
            "someone who holds it",
            needs=tuple(missing),
        )
    if kind is EvidenceKind.BUNDLE and key is None:
        raise Invalid(
            "this installation has no custody signing key to sign the bundle with; "
            "`crownjewels init` makes one",
            field="kinds",
        )


def _keep(
    session: Session,
    given: Inputs,
    kind: EvidenceKind,
    artefact: Artefact,
    vault_: vault.Vault,
    note: str,
) -> Evidence:
    """The artefact stored in the vault under legal hold, and its evidence item."""
    case = given.case
    document = vault.preserve(
        session,
        actor=given.actor,
        vault=vault_,
        owner_type=OWNER_TYPE,
        owner_ref=case.id,
        title=f"{case.ref} {KIND_WORDS[kind]}",
        content=artefact.content,
        filename=artefact.filename,
        hold=f"evidence of incident case {case.ref}",
    )
    version = document.versions[-1]
    now = clock.now()
    row = Evidence(
        ref=next_ref(session, Evidence.ref, "EV-", 4),
        incident_id=case.id,
        kind=kind.value,
        description=artefact.description + (f"\n\n{note}" if note else ""),
        sha256=version.sha256,
        size=version.size,
        document_id=document.id,
        collected_by=labels.actor_text(session, given.actor.ref),
        collected_at=now,
        collected_where=MADE_WHERE,
        stored_at=f"the vault, as {artefact.filename} of {case.ref}, under legal hold",
        custodian=HOLDER,
        recorded_by=given.actor.ref,
        created_at=now,
    )
    session.add(row)
    service.record(
        session,
        given.actor,
        case,
        row,
        EventType.EVIDENCE_PRESERVED,
        kind=kind.value,
        size=row.size,
        file=artefact.filename,
        document_id=document.id,
        stored_at=row.stored_at,
        note=note or None,
        **artefact.facts,
    )
    return row
