"""The actor's rules that live in core: who sees the portal only, and the fact reader."""

from __future__ import annotations

import pytest

from crownjewels.core.actor import Actor, fact_reader
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
