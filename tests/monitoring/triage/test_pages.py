"""The alert pages through the real app: who may open them (the role matrix; a secret owner
sees their own secrets' alerts, read-only), the queue's filters and counts, the alert page
(explanation, chart, evidence, grants, trail) and the action forms, refusals shown in words."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.parties.schemas import OrgKind
from tests.monitoring.triage.world import TriageWorld, make_triage_world
from tests.web import conftest as web
from tests.web.conftest import Login, csrf_of
from tests.web.markup import confirmed

app, settings, frozen = web.app, web.settings, web.frozen
make_login, client_of = web.make_login, web.client_of

P = Permission
MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


def _world(db: Database, owner: Login | None = None) -> TriageWorld:
    with db.unit_of_work() as session:
        return make_triage_world(
            session, system_actor("test"), owner=owner.person if owner else None
        )


@pytest.mark.parametrize("role", list(Role))
def test_what_each_role_may_open(
    db: Database, make_login: MakeLogin, client_of: ClientOf, role: Role
) -> None:
    kind = OrgKind.VENDOR if role == Role.VENDOR_USER else OrgKind.SUBSIDIARY
    login = make_login(role, org_kind=kind)
    world = _world(db, owner=login if role == Role.SECRET_OWNER else None)
    client = client_of(login)
    reads = bool(MATRIX[role] & {P.ALERTS_READ, P.SECRETS_READ_OWN})
    for url in ("/alerts", "/alerts/rules", f"/alerts/{world.alert}"):
        assert client.get(url).status_code == (200 if reads else 403), (role, url)
    other = client.get(f"/alerts/{world.quiet}").status_code
    everyone = P.ALERTS_READ in MATRIX[role]
    assert other == (200 if everyone else 404 if reads else 403), (role, other)
    page = client.get(f"/alerts/{world.alert}")
    assert ('id="dismiss-form"' in page.text) is (P.ALERTS_TRIAGE in MATRIX[role])
    home = client.get("/")
    assert ('id="nav-alerts"' in home.text) is everyone


def test_the_queue_filters_and_counts(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    world = _world(db)
    client = client_of(make_login(Role.SECURITY))
    queue = client.get("/alerts")
    assert queue.status_code == 200
    rows = re.findall(r'<tr data-ref="(AL-\d+)"', queue.text)
    assert rows == [world.alert, world.quiet]
    assert 'data-count="open">2<' in queue.text
    assert 'data-count="severity-high">1<' in queue.text
    assert world.rohan in queue.text and "ci-bot" in queue.text
    low = client.get("/alerts", params={"severity": "low"})
    assert re.findall(r'<tr data-ref="(AL-\d+)"', low.text) == [world.quiet]
    by_secret = client.get("/alerts", params={"secret": world.secret})
    assert re.findall(r'<tr data-ref="(AL-\d+)"', by_secret.text) == [world.alert]
    by_org = client.get("/alerts", params={"organisation": "Lotus Process Services"})
    assert re.findall(r'<tr data-ref="(AL-\d+)"', by_org.text) == [world.alert]
    bad = client.get("/alerts", params={"secret": "TS-9999"})
    assert bad.status_code == 422
    assert "no secret 'TS-9999'" in html.unescape(bad.text)
    wrong = client.get("/alerts", params={"severity": "dire"})
    assert wrong.status_code == 422 and "Traceback" not in wrong.text


def test_the_alert_page_shows_why_the_activity_and_the_evidence(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    world = _world(db)
    page = client_of(make_login(Role.SECURITY)).get(f"/alerts/{world.alert.lower()}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert f"{world.rohan} downloaded 8 documents" in text
    assert '<svg id="activity-chart"' in page.text
    assert page.text.count('class="bar flagged"') >= 1
    assert 'class="median"' in page.text and 'class="threshold"' in page.text
    assert "median 2 a day" in text
    assert text.count("s3://plant-files/recipes/") == 8
    assert f'data-ref="{world.grant}"' in page.text
    assert "NDA with Lotus Process Services" in text
    assert confirmed(page.text, 'id="suspend-button"')


def _post(client: TestClient, ref: str, action: str, **data: str) -> str:
    page = client.get(f"/alerts/{ref}")
    done = client.post(f"/alerts/{ref}/{action}", data={"csrf_token": csrf_of(page.text), **data})
    assert done.status_code == 200, done.text
    return html.unescape(done.text)


def test_triage_through_the_forms(db: Database, make_login: MakeLogin, client_of: ClientOf) -> None:
    world = _world(db)
    analyst = make_login(Role.SECURITY)
    client = client_of(analyst)
    assigned = _post(client, world.alert, "assign")
    assert f"assigned to {analyst.person.full_name}" in assigned
    assert "say why the alert is dismissed" in _post(client, world.alert, "dismiss", reason="")
    commented = _post(client, world.alert, "comment", body="Asked his manager")
    assert "Asked his manager" in commented
    suspended = _post(client, world.alert, "suspend-grants", reason="while we look")
    assert f"1 grant(s) suspended: {world.grant}" in suspended
    dismissed = _post(client, world.alert, "dismiss", reason="quarterly audit pull")
    assert 'id="reopen-form"' in dismissed and 'id="dismiss-form"' not in dismissed
    assert "dismissed: quarterly audit pull" in dismissed
    escalated = _post(client, world.quiet, "escalate", note="looks like a shared key")
    assert "escalated to IN-0001" in escalated  # the incidents capability opened a case
    rules = html.unescape(client.get("/alerts/rules").text)
    assert "quarterly audit pull" in rules
    kinds = re.findall(r'<li data-kind="([a-z-]+)"', client.get(f"/alerts/{world.alert}").text)
    assert kinds == ["assigned", "comment", "grants-suspended", "dismissed"]


def test_a_secret_owner_cannot_act(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    world = _world(db, owner=owner)
    client = client_of(owner)
    page = client.get(f"/alerts/{world.alert}")
    refused = client.post(
        f"/alerts/{world.alert}/dismiss",
        data={"csrf_token": csrf_of(page.text), "reason": "not worth it"},
    )
    assert refused.status_code == 403


def test_a_persons_page_lists_their_alerts_for_readers_of_alerts(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    world = _world(db)
    rohan = world.rohan_id
    seen = client_of(make_login(Role.SECURITY)).get(f"/people/{rohan}")
    assert seen.status_code == 200
    assert 'id="person-alerts"' in seen.text and f'href="/alerts/{world.alert}"' in seen.text
    assert world.quiet not in seen.text
    hidden = client_of(make_login(Role.LEGAL)).get(f"/people/{rohan}")
    assert hidden.status_code == 200 and 'id="person-alerts"' not in hidden.text
