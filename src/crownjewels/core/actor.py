"""Who is acting: passed explicitly to every service function, never taken from a global."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import (
    Permission,
    Role,
    permissions_of,
    portal_only,
    token_carries,
)


@dataclass(frozen=True)
class Actor:
    """The acting user (or the system) with its roles; `ref` is what the custody log records."""

    kind: str  # "user", "token" or "system"
    id: str
    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    person_id: str | None = None
    mfa: bool = False
    #: for API tokens: the scopes the token was given (None: the user's full permissions)
    scopes: frozenset[str] | None = None

    @property
    def ref(self) -> str:
        """The actor as recorded in custody events: `user:<id>`, `system:<name>`."""
        return f"{self.kind}:{self.id}"

    @cached_property
    def permissions(self) -> frozenset[Permission]:
        """What this actor may do: the union over its roles, cut down to a token's scopes.
        Worked out once per actor (it is immutable): a policy decision asks it a dozen times."""
        granted = permissions_of(self.roles)
        if self.scopes is not None:
            scopes = self.scopes
            granted = frozenset(p for p in granted if token_carries(p, scopes))
        return granted

    @property
    def read_only(self) -> bool:
        """True for an API token given the read scope only: it changes nothing, not even what
        a person may do for themselves without a permission (acknowledge, take their own copy)."""
        return self.scopes is not None and "write" not in self.scopes

    def require_write(self, *, what: str = "this") -> None:
        """Raise Forbidden for a read-only token: the check of the self-service writes, which
        need no permission but are writes all the same."""
        if self.read_only:
            raise Forbidden(
                f"{what} changes the records, and this API token may only read; use a token "
                "with the write scope"
            )

    def can(self, permission: Permission) -> bool:
        """True when the actor holds the permission."""
        return permission in self.permissions

    @property
    def portal_only(self) -> bool:
        """True for a vendor user with no internal role: the portal is all they see."""
        return portal_only(self.roles)

    def require(self, permission: Permission, *, what: str = "this") -> None:
        """Raise Forbidden unless the actor holds the permission: the one permission check of
        every service, naming the permission and the fix (`what` names the action)."""
        if not self.can(permission):
            raise Forbidden(
                f"{what} needs the {permission.value} permission; ask an admin for a role "
                "that has it",
                needs=(permission.value,),
            )

    def require_any(self, *permissions: Permission, what: str = "this") -> None:
        """Raise Forbidden unless the actor holds one of the permissions (a verb two roles reach
        by different duties: users:manage, or incidents:contain in an incident's containment)."""
        if not any(self.can(p) for p in permissions):
            names = " or the ".join(p.value for p in permissions)
            raise Forbidden(
                f"{what} needs the {names} permission; ask an admin for a role that has it",
                needs=tuple(p.value for p in permissions),
            )


def system_actor(name: str = "system") -> Actor:
    """The installation itself acting (migrations, demo seeding, jobs): holds every role."""
    return Actor(kind="system", id=name, name=name, roles=frozenset(Role), mfa=True)


def fact_reader(capability: str) -> Actor:
    """The installation reading the facts a policy decision or a record needs, whoever asks:
    a person's organisation, training, agreements in force, a grant's approvers, a secret's
    name and legend for a page the caller may already see.

    Use it only after the caller's own permission (or the portal's own-grant check) has been
    passed, and only to read: never to return to a caller what their own actor may not see,
    never to write (it holds every role's reads and no write: a read-only scope). The custody
    log names it `system:<capability>`."""
    return Actor(
        kind="system",
        id=capability,
        name=capability,
        roles=frozenset(Role),
        mfa=True,
        scopes=frozenset({"read"}),
    )
