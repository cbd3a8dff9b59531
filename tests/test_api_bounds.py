"""Every integer and text parameter of the API is bounded: what no database column can hold (an
integer past 2^63, a NUL character, a string longer than the field) answers 422 in words, never
a 500; and the OpenAPI document states those bounds and the problem+json error answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core.db import Database
from crownjewels.core.http import MAX_PARAMETER_CHARS
from crownjewels.core.permissions import Role
from crownjewels.vault.keys import create_key_file
from tests.api_support import RoleClients, Roles
from tests.conftest import savepoint_per_test

HUGE = 2**63


@pytest.fixture
def connection(module_connection: Connection, roles: Roles) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def client(db: Database, roles: Roles, tmp_path: Path) -> Iterator[TestClient]:
    create_key_file(tmp_path / "vault.key")
    rc: RoleClients = roles.clients(db, tmp_path)
    with rc.client() as client:
        client.headers.update(rc.headers(Role.ADMIN))
        yield client


def _refused(response: Any, *words: str) -> str:
    """The detail of a 422 problem, which names the problem in words (no library's text)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    for word in words:
        assert word in detail, detail
    return detail


@pytest.mark.parametrize(
    "path",
    [
        f"/custody/events?offset={HUGE}",
        f"/custody/checkpoints?offset={HUGE}",
        f"/custody/events/{HUGE}",
        f"/custody/proofs/inclusion/{HUGE}",
        f"/custody/proofs/inclusion/1?size={HUGE}",
        f"/custody/proofs/consistency?old=1&new={HUGE}",
        f"/documents/01J0000000000000000000000/content?version={HUGE}",
        f"/secrets?offset={HUGE}",
    ],
)
def test_an_integer_past_64_bits_is_invalid_input(client: TestClient, path: str) -> None:
    _refused(client.get(API_PREFIX + path))


def test_the_offset_has_a_ceiling(client: TestClient) -> None:
    _refused(client.get(f"{API_PREFIX}/custody/events?offset=1000000001"), "offset")
    assert client.get(f"{API_PREFIX}/custody/events?offset=1000000000").json()["items"] == []


def test_a_filter_is_as_long_as_the_field_it_filters(client: TestClient) -> None:
    """An organisation's name holds 200 characters: the agreements' party filter says so."""
    unknown = client.get(f"{API_PREFIX}/agreements", params={"party": "x" * 200})
    assert unknown.status_code == 404 and "no organisation" in unknown.json()["detail"]
    _refused(client.get(f"{API_PREFIX}/agreements", params={"party": "x" * 201}), "party")


def test_a_signatory_name_is_as_long_as_its_column(client: TestClient) -> None:
    body = {"kind": "nda", "title": "NDA", "signatories": [{"name": "x" * 201}]}
    _refused(client.post(f"{API_PREFIX}/agreements", json=body), "signatories")


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/secrets?q=sauce%00formula", "query parameter q"),
        ("/organisations/acme%00", "path segment"),
        ("/custody/events?subject=secret:%00", "query parameter subject"),
    ],
)
def test_a_nul_character_is_invalid_input(client: TestClient, path: str, where: str) -> None:
    detail = _refused(client.get(API_PREFIX + path), where, "NUL")
    assert "remove it" in detail


def test_a_nul_character_in_a_json_body_is_invalid_input(client: TestClient) -> None:
    body = '{"name": "Acme\\u0000", "kind": "vendor", "country": "PH"}'
    sent = client.post(
        f"{API_PREFIX}/organisations",
        content=body,
        headers={"content-type": "application/json"},
    )
    _refused(sent, "NUL", "remove it")
    # an escaped backslash before "u0000" is text, not a NUL: the organisation is made
    fine = '{"name": "Acme \\\\u0000", "kind": "vendor", "country": "PH"}'
    made = client.post(
        f"{API_PREFIX}/organisations", content=fine, headers={"content-type": "application/json"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "Acme \\u0000"


def test_a_text_parameter_has_a_ceiling(client: TestClient) -> None:
    long = "x" * (MAX_PARAMETER_CHARS + 1)
    _refused(client.get(f"{API_PREFIX}/custody/events", params={"by": long}), "by", "at most")
    _refused(client.get(f"{API_PREFIX}/organisations/{long}"), "at most")


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def _arms(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in schema.get("anyOf", [schema]) if "type" in a]


def test_the_document_bounds_every_integer_and_text_parameter(client: TestClient) -> None:
    document = client.get(f"{API_PREFIX}/openapi.json").json()
    unbounded = []
    for name, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            for arm in _arms(parameter["schema"]):
                bounded = (
                    arm["type"] == "integer"
                    and arm.get("minimum") is not None
                    and arm.get("maximum", HUGE) < HUGE
                ) or (
                    arm["type"] == "string"
                    and ("enum" in arm or arm.get("maxLength", HUGE) <= MAX_PARAMETER_CHARS)
                )
                if arm["type"] in ("integer", "string") and not bounded:
                    unbounded.append(f"{name} {parameter['name']}")
    assert unbounded == []


def test_the_document_declares_the_problem_answers(client: TestClient) -> None:
    document = client.get(f"{API_PREFIX}/openapi.json").json()
    problem = document["components"]["schemas"]["Problem"]
    assert {"title", "status", "detail"} <= set(problem["required"])
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for name, operation in _operations(document):
        if name == f"GET {API_PREFIX}/health":
            assert set(operation["responses"]) == {"200"}
            continue
        answers = operation["responses"]
        assert {"401", "403", "404"} <= set(answers), name
        for code in ("401", "403", "404", "409", "413", "422"):
            if code in answers:
                content = answers[code]["content"]
                assert list(content) == ["application/problem+json"], f"{name} {code}"
        if name.startswith(("POST", "PUT", "PATCH", "DELETE")):
            assert "409" in answers, name
        if "requestBody" in operation:
            assert {"413", "422"} <= set(answers), name
