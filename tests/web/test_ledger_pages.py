"""The Ledger page: the secret page links to its disclosures, a manual record refused with
every reason, then recorded once the recipient is bound, listed with the export links."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.access.factories import bind_for_access
from tests.access.refusals import refusals
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_org, make_person
from tests.web.conftest import Login, csrf_of

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


def test_record_a_disclosure_and_read_the_ledger(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    admin = system_actor()
    owner = make_login(Role.SECRET_OWNER)
    with db.unit_of_work() as s:
        secret = make_secret(s, admin, name="Glaze recipe", owner=owner.person)
        ravi = make_person(s, admin, org=make_org(s, admin, name="Acme Ltd"), name="Ravi Rao")
    client = client_of(make_login(Role.SECURITY))
    detail = client.get(f"/secrets/{secret.ref}")
    assert f'href="/disclosures?secret={secret.ref}"' in detail.text
    page = client.get(f"/disclosures?secret={secret.ref}")
    assert page.status_code == 200 and "No disclosure matches" in page.text
    assert f"/api/v1/disclosures.csv?secret={secret.ref}" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "secret": secret.ref,
        "person": ravi.email,
        "channel": "manual-physical",
        "description": "a glazed tile handed over at the fair",
    }
    refused = client.post("/disclosures", data=form)
    assert refused.status_code == 403 and 'id="denial-reasons"' in refused.text
    assert "Ravi Rao may not view" in refused.text
    assert [r["action"] for r in refusals(db, ravi.id)] == ["view"]
    with db.unit_of_work() as s:
        approver = actor_for(s, owner.user)
        bind_for_access(s, person_id=ravi.id, secret_id=secret.id, level="view", approver=approver)
    done = client.post("/disclosures", data=form)
    assert done.status_code == 200 and "Recorded" in done.text, done.text
    assert "Ravi Rao" in done.text and "manual-physical" in done.text
    auditor = client_of(make_login(Role.AUDITOR))
    listed = auditor.get("/disclosures?organisation=Acme+Ltd")
    assert "Ravi Rao" in listed.text and 'id="record-form"' not in listed.text
    # approved by the owner, named; no internal id anywhere on the page
    assert owner.person.full_name in listed.text and "user:" not in listed.text
    assert client_of(make_login(Role.VENDOR_MANAGER)).get("/disclosures").status_code == 403
