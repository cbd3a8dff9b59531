"""The REST API through the HTTP client: the role x action matrix, problem+json errors,
pagination and filters, and the rule that every route declares its permission."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX, PUBLIC_PATHS
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.parties import tokens
from crownjewels.parties.schemas import TokenCreate
from tests.api_support import RoleClients, Roles, make_app, make_roles
from tests.conftest import savepoint_per_test
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person

P = Permission
Body = Callable[[Role, dict[str, str]], dict[str, Any] | None]


@pytest.fixture(scope="module")
def roles(module_db: Database) -> Roles:
    """The role people and tokens, made once for the module's role x action matrix."""
    return make_roles(module_db)


@pytest.fixture(scope="module")
def module_world(module_db: Database, roles: Roles) -> dict[str, str]:
    """A secret owned by somebody else, one owned by the secret-owner user, an organisation."""
    with module_db.unit_of_work() as session:
        admin = system_actor("test")
        other = make_person(session, admin, name="Other Owner")
        theirs = make_secret(session, admin, owner=other, name="Theirs")
        mine = make_secret(session, admin, owner=roles.people[Role.SECRET_OWNER], name="Mine")
        org = make_org(session, admin, name="Acme Offshore")
    return {"theirs": theirs.ref, "mine": mine.ref, "other": other.id, "org": org.id}


