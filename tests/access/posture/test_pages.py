"""The dashboard per role: each role sees the panels its permissions allow (the posture, what
waits, agreements expiring, the custody state), and every number links to a list whose rows
match it. The posture list refuses an unknown tier or measure in words."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from crownjewels.access import service as access
from crownjewels.access.schemas import GrantRequest
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.inventory.schemas import Tier
from crownjewels.parties.schemas import OrgKind
from crownjewels.vendors import certifications
from crownjewels.vendors.diligence import review
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.diligence.schemas import AssessmentSend, RemediationCreate
from crownjewels.vendors.schemas import CertificationCreate
from tests.access.conftest import make_world
from tests.vendors.diligence_factories import import_builtin, make_contact, make_vendor
from tests.web import conftest as web
from tests.web.conftest import Login

app, settings, frozen = web.app, web.settings, web.frozen
make_login, client_of = web.make_login, web.client_of

P = Permission
MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]
COUNT = re.compile(r'data-count="([\w-]+)"[^>]*>(\d+)<')


def _world(db: Database, owner: Login) -> None:
    """The access world (a sensitive secret of `owner`, its holder bound by an NDA expiring in
    400 days), a requested grant on it, and an NDA expiring in 45 days."""
    actor = system_actor("test")
    today = clock.today()
    with db.unit_of_work() as session:
        world = make_world(session, actor, owner=owner.person, tier=Tier.SENSITIVE)
        access.request_grant(
            session,
            actor=actor,
            data=GrantRequest(
                person=world.grantee.id,
                secret=world.secret.ref,
                purpose="a trial run",
                expires_at=access.default_expiry("sensitive"),
            ),
        )
        agreements.create(
            session,
            actor=actor,
            data=AgreementCreate.model_validate(
                {
                    "kind": "nda",
                    "title": "NDA soon over",
                    "status": "in_force",
                    "effective_on": today - timedelta(days=300),
                    "expires_on": today + timedelta(days=45),
                    "governing_law": "US",
                    "parties": [{"organisation": world.stranger.organisation_id}],
                }
            ),
        )


FIRST = {
    Role.AUDITOR: 'id="custody-state"',
    Role.LEGAL: 'id="work-agreements"',
    Role.VENDOR_MANAGER: 'id="work-vendors"',
    Role.CASE_HANDLER: 'id="work-reports"',
}
PANELS = {
    'id="posture"': {P.SECRETS_READ_ALL, P.SECRETS_READ_OWN},
    'href="/agreements?expiring=30"': {P.AGREEMENTS_READ},
    'href="/access/grants?status=requested"': {P.GRANTS_READ, P.GRANTS_DECIDE},
    'href="/assessments?status=submitted"': {P.VENDORS_WRITE},
    'id="custody-state"': {P.CUSTODY_READ},
}


@pytest.mark.parametrize("role", [r for r in Role if r != Role.VENDOR_USER])
def test_each_role_sees_the_panels_its_permissions_allow(
    db: Database, make_login: MakeLogin, client_of: ClientOf, role: Role
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    _world(db, owner)
    login = owner if role == Role.SECRET_OWNER else make_login(role)
    page = client_of(login).get("/")
    assert page.status_code == 200
    for marker, needs in PANELS.items():
        assert (marker in page.text) is bool(MATRIX[role] & needs), (role, marker)
    if role == Role.SECRET_OWNER:
        assert "Your secrets" in page.text  # their own secrets' posture, not the register's
    if role == Role.AUDITOR:
        assert "Last signed checkpoint" in page.text
    # each role's own panel comes first; the others open on the posture
    first = page.text.index(FIRST.get(role, 'id="posture"'))
    others = [
        page.text.index(m)
        for m in ('id="posture"', 'id="work-', 'id="custody-state"')
        if m in page.text
    ]
    assert first == min(others), role


def _counts(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in COUNT.findall(text)}


def test_every_number_links_to_a_list_that_matches_it(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    _world(db, owner)
    client = client_of(make_login(Role.ADMIN))
    page = client.get("/").text
    counts = _counts(page)
    assert counts["total-sensitive"] == 1 and counts["protected-sensitive"] == 0
    # never assessed: the sensitive secret lacks its assessment, and only that
    assert counts["sensitive-assessment"] == 1 and counts["sensitive-agreement"] == 0
    for link in re.findall(r'href="(/posture/secrets\?[^"]+)"', page):
        url = html.unescape(link)
        listed = client.get(url)
        assert listed.status_code == 200, url
        shown = re.search(r'id="posture-count">(\d+)<', listed.text)
        assert shown
        key = _key(url)
        assert int(shown.group(1)) == counts[key], (url, key)
        assert len(set(re.findall(r'<td><a href="/secrets/(TS-\d+)"', listed.text))) == counts[key]

    grants = client.get("/access/grants?status=requested").text
    waiting = re.search(
        r'href="/access/grants\?status=requested"><span class="stat-value">(\d+)', page
    )
    assert waiting and int(waiting.group(1)) == 1
    assert len(set(re.findall(r'href="/access/grants/(GR-\d+)"', grants))) == 1

    for days, expected in ((30, 0), (60, 1), (90, 1)):
        stat = re.search(
            rf'href="/agreements\?expiring={days}"><span class="stat-value">(\d+)', page
        )
        assert stat and int(stat.group(1)) == expected, days
        listed = client.get(f"/agreements?expiring={days}").text
        assert len(set(re.findall(r'href="/agreements/(AG-[\d-]+)"', listed))) == expected


def _key(url: str) -> str:
    """The data-count key of the dashboard number a posture link stands behind."""
    query = dict(p.split("=") for p in url.split("?", 1)[1].split("&"))
    if "missing" in query:
        return f"{query['tier']}-{query['missing']}"
    if "protected" in query:
        return ("protected-" if query["protected"] == "true" else "unprotected-") + query["tier"]
    return f"total-{query['tier']}"


def test_the_posture_list_refuses_an_unknown_tier_or_measure_in_words(
    make_login: MakeLogin, client_of: ClientOf
) -> None:
    client = client_of(make_login(Role.COMPLIANCE))
    bad = client.get("/posture/secrets?missing=wishes")
    assert bad.status_code == 422
    assert "choose one of: owner" in html.unescape(bad.text)
    assert client.get("/posture/secrets?tier=top-secret").status_code == 422
    vendor = client_of(make_login(Role.VENDOR_USER, org_kind=OrgKind.VENDOR))
    assert vendor.get("/posture/secrets").status_code == 403


def test_the_vendor_managers_numbers_match_their_lists(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    manager = make_login(Role.VENDOR_MANAGER)
    today = clock.today()
    with db.unit_of_work() as s:
        admin = system_actor("test")
        import_builtin(s, admin)
        soon, _ = make_vendor(s, admin, name="Lotus Process")
        later, _ = make_vendor(s, admin, name="Far Horizon")
        make_contact(s, soon)
        for vendor, days in ((soon, 30), (later, 200)):
            certifications.add_certification(
                s,
                actor=admin,
                vendor_ref=vendor.ref,
                data=CertificationCreate.model_validate(
                    {
                        "standard": "iso-27001",
                        "issuer": "BSI",
                        "expires_on": today + timedelta(days=days),
                    }
                ),
            )
        sent = diligence.send(s, actor=admin, data=AssessmentSend(vendor=soon.ref))
        for title, due in (("Patch the file server", -3), ("Rotate the keys", 10)):
            review.add_remediation(
                s,
                actor=admin,
                assessment_ref=sent.ref,
                data=RemediationCreate(
                    title=title, owner=manager.person.id, due_on=today + timedelta(days=due)
                ),
            )
    client = client_of(manager)
    page = client.get("/").text
    assert 'id="custody-state"' not in page
    for href, rows in (
        ("/vendors?certificate_expiring=90", r'href="/vendors/(VEN-\d+)"'),
        ("/assessments?remediation=overdue", r'href="/assessments/(DD-[\w-]+)"'),
    ):
        shown = re.search(rf'href="{re.escape(href)}"><span class="stat-value">(\d+)', page)
        assert shown and int(shown.group(1)) == 1, href
        listed = client.get(href)
        assert listed.status_code == 200
        assert len(set(re.findall(rows, listed.text))) == 1, href


def test_the_auditor_sees_when_the_chain_was_last_verified_and_by_whom(
    make_login: MakeLogin, client_of: ClientOf
) -> None:
    auditor = make_login(Role.AUDITOR)
    client = client_of(auditor)

    def last() -> str:
        found = re.search(r'id="last-verification">(.*?)</dd>', client.get("/").text, re.S)
        assert found, "the custody panel has no last verification"
        return re.sub(r"<[^>]+>", "", found.group(1))

    assert last() == "not yet"
    assert client.get("/custody/verify").status_code == 200  # a read, kept as evidence
    assert auditor.person.full_name in last()
