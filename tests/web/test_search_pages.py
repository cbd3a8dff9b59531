"""The search box in the header and the /search page: results grouped by kind, a reference
typed exactly opens its page, and what a person may not see is neither listed nor counted."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person
from tests.web.conftest import Login

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


def test_results_are_grouped_and_a_reference_opens_its_page(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    with db.unit_of_work() as s:
        owner = make_person(s, system_actor(), name="Olive Ochre")
        secret = make_secret(s, system_actor(), name="Ochre glaze", owner=owner)
    client = client_of(make_login(Role.LEGAL))
    home = client.get("/")
    assert 'action="/search" role="search"' in home.text
    page = client.get("/search", params={"q": "  ochre "})
    assert page.status_code == 200
    secrets = page.text.split('id="results-secrets"')[1].split("</section>")[0]
    assert f'href="/secrets/{secret.ref}"' in secrets and "Ochre glaze" in secrets
    people = page.text.split('id="results-people"')[1].split("</section>")[0]
    assert "Olive Ochre" in people and f'href="/people/{owner.id}"' in people
    opened = client.get("/search", params={"q": secret.ref.lower()}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/secrets/{secret.ref}"
    nothing = client.get("/search", params={"q": "no such thing"})
    assert 'id="no-results"' in nothing.text and "Nothing you may see matches" in nothing.text


def test_what_a_person_may_not_see_is_not_found(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    with db.unit_of_work() as s:
        hidden = make_secret(s, system_actor(), name="Cobalt firing curve")
    owner = make_login(Role.SECRET_OWNER)
    with db.unit_of_work() as s:
        own = make_secret(s, system_actor(), name="Cobalt wash", owner=owner.person)
    client = client_of(owner)
    page = client.get("/search", params={"q": "cobalt"})
    assert own.ref in page.text and hidden.ref not in page.text
    assert "Cobalt firing curve" not in page.text and "1 result for" in page.text
    typed = client.get("/search", params={"q": hidden.ref}, follow_redirects=False)
    assert typed.status_code == 200 and 'id="no-results"' in typed.text
    vendor_user = client_of(make_login(Role.VENDOR_USER))
    assert 'id="no-results"' in vendor_user.get("/search", params={"q": "cobalt"}).text
