"""No dead ends: "Download my copy" is offered only where the access decision allows it (else
the reasons and a prefilled "Request access"); a 403 page says what is missing and what to do;
a secret's owner sees who can access their own secret; an approver reads the grant's context
before approving; a secret's page exports its evidence bundle."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.access.schemas import GrantRequest
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Role
from crownjewels.custody import bundle, keys
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from crownjewels.vault.keys import create_key_file
from tests.access.factories import _agreement, _vendor_ready, bind_for_access
from tests.access.lifecycle_factories import bound_person, nda, partner
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for
from tests.vendors.diligence_factories import make_contact, make_vendor, make_vendor_user
from tests.web.conftest import Login, csrf_of

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]
ClientFor = Callable[..., TestClient]


def _text(page: str) -> str:
    """The page's words, tags dropped and whitespace folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize(
    ("role", "path", "missing", "todo"),
    [
        (
            Role.AUDITOR,
            "/access/grants/new",
            "You need the grants:request permission.",
            "Only legal, security, vendor managers, secret owners and admins can request access "
            "grants; ask an admin for one of these roles.",
        ),
        (
            Role.SECRET_OWNER,
            "/custody",
            "You need the custody:read permission.",
            "ask an admin for one of these roles, or open a secret's page, which shows its "
            "history.",
        ),
    ],
)
def test_a_403_page_says_what_is_missing_and_what_to_do(
    client_for: ClientFor, role: Role, path: str, missing: str, todo: str
) -> None:
    page = client_for(role).get(path)
    assert page.status_code == 403
    words = _text(page.text)
    assert missing in words and todo in words, words
    assert 'href="/"' in page.text  # and the way back


def _document(db: Database, settings: Settings, secret_id: str) -> str:
    create_key_file(Path(settings.home) / "vault.key")
    with db.unit_of_work() as s:
        doc = vault.add_document(
            s,
            actor=system_actor("test"),
            vault=vault.open_vault(settings),
            owner_type="secret",
            owner_ref=secret_id,
            title="Glaze sheet",
            upload=io.BytesIO(b"frit 62, kaolin 18, silica 12, whiting 8\n"),
            filename="glaze.txt",
        )
    return doc.id


def test_download_my_copy_is_offered_only_when_the_decision_allows_it(
    db: Database, settings: Settings, make_login: MakeLogin, client_of: ClientOf
) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Glaze recipe")
    doc_id = _document(db, settings, secret.id)
    login = make_login(Role.LEGAL)
    client = client_of(login)
    page = client.get(f"/secrets/{secret.ref}/documents")
    assert page.status_code == 200
    assert "Download my copy" not in page.text
    withheld = _text(page.text.split(f'id="withheld-{doc_id}"')[1].split("</div>")[0])
    assert f"the access rules do not let you download {secret.ref} now" in withheld
    assert f"no need-to-know grant for download of {secret.ref}" in withheld
    assert "no confidentiality agreement binds the recipient" in withheld
    link = re.search(r'<a [^>]*class="small request-access" href="([^"]+)"', page.text)
    assert link, page.text
    target = html.unescape(link.group(1))
    assert target == (
        f"/access/grants/new?secret={secret.ref}&person={login.person.id}&level=download"
    )
    form = client.get(target)
    assert form.status_code == 200
    assert re.search(rf'<option value="{login.person.id}" selected>', form.text)
    assert re.search(r'<option value="download"\s+selected', form.text), form.text
    # someone else's copy can still be issued (recipient required), as documents:read allows
    assert "Issue a copy for them" in page.text
    # a copy asked for anyway is refused by a page that says why and what to do
    refused = client.post(
        f"/secrets/{secret.ref}/documents/{doc_id}/copy",
        data={"csrf_token": csrf_of(page.text), "purpose": "kiln trial"},
    )
    assert refused.status_code == 403
    words = _text(refused.text)
    assert "The access rules refuse this." in words and "Request access" in words, words
    assert f"may not download {secret.ref}" in words

    with db.unit_of_work() as s:
        bind_for_access(s, person_id=login.person.id, secret_id=secret.id)
    page = client.get(f"/secrets/{secret.ref}/documents")
    assert "Download my copy" in page.text and 'id="withheld-' not in page.text


