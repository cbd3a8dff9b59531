"""The case pages: the list and a case opened from the form, worked from its page (a note, a
task done, the team, a notice under a clock, the review and the close), every refusal shown in
words on the page, and who reaches which page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.inventory.factories import make_secret
from tests.web.conftest import (  # noqa: F401
    Login,
    app,
    client_of,
    csrf_of,
    frozen,
    make_login,
    settings,
)


def _open(client: TestClient) -> str:
    form = client.get("/incidents/new")
    assert form.status_code == 200 and 'name="title"' in form.text
    r = client.post(
        "/incidents",
        data={
            "csrf_token": csrf_of(form.text),
            "title": "Designs mailed to a competitor",
            "kind": "disclosure",
            "severity": "critical",
            "personal_data": "1",
            "data_subject_countries": "DE, FR",
            "jurisdictions": "DE",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).rsplit("/", 1)[-1]


def test_open_and_work_a_case_from_its_page(
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    client = client_of(make_login(Role.SECURITY))
    ref = _open(client)
    page = client.get(f"/incidents/{ref}")
    assert page.status_code == 200
    text = page.text
    assert "Designs mailed to a competitor" in text and "First 24 hours" in text
    assert "Art. 33" in text and "data-due=" in text
    token = csrf_of(text)
    note = client.post(f"/incidents/{ref}/notes", data={"csrf_token": token, "body": "Mail kept."})
    assert note.status_code == 200 and "The note is on the timeline." in note.text
    done = client.post(f"/incidents/{ref}/tasks/1", data={"csrf_token": token, "status": "done"})
    assert "Task 1 is saved." in done.text
    refused = client.post(
        f"/incidents/{ref}/status", data={"csrf_token": token, "status": "closed"}
    )
    assert "post-incident review" in refused.text
    bad = client.post(
        f"/incidents/{ref}/team",
        data={"csrf_token": token, "user": "nobody@x.example", "role": "legal"},
    )
    assert "no one with a login is called" in bad.text
    listed = client.get("/incidents")
    assert ref in listed.text and "1 overdue" not in listed.text


def test_who_reaches_the_pages(
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    ref = _open(client_of(make_login(Role.SECURITY)))
    auditor = client_of(make_login(Role.AUDITOR))
    assert auditor.get("/incidents").status_code == 200
    page = auditor.get(f"/incidents/{ref}")
    assert page.status_code == 200 and "Designs mailed to a competitor" in page.text
    assert 'id="note-form"' not in page.text and 'id="move-form"' not in page.text
    assert 'action="/incidents/' not in page.text
    assert auditor.get("/incidents/new").status_code == 403
    owner = client_of(make_login(Role.SECRET_OWNER))
    assert owner.get("/incidents").status_code == 403
    assert owner.get(f"/incidents/{ref}").status_code == 404


def test_remediation_shows_in_the_posture_and_on_the_secret_until_done(
    db: Database,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor("test"), name="Pricing model")
    login = make_login(Role.SECURITY)
    security = client_of(login)
    form = security.get("/incidents/new")
    r = security.post(
        "/incidents",
        data={
            "csrf_token": csrf_of(form.text),
            "title": "Pricing model on a reseller's site",
            "kind": "disclosure",
            "secrets": secret.ref,
            "playbook": "none",
        },
        follow_redirects=False,
    )
    ref = str(r.headers["location"]).rsplit("/", 1)[-1]
    page = security.get(f"/incidents/{ref}")
    added = security.post(
        f"/incidents/{ref}/tasks",
        data={
            "csrf_token": csrf_of(page.text),
            "title": "Label every pricing file",
            "kind": "remediation",
            "owner": login.person.email,
            "due_at": "2099-01-31T12:00",
        },
    )
    assert "The task is added." in added.text
    posture = security.get("/posture/secrets")
    assert posture.status_code == 200 and "Label every pricing file" in posture.text
    on_secret = security.get(f"/secrets/{secret.ref}")
    assert ref in on_secret.text and "Label every pricing file" in on_secret.text
    security.post(
        f"/incidents/{ref}/tasks/1", data={"csrf_token": csrf_of(page.text), "status": "done"}
    )
    assert "Label every pricing file" not in security.get("/posture/secrets").text
