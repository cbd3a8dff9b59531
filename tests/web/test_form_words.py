"""Every web form refuses bad input in words for people: each POST route of the pages (walked
from app.routes, so a form added later is covered without editing this file) is sent an empty
form and a form of wrong values, against a world where its path names real things; no page
that comes back may show pydantic's own text, and none may fail with a server error."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from crownjewels.agreements.models import Agreement
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.core.wording import plain_message
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from crownjewels.vault.keys import create_key_file
from crownjewels.vendors.diligence.models import Assessment
from crownjewels.vendors.models import VendorProfile
from tests.disclosure.portal.test_isolation import PARAM, walk
from tests.disclosure.portal.world import World, make_world
from tests.web.conftest import Login, csrf_of

#: what pydantic says that a person must never read
PYDANTIC = re.compile(
    r"Input should be|Field required|value_error|type=|Value error|validation error|"
    r"String should|pydantic|Extra inputs",
    re.I,
)
SKIPPED = re.compile(r"^/(login|logout|static)(/|$)")
#: wrong values for the fields the forms share
WRONG = {
    **dict.fromkeys(
        ("tier", "category", "kind", "status", "criticality", "decision", "level", "scope"),
        "zzz",
    ),
    **dict.fromkeys(("estimated_value", "development_cost", "score", "version"), "lots"),
    **dict.fromkeys(("review_cadence_days", "renewal_notice_days", "survival_years"), "soon"),
    **dict.fromkeys(
        ("effective_on", "expires_on", "due_on", "signed_on", "completed_on", "issued_on"),
        "someday",
    ),
    **dict.fromkeys(("terminated_on", "expires_at", "next_review_on", "until"), "someday"),
    "email": "not-an-email",
    "country": "Narnia",
    "countries": "Narnia",
    "action": "zzz",
    "days": "soon",
}


def _visible(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _refs(world: World, db: Database) -> dict[str, str]:
    """A real thing for the first path parameter of each group of pages."""
    with db.unit_of_work() as s:
        vendor = s.scalar(select(VendorProfile.ref).order_by(VendorProfile.ref).limit(1))
        assessment = s.scalar(select(Assessment.ref).order_by(Assessment.ref).limit(1))
        agreement = s.scalar(select(Agreement.ref).order_by(Agreement.ref).limit(1))
    assert vendor and assessment and agreement
    return {
        "access": world.a.grant.ref,
        "portal": world.a.grant.ref,
        "agreements": agreement,
        "assessments": assessment,
        "organisations": world.a.person.organisation_id,
        "people": world.a.person.id,
        "secrets": world.internal.ref,
        "vendors": vendor,
    }


def _url(path: str, refs: dict[str, str], world: World) -> str:
    group = path.split("/")[1]
    values = iter([refs.get(group, "X")])

    def fill(match: re.Match[str]) -> str:
        if match.group(1) == "document_id":
            return world.internal_document.id
        if match.group(1) == "change":
            return "revoke"
        return next(values, "X")

    return PARAM.sub(fill, path)


@pytest.fixture
def world(settings: Settings, db: Database) -> World:
    create_key_file(Path(settings.home) / "vault.key")
    with db.unit_of_work() as s:
        return make_world(s, vault.open_vault(settings))


def test_every_form_refuses_in_plain_words(
    app: FastAPI,
    world: World,
    db: Database,
    make_login: Callable[..., Login],
    client_of: Callable[[Login], TestClient],
) -> None:
    if not db.is_sqlite:
        pytest.skip("the words on the pages do not depend on the engine: SQLite only")
    refs = _refs(world, db)
    client = client_of(make_login(Role.ADMIN))
    token = csrf_of(client.get("/secrets/new").text)
    problems: list[str] = []
    forms = 0
    for path, route in walk(app.routes):
        if "POST" not in route.methods or path.startswith("/api/") or SKIPPED.match(path):
            continue
        forms += 1
        url = _url(path, refs, world)
        for data in ({}, WRONG):
            r = client.post(url, data={**data, "csrf_token": token})
            said = PYDANTIC.findall(_visible(r.text))
            if r.status_code >= 500 or said:
                problems.append(
                    f"POST {url} ({'wrong' if data else 'empty'}): {r.status_code} {said}"
                )
    assert forms > 50
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ({"type": "missing", "loc": ("body", "category")}, "Choose a category"),
        ({"type": "missing", "loc": ("estimated_value",)}, "Enter an amount, e.g. 250000"),
        ({"type": "int_parsing", "loc": ("estimated_value",)}, "Enter an amount in whole units"),
        (
            {"type": "string_too_short", "loc": ("title",), "ctx": {"min_length": 1}},
            "Enter the title",
        ),
        ({"type": "enum", "loc": ("tier",), "ctx": {"expected": "'a'"}}, "Choose the tier from"),
        (
            {"type": "date_from_datetime_parsing", "loc": ("expires_on",)},
            "Enter the expiry date as YYYY-MM-DD",
        ),
        (
            {"type": "greater_than_equal", "loc": ("survival_years",), "ctx": {"ge": 0}},
            "must be at least 0",
        ),
        (
            {
                "type": "value_error",
                "loc": (),
                "msg": "Value error, expires_on is before effective_on",
            },
            "the expiry date is before the effective date",
        ),
        (
            {"type": "value_error", "loc": (), "msg": "Value error, needs a `reason` saying why"},
            "needs a reason saying why",
        ),
        (
            {"type": "value_error", "loc": ("country",), "msg": "Value error, '' is not a code"},
            "Choose a country",
        ),
        (
            {"type": "unheard_of", "loc": ("colour",), "msg": "Input should be"},
            "The colour is not valid",
        ),
    ],
)
def test_a_pydantic_error_reads_as_words(error: dict[str, object], words: str) -> None:
    said = plain_message(error)
    assert said.startswith(words) or words in said
    assert not PYDANTIC.search(said)


def test_a_refused_form_keeps_what_was_typed_and_its_summary_links_to_the_fields(
    db: Database,
    make_login: Callable[..., Login],
    client_of: Callable[[Login], TestClient],
) -> None:
    client = client_of(make_login(Role.ADMIN))
    page = client.get("/secrets/new")
    refused = client.post(
        "/secrets/new",
        data={
            "csrf_token": csrf_of(page.text),
            "name": "Brine curing process",
            "description": "Time, temperature and salinity of the brine cure.",
            "tier": "highly-sensitive",
            "estimated_value": "a lot",
        },
    )
    assert refused.status_code == 422
    summary = re.search(
        r'class="flash flash-error error-summary"[^>]*>(.*?)</div>', refused.text, re.S
    )
    assert summary, "no error summary at the top"
    links = dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1)))
    assert links.get("f-category") == "Choose a category"
    assert links.get("f-estimated_value", "").startswith("Enter an amount")
    for target in links:
        assert f'id="{target}"' in refused.text  # each link lands on its field
    assert 'value="Brine curing process"' in refused.text
    assert "Time, temperature and salinity of the brine cure." in refused.text
    assert re.search(r'<option value="highly-sensitive"\s+selected', refused.text)


#: developer words a page must not say: field names, documentation paths, media types, commands
DEVELOPER = re.compile(
    r"\b[a-z]+_(?:at|on|id)\b|\bdocs/[\w-]+\.md\b|\b(?:application|text|image)/[a-z.+-]+\b"
    r"|`?crownjewels [a-z-]+ [a-z-]+"
)


def test_pages_speak_without_developer_words(
    app: FastAPI,
    world: World,
    db: Database,
    make_login: Callable[..., Login],
    client_of: Callable[[Login], TestClient],
) -> None:
    if not db.is_sqlite:
        pytest.skip("the words on the pages do not depend on the engine: SQLite only")
    refs = _refs(world, db)
    client = client_of(make_login(Role.ADMIN))
    problems: list[str] = []
    pages = 0
    for path, route in walk(app.routes):
        if "GET" not in route.methods or path.startswith("/api/") or SKIPPED.match(path):
            continue
        r = client.get(_url(path, refs, world))
        if not r.headers.get("content-type", "").startswith("text/html"):
            continue
        pages += 1
        said = sorted(set(DEVELOPER.findall(_visible(r.text))))
        if said:
            problems.append(f"GET {r.url.path}: {said}")
    assert pages > 30
    assert not problems, "\n".join(problems)
