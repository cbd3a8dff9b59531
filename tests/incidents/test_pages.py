"""The case pages: the list and a case opened from the form, worked from its page (a note, a
task done, the team, a notice under a clock, the review and the close), every refusal shown in
words on the page, and who reaches which page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from crownjewels.core.permissions import Role
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
