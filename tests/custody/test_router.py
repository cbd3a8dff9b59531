"""The custody API: checkpoints and proofs, each route behind its permission (role matrix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.custody import keys, merkle
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import accounts, tokens
from crownjewels.parties.schemas import TokenCreate
from tests.api_support import RoleClients, role_clients

P = Permission
ROWS = [
    ("list checkpoints", "GET", "/custody/checkpoints", P.CUSTODY_READ, 200),
    ("sign checkpoint", "POST", "/custody/checkpoints", P.CUSTODY_SIGN, 201),
    ("inclusion proof", "GET", "/custody/proofs/inclusion/1", P.CUSTODY_READ, 200),
    ("consistency proof", "GET", "/custody/proofs/consistency?old=1&new=2", P.CUSTODY_READ, 200),
]


@pytest.fixture
def rc(db: Database, tmp_path: Path) -> RoleClients:
    keys.ensure_signing_key(tmp_path)
    with db.unit_of_work() as session:
        for i in range(3):
            custody.record(
                session,
                actor=system_actor("test"),
                event_type=EventType.SECRET_UPDATED,
                subject_type="test",
                subject_id="x",
                details={"i": i},
            )
    return role_clients(db, tmp_path)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0])
def test_permission_matrix(
    rc: RoleClients, role: Role, row: tuple[str, str, str, Permission, int]
) -> None:
    name, method, path, permission, ok = row
    with rc.client() as client:
        response = client.request(method, API_PREFIX + path, headers=rc.headers(role))
    expected = ok if permission in MATRIX[role] else 403
    assert response.status_code == expected, f"{role.value} {name}: {response.text}"
    if expected == 403:
        assert response.headers["content-type"].startswith("application/problem+json")


def test_checkpoint_then_proofs(rc: RoleClients) -> None:
    with rc.client() as client:
        h = rc.headers(Role.SECURITY)
        made = client.post(f"{API_PREFIX}/custody/checkpoints", headers=h).json()
        size = made["tree_size"]
        listed = client.get(f"{API_PREFIX}/custody/checkpoints", headers=h).json()
        assert listed["total"] == 1 and listed["items"][0]["root_hash"] == made["root_hash"]
        proof = client.get(f"{API_PREFIX}/custody/proofs/inclusion/2", headers=h).json()
        assert proof["tree_size"] == size and proof["checkpoint"]["tree_size"] == size
        assert merkle.verify_inclusion(
            1,
            size,
            bytes.fromhex(proof["leaf_hash"]),
            [bytes.fromhex(p) for p in proof["proof"]],
            bytes.fromhex(made["root_hash"]),
        )
        cons = client.get(
            f"{API_PREFIX}/custody/proofs/consistency?old=2&new={size}", headers=h
        ).json()
        assert cons["new_root"] == made["root_hash"]
        bad = client.get(f"{API_PREFIX}/custody/proofs/inclusion/999", headers=h)
        assert bad.status_code == 422 and "not in the tree" in bad.json()["detail"]
        assert client.get(f"{API_PREFIX}/custody/verify", headers=h).json()["ok"] is True


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY], ids=lambda r: r.value)
def test_a_read_only_token_reads_but_does_not_sign(rc: RoleClients, role: Role) -> None:
    """Signing adds a checkpoint and its CHECKPOINT_SIGNED event: a read-scope token of a role
    that may sign still answers 403, while the same token reads the checkpoints."""
    with rc.app.state.db.unit_of_work() as session:
        user_id = accounts.user_for_person(session, person_id=rc.people[role].id)
        assert user_id is not None
        issued = tokens.create_token(
            session,
            actor=system_actor("test"),
            user_id=user_id,
            data=TokenCreate(name="read only", scopes=["read"]),
        )
    headers = {"Authorization": f"Bearer {issued.token}"}
    with rc.client() as client:
        signed = client.post(f"{API_PREFIX}/custody/checkpoints", headers=headers)
        assert signed.status_code == 403, signed.text
        assert signed.headers["content-type"].startswith("application/problem+json")
        assert "custody:sign" in signed.json()["detail"]
        assert client.get(f"{API_PREFIX}/custody/checkpoints", headers=headers).status_code == 200
        assert client.get(f"{API_PREFIX}/custody/verify", headers=headers).status_code == 200


def test_no_signing_key_is_a_clear_error(db: Database, tmp_path: Path) -> None:
    rc = role_clients(db, tmp_path)
    with rc.client() as client:
        r = client.post(f"{API_PREFIX}/custody/checkpoints", headers=rc.headers(Role.ADMIN))
        assert r.status_code == 404 and "crownjewels init" in r.json()["detail"]
