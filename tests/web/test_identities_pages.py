"""A person's identities in other systems on their page: linked and unlinked with the panel's
forms by those who manage activity; refused names come back as a message; others see no panel."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody.schemas import EventType
from crownjewels.monitoring import service as monitoring
from tests.parties.factories import make_person
from tests.web.conftest import csrf_of
from tests.web.test_pages import events

ClientFor = Callable[..., TestClient]


def _panel(html: str) -> str:
    found = re.search(r'<article id="identities">(.*?)</article>', html, re.S)
    assert found, "the page has no identities panel"
    return found.group(1)


def test_link_then_unlink_an_identity(client_for: ClientFor, db: Database) -> None:
    with db.unit_of_work() as s:
        person = make_person(s, system_actor(), name="Rohan Gupta")
    client = client_for(Role.SECURITY)
    page = client.get(f"/people/{person.id}")
    assert "No other identity linked" in _panel(page.text)

    linked = client.post(
        "/monitoring/identities",
        data={
            "person": person.id,
            "kind": "key",
            "value": "AKIAEXAMPLE9",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert linked.status_code == 200 and linked.url.path == f"/people/{person.id}"
    assert "is linked to Rohan Gupta" in linked.text
    assert "<code>akiaexample9</code>" in _panel(linked.text)
    assert events(db, EventType.IDENTITY_ADDED, person.id) == 1

    again = client.post(
        "/monitoring/identities",
        data={
            "person": person.id,
            "kind": "key",
            "value": "akiaexample9",
            "csrf_token": csrf_of(linked.text),
        },
    )
    assert "already Rohan Gupta&#39;s" in again.text

    with db.unit_of_work(write=False) as s:
        (identity,) = monitoring.identities_of(s, actor=system_actor(), person_ref=person.id)
    unlink = f"/monitoring/identities/{identity.id}/remove"
    assert f'action="{unlink}"' in linked.text
    gone = client.post(unlink, data={"csrf_token": csrf_of(again.text)})
    assert "is no longer linked" in gone.text
    assert "No other identity linked" in _panel(gone.text)
    assert events(db, EventType.IDENTITY_REMOVED, person.id) == 1


def test_others_see_no_panel_and_may_not_link(client_for: ClientFor, db: Database) -> None:
    with db.unit_of_work() as s:
        person = make_person(s, system_actor())
    client = client_for(Role.LEGAL)
    page = client.get(f"/people/{person.id}")
    assert page.status_code == 200 and 'id="identities"' not in page.text
    refused = client.post(
        "/monitoring/identities",
        data={"person": person.id, "kind": "key", "value": "x", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 403
