"""The letters page: the letters the case calls for with a form each, a cease-and-desist letter
previewed with what counsel must complete highlighted and downloaded as DOCX, a legal step
recorded from its form; a reader sees no form and a vendor user no case."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.core.text import docx_text
from crownjewels.settings import Settings
from tests.conftest import savepoint_per_test
from tests.incidents.legal.world import World, make_world
from tests.web.conftest import Login, app, client_of, csrf_of, frozen, make_login  # noqa: F401


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    with module_db.unit_of_work() as session:
        return make_world(session, system_actor("test"), tmp_path_factory.mktemp("home"))


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def settings(world: World) -> Settings:
    return Settings(
        home=world.home,
        database_url="sqlite://",
        secret_key="web-test-secret-key-0123456789abcdef",
        company_name="Acme Foods",
    )


def test_letters_are_previewed_downloaded_and_steps_recorded_from_the_page(
    world: World,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    client = client_of(make_login(Role.LEGAL))
    base = f"/incidents/{world.case_ref}/letters"
    page = client.get(base)
    assert page.status_code == 200
    assert 'id="form-cease-and-desist"' in page.text and 'id="form-internal-briefing"' in page.text
    assert 'id="other-letters"' in page.text and "Form 8-K" in page.text
    shown = client.get(
        base, params={"template": "cease-and-desist", "recipient": world.jonas_email}
    )
    assert 'id="letter-text"' in shown.text and "Dear Jonas Berg," in shown.text
    assert "<mark>[to complete:" in shown.text
    got = client.get(
        f"{base}/cease-and-desist", params={"recipient": world.jonas_email, "format": "docx"}
    )
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    words = docx_text(got.content, "letter.docx")
    assert "Jonas Berg" in words and world.agreement_ref in words
    refused = client.get(base, params={"template": "cease-and-desist"})
    assert 'id="letter-refusal"' in refused.text and "choose its recipient" in refused.text
    done = client.post(
        f"/incidents/{world.case_ref}/legal-steps",
        data={"kind": "letter-sent", "note": "By courier", "csrf_token": csrf_of(page.text)},
        follow_redirects=True,
    )
    assert "Legal step 1 recorded: letter sent." in done.text and 'id="step-1"' in done.text


def test_readers_see_no_forms_and_vendor_users_no_case(
    world: World,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    base = f"/incidents/{world.case_ref}/letters"
    reader = client_of(make_login(Role.COMPLIANCE))
    page = reader.get(base, params={"template": "internal-briefing"})
    assert page.status_code == 200 and 'id="letter-text"' not in page.text
    assert "form-cease-and-desist" not in page.text and 'id="step-form"' not in page.text
    assert reader.get(f"{base}/internal-briefing").status_code == 403
    vendor = client_of(make_login(Role.VENDOR_USER))
    assert vendor.get(base).status_code in (403, 404)
