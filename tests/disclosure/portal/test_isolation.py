"""Isolation of vendor users: vendor user A calls EVERY route of the app (every page with the
session cookie, every API route with a bearer token issued to A) with the ids and references of
vendor B's grant, secret, document, copy, person, organisation, vendor and assessment, and of an
internal secret and its document. No call may read any of it: a route naming someone else's
thing answers 403 or 404 (422 when the input is refused before any lookup); a listing may answer
200 only when nothing of B or of the internal secret is in it.

A route that refuses A by a permission A lacks, decided before anything reads the path's
values (`refused_blind`), is called with one value and must answer 403: its answer cannot
depend on the value. Every other route is called with every value.

The routes are walked from app.routes, so a route added later is covered without editing this
file; the only routes left out are the login steps (they log A out or in) and /static, and
the public routes that answer every value alike (a canary's callback) are held only to showing
nothing of B."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import BaseRoute

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.http import needed_permissions
from crownjewels.disclosure.portal import service as portal
from crownjewels.disclosure.service import watermark_key
from crownjewels.parties import accounts
from crownjewels.parties import tokens as api_tokens
from crownjewels.parties.schemas import TokenCreate
from crownjewels.routes import PUBLIC_ROUTERS
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from crownjewels.vault.keys import create_key_file
from crownjewels.vendors.diligence.models import Assessment
from crownjewels.vendors.models import VendorProfile
from tests.disclosure.portal.world import World, make_world
from tests.web.conftest import Login, csrf_of

ClientOf = Callable[[Login], TestClient]
PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")
SKIPPED = re.compile(r"^/(login|logout|static)(/|$)")
#: what a route naming someone else's thing may answer
REFUSED = frozenset({403, 404, 405, 422})


@dataclass(frozen=True)
class Foreign:
    """What A must never read: values to put in paths, and markers that must not come back."""

    values: list[str]
    markers: list[str]


def walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every APIRoute of the app with its full path (included routers flattened)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            inner = prefix + (getattr(context, "prefix", "") or "")
            yield from walk(route.original_router.routes, inner)


#: public routes that answer every value alike (a canary's callback answers any token with the
#: same image, so it reveals nothing): their answers are still searched for B's markers
ALIKE_FOR_ALL = frozenset(path for router in PUBLIC_ROUTERS for path, _ in walk(router.routes))


def _foreign(world: World, db: Database, settings: Settings) -> Foreign:
    """B's and the internal data; B takes a copy first so there is a copy to look for."""
    b = world.b
    with db.unit_of_work() as s:
        actor_b = accounts.actor_for_user(s, user_id=b.user.id, mfa=False)
        portal.acknowledge(s, actor=actor_b, grant_ref=b.grant.ref)
        copy = portal.download(
            s,
            actor=actor_b,
            vault_=vault.open_vault(settings),
            key=watermark_key(settings.resolved_secret_key()),
            grant_ref=b.grant.ref,
            document_id=b.document.id,
        ).copy
        vendor = s.scalar(
            select(VendorProfile).where(VendorProfile.organisation_id == b.person.organisation_id)
        )
        assert vendor is not None
        assessment = s.scalar(select(Assessment).where(Assessment.vendor_id == vendor.id))
        assert assessment is not None
        values = [
            b.grant.ref,
            b.grant.id,
            b.secret.ref,
            b.secret.id,
            b.document.id,
            copy.id,
            b.person.id,
            b.person.email,
            b.person.organisation_id,
            b.user.id,
            vendor.ref,
            assessment.ref,
            assessment.id,
            world.internal.ref,
            world.internal.id,
            world.internal_document.id,
            "1",  # the first custody event, an internal one
        ]
    names = [
        b.secret.name,
        b.document.title,
        b.person.full_name,
        b.grant.purpose,
        b.person.organisation_name or "",
        world.internal.name,
        world.internal_document.title,
    ]
    return Foreign(values=values, markers=[v for v in values if len(v) > 8] + names)


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    """Every dependency of a route, nested ones included (not the endpoint itself)."""
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def refused_blind(route: APIRoute, actor: Actor) -> bool:
    """Whether the route refuses `actor` by a permission it lacks, decided by a dependency
    before anything reads the path's values: no dependency takes a path parameter, and the
    endpoint never runs. Its answer cannot depend on the value sent, so one value shows it
    (and the walk checks that the answer is that 403)."""
    subs = list(_dependencies(route.dependant))
    if any(sub.path_params for sub in subs):
        return False
    needs = [p for p in (needed_permissions(sub.call) for sub in subs if sub.call) if p]
    return any(not any(actor.can(p) for p in anyof) for anyof in needs)


