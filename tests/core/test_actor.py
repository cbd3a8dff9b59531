"""The actor's rules that live in core: who sees the portal only, the fact reader, and
`Actor.require`, the one permission check of every service."""

from __future__ import annotations

import pytest

from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Permission, Role, portal_only

R = Role


@pytest.mark.parametrize(
    ("roles", "only"),
    [
        ({R.VENDOR_USER}, True),
        ({R.VENDOR_USER, R.AUDITOR}, False),
        ({R.SECRET_OWNER}, False),
        (set(), False),
    ],
)
def test_portal_only_is_a_vendor_user_with_no_internal_role(roles: set[Role], only: bool) -> None:
    assert portal_only(roles) is only
    assert Actor(kind="user", id="u", name="u", roles=frozenset(roles)).portal_only is only


def test_the_fact_reader_reads_everything_and_writes_nothing() -> None:
    reader = fact_reader("access")
    assert reader.ref == "system:access"
    assert reader.can(Permission.SECRETS_READ_ALL) and reader.can(Permission.DOCUMENTS_READ)
    assert not any(p.writes for p in reader.permissions)


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


def test_a_read_only_token_makes_no_self_service_write() -> None:
    """Acknowledging or taking one's own copy needs no permission but is a write all the same."""
    _actor(Role.VENDOR_USER).require_write(what="an acknowledgement")
    with pytest.raises(Forbidden, match="may only read"):
        _actor(Role.VENDOR_USER, scopes=frozenset({"read"})).require_write(
            what="an acknowledgement"
        )
