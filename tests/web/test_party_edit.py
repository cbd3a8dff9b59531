"""Edit forms for people and organisations: filled with the current values, saved with a
custody event, refused with the message next to the field (422, 409) and nothing changed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody.schemas import EventType
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationRead, OrgKind, PersonRead
from tests.parties.factories import make_org, make_person
from tests.web.conftest import csrf_of
from tests.web.test_pages import events, field_error

ClientFor = Callable[..., TestClient]


def form_values(html: str) -> dict[str, str]:
    """The text inputs and selected options of a page's form, as a browser would post them."""
    values = dict(
        re.findall(r'<input type="[a-z]+" id="f-[^"]+" name="([^"]+)" value="([^"]*)"', html)
    )
    for name, body in re.findall(
        r'<select id="f-[^"]+" name="([^"]+)".*?>(.*?)</select>', html, re.S
    ):
        selected = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = selected.group(1) if selected else ""
    for name, body in re.findall(
        r'<textarea id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        values[name] = body
    values["csrf_token"] = csrf_of(html)
    return values


def person_now(db: Database, person: PersonRead) -> PersonRead:
    with db.unit_of_work(write=False) as s:
        return parties.get_person(s, actor=system_actor(), person_ref=person.id)


def org_now(db: Database, org_id: str) -> OrganisationRead:
    with db.unit_of_work(write=False) as s:
        return parties.get_organisation(s, actor=system_actor(), org_ref=org_id)


@pytest.fixture
def jose_and_maria(db: Database) -> tuple[PersonRead, PersonRead]:
    """Two people of one vendor."""
    with db.unit_of_work() as s:
        org = make_org(s, system_actor(), name="Manila Outsourcing Inc", country="PH")
        jose = make_person(s, system_actor(), org=org, name="Jose Cruz")
        maria = make_person(s, system_actor(), org=org, name="Maria Santos", country="PH")
    return jose, maria


@pytest.fixture
def maria(jose_and_maria: tuple[PersonRead, PersonRead]) -> PersonRead:
    return jose_and_maria[1]


def test_edit_a_person(client_for: ClientFor, db: Database, maria: PersonRead) -> None:
    client = client_for(Role.VENDOR_MANAGER)
    page = client.get(f"/people/{maria.id}")
    assert f'href="/people/{maria.id}/edit"' in page.text

    form = client.get(f"/people/{maria.id}/edit")
    assert form.status_code == 200
    values = form_values(form.text)
    assert values["full_name"] == "Maria Santos"
    assert values["email"] == maria.email
    assert values["country"] == "PH"
    assert "Manila Outsourcing Inc" in form.text  # shown, not editable
    assert "organisation_id" not in values

    saved = client.post(
        f"/people/{maria.id}/edit",
        data=values | {"full_name": "Maria Santos-Reyes", "title": "Team lead"},
    )
    assert saved.status_code == 200
    assert saved.url.path == f"/people/{maria.id}"
    assert "Maria Santos-Reyes is saved" in saved.text
    assert "PERSON_UPDATED" in saved.text
    now = person_now(db, maria)
    assert (now.full_name, now.title, now.email) == ("Maria Santos-Reyes", "Team lead", maria.email)

    values = form_values(client.get(f"/people/{maria.id}/edit").text)
    assert values["title"] == "Team lead"
    cleared = client.post(f"/people/{maria.id}/edit", data=values | {"title": ""})
    assert cleared.status_code == 200
    assert person_now(db, maria).title is None
    assert events(db, EventType.PERSON_UPDATED, maria.id) == 2


@pytest.mark.parametrize(
    ("change", "field", "status", "message"),
    [
        ({"full_name": " "}, "full_name", 422, "Enter the full name"),
        ({"email": "not-an-email"}, "email", 422, "Enter an email address"),
        ({"country": "ZZ"}, "country", 422, "ISO 3166"),
        ({"email": "JOSE"}, "email", 409, "already exists"),
    ],
)
def test_a_refused_person_edit_shows_the_message_and_changes_nothing(
    client_for: ClientFor,
    db: Database,
    jose_and_maria: tuple[PersonRead, PersonRead],
    change: dict[str, str],
    field: str,
    status: int,
    message: str,
) -> None:
    jose, maria = jose_and_maria
    if change.get("email") == "JOSE":
        change = {"email": jose.email.upper()}  # emails are unique whatever their case
    client = client_for(Role.ADMIN)
    values = form_values(client.get(f"/people/{maria.id}/edit").text)
    response = client.post(
        f"/people/{maria.id}/edit", data=values | {"title": "Typed title"} | change
    )
    assert response.status_code == status
    assert message in field_error(response.text, field)
    assert 'value="Typed title"' in response.text  # what was typed is kept
    assert person_now(db, maria) == maria
    assert events(db, EventType.PERSON_UPDATED, maria.id) == 0


def test_edit_an_organisation(client_for: ClientFor, db: Database, maria: PersonRead) -> None:
    with db.unit_of_work() as s:
        make_org(s, system_actor(), name="Cebu Data Corp", kind=OrgKind.VENDOR)
    client = client_for(Role.VENDOR_MANAGER)
    org_id = maria.organisation_id
    assert f'href="/organisations/{org_id}/edit"' in client.get(f"/organisations/{org_id}").text
    values = form_values(client.get(f"/organisations/{org_id}/edit").text)
    assert (values["name"], values["status"], values["country"]) == (
        "Manila Outsourcing Inc",
        "active",
        "PH",
    )
    assert "kind" not in values

    taken = client.post(f"/organisations/{org_id}/edit", data=values | {"name": "cebu data corp"})
    assert taken.status_code == 409
    assert "already exists" in field_error(taken.text, "name")
    bad = client.post(f"/organisations/{org_id}/edit", data=values | {"status": "closed"})
    assert bad.status_code == 422
    assert "Choose the status from the list" in field_error(bad.text, "status")
    assert events(db, EventType.ORGANISATION_UPDATED, org_id) == 0

    saved = client.post(
        f"/organisations/{org_id}/edit",
        data=values | {"status": "suspended", "notes": "Audit pending"},
    )
    assert saved.status_code == 200
    assert saved.url.path == f"/organisations/{org_id}"
    assert "Manila Outsourcing Inc is saved" in saved.text
    assert "ORGANISATION_UPDATED" in saved.text
    now = org_now(db, org_id)
    assert (now.name, now.status, now.notes) == (
        "Manila Outsourcing Inc",
        "suspended",
        "Audit pending",
    )


def test_only_parties_writers_may_edit(
    client_for: ClientFor, db: Database, maria: PersonRead
) -> None:
    client = client_for(Role.AUDITOR)  # reads parties, writes none
    page = client.get(f"/people/{maria.id}")
    assert "/edit" not in page.text
    assert "/edit" not in client.get(f"/organisations/{maria.organisation_id}").text
    token = csrf_of(client.get("/").text)
    for path in (f"/people/{maria.id}/edit", f"/organisations/{maria.organisation_id}/edit"):
        assert client.get(path).status_code == 403, path
        response = client.post(path, data={"full_name": "X", "name": "X", "csrf_token": token})
        assert response.status_code == 403, path
    assert person_now(db, maria) == maria

    writer = client_for(Role.VENDOR_MANAGER)
    assert writer.get("/people/nobody@example.com/edit").status_code == 404
    assert writer.get("/organisations/01ZZZZZZZZZZZZZZZZZZZZZZZZ/edit").status_code == 404
    edit = f"/people/{maria.id}/edit"
    assert (
        writer.post(edit, data=form_values(writer.get(edit).text) | {"csrf_token": ""}).status_code
        == 403
    )
