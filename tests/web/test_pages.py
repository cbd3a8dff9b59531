"""Pages through FastAPI's TestClient: login with password and TOTP, throttling, CSRF, form
validation that leaves nothing behind, and who may open which page."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventFilter, EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretFilter, SecretRead, Tier
from crownjewels.parties.schemas import OrgKind
from crownjewels.web.auth import IP_FAILURES
from tests.inventory.factories import make_secret
from tests.parties.factories import PASSWORD
from tests.web.conftest import FrozenClock, Login, csrf_of, log_in

ClientFor = Callable[..., TestClient]
MakeLogin = Callable[..., Login]


def events(db: Database, event_type: EventType, subject_id: str | None = None) -> int:
    with db.unit_of_work(write=False) as s:
        flt = EventFilter(event_type=event_type, subject_id=subject_id)
        _, total = custody.list_events(s, actor=system_actor(), filters=flt, page=PageParams())
    return total


def secrets_named(db: Database, name: str) -> list[SecretRead]:
    with db.unit_of_work(write=False) as s:
        items, _ = inventory.list_secrets(
            s, actor=system_actor(), filters=SecretFilter(q=name), page=PageParams()
        )
    return [i for i in items if i.name == name]


def password_step(
    client: TestClient, username: str, password: str = PASSWORD, **extra: str
) -> httpx2.Response:
    page = client.get("/login")
    data = {"username": username, "password": password, "csrf_token": csrf_of(page.text), **extra}
    return client.post("/login", data=data)


def field_error(html: str, field: str) -> str:
    """The message shown next to a form field."""
    found = re.search(rf'id="{re.escape(field)}-error">([^<]*)<', html)
    assert found, f"no error shown next to {field}"
    return found.group(1)


# --- login -----------------------------------------------------------------------------------


def test_a_page_sends_an_anonymous_visitor_to_login(app: FastAPI) -> None:
    client = TestClient(app)
    response = client.get("/secrets", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/secrets"


def test_first_login_enrols_totp_then_later_logins_ask_for_a_code(
    app: FastAPI, make_login: MakeLogin, frozen: FrozenClock, db: Database
) -> None:
    login = make_login(Role.ADMIN)
    client = TestClient(app)

    enrol = password_step(client, login.user.username, next="/custody")
    assert enrol.url.path == "/login/enrol"
    assert "<svg" in enrol.text
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', enrol.text)
    assert secret
    # half way there: the pending session opens no page
    assert client.get("/secrets", follow_redirects=False).status_code == 303

    wrong = client.post("/login/enrol", data={"code": "000000", "csrf_token": csrf_of(enrol.text)})
    assert wrong.status_code == 422
    assert "that code does not match" in wrong.text
    shown = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', wrong.text)
    assert shown  # a new key is shown with the message; the one on screen is the one to use
    done = client.post(
        "/login/enrol",
        data={"code": frozen.totp(shown.group(1)), "csrf_token": csrf_of(wrong.text)},
    )
    assert done.status_code == 200
    assert done.url.path == "/custody"
    assert events(db, EventType.USER_MFA_ENROLLED, login.user.id) == 1

    client.post("/logout", data={"csrf_token": csrf_of(done.text)})
    assert client.get("/", follow_redirects=False).status_code == 303

    frozen.tick()
    mfa = password_step(client, login.user.username)
    assert mfa.url.path == "/login/mfa"
    bad = client.post("/login/mfa", data={"code": "123456", "csrf_token": csrf_of(mfa.text)})
    assert bad.status_code == 400
    assert "wrong code" in bad.text
    ok = client.post(
        "/login/mfa",
        data={"code": frozen.totp(shown.group(1)), "csrf_token": csrf_of(bad.text)},
    )
    assert ok.status_code == 200
    assert ok.url.path == "/"
    assert login.person.full_name in ok.text


def test_an_enrolled_user_cannot_enrol_again_to_skip_the_code(
    app: FastAPI, make_login: MakeLogin, frozen: FrozenClock
) -> None:
    login = make_login(Role.ADMIN)
    log_in(TestClient(app), login, frozen)
    client = TestClient(app)
    assert password_step(client, login.user.username).url.path == "/login/mfa"
    assert client.get("/login/enrol", follow_redirects=False).headers["location"] == "/login"


def test_next_only_leads_to_local_pages(
    app: FastAPI, make_login: MakeLogin, frozen: FrozenClock
) -> None:
    login = make_login(Role.VENDOR_USER, org_kind=OrgKind.VENDOR)
    client = TestClient(app)
    page = client.get("/login?next=//evil.example.com/x")
    response = client.post(
        "/login",
        data={
            "username": login.user.username,
            "password": PASSWORD,
            "next": "//evil.example.com/x",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert response.url.path == "/login/enrol"
    shown = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', response.text)
    assert shown
    done = client.post(
        "/login/enrol",
        data={"code": frozen.totp(shown.group(1)), "csrf_token": csrf_of(response.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/"


def test_a_vendor_users_first_login_enrols_totp_then_lands_in_the_portal(
    app: FastAPI, make_login: MakeLogin, frozen: FrozenClock, db: Database
) -> None:
    login = make_login(Role.VENDOR_USER, org_kind=OrgKind.VENDOR)
    client = TestClient(app)
    enrol = password_step(client, login.user.username)
    assert enrol.url.path == "/login/enrol"
    assert "<svg" in enrol.text
    assert events(db, EventType.USER_LOGIN_SUCCEEDED, login.user.id) == 0
    assert client.get("/portal", follow_redirects=False).status_code == 303  # not in yet
    shown = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', enrol.text)
    assert shown
    done = client.post(
        "/login/enrol",
        data={"code": frozen.totp(shown.group(1)), "csrf_token": csrf_of(enrol.text)},
    )
    assert done.status_code == 200
    assert done.url.path == "/portal"
    assert events(db, EventType.USER_MFA_ENROLLED, login.user.id) == 1
    client.post("/logout", data={"csrf_token": csrf_of(done.text)})
    frozen.tick()
    assert password_step(client, login.user.username).url.path == "/login/mfa"


def test_wrong_passwords_are_recorded_and_lock_the_account(
    app: FastAPI, make_login: MakeLogin, frozen: FrozenClock, db: Database
) -> None:
    login = make_login(Role.LEGAL)
    client = TestClient(app)
    for _ in range(5):
        response = password_step(client, login.user.username, "not-the-password-1")
        assert response.status_code == 400
        assert "wrong username or password" in response.text
    # the failures were committed although each page returned a refusal
    assert events(db, EventType.USER_LOGIN_FAILED, login.user.id) == 5
    assert events(db, EventType.USER_LOCKED_OUT, login.user.id) == 1
    locked = password_step(client, login.user.username)
    assert locked.status_code == 400
    assert "too many failed attempts" in locked.text
    assert locked.url.path == "/login"


def test_one_address_is_throttled_after_many_failures(
    app: FastAPI, make_login: MakeLogin, frozen: FrozenClock
) -> None:
    login = make_login(Role.ADMIN)
    client = TestClient(app)
    for n in range(IP_FAILURES):
        assert password_step(client, f"nobody{n}@example.com").status_code == 400
    throttled = password_step(client, login.user.username)
    assert throttled.status_code == 429
    assert "Too many failed logins" in throttled.text


def test_login_form_needs_its_csrf_token(app: FastAPI, make_login: MakeLogin) -> None:
    login = make_login(Role.ADMIN)
    client = TestClient(app)
    client.get("/login")
    response = client.post(
        "/login", data={"username": login.user.username, "password": PASSWORD, "csrf_token": "x"}
    )
    assert response.status_code == 403
    assert response.url.path == "/login"


# --- CSRF and forms ---------------------------------------------------------------------------


def secret_form(client: TestClient, **fields: str) -> dict[str, str]:
    page = client.get("/secrets/new")
    owner = re.search(r'<option value="([0-9A-Z]{26})"', page.text)
    assert owner
    return {
        "csrf_token": csrf_of(page.text),
        "name": "Brine curing process",
        "description": "Time, temperature and salinity of the brine cure.",
        "category": "process",
        "tier": "highly-sensitive",
        "owner_id": owner.group(1),
        **fields,
    }


def test_a_form_without_the_csrf_token_is_refused(client_for: ClientFor, db: Database) -> None:
    client = client_for(Role.ADMIN)
    data = secret_form(client)
    del data["csrf_token"]
    response = client.post("/secrets/new", data=data)
    assert response.status_code == 403
    assert "the form expired" in response.text
    assert secrets_named(db, "Brine curing process") == []
    # the same request with the token in the header (as htmx sends it) goes through
    token = csrf_of(client.get("/").text)
    ok = client.post("/secrets/new", data=data, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200
    assert len(secrets_named(db, "Brine curing process")) == 1


def test_logout_needs_the_csrf_token(client_for: ClientFor) -> None:
    client = client_for(Role.AUDITOR)
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200


def test_register_form_creates_the_secret_and_its_custody_event(
    client_for: ClientFor, db: Database
) -> None:
    client = client_for(Role.LEGAL)
    data = secret_form(
        client,
        **{
            "allowed_regions": "us, DE",
            "factor.measures.score": "4",
            "factor.measures.rationale": "Need-to-know and NDAs",
            "legal.reasonable-measures.met": "yes",
            "loc.0.kind": "repository",
            "loc.0.name": "git.example.com/rnd/brine",
            "estimated_value": "1250000",
            "currency": "usd",
        },
    )
    page = client.post("/secrets/new", data=data)
    assert page.status_code == 200
    assert re.fullmatch(r"/secrets/TS-\d{4}", page.url.path)
    assert "is registered" in page.text  # the flash message
    (secret,) = secrets_named(db, "Brine curing process")
    assert secret.allowed_regions == ["DE", "US"]
    assert secret.currency == "USD"
    assert secret.description_sha256 in page.text
    assert "git.example.com/rnd/brine" in page.text
    # the score is the mean of what is assessed, and says how much that is
    assert '<span class="score">4.0</span> / 5' in page.text
    assert '<span id="factors-assessed">1 of 6 factors assessed</span>' in page.text
    assert page.text.count('<tr class="not-assessed">') == 5
    assert "SECRET_REGISTERED" in page.text
    assert "HIGHLY SENSITIVE - TRADE SECRET OF ACME FOODS" in page.text
    # the statutory test in both prongs (18 U.S.C. §1839(3)(B); Directive 2016/943 Art. 2(1)(a))
    assert "<td>Not generally known or readily ascertainable</td>" in page.text
    assert "Not generally known or readily ascertainable" in client.get("/secrets/new").text


@pytest.mark.parametrize(
    ("change", "field", "status", "message"),
    [
        ({"tier": "ultra-secret"}, "tier", 422, "Choose the tier from the list"),
        ({"owner_id": ""}, "owner_id", 422, "Choose the owner"),
        ({"owner_id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ"}, "owner_id", 422, "no person"),
        ({"name": "  "}, "name", 422, "Enter the name"),
        ({"factor.value.rationale": "no score"}, "factor-value-score", 422, "as a whole number"),
        ({"allowed_regions": "US, Narnia"}, "allowed_regions", 422, "not an ISO 3166"),
    ],
)
def test_a_refused_register_form_shows_messages_keeps_values_and_leaves_no_row(
    client_for: ClientFor,
    db: Database,
    change: dict[str, str],
    field: str,
    status: int,
    message: str,
) -> None:
    client = client_for(Role.ADMIN)
    before = events(db, EventType.SECRET_REGISTERED)
    data = secret_form(client, **change)
    response = client.post("/secrets/new", data=data)
    assert response.status_code == status
    assert message in field_error(response.text, field)
    assert "Time, temperature and salinity" in response.text  # what the user typed is kept
    assert secrets_named(db, "Brine curing process") == []
    assert events(db, EventType.SECRET_REGISTERED) == before


def test_a_duplicate_name_is_a_conflict_and_a_failing_location_leaves_nothing(
    client_for: ClientFor, db: Database
) -> None:
    client = client_for(Role.ADMIN)
    assert client.post("/secrets/new", data=secret_form(client)).status_code == 200
    registered = events(db, EventType.SECRET_REGISTERED)

    duplicate = client.post("/secrets/new", data=secret_form(client, description="Another."))
    assert duplicate.status_code == 409
    assert "already registered" in field_error(duplicate.text, "name")

    bad_kind = secret_form(client, name="Second secret", **{"loc.0.kind": "cloud"})
    bad_kind["loc.0.name"] = "somewhere"
    response = client.post("/secrets/new", data=bad_kind)
    assert response.status_code == 422
    assert "Choose the kind from the list" in field_error(response.text, "loc-0-kind")

    # the secret row and its event are written before the location's owner is found missing:
    # the page rolls all of it back before showing the message
    bad_owner = secret_form(client, name="Second secret")
    bad_owner |= {"loc.0.kind": "drive", "loc.0.name": "R&D share", "loc.0.owner_id": "nobody"}
    response = client.post("/secrets/new", data=bad_owner)
    assert response.status_code == 422
    assert "no person 'nobody'" in html.unescape(response.text)
    assert secrets_named(db, "Second secret") == []
    assert events(db, EventType.SECRET_REGISTERED) == registered
    assert len(secrets_named(db, "Brine curing process")) == 1


def test_edit_review_and_status_change_through_the_forms(
    client_for: ClientFor, db: Database
) -> None:
    client = client_for(Role.ADMIN)
    created = client.post("/secrets/new", data=secret_form(client))
    path = created.url.path

    edit = client.get(f"{path}/edit")
    assert 'value="Brine curing process"' in edit.text
    form = {
        k: v
        for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', edit.text)
        if not k.startswith("factor.")
    }
    form |= {"description": "Revised cure.", "category": "process", "tier": "sensitive"}
    owner = re.search(r'<option value="([0-9A-Z]{26})" selected', edit.text)
    assert owner
    form["owner_id"] = owner.group(1)
    form["name"] = ""
    refused = client.post(f"{path}/edit", data=form)
    assert refused.status_code == 422
    assert field_error(refused.text, "name") == "Enter the name"

    form["name"] = "Brine curing process v2"
    saved = client.post(f"{path}/edit", data=form)
    assert saved.status_code == 200, saved.text
    assert "Brine curing process v2" in saved.text
    assert "SECRET_UPDATED" in saved.text
    assert "SENSITIVE - TRADE SECRET" in saved.text

    stale = client.post(f"{path}/edit", data=form | {"name": "v3"})  # the old version number
    assert stale.status_code == 409
    assert "changed by someone else" in stale.text

    token = csrf_of(saved.text)
    reviewed = client.post(
        f"{path}/review",
        data={"outcome": "confirmed", "notes": "Still secret", "csrf_token": token},
    )
    assert reviewed.status_code == 200
    assert "Still secret" in reviewed.text
    assert "SECRET_REVIEWED" in reviewed.text

    no_reason = client.post(f"{path}/status", data={"status": "retired", "csrf_token": token})
    assert no_reason.status_code == 422
    assert field_error(no_reason.text, "reason") == "Enter the reason"
    retired = client.post(
        f"{path}/status",
        data={"status": "retired", "reason": "Product discontinued", "csrf_token": token},
    )
    assert retired.status_code == 200
    assert "is now retired" in retired.text
    assert "SECRET_STATUS_CHANGED" in retired.text


def test_register_filters_and_live_search(client_for: ClientFor, db: Database) -> None:
    with db.unit_of_work() as s:
        make_secret(s, system_actor(), name="Glaze recipe", tier=Tier.CONFIDENTIAL)
        make_secret(s, system_actor(), name="Pricing model 2027")
    client = client_for(Role.AUDITOR)
    page = client.get("/secrets")
    assert "Glaze recipe" in page.text
    assert "Pricing model 2027" in page.text
    partial = client.get("/secrets?q=glaze", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "Glaze recipe" in partial.text
    assert "Pricing model" not in partial.text
    assert "<html" not in partial.text
    filtered = client.get("/secrets?tier=sensitive&category=&status=&owner=&q=")
    assert "Pricing model 2027" in filtered.text
    assert "Glaze recipe" not in filtered.text
    assert client.get("/secrets?tier=bogus").status_code == 422


# --- parties and custody pages ---------------------------------------------------------------


def test_add_an_organisation_and_a_person_then_mark_them_departed(
    client_for: ClientFor, db: Database
) -> None:
    client = client_for(Role.VENDOR_MANAGER)
    page = client.get("/organisations/new")
    org = client.post(
        "/organisations/new",
        data={
            "name": "Manila Outsourcing Inc",
            "kind": "vendor",
            "country": "PH",
            "status": "active",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert org.status_code == 200
    assert "Manila Outsourcing Inc" in org.text
    org_id = org.url.path.rsplit("/", 1)[1]

    form = client.get(f"/people/new?organisation={org_id}")
    person = {
        "full_name": "Maria Santos",
        "email": "maria@manila.example",
        "organisation_id": org_id,
        "kind": "vendor-staff",
        "country": "PH",
        "csrf_token": csrf_of(form.text),
    }
    created = client.post("/people/new", data=person)
    assert created.status_code == 200
    assert "PERSON_CREATED" in created.text
    duplicate = client.post("/people/new", data=person)
    assert duplicate.status_code == 409
    assert "already exists" in field_error(duplicate.text, "email")
    bad_country = client.post(
        "/people/new", data=person | {"email": "x@y.example", "country": "ZZ"}
    )
    assert bad_country.status_code == 422
    assert "ISO 3166" in field_error(bad_country.text, "country")

    members = client.get(f"/organisations/{org_id}")
    assert "Maria Santos" in members.text
    departed = client.post(
        f"{created.url.path}/depart", data={"on": "", "csrf_token": csrf_of(created.text)}
    )
    assert departed.status_code == 200
    assert "is now departed" in departed.text
    assert "PERSON_DEPARTED" in departed.text


def test_custody_log_filters_shows_an_event_and_verifies_the_chain(
    client_for: ClientFor, db: Database
) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Sauce formula")
    client = client_for(Role.AUDITOR)
    log = client.get(f"/custody?subject={secret.ref}")  # the ref a person reads
    shown = re.findall(r'<span class="event-type" title="(\w+)">([^<]+)</span>', log.text)
    assert shown == [("SECRET_REGISTERED", "Secret registered")]
    assert f">{secret.ref} Sauce formula</a>" in log.text
    assert "secret:" not in log.text and secret.id not in log.text
    assert client.get(f"/custody?subject=secret:{secret.id}").text.count("event-type") == 1
    unknown = client.get("/custody?subject=TS-9999")
    assert unknown.status_code == 422
    assert "No secret, agreement or vendor is called TS-9999" in unknown.text
    assert client.get("/custody?subject=nonsense").status_code == 422
    exported = client.get("/custody/log.csv", params={"subject": secret.ref})
    assert exported.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(exported.text)))
    assert (row["event"], row["subject"]) == ("Secret registered", f"{secret.ref} Sauce formula")
    assert (row["event_type"], row["subject_ref"]) == ("SECRET_REGISTERED", f"secret:{secret.id}")
    seq = re.search(r'href="/custody/(\d+)"', log.text)
    assert seq
    event = client.get(f"/custody/{seq.group(1)}")
    assert "Secret registered" in event.text and "SECRET_REGISTERED" in event.text
    assert "Sauce formula" in event.text  # the "after" snapshot, shown as a table
    assert "secret:" not in event.text and "user:" not in event.text
    assert '<pre class="json">' not in event.text  # the exact JSON is the API's
    verify = client.get("/custody/verify", headers={"HX-Request": "true"})
    assert verify.status_code == 200
    assert 'data-ok="true"' in verify.text
    assert "<html" not in verify.text


def test_dashboard_shows_the_posture_chart_overdue_and_recent_events(
    client_for: ClientFor, db: Database
) -> None:
    with db.unit_of_work() as s:
        make_secret(s, system_actor(), name="Old recipe", review_cadence_days=7)
    client = client_for(Role.ADMIN)
    page = client.get("/")
    # the chart is inline SVG carrying its numbers: no script, no chart library
    assert 'id="posture-chart"' in page.text
    assert re.search(r'<text class="posture-count"[^>]*data-tier="sensitive">1</text>', page.text)
    assert "<script" not in page.text.split("</header>", 1)[1].split("<footer", 1)[0]
    assert "Recent custody events" in page.text
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200


# --- who may open what -----------------------------------------------------------------------


def test_vendor_users_land_on_the_portal_and_see_no_register(client_for: ClientFor) -> None:
    client = client_for(Role.VENDOR_USER)
    page = client.get("/")
    assert page.status_code == 200 and page.url.path == "/portal"
    assert 'id="no-grants"' in page.text
    assert 'href="/secrets"' not in page.text
    for path in ("/secrets", "/secrets/new", "/people", "/organisations", "/custody"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize(
    ("role", "allowed", "forbidden"),
    [
        (
            Role.AUDITOR,
            ["/secrets", "/people", "/custody", "/custody/verify"],
            ["/secrets/new", "/people/new", "/organisations/new"],
        ),
        (
            Role.VENDOR_MANAGER,
            ["/secrets", "/people/new", "/organisations/new"],
            ["/secrets/new", "/custody"],
        ),
        (
            Role.SECRET_OWNER,
            ["/secrets", "/secrets/new", "/people"],
            ["/people/new", "/custody", "/custody/verify"],
        ),
        (Role.LEGAL, ["/secrets/new", "/custody/verify"], ["/people/new"]),
    ],
)
def test_each_role_opens_only_its_pages(
    client_for: ClientFor, role: Role, allowed: list[str], forbidden: list[str]
) -> None:
    client = client_for(role)
    for path in allowed:
        assert client.get(path).status_code == 200, path
    for path in forbidden:
        assert client.get(path).status_code == 403, path


def test_a_secret_owner_sees_and_edits_only_their_own_secrets(
    client_of: Callable[[Login], TestClient], make_login: MakeLogin, db: Database
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    with db.unit_of_work() as s:
        mine = make_secret(s, system_actor(), owner=owner.person, name="My process")
        theirs = make_secret(s, system_actor(), name="Their process")
    client = client_of(owner)
    page = client.get(f"/secrets/{mine.ref}")
    assert page.status_code == 200
    assert f'href="/secrets/{mine.ref}/edit"' in page.text
    assert "Their process" not in client.get("/secrets").text
    assert client.get(f"/secrets/{theirs.ref}").status_code == 404
    assert client.get(f"/secrets/{theirs.ref}/edit").status_code == 404
    token = csrf_of(page.text)
    attempt = client.post(
        f"/secrets/{theirs.ref}/status",
        data={"status": "retired", "reason": "mine now", "csrf_token": token},
    )
    assert attempt.status_code == 404
    # registering a secret for someone else is forbidden, not a form message
    form = secret_form(client, owner_id=theirs.owner_id, name="Planted")
    assert client.post("/secrets/new", data=form).status_code == 403
    assert secrets_named(db, "Planted") == []


def test_a_reader_without_write_gets_403_on_forms(client_for: ClientFor, db: Database) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Read only")
    client = client_for(Role.VENDOR_MANAGER)
    page = client.get(f"/secrets/{secret.ref}")
    assert page.status_code == 200
    assert "/edit" not in page.text
    assert client.get(f"/secrets/{secret.ref}/edit").status_code == 403
    response = client.post(
        f"/secrets/{secret.ref}/review",
        data={"outcome": "confirmed", "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 403


def test_unknown_pages_and_objects_are_404(client_for: ClientFor) -> None:
    client = client_for(Role.ADMIN)
    assert client.get("/secrets/TS-9999").status_code == 404
    assert client.get("/people/nobody@example.com").status_code == 404
    assert client.get("/custody/999999").status_code == 404
    assert client.get("/no/such/page").status_code == 404


def test_the_404_page_speaks_to_a_person_and_the_api_stays_problem_json(
    client_for: ClientFor,
) -> None:
    client = client_for(Role.SECRET_OWNER)
    for path in ("/no/such/page", "/secrets/TS-9999"):
        page = client.get(path)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "We could not find that page" in page.text
        assert 'href="/">the dashboard</a>' in page.text and 'href="/secrets"' in page.text
        assert "nothing at" not in page.text
    api = client.get("/api/v1/no/such/thing")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["status"] == 404
    portal = client_for(Role.VENDOR_USER).get("/no/such/page")
    assert portal.status_code == 404 and 'href="/portal">your portal</a>' in portal.text
