"""Who documents belong to. Vault sits below the capabilities that own documents (inventory's
secrets, later agreements, incidents), so it cannot look them up itself: each owner capability
registers an `OwnerKind` (registry.py wires them) that resolves a reference for an actor,
checking that capability's own permissions, and names the owner ids the actor may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission
from crownjewels.vault.schemas import Owner


class OwnerKind(Protocol):
    """How one kind of owner is found and scoped."""

    def resolve(self, session: Session, actor: Actor, ref: str, *, write: bool) -> Owner:
        """The owner named by `ref` (an id or a reference) if the actor may see it (else the
        capability's NotFound) and, with `write`, change it (else Forbidden)."""
        ...

    def visible_ids(self, actor: Actor) -> Select[tuple[str]] | None:
        """A query of the owner ids the actor may see; None when it sees them all."""
        ...

    def may_read(self, actor: Actor) -> bool:
        """Whether the actor may read the content of this kind's documents at all (a secret's
        need documents:read; a vendor's or an agreement's, that capability's own rules)."""
        ...


_KINDS: dict[str, OwnerKind] = {}

#: given an owner id, why its documents must be kept whatever their hold (an open case's
#: evidence), or None
Keeper = Callable[[Session, str], str | None]
_KEEPERS: dict[str, Keeper] = {}


def register_keeper(owner_type: str, keeper: Keeper) -> None:
    """Let an owner kind keep its documents beyond a legal hold: while `keeper` gives a reason,
    their hold is not released and they are not destroyed (called from registry.py)."""
    _KEEPERS[owner_type] = keeper


def kept_because(session: Session, owner_type: str, owner_id: str) -> str | None:
    """Why the owner keeps its documents now, or None when nothing but a hold keeps them."""
    keeper = _KEEPERS.get(owner_type)
    return keeper(session, owner_id) if keeper else None


def register(owner_type: str, kind: OwnerKind) -> None:
    """Make documents attachable to owners of this type (called once, from registry.py)."""
    _KINDS[owner_type] = kind


def kinds() -> dict[str, OwnerKind]:
    """Every registered owner kind by type."""
    return dict(_KINDS)


def may_read_any(actor: Actor) -> bool:
    """Whether the actor may read some documents (of one owner kind, or any: documents:read)."""
    return actor.can(Permission.DOCUMENTS_READ) or any(k.may_read(actor) for k in _KINDS.values())


def kind(owner_type: str) -> OwnerKind:
    """The registered kind of an owner type, or a clear error listing the known ones."""
    found = _KINDS.get(owner_type)
    if found is None:
        known = ", ".join(sorted(_KINDS)) or "none registered"
        raise Invalid(f"documents cannot belong to {owner_type!r}; owner types: {known}")
    return found
