"""The watchlists API: who may read, set, add and mark; a feed added, fetched from a real
feed server and its queued item marked over HTTP; bad input in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.settings import Settings
from tests.api_support import (  # noqa: F401 - connection: the module world
    TEST_SECRET_KEY,
    RoleClients,
    Roles,
    app_for,
    connection,
)
from tests.inventory.factories import make_secret
from tests.leaks.watchlists.feed_server import feed_server, rss
from tests.leaks.watchlists.test_service import CELL, RELEVANT, UNRELATED

L = f"{API_PREFIX}/leaks"


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    """The app of an installation that may fetch feeds from 127.0.0.1 (the feed server)."""
    settings = Settings(
        home=tmp_path,
        secret_key=TEST_SECRET_KEY,
        company_name="Acme Foods",
        leaks_fetch_private_addresses=True,
    )
    return RoleClients(app=app_for(settings, db), tokens=roles.tokens, people=roles.people)


@pytest.mark.parametrize(
    ("role", "read", "manage", "review"),
    [
        (Role.LEGAL, 200, 201, 404),
        (Role.SECURITY, 200, 201, 404),
        (Role.COMPLIANCE, 200, 403, 403),
        (Role.VENDOR_MANAGER, 403, 403, 403),
    ],
    ids=lambda v: getattr(v, "value", str(v)),
)
def test_permissions(rc: RoleClients, role: Role, read: int, manage: int, review: int) -> None:
    client, headers = rc.client(), rc.headers(role)
    assert client.get(f"{L}/reviews", headers=headers).status_code == read
    body = {"name": "EPO", "url": "https://epo.example.com/rss"}
    assert client.post(f"{L}/feeds", json=body, headers=headers).status_code == manage
    mark = {"relevant": False, "note": "no"}
    assert client.post(f"{L}/reviews/WR-0099", json=mark, headers=headers).status_code == review


def test_set_add_fetch_and_mark_over_http(db: Database, rc: RoleClients) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor("test"), name="Cell culture", description=CELL)
    client, headers = rc.client(), rc.headers(Role.LEGAL)
    put = client.put(
        f"{L}/watchlists/{secret.ref}",
        json={"terms": ["perfusion culture"], "competitors": ["Biogenix"], "threshold": 0.2},
        headers=headers,
    )
    assert put.status_code == 200 and put.json()["competitors"] == ["Biogenix"]
    bad = client.post(f"{L}/feeds", json={"name": "X", "url": "ftp://x"}, headers=headers)
    assert bad.status_code == 422 and "not a web address" in bad.text
    with feed_server() as server:
        server.documents["/rss"] = (rss([RELEVANT, UNRELATED]), '"v1"')
        feed = client.post(
            f"{L}/feeds", json={"name": "News", "url": server.url("/rss")}, headers=headers
        ).json()
        fetched = client.post(f"{L}/feeds/{feed['ref']}/fetch", headers=headers).json()
    assert fetched["outcome"] == "read" and fetched["queued"] == ["WR-0001"]
    queue = client.get(f"{L}/reviews", headers=headers).json()
    assert queue["total"] == 1 and queue["items"][0]["reason"].startswith("shares '")
    marked = client.post(
        f"{L}/reviews/WR-0001", json={"relevant": True, "note": "ours"}, headers=headers
    )
    assert marked.status_code == 200 and marked.json()["status"] == "relevant"
    again = client.post(
        f"{L}/reviews/WR-0001", json={"relevant": True, "note": "ours"}, headers=headers
    )
    assert again.status_code == 409 and "already" in again.text
    assert client.get(f"{L}/reviews?status=relevant", headers=headers).json()["total"] == 1