@pytest.fixture
def connection(
    module_connection: Connection, roles: Roles, module_world: dict[str, str]
) -> Iterator[Connection]:
    """Each test in a savepoint over the module's roles and world."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


@pytest.fixture
def world(module_world: dict[str, str]) -> dict[str, str]:
    return module_world


def _secret_body(role: Role, w: dict[str, str]) -> dict[str, Any]:
    return {
        "name": f"New {role.value}",
        "description": "d",
        "category": "formula",
        "tier": "confidential",
        "owner_id": w["other"],
    }


#: routes any logged-in person calls without a permission, each checked by its service: their own
#: acknowledgements, their portal and home page, their settings, the search, and the access
#: reviews (a reviewer without grants:read sees only their own items;
#: access.reviews.service._may_see asks for grants:read or grants:decide). Any other route
#: without `require(...)` fails the test below.
OWN_ACTIONS = frozenset(
    {
        "/",
        "/portal",
        "/portal/grants/{ref}",
        "/portal/grants/{ref}/acknowledge",
        "/portal/grants/{ref}/documents/{document_id}/download",
        "/access/offboarding/{ref}/acknowledgement",
        f"{API_PREFIX}/access/offboardings/{{ref}}/acknowledgement",
        "/access/reviews",
        "/access/reviews/{ref}",
        f"{API_PREFIX}/access/reviews",
        f"{API_PREFIX}/access/reviews/overdue",
        f"{API_PREFIX}/access/reviews/{{ref}}",
        f"{API_PREFIX}/access/reviews/{{ref}}/export.csv",
        # the signed-in person's own tasks and notification choices
        "/tasks",
        "/tasks/count",
        "/settings/notifications",
        # one's own settings (parties/profile: the service takes the actor's own login only)
        "/settings",
        "/settings/profile",
        "/settings/password",
        "/settings/totp",
        "/settings/totp/confirm",
        "/settings/tokens",
        "/settings/tokens/{token_id}/revoke",
        # the global search: each kind is scoped by its own capability's visible_to
        "/search",
        # log reviews: the service shows an owner their own, readers of the log all, and only
        # the secret's owner decides
        "/monitoring/reviews/{ref}",
        "/monitoring/reviews/{ref}/{decision}",
        "/monitoring/reviews",
        f"{API_PREFIX}/monitoring/reviews",
        f"{API_PREFIX}/monitoring/reviews/{{ref}}",
        f"{API_PREFIX}/monitoring/reviews/{{ref}}/sign-off",
        f"{API_PREFIX}/monitoring/reviews/{{ref}}/concern",
        # a case: readers of incidents and the members of its team (the service checks the
        # seat; anyone else gets a 404), who may also work their tasks and write notes
        f"{API_PREFIX}/incidents/{{ref}}",
        f"{API_PREFIX}/incidents/{{ref}}/tasks/{{number}}",
        f"{API_PREFIX}/incidents/{{ref}}/notes",
        f"{API_PREFIX}/incidents/{{ref}}/timeline",
        f"{API_PREFIX}/incidents/{{ref}}/clocks",
        "/incidents/{ref}",
        "/incidents/{ref}/tasks/{number}",
        "/incidents/{ref}/notes",
    }
)

# name, method, path, body, permissions (any of), whether "theirs" is out of scope for owners
MATRIX_ROWS: list[tuple[str, str, str, Body | None, tuple[Permission, ...], bool]] = [
    ("list secrets", "GET", "/secrets", None, (P.SECRETS_READ_ALL, P.SECRETS_READ_OWN), False),
    (
        "show secret",
        "GET",
        "/secrets/{theirs}",
        None,
        (P.SECRETS_READ_ALL, P.SECRETS_READ_OWN),
        True,
    ),
    ("register secret", "POST", "/secrets", _secret_body, (P.SECRETS_WRITE_ALL,), False),
    (
        "update secret",
        "PATCH",
        "/secrets/{theirs}",
        lambda r, w: {"business_unit": r.value},
        (P.SECRETS_WRITE_ALL, P.SECRETS_WRITE_OWN),
        True,
    ),
    (
        "review secret",
        "POST",
        "/secrets/{theirs}/reviews",
        lambda r, w: {"notes": "ok"},
        (P.SECRETS_WRITE_ALL, P.SECRETS_WRITE_OWN),
        True,
    ),
    (
        "list reviews",
        "GET",
        "/secrets/{theirs}/reviews",
        None,
        (P.SECRETS_READ_ALL, P.SECRETS_READ_OWN),
        True,
    ),
    (
        "add location",
        "POST",
        "/secrets/{theirs}/locations",
        lambda r, w: {"kind": "drive", "name": r.value},
        (P.SECRETS_WRITE_ALL, P.SECRETS_WRITE_OWN),
        True,
    ),
    ("list organisations", "GET", "/organisations", None, (P.PARTIES_READ,), False),
    ("show organisation", "GET", "/organisations/{org}", None, (P.PARTIES_READ,), False),
    (
        "add organisation",
        "POST",
        "/organisations",
        lambda r, w: {"name": f"Org {r.value}", "kind": "vendor", "country": "PH"},
        (P.PARTIES_WRITE,),
        False,
    ),
    (
        "update organisation",
        "PATCH",
        "/organisations/{org}",
        lambda r, w: {"notes": r.value},
        (P.PARTIES_WRITE,),
        False,
    ),
    ("list people", "GET", "/people", None, (P.PARTIES_READ,), False),
    (
        "add person",
        "POST",
        "/people",
        lambda r, w: {
            "full_name": r.value,
            "email": f"{r.value}@new.example.com",
            "organisation_id": w["org"],
            "country": "IN",
        },
        (P.PARTIES_WRITE,),
        False,
    ),
    ("list users", "GET", "/users", None, (P.USERS_MANAGE,), False),
    ("list tokens", "GET", "/tokens", None, (P.TOKENS_OWN,), False),
    ("custody log", "GET", "/custody/events", None, (P.CUSTODY_READ,), False),
    ("custody verify", "GET", "/custody/verify", None, (P.CUSTODY_VERIFY,), False),
    ("list documents", "GET", "/documents", None, (P.DOCUMENTS_READ,), False),
    ("list courses", "GET", "/training/courses", None, (P.TRAINING_READ,), False),
    (
        "add a course",
        "POST",
        "/training/courses",
        lambda role, w: {"code": f"C-{role.value}", "name": "Handling", "required_for": "all"},
        (P.TRAINING_WRITE,),
        False,
    ),
]


def _expected(role: Role, perms: tuple[Permission, ...], owner_scoped: bool, method: str) -> int:
    held = MATRIX[role]
    if not any(p in held for p in perms):
        return 403
    if owner_scoped and P.SECRETS_READ_ALL not in held:
        return 404  # the secret-owner cannot see someone else's secret: not visible, not forbidden
    return 201 if method == "POST" else 200


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", MATRIX_ROWS, ids=lambda r: r[0])
def test_permission_matrix(
    rc: RoleClients,
    world: dict[str, str],
    role: Role,
    row: tuple[str, str, str, Body | None, tuple[Permission, ...], bool],
) -> None:
    name, method, path, body, perms, owner_scoped = row
    url = API_PREFIX + path.format(**world)
    payload = body(role, world) if body else None
    with rc.client() as client:
        response = client.request(method, url, json=payload, headers=rc.headers(role))
    expected = _expected(role, perms, owner_scoped, method)
    assert response.status_code == expected, f"{role.value} {name}: {response.text}"
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


def test_secret_owner_registers_and_edits_own(rc: RoleClients, world: dict[str, str]) -> None:
    person = rc.people[Role.SECRET_OWNER]
    with rc.client() as client:
        h = rc.headers(Role.SECRET_OWNER)
        r = client.post(
            f"{API_PREFIX}/secrets",
            headers=h,
            json={
                "name": "Owner's own",
                "description": "d",
                "category": "process",
                "tier": "sensitive",
                "owner_id": person.email,
            },
        )
        assert r.status_code == 201, r.text
        r = client.patch(
            f"{API_PREFIX}/secrets/{world['mine']}", headers=h, json={"business_unit": "Ops"}
        )
        assert r.status_code == 200 and r.json()["business_unit"] == "Ops"
        listed = client.get(f"{API_PREFIX}/secrets", headers=h).json()
        assert sorted(s["name"] for s in listed["items"]) == ["Mine", "Owner's own"]


def test_no_token_is_401_with_problem(rc: RoleClients) -> None:
    with rc.client() as client:
        r = client.get(f"{API_PREFIX}/secrets")
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "Bearer" in r.json()["detail"]
        r = client.get(f"{API_PREFIX}/secrets", headers={"Authorization": "Bearer cj_nope"})
        assert r.status_code == 401 and "unknown or revoked" in r.json()["detail"]


def test_read_token_cannot_write(db: Database, rc: RoleClients) -> None:
    with db.unit_of_work() as session:
        legal = tokens.actor_for_token(session, token=rc.tokens[Role.LEGAL])
        read_only = tokens.create_token(session, actor=legal, data=TokenCreate(name="ro"))
    with rc.client() as client:
        h = {"Authorization": f"Bearer {read_only.token}"}
        assert client.get(f"{API_PREFIX}/secrets", headers=h).status_code == 200
        r = client.post(
            f"{API_PREFIX}/organisations",
            headers=h,
            json={"name": "X", "kind": "vendor", "country": "US"},
        )
        assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (
            {"name": "A", "description": "d", "category": "recipe", "tier": "sensitive"},
            422,
            "category",
        ),
        ({"name": "A", "description": "d", "category": "formula", "tier": "secret"}, 422, "tier"),
        (
            {
                "name": "A",
                "description": "d",
                "category": "formula",
                "tier": "sensitive",
                "allowed_regions": ["XX"],
            },
            422,
            "ISO 3166",
        ),
        (
            {"name": "Theirs", "description": "d", "category": "formula", "tier": "sensitive"},
            409,
            "already registered",
        ),
        (
            {
                "name": "A",
                "description": "d",
                "category": "formula",
                "tier": "sensitive",
                "owner_id": "ghost@example.com",
            },
            404,
            "people list",
        ),
    ],
)
def test_bad_input_is_problem_json_and_leaves_nothing(
    rc: RoleClients, world: dict[str, str], body: dict[str, Any], status: int, needle: str
) -> None:
    body = {"owner_id": world["other"], **body}
    with rc.client() as client:
        h = rc.headers(Role.LEGAL)
        before = client.get(f"{API_PREFIX}/custody/verify", headers=h).json()["checked"]
        r = client.post(f"{API_PREFIX}/secrets", headers=h, json=body)
        assert r.status_code == status, r.text
        problem = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        assert problem["status"] == status and needle in problem["detail"]
        total = client.get(f"{API_PREFIX}/secrets", headers=h).json()["total"]
        assert total == 2
        # one event more: the first verification's own CHAIN_VERIFIED, nothing of the refusal
        assert client.get(f"{API_PREFIX}/custody/verify", headers=h).json()["checked"] == before + 1
        newest = client.get(f"{API_PREFIX}/custody/events?limit=1", headers=h).json()["items"]
        assert newest[0]["event_type"] == "CHAIN_VERIFIED"


def test_pagination_and_filters(rc: RoleClients, world: dict[str, str]) -> None:
    with rc.client() as client:
        h = rc.headers(Role.AUDITOR)
        page = client.get(f"{API_PREFIX}/secrets?limit=1&offset=1", headers=h).json()
        assert page["total"] == 2 and len(page["items"]) == 1 and page["offset"] == 1
        assert client.get(f"{API_PREFIX}/secrets?q=thei", headers=h).json()["total"] == 1
        assert (
            client.get(f"{API_PREFIX}/secrets?tier=highly-sensitive", headers=h).json()["total"]
            == 0
        )
        assert client.get(f"{API_PREFIX}/secrets?limit=0", headers=h).status_code == 422
        events = client.get(f"{API_PREFIX}/custody/events?subject=secret:x", headers=h).json()
        assert events["total"] == 0
        bad = client.get(f"{API_PREFIX}/custody/events?subject=nocolon", headers=h)
        assert bad.status_code == 422
        assert "No secret, agreement or vendor is called nocolon" in bad.json()["detail"]


def test_custody_history_of_a_secret(rc: RoleClients, world: dict[str, str]) -> None:
    with rc.client() as client:
        h = rc.headers(Role.SECURITY)
        secret = client.get(f"{API_PREFIX}/secrets/{world['theirs']}", headers=h).json()
        events = client.get(
            f"{API_PREFIX}/custody/events?subject=secret:{secret['id']}", headers=h
        ).json()
        assert [e["event_type"] for e in events["items"]] == ["SECRET_REGISTERED"]
        verify = client.get(f"{API_PREFIX}/custody/verify", headers=h).json()
        assert verify["ok"] is True


def test_openapi_and_health_are_public(db: Database, tmp_path: Path) -> None:
    with TestClient(make_app(db, tmp_path)) as client:
        spec = client.get(f"{API_PREFIX}/openapi.json")
        assert spec.status_code == 200 and "/api/v1/secrets" in spec.json()["paths"]
        assert client.get(f"{API_PREFIX}/health").json()["status"] == "ok"


def test_every_route_declares_a_permission(db: Database, tmp_path: Path) -> None:
    app = make_app(db, tmp_path)

    def names(dependant: Any) -> set[str]:
        out = {getattr(dependant.call, "__name__", "")}
        for sub in dependant.dependencies:
            out |= names(sub)
        return out

    undeclared, seen = [], 0
    # the routes of included routers, with their full paths: since FastAPI 0.16x `app.routes`
    # holds each included router as one entry, so iterating it alone checked nothing
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        seen += 1
        path = context.path or route.path
        public = any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS)
        declared = any(n.startswith("require_") for n in names(route.dependant))
        if not public and not declared and path not in OWN_ACTIONS:
            undeclared.append(f"{sorted(route.methods)} {path}")
    assert seen > 100, "the walk reaches the routes of the included routers"
    assert undeclared == [], f"routes without a permission: {undeclared}"
