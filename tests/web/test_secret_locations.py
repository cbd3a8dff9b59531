"""Locations of a registered secret on its page: add one with the form, remove one with its
button; refused forms show their messages and leave nothing; only writers see or use them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import LocationCreate, LocationKind, SecretRead
from tests.inventory.factories import make_secret
from tests.web.conftest import Login, csrf_of
from tests.web.test_pages import events, field_error

ClientFor = Callable[..., TestClient]
MakeLogin = Callable[..., Login]
FORM = 'id="location-form"'


def reread(db: Database, secret: SecretRead) -> SecretRead:
    with db.unit_of_work(write=False) as s:
        return inventory.get(s, actor=system_actor(), secret_ref=secret.id)


def locations_article(html: str) -> str:
    found = re.search(r'<article id="locations">(.*?)</article>', html, re.S)
    assert found, "the page has no locations article"
    return found.group(1)


def test_add_a_location_then_remove_it(client_for: ClientFor, db: Database) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Brine cure")
    client = client_for(Role.LEGAL)
    page = client.get(f"/secrets/{secret.ref}")
    assert FORM in page.text
    owner = re.search(
        r'name="location.owner_id".*?<option value="([0-9A-Z]{26})">([^<]+)</option>',
        page.text,
        re.S,
    )
    assert owner

    added = client.post(
        f"/secrets/{secret.ref}/locations",
        data={
            "location.kind": "drive",
            "location.name": "R&D share /brine",
            "location.owner_id": owner.group(1),
            "location.notes": "Read-only for the plant",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert added.status_code == 200
    assert added.url.path == f"/secrets/{secret.ref}"
    assert "is recorded as a location" in added.text
    shown = locations_article(added.text)
    assert "R&amp;D share /brine" in shown
    assert f'<a href="/people/{owner.group(1)}">{owner.group(2)}</a>' in shown
    (location,) = reread(db, secret).locations
    assert (location.kind, location.owner_id) == ("drive", owner.group(1))
    assert events(db, EventType.SECRET_LOCATION_ADDED, secret.id) == 1

    remove = f"/secrets/{secret.ref}/locations/{location.id}/remove"
    assert f'action="{remove}"' in shown
    removed = client.post(remove, data={"csrf_token": csrf_of(added.text)})
    assert removed.status_code == 200
    assert "is removed" in removed.text
    assert "R&amp;D share" not in locations_article(removed.text)
    assert reread(db, secret).locations == []
    assert events(db, EventType.SECRET_LOCATION_REMOVED, secret.id) == 1
    # a second click finds nothing to remove
    assert client.post(remove, data={"csrf_token": csrf_of(removed.text)}).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"location.name": "  "}, "location-name", "Enter the name"),
        ({"location.kind": "cloud"}, "location-kind", "Choose the kind from the list"),
        ({"location.owner_id": "nobody"}, "location-owner_id", "no person"),
    ],
)
def test_a_refused_location_shows_its_message_and_leaves_nothing(
    client_for: ClientFor, db: Database, change: dict[str, str], field: str, message: str
) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Glaze")
    client = client_for(Role.ADMIN)
    page = client.get(f"/secrets/{secret.ref}")
    data = {
        "location.kind": "repository",
        "location.name": "git.example.com/rnd/glaze",
        "location.notes": "Typed by hand",
        "csrf_token": csrf_of(page.text),
        **change,
    }
    response = client.post(f"/secrets/{secret.ref}/locations", data=data)
    assert response.status_code == 422
    assert message in field_error(response.text, field)
    assert "Typed by hand" in locations_article(response.text)  # what was typed is kept
    assert "<details open>" in locations_article(response.text)
    assert reread(db, secret).locations == []
    assert events(db, EventType.SECRET_LOCATION_ADDED, secret.id) == 0


def test_only_those_who_may_write_the_secret_see_and_use_the_location_forms(
    client_of: Callable[[Login], TestClient],
    client_for: ClientFor,
    make_login: MakeLogin,
    db: Database,
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    with db.unit_of_work() as s:
        mine = make_secret(s, system_actor(), owner=owner.person, name="Mine")
        theirs = make_secret(s, system_actor(), name="Theirs")
        for secret in (mine, theirs):
            inventory.add_location(
                s,
                actor=system_actor(),
                secret_ref=secret.id,
                data=LocationCreate(kind=LocationKind.SYSTEM, name="ERP"),
            )
    mine, theirs = reread(db, mine), reread(db, theirs)
    add = {"location.kind": "drive", "location.name": "USB stick"}

    reader = client_for(Role.VENDOR_MANAGER)  # reads every secret, writes none
    page = reader.get(f"/secrets/{theirs.ref}")
    assert page.status_code == 200
    assert "ERP" in locations_article(page.text)
    assert FORM not in page.text
    assert "/remove" not in page.text
    token = csrf_of(reader.get("/").text)
    assert (
        reader.post(
            f"/secrets/{theirs.ref}/locations", data=add | {"csrf_token": token}
        ).status_code
        == 403
    )
    remove = f"/secrets/{theirs.ref}/locations/{theirs.locations[0].id}/remove"
    assert reader.post(remove, data={"csrf_token": token}).status_code == 403

    client = client_of(owner)
    page = client.get(f"/secrets/{mine.ref}")
    assert FORM in page.text
    token = csrf_of(page.text)
    # someone else's secret is out of the owner's sight: 404, not 403
    assert (
        client.post(
            f"/secrets/{theirs.ref}/locations", data=add | {"csrf_token": token}
        ).status_code
        == 404
    )
    assert client.post(remove, data={"csrf_token": token}).status_code == 404
    # and their own goes through, but not without the CSRF token
    assert client.post(f"/secrets/{mine.ref}/locations", data=add).status_code == 403
    assert (
        client.post(f"/secrets/{mine.ref}/locations", data=add | {"csrf_token": token}).status_code
        == 200
    )
    assert [loc.name for loc in reread(db, theirs).locations] == ["ERP"]
    assert sorted(loc.name for loc in reread(db, mine).locations) == ["ERP", "USB stick"]


def test_where_a_copy_is_held_and_the_personal_data_flag(
    client_for: ClientFor, db: Database
) -> None:
    """The country of a location is the origin of its personal data; the flag is set on the
    edit form, never inferred from the category."""
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="EU key accounts", category="customer-list")
    client = client_for(Role.LEGAL)
    page = client.get(f"/secrets/{secret.ref}")
    assert 'id="personal-data">no<' in page.text
    bad = client.post(
        f"/secrets/{secret.ref}/locations",
        data={"location.kind": "drive", "location.name": "GmbH share", "location.country": "QQ",
              "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert "not an ISO 3166 country code" in field_error(bad.text, "location-country")
    added = client.post(
        f"/secrets/{secret.ref}/locations",
        data={"location.kind": "drive", "location.name": "GmbH share", "location.country": "de",
              "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert "<td>DE</td>" in locations_article(added.text)
    form = client.get(f"/secrets/{secret.ref}/edit")
    assert (
        'name="personal_data"' in form.text
        and " checked" not in form.text.split('name="personal_data"')[1].split(">")[0]
    )
    fields = {
        k: v
        for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form.text)
        if not k.startswith("factor.") and k != "personal_data"
    }
    saved = client.post(
        f"/secrets/{secret.ref}/edit",
        data={**fields, "description": reread(db, secret).description, "category": "customer-list",
              "tier": "sensitive", "owner_id": secret.owner_id, "personal_data": "yes",
              "data_subject_regions": "FR, DE", "csrf_token": csrf_of(form.text)},
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert "data subjects in DE, FR" in saved.text
    assert reread(db, secret).personal_data


def test_set_a_locations_monitoring_patterns(client_for: ClientFor, db: Database) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Smoke ring")
    client = client_for(Role.LEGAL)
    page = client.get(f"/secrets/{secret.ref}")
    added = client.post(
        f"/secrets/{secret.ref}/locations",
        data={
            "location.kind": "repository",
            "location.name": "GitHub",
            "location.patterns": "https://github.com/acme/smoke\n\n/srv/sftp/smoke/**\n",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert added.status_code == 200, added.text
    (location,) = reread(db, secret).locations
    assert location.patterns == ["https://github.com/acme/smoke", "/srv/sftp/smoke/**"]
    assert "<code>/srv/sftp/smoke/**</code>" in locations_article(added.text)

    action = f"/secrets/{secret.ref}/locations/{location.id}/patterns"
    assert f'action="{action}"' in added.text
    saved = client.post(
        action, data={"patterns": "s3://acme-smoke/ring/", "csrf_token": csrf_of(added.text)}
    )
    assert "patterns of the location" in saved.text
    assert reread(db, secret).locations[0].patterns == ["s3://acme-smoke/ring/"]
    assert events(db, EventType.SECRET_LOCATION_PATTERNS_SET, secret.id) == 1

    refused = client.post(
        action, data={"patterns": "has a space", "csrf_token": csrf_of(saved.text)}
    )
    assert "were not changed" in refused.text
    assert reread(db, secret).locations[0].patterns == ["s3://acme-smoke/ring/"]
