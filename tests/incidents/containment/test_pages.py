"""The containment pages through their forms: the preview in words with a checkbox per kind,
the run (the kinds unticked left out) and its result, a stale preview shown again with why
nothing changed, the ledger showing the copies marked compromised, the runs and the reversal;
roles without the permission get 403."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from crownjewels.core.permissions import Role
from tests.conftest import savepoint_per_test
from tests.incidents.containment.world import World
from tests.web import conftest as web
from tests.web.conftest import Login, csrf_of

app, settings, frozen = web.app, web.settings, web.frozen
make_login, client_of = web.make_login, web.client_of

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]
DIGEST = re.compile(r'name="digest" value="([0-9a-f]+)"')


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    """Each test in a savepoint over the module's world."""
    yield from savepoint_per_test(module_connection)


def _form(page: str, *kinds: str) -> dict[str, object]:
    found = DIGEST.search(page)
    assert found, "the preview carries its plan's digest"
    return {"csrf_token": csrf_of(page), "digest": found.group(1), "run": list(kinds)}


def test_preview_run_and_the_ledger(
    world: World, make_login: MakeLogin, client_of: ClientOf
) -> None:
    client = client_of(make_login(Role.SECURITY))
    page = client.get(f"/incidents/{world.case}/contain")
    assert page.status_code == 200
    assert "6 grants of 3 people at Lotus Process Services" in page.text
    assert 'name="run" value="grants" checked' in page.text
    assert "Already suspended: 1." in page.text and "Not reversible: stay revoked." in page.text
    assert f"{world.grants['Kavya Rao'][0]}: Kavya Rao on {world.secrets[0]}" in page.text
    kinds = ("grants", "accounts", "sessions", "vendors", "holds", "copies", "monitoring")
    done = client.post(f"/incidents/{world.case}/contain", data=_form(page.text, *kinds))
    assert done.status_code == 200, done.text
    assert f"{world.case} contained" in done.text
    assert 'id="skipped">Left out as asked: tokens.' in done.text
    assert "Access grants suspended: 6" in done.text
    ledger = client.get("/disclosures")
    assert ledger.status_code == 200 and ledger.text.count(">compromised</strong>") == 2


def test_a_stale_preview_comes_back_with_why(
    world: World, make_login: MakeLogin, client_of: ClientOf
) -> None:
    client = client_of(make_login(Role.SECURITY))
    page = client.get(f"/incidents/{world.case}/contain")
    form = {**_form(page.text, "grants"), "digest": "0" * 20}
    refused = client.post(f"/incidents/{world.case}/contain", data=form)
    assert refused.status_code == 409
    assert 'id="contain-error"' in refused.text and "preview again" in refused.text
    assert 'name="run" value="grants" checked' in refused.text  # the plan, still to confirm


def test_the_runs_and_their_reversal(
    world: World, make_login: MakeLogin, client_of: ClientOf
) -> None:
    client = client_of(make_login(Role.SECURITY))
    empty = client.get(f"/incidents/{world.case}/containment")
    assert "was never contained" in empty.text and 'id="reverse-form"' not in empty.text
    page = client.get(f"/incidents/{world.case}/contain")
    client.post(f"/incidents/{world.case}/contain", data=_form(page.text, "grants", "tokens"))
    runs = client.get(f"/incidents/{world.case}/containment")
    assert 'id="run-1"' in runs.text and 'id="reverse-form"' in runs.text
    short = client.post(
        f"/incidents/{world.case}/containment/reverse",
        data={"csrf_token": csrf_of(runs.text), "reason": "x"},
    )
    assert short.status_code == 422 and 'id="reverse-error"' in short.text
    done = client.post(
        f"/incidents/{world.case}/containment/reverse",
        data={"csrf_token": csrf_of(runs.text), "reason": "a false alarm"},
    )
    assert done.status_code == 200 and "6 changes undone, 3 changes left as they are" in done.text
    assert "Left as they are" in done.text and "stays revoked" in done.text


def test_roles_without_the_permission(
    world: World, make_login: MakeLogin, client_of: ClientOf
) -> None:
    legal = client_of(make_login(Role.LEGAL))
    assert legal.get(f"/incidents/{world.case}/contain").status_code == 403
    assert legal.get(f"/incidents/{world.case}/containment").status_code == 200
    assert legal.get("/incidents/IN-9999/containment").status_code == 404
