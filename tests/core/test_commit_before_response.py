"""A write is committed before its response leaves: a client that follows a POST's redirect
(or reads right after a 201) always sees what the POST wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from starlette.types import Message, Receive, Scope, Send

from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.api_support import role_clients
from tests.conftest import ENGINES, fresh_migrated_url


@pytest.mark.parametrize("kind", ENGINES)
def test_the_write_is_visible_when_the_response_starts(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = fresh_migrated_url(kind, tmp_path, request)
    db = Database(url)
    clients = role_clients(db, tmp_path / "home")
    seen_at_start: list[int] = []

    def count() -> int:
        # a separate connection: it sees only what has been committed
        with db.engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM organisation WHERE name = 'Commit Order Ltd'")
                ).scalar_one()
            )

    inner: FastAPI = clients.app

    async def probe(scope: Scope, receive: Receive, send: Send) -> None:
        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start" and scope.get("method") == "POST":
                seen_at_start.append(count())
            await send(message)

        await inner(scope, receive, watching)

    with TestClient(probe) as client:  # type: ignore[arg-type]
        response = client.post(
            "/api/v1/organisations",
            json={"name": "Commit Order Ltd", "kind": "vendor", "country": "IE"},
            headers=clients.headers(Role.ADMIN),
        )
    db.engine.dispose()
    assert response.status_code == 201, response.text
    assert seen_at_start == [1], "the response started before the write was committed"
