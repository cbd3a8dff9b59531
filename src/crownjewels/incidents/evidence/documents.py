"""A case as the owner of vault documents: the artefacts it preserves (evidence bundles, ledger
snapshots, findings) belong to it. registry.py registers `CASE_OWNERS` with the vault.

Who sees them: holders of incidents:read; who reads their content: those who may also read
documents (documents:read); who adds one: incidents:write, on an open case."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents import service as cases
from crownjewels.incidents.errors import CaseNotFound
from crownjewels.incidents.evidence import repository
from crownjewels.incidents.schemas import OPEN_STATUSES
from crownjewels.vault.schemas import Owner

#: the vault owner type of a case's documents
OWNER_TYPE = "incident"


class CaseOwners:
    """The vault's owner kind for a case's preserved evidence."""

    def resolve(self, session: Session, actor: Actor, ref: str, *, write: bool) -> Owner:
        """A case by reference or id, if the actor may see it; with `write`, an open case and
        incidents:write."""
        found = repository.case(session, ref)
        if found is None or not cases.may_read(session, actor, found):
            raise CaseNotFound(f"there is no case {ref.strip()}")
        if write:
            found = cases.writable(session, actor, found.ref, "preserving evidence of a case")
        return Owner(
            owner_type=OWNER_TYPE,
            owner_id=found.id,
            label=f"{found.ref} {found.title}",
            legend=f"CONFIDENTIAL: evidence of incident case {found.ref}",
        )

    def may_read(self, actor: Actor) -> bool:
        """The content is read by incident readers who may also read documents."""
        return actor.can(P.INCIDENTS_READ) and actor.can(P.DOCUMENTS_READ)

    def visible_ids(self, actor: Actor) -> Select[tuple[str]] | None:
        """Every case's documents for incidents:read holders; none otherwise."""
        if actor.can(P.INCIDENTS_READ):
            return None
        return repository.no_case_ids()


CASE_OWNERS = CaseOwners()


def keeps(session: Session, owner_id: str) -> str | None:
    """While its case is open, a case's evidence is kept whatever its hold (the vault asks)."""
    found = repository.case(session, owner_id)
    if found is not None and found.status in OPEN_STATUSES:
        return f"is evidence of {found.ref}, which is {found.status}"
    return None