def _actor_of_a(db: Database, world: World) -> Actor:
    with db.unit_of_work(write=False) as s:
        return accounts.actor_for_user(s, user_id=world.a.user.id, mfa=True)


def _token_for_a(db: Database, world: World) -> str:
    """A bearer token issued to A by an admin (vendor users may not create tokens)."""
    with db.unit_of_work() as s:
        issued = api_tokens.create_token(
            s,
            actor=system_actor("test"),
            user_id=world.a.user.id,
            data=TokenCreate(name="isolation", scopes=["read", "write"]),
        )
    return issued.token


def _fill(path: str, value: str | None) -> str:
    return path if value is None else PARAM.sub(lambda _: value, path)


def _call(client: TestClient, method: str, url: str, *, api: bool, token: str) -> tuple[int, str]:
    if method in ("GET", "HEAD"):
        r = client.request(method, url)
    elif api:
        r = client.request(method, url, json={})
    else:
        r = client.request(method, url, data={"csrf_token": token})
    return r.status_code, r.text + r.headers.get("location", "")


def _leaks(body: str, markers: list[str], sent: str | None) -> list[str]:
    """The markers in the body (as whole words: "Person 5" is not in "Person 50"), but the
    value sent: an error may repeat the path it was asked for."""
    return [
        m
        for m in markers
        if m and m != sent and re.search(rf"(?<![\w@.-]){re.escape(m)}(?![\w@.-])", body)
    ]


@pytest.fixture
def world(settings: Settings, db: Database) -> World:
    create_key_file(Path(settings.home) / "vault.key")
    with db.unit_of_work() as s:
        return make_world(s, vault.open_vault(settings))


#: the walk is split so that its parts run side by side (every route is in exactly one)
SHARDS = 2


# the walk is about routes, not SQL (the scoping queries it reaches are tested on both engines
# by their own capability): it runs once, on PostgreSQL where it is configured
@pytest.mark.slow
@pytest.mark.once_on_postgresql
@pytest.mark.parametrize("shard", range(SHARDS))
def test_vendor_user_reads_nothing_of_another_vendor_or_internal(
    app: FastAPI,
    world: World,
    db: Database,
    settings: Settings,
    client_of: ClientOf,
    shard: int,
) -> None:
    foreign = _foreign(world, db, settings)
    cookie = client_of(Login(person=world.a.person, user=world.a.user))
    csrf = csrf_of(cookie.get(f"/portal/grants/{world.a.grant.ref}").text)
    # entered: one event loop thread for the whole walk (as client_of's clients)
    bearer = TestClient(app, headers={"Authorization": f"Bearer {_token_for_a(db, world)}"})
    bearer.__enter__()
    a = _actor_of_a(db, world)
    problems: list[str] = []
    calls = 0
    for n, (path, route) in enumerate(walk(app.routes)):
        if SKIPPED.match(path) or n % SHARDS != shard:
            continue
        api = path.startswith("/api/")
        client = bearer if api else cookie
        params = PARAM.findall(path)
        blind = params and refused_blind(route, a)
        for method in sorted(route.methods - {"HEAD"}):
            for value in (foreign.values[:1] if blind else foreign.values) if params else [None]:
                url = _fill(path, value)
                status, body = _call(client, method, url, api=api, token=csrf)
                calls += 1
                if blind and status != 403:
                    problems.append(f"{method} {url}: {status}, not refused by its permission")
                if params and status not in REFUSED and path not in ALIKE_FOR_ALL:
                    problems.append(f"{method} {url}: {status} for someone else's {value}")
                leaked = _leaks(body, foreign.markers, value)
                if leaked:
                    problems.append(f"{method} {url}: {status} shows {leaked}")
    bearer.__exit__(None, None, None)
    assert calls > 300 // SHARDS
    assert not problems, "\n".join(problems)


def test_own_portal_still_works_after_the_matrix(world: World, client_of: ClientOf) -> None:
    client = client_of(Login(person=world.a.person, user=world.a.user))
    page = client.get(f"/portal/grants/{world.a.grant.ref}")
    assert page.status_code == 200 and world.a.document.title in page.text