def test_the_owner_sees_who_can_access_their_own_secret_only(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    other = make_login(Role.SECRET_OWNER)
    with db.unit_of_work() as s:
        mine = make_secret(s, system_actor(), name="Brine recipe", owner=owner.person)
        theirs = make_secret(s, system_actor(), name="Smoke recipe", owner=other.person)
    client = client_of(owner)
    detail = client.get(f"/secrets/{mine.ref}")
    assert 'id="who-can-link"' in detail.text
    page = client.get(f"/access/secrets/{mine.ref}")
    assert page.status_code == 200, page.text
    assert owner.person.full_name in page.text
    assert client.get(f"/access/secrets/{theirs.ref}").status_code == 404  # not even seen
    with db.unit_of_work(write=False) as s:  # the decision's own check, beneath the page
        actor = actor_for(s, owner.user)
        with pytest.raises(Forbidden, match="grants:read"):
            access.who_can(s, actor=actor, secret=theirs.ref)
        assert access.who_can(s, actor=actor, secret=mine.ref)


def _requested(db: Database, person_id: str, secret_id: str) -> str:
    with db.unit_of_work() as s:
        made = access.request_grant(
            s,
            actor=system_actor("test"),
            data=GrantRequest(
                person=person_id,
                secret=secret_id,
                level=Level.VIEW,
                purpose="plant trials",
                expires_at=access.default_expiry("sensitive"),
            ),
        )
    return made.ref


def test_approving_shows_the_context_and_the_decision_it_would_give(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    actor = system_actor("test")
    with db.unit_of_work() as s:
        secret = make_secret(s, actor, name="Brine recipe", owner=owner.person)
        vendor, org = make_vendor(s, actor, name="Lotus Process Services")
        make_contact(s, vendor)
        analyst, _ = make_vendor_user(s, actor, org)
        agreement = _agreement(s, analyst.id, secret.id)
        _vendor_ready(s, org.id)
        harbor = partner(s, actor)
        nda(s, actor, org=harbor)
        guest = bound_person(s, actor, org=harbor, name="Gail Guest")
    assert agreement is not None
    client = client_of(owner)
    page = client.get(f"/access/grants/{_requested(db, analyst.id, secret.id)}")
    assert page.status_code == 200
    context = _text(page.text.split('id="approval-context"')[1].split("</section>")[0])
    assert f"If approved: {analyst.full_name} may not view {secret.ref} yet" in context, context
    assert f"has not acknowledged the confidentiality notice of {secret.ref}" in context
    assert agreement.ref in context
    assert "Training Yes every required course is current" in context
    assert "Acknowledgement No acknowledged in the portal at first access" in context
    assert "Due diligence Yes" in context
    assert page.text.index('id="approval-context"') < page.text.index('id="approve-form"')

    ready = client.get(f"/access/grants/{_requested(db, guest.id, secret.id)}")
    context = _text(ready.text.split('id="approval-context"')[1].split("</section>")[0])
    assert f"If approved: Gail Guest may view {secret.ref} ." in context
    assert "Due diligence Yes not a vendor" in context

    # an organisation's grant: each member is checked when it is approved, and the page says so
    with db.unit_of_work() as s:
        whole = access.request_grant(
            s,
            actor=system_actor("test"),
            data=GrantRequest(
                organisation=harbor.id,
                secret=secret.id,
                level=Level.VIEW,
                purpose="joint trials",
                expires_at=access.default_expiry("sensitive"),
            ),
        )
    members = _text(client.get(f"/access/grants/{whole.ref}").text)
    assert "checks every rule but the grant for each active person of Harbor Labs" in members

    # a viewer who may not approve sees no context (nor the button)
    watcher = client_of(make_login(Role.AUDITOR)).get(
        f"/access/grants/{_requested(db, guest.id, secret.id)}"
    )
    assert watcher.status_code == 200 and 'id="approval-context"' not in watcher.text


def test_a_secrets_page_exports_its_evidence_bundle(
    db: Database, settings: Settings, client_for: ClientFor, tmp_path: Path
) -> None:
    keys.ensure_signing_key(settings.home)
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Sauce formula")
    client = client_for(Role.LEGAL)
    page = client.get(f"/secrets/{secret.ref}")
    form = page.text.split('id="bundle-form"')[1].split("</form>")[0]
    assert f'name="subject" value="secret:{secret.id}"' in form
    got = client.post(
        "/custody/export", data={"csrf_token": csrf_of(page.text), "subject": f"secret:{secret.id}"}
    )
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    path = tmp_path / "bundle.zip"
    path.write_bytes(got.content)
    assert bundle.verify(path, trusted_key=(settings.home / keys.PUBLIC_FILE).read_bytes()).ok
    # a role that may not sign is not offered the button
    assert 'id="bundle-form"' not in client_for(Role.AUDITOR).get(f"/secrets/{secret.ref}").text
    assert clock.now()  # the pinned clock of the tests
