"""Grants decided many at a time, and the grant list as a spreadsheet.

A batch is all or nothing: each grant goes through the same verb as on its own page
(`service.approve`, `service.change_status`: the same permission and policy checks, a custody
event per grant), in one transaction; if any grant is refused, BatchRefused names every refused
grant with its reason and the edge rolls the whole batch back. All or nothing, because a
partly applied batch leaves a person unsure which grants changed (and a revocation meant for a
whole vendor that half-applied is worse than one that waits for a fix).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from crownjewels.access import service
from crownjewels.access.engine import PolicyEngine
from crownjewels.access.errors import BatchRefused, InvalidGrant
from crownjewels.access.rules import GrantStatus
from crownjewels.access.schemas import GrantFilter, GrantRead
from crownjewels.core import exports, tables
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.parties import service as parties

#: the most grants one batch takes (one transaction, a policy decision each)
MAX_BATCH = 200


def _each(refs: Sequence[str], verb: Callable[[str], GrantRead]) -> list[GrantRead]:
    wanted = list(dict.fromkeys(r.strip() for r in refs if r.strip()))
    if not wanted:
        raise InvalidGrant("choose at least one grant", field="ref")
    if len(wanted) > MAX_BATCH:
        raise InvalidGrant(f"choose at most {MAX_BATCH} grants at a time", field="ref")
    done: list[GrantRead] = []
    refused: list[str] = []
    for ref in wanted:
        try:
            done.append(verb(ref))
        except CrownJewelsError as exc:
            refused.append(f"{ref}: {exc.message}")
    if refused:
        raise BatchRefused(refused, total=len(wanted))
    return done


def approve_many(
    session: Session,
    *,
    actor: Actor,
    refs: Sequence[str],
    note: str | None = None,
    engine: PolicyEngine | None = None,
) -> list[GrantRead]:
    """Approve each requested grant as its own page would; all or none (BatchRefused)."""
    return _each(
        refs,
        lambda ref: service.approve(session, actor=actor, grant_ref=ref, note=note, engine=engine),
    )


def change_many(
    session: Session,
    *,
    actor: Actor,
    refs: Sequence[str],
    status: GrantStatus,
    reason: str,
    engine: PolicyEngine | None = None,
) -> list[GrantRead]:
    """Suspend, resume or revoke each grant with one reason; all or none (BatchRefused)."""
    if len(reason.strip()) < 3:
        # the same check each grant would make, said once for the batch
        raise InvalidGrant("give the reason for the change", field="note")
    return _each(
        refs,
        lambda ref: service.change_status(
            session, actor=actor, grant_ref=ref, status=status, reason=reason, engine=engine
        ),
    )


HEADER = [
    "Ref",
    "Person",
    "Organisation",
    "Secret",
    "Secret name",
    "Level",
    "Status",
    "Purpose",
    "Starts",
    "Expires",
    "Last used",
    "Approved by",
]


def export(session: Session, *, actor: Actor, filters: GrantFilter, fmt: str) -> tuple[bytes, str]:
    """The grants the actor sees under `filters`, as CSV or XLSX: (content, media type).
    People and secrets by name and ref, never by internal id."""
    grants = service.list_grants(session, actor=actor, filters=filters)
    approvers = {a.approver_person_id for g in grants for a in g.approvals if a.approved}
    names = parties.person_names(session, {p for p in approvers if p})
    rows = [
        [
            g.ref,
            g.person_name or "",
            g.organisation_name or "",
            g.secret_ref or "",
            g.secret_name or "",
            g.level.value,
            g.status.value,
            g.purpose,
            g.starts_at.date().isoformat(),
            g.expires_at.date().isoformat(),
            g.last_used_at.date().isoformat() if g.last_used_at else "",
            ", ".join(
                names.get(a.approver_person_id or "", a.approver) for a in g.approvals if a.approved
            ),
        ]
        for g in grants
    ]
    if fmt == "xlsx":
        return tables.to_xlsx(HEADER, rows, title="Grants"), tables.XLSX_TYPE
    return exports.to_csv(HEADER, rows).encode("utf-8"), "text/csv; charset=utf-8"
