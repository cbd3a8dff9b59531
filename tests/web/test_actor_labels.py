"""Custody tables name the people who acted (linked to their page, their email in the title)
instead of raw `user:` ids; the system and the command line read as words."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace

from fastapi.testclient import TestClient

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.core.templating import make_templates
from crownjewels.custody.labels import Label
from crownjewels.routes import TEMPLATE_PACKAGES
from tests.inventory.factories import make_secret
from tests.web.conftest import Login, csrf_of

MakeLogin = Callable[..., Login]


def actor_cells(html: str) -> list[str]:
    """The inner HTML of every actor cell of the custody tables on a page."""
    return [c.strip() for c in re.findall(r'<td class="actor">(.*?)</td>', html, re.S)]


def test_every_custody_table_names_the_user_and_links_to_their_page(
    client_of: Callable[[Login], TestClient], make_login: MakeLogin, db: Database
) -> None:
    login = make_login(Role.ADMIN)
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor("test"), name="Sauce formula")
    client = client_of(login)
    me = f'<a href="/people/{login.person.id}" title="{login.person.email}">'
    me += f"{login.person.full_name}</a>"
    system = '<span title="system:test">system (test)</span>'

    token = csrf_of(client.get("/").text)
    org = client.post(
        "/organisations/new",
        data={
            "name": "Labels Ltd",
            "kind": "vendor",
            "country": "GB",
            "status": "active",
            "csrf_token": token,
        },
    )
    assert org.status_code == 200
    person = client.post(
        "/people/new",
        data={
            "full_name": "Lena Label",
            "email": "lena@labels.example",
            "organisation_id": org.url.path.rsplit("/", 1)[1],
            "kind": "vendor-staff",
            "country": "GB",
            "csrf_token": token,
        },
    )
    assert person.status_code == 200
    located = client.post(
        f"/secrets/{secret.ref}/locations",
        data={"location.kind": "drive", "location.name": "R&D share", "csrf_token": token},
    )
    assert located.status_code == 200

    for page in (org, person, located):  # each subject's own history
        assert me in actor_cells(page.text), page.url
    assert system in actor_cells(located.text)  # the secret was registered by the system
    for path in ("/", "/custody"):
        cells = actor_cells(client.get(path).text)
        assert me in cells, path
        assert system in cells, path
        # the internal id is nowhere: not as text, not as a title
        assert not [c for c in cells if "user:" in c], path

    # the actor filter takes an email or a name, as a person knows them
    for typed in (login.person.email, login.person.full_name.upper()):
        mine = actor_cells(client.get("/custody", params={"by": typed}).text)
        assert mine and set(mine) == {me}, typed
    unknown = client.get("/custody", params={"by": "nobody@labels.example"})
    assert unknown.status_code == 422 and "No one with a login is called" in unknown.text
    seq = re.search(r'<a href="/custody/(\d+)">', org.text)
    assert seq
    event = client.get(f"/custody/{seq.group(1)}").text
    assert me in event
    assert "user:" not in event and login.user.id not in event  # the API keeps the exact ref


def test_the_name_links_only_for_viewers_who_may_read_parties() -> None:
    env = make_templates(TEMPLATE_PACKAGES).env
    cell = env.from_string('{% import "macros.html" as m with context %}{{ m.actor(ref, labels) }}')
    labels = {"user:U1": Label(text="Priya <Raman>", short="priya@x.example", url="/people/P1")}

    def shown(role: Role, ref: str = "user:U1") -> str:
        viewer = Actor(kind="user", id="V", name="Viewer", roles=frozenset({role}))
        request = SimpleNamespace(state=SimpleNamespace(actor=viewer))
        return cell.render(request=request, ref=ref, labels=labels).strip()

    assert shown(Role.AUDITOR) == (
        '<a href="/people/P1" title="priya@x.example">Priya &lt;Raman&gt;</a>'
    )
    assert shown(Role.VENDOR_USER) == '<span title="priya@x.example">Priya &lt;Raman&gt;</span>'
    assert shown(Role.AUDITOR, "user:U9") == "<span>user:U9</span>"  # a login since deleted
