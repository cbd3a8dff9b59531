"""Access pages through the real forms: what each role may open (200 / 403 / 404), the request
form (its expiry defaulting to the tier's longest, a refused field shown in place), approval
by the secret's owner with the buttons only they are offered, who can access a secret with the
reasons, the check form, and the Access link hidden from vendor users."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from crownjewels.access import service
from crownjewels.access.schemas import GrantRequest
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.inventory.schemas import Tier
from crownjewels.parties.schemas import OrgKind
from tests.access.conftest import World, make_world
from tests.disclosure.portal.world import BINDER, request
from tests.inventory.factories import make_secret
from tests.vendors.diligence_factories import make_contact, make_vendor, make_vendor_user
from tests.web import conftest as web
from tests.web.conftest import Login, csrf_of
from tests.web.markup import confirmed

# the page fixtures of tests/web: the app, its settings, the frozen clock, logins
app, settings, frozen = web.app, web.settings, web.frozen
make_login, client_of = web.make_login, web.client_of

P = Permission
MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]
VIEW = {P.GRANTS_READ, P.GRANTS_REQUEST, P.GRANTS_DECIDE, P.GRANTS_MANAGE}
REF = re.compile(r"(GR-\d{6})")


def _world(db: Database, owner: Login) -> tuple[World, str]:
    """The world and a requested grant on its secret for the grantee."""
    actor = system_actor("test")
    with db.unit_of_work() as session:
        world = make_world(session, actor, owner=owner.person)
        grant = service.request_grant(
            session,
            actor=actor,
            data=GrantRequest(
                person=world.grantee.id,
                secret=world.secret.ref,
                purpose="a trial run",
                expires_at=service.default_expiry("sensitive"),
            ),
        )
    return world, grant.ref


@pytest.mark.parametrize("role", list(Role))
def test_what_each_role_may_open(
    db: Database, make_login: MakeLogin, client_of: ClientOf, role: Role
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    world, ref = _world(db, owner)
    kind = OrgKind.VENDOR if role == Role.VENDOR_USER else OrgKind.SUBSIDIARY
    client = client_of(make_login(role, org_kind=kind))
    pages = {
        "/access/grants": VIEW,
        "/access/grants/new": {P.GRANTS_REQUEST},
        "/access/check": {P.GRANTS_READ},
        f"/access/secrets/{world.secret.ref}": {P.GRANTS_READ},
    }
    for url, needs in pages.items():
        got = client.get(url).status_code
        if role == Role.SECRET_OWNER and url.startswith("/access/secrets/"):
            # who can reach a secret: its owner may ask (below); another owner does not see it
            assert got == 404, (role, url, got)
            continue
        assert got == (200 if MATRIX[role] & needs else 403), (role, url, got)
    assert client_of(owner).get(f"/access/secrets/{world.secret.ref}").status_code == 200
    got = client.get(f"/access/grants/{ref}").status_code
    # a secret owner who does not own this secret does not see its grants at all
    expected = 403 if not MATRIX[role] & VIEW else 404 if role == Role.SECRET_OWNER else 200
    assert got == expected, (role, got)
    home = client.get("/")
    assert ('href="/access/grants"' in home.text) is bool(MATRIX[role] & VIEW)


def test_request_then_approve_through_the_forms(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    world, _ = _world(db, owner)
    requester = client_of(make_login(Role.VENDOR_MANAGER))

    form = requester.get(f"/access/grants/new?secret={world.secret.ref}")
    assert form.status_code == 200
    longest = service.default_expiry("sensitive")
    assert f'value="{longest:%Y-%m-%d}"' in form.text
    data = {
        "csrf_token": csrf_of(form.text),
        "target": "person",
        "person": world.grantee.id,
        "secret": world.secret.ref,
        "level": "download",
        "purpose": "try",
        "expires": "",
    }
    refused = requester.post("/access/grants/new", data=data)
    assert refused.status_code == 422
    assert "at least 5 characters" in html.unescape(refused.text)
    assert 'id="purpose-error"' in refused.text
    too_long = requester.post(
        "/access/grants/new", data={**data, "purpose": "the plant trial", "expires": "2999-01-01"}
    )
    assert too_long.status_code == 422 and "at most 180 days" in html.unescape(too_long.text)

    made = requester.post("/access/grants/new", data={**data, "purpose": "the plant trial"})
    assert made.status_code == 200, made.text
    assert "is requested" in made.text
    found = REF.search(str(made.url))
    assert found
    ref = found.group(1)
    assert f"{longest:%Y-%m-%d}" in made.text
    assert 'id="approve-button"' not in made.text  # the requester is not offered approval

    owner_client = client_of(owner)
    page = owner_client.get(f"/access/grants/{ref}")
    assert 'id="approve-button"' in page.text and 'id="deny-button"' in page.text
    assert confirmed(page.text, 'id="deny-button"')  # denying asks once more; approving does not
    assert not confirmed(page.text, 'id="approve-button"')
    approved = owner_client.post(
        f"/access/grants/{ref}/approve", data={"csrf_token": csrf_of(page.text), "note": "go"}
    )
    assert approved.status_code == 200, approved.text
    assert f"{ref} is active" in approved.text
    assert 'id="revoke-button"' in approved.text and 'id="approve-button"' not in approved.text
    assert confirmed(approved.text, 'id="revoke-button"')
    # requester and approver by name, never by internal id
    assert owner.person.full_name in approved.text and "user:" not in approved.text
    auditor = client_of(make_login(Role.AUDITOR))
    log = auditor.get("/custody", params={"subject": ref})  # the grant's ref finds its events
    assert "Access grant requested" in log.text and "Access grant approved" in log.text
    for seq in re.findall(r'href="/custody/(\d+)"', log.text):
        event = auditor.get(f"/custody/{seq}").text
        assert world.secret.ref in event and "Grace Hopper" in event  # ids named
        for internal in ("user:", "secret:", world.secret.id, world.grantee.id):
            assert internal not in event, (seq, internal)

    legal = client_of(make_login(Role.LEGAL))
    secret_page = legal.get(f"/secrets/{world.secret.ref}")
    assert f'href="/access/secrets/{world.secret.ref}"' in secret_page.text
    who = legal.get(f"/access/secrets/{world.secret.ref}?action=download")
    assert who.status_code == 200 and "Grace Hopper" in who.text and ref in who.text
    listed = legal.get(f"/access/grants?status=active&secret={world.secret.ref}")
    assert ref in listed.text
    page = legal.get(f"/access/grants/{ref}")
    revoked = legal.post(
        f"/access/grants/{ref}/revoke", data={"csrf_token": csrf_of(page.text), "note": ""}
    )
    assert revoked.status_code == 422 and "give the reason" in revoked.text


def test_the_check_form_explains_a_denial(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    world, _ = _world(db, owner)
    with db.unit_of_work() as session:
        make_secret(session, system_actor("test"), name="Unrelated")
    client = client_of(make_login(Role.SECURITY))
    page = client.get("/access/check")
    result = client.post(
        "/access/check",
        data={
            "csrf_token": csrf_of(page.text),
            "person": world.stranger.id,
            "secret": world.secret.ref,
            "action": "view",
            "mfa": "on",
        },
    )
    assert result.status_code == 200
    text = html.unescape(result.text)
    assert "Sam Stranger may not view" in text
    # each failed rule reads as the sentence it stands for; its id only in the tooltip
    assert "No confidentiality agreement binds the recipient" in text
    assert 'title="bound:agreement"' in text and ">bound:agreement" not in text


def test_approving_for_a_vendor_user_without_mfa_says_what_to_do(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    with db.unit_of_work() as session:
        vendor, org = make_vendor(session, BINDER, name="Lotus Ltd")
        make_contact(session, vendor)
        person, _ = make_vendor_user(session, BINDER, org)
        secret = make_secret(
            session,
            BINDER,
            owner=owner.person,
            name="Glaze",
            tier=Tier.HIGHLY_SENSITIVE,
            allowed_regions=["IN", "US"],
        )
        grant = request(session, person_id=person.id, secret_id=secret.id, purpose="glaze trial")
    url = f"/access/grants/{grant.ref}"
    owner_client = client_of(owner)
    page = owner_client.get(url)
    first = owner_client.post(f"{url}/approve", data={"csrf_token": csrf_of(page.text)})
    assert first.status_code == 200 and f"{grant.ref} is requested" in first.text
    security = client_of(make_login(Role.SECURITY))
    page = security.get(url)
    refused = security.post(f"{url}/approve", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403
    assert (
        f"{person.full_name} has not set up two-factor sign-in; highly sensitive secrets need "
        "it: ask them to sign in once to enrol"
    ) in html.unescape(refused.text)
