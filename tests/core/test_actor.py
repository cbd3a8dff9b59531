"""`Actor.require`: the one permission check of every service."""

from __future__ import annotations

import pytest

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Permission, Role


def _actor(*roles: Role, scopes: frozenset[str] | None = None) -> Actor:
    return Actor(kind="user", id="u1", name="Dana", roles=frozenset(roles), scopes=scopes)


def test_a_held_permission_passes() -> None:
    _actor(Role.ADMIN).require(Permission.USERS_MANAGE)


def test_a_missing_permission_is_forbidden_naming_it_and_the_fix() -> None:
    with pytest.raises(Forbidden) as refused:
        _actor(Role.AUDITOR).require(Permission.USERS_MANAGE, what="adding a user")
    assert refused.value.message == (
        "adding a user needs the users:manage permission; ask an admin for a role that has it"
    )


def test_a_read_only_token_cannot_write_whatever_its_roles() -> None:
    with pytest.raises(Forbidden, match="parties:write"):
        _actor(Role.ADMIN, scopes=frozenset({"read"})).require(Permission.PARTIES_WRITE)
