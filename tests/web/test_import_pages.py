"""The import pages and export downloads: upload, the dry run's verdict row by row, the confirm
that checks again and writes, and the list's rows as CSV and XLSX under its filters."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretFilter
from crownjewels.parties import service as parties
from tests.web.conftest import Login, csrf_of

HEADER = "Name,Description,Category,Tier,Owner\r\n"


def _names(db: Database) -> list[str]:
    with db.unit_of_work(write=False) as s:
        flt, page = SecretFilter(), PageParams()
        rows, _ = inventory.list_secrets(s, actor=system_actor(), filters=flt, page=page)
    return sorted(r.name for r in rows)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def test_a_register_import_is_checked_then_confirmed_then_exported(
    client_of: Callable[[Login], TestClient], make_login: Callable[..., Login], db: Database
) -> None:
    login = make_login(Role.LEGAL)
    client = client_of(login)
    form = client.get("/secrets/import")
    assert form.status_code == 200 and 'type="file"' in form.text
    token = csrf_of(form.text)
    owner = login.person.email
    bad = (
        HEADER
        + f"Brine,Salt,formula,sensitive,{owner}\r\nOven,Heat,formula,very secret,{owner}\r\n"
    )
    files = {"file": ("register.csv", bad.encode(), "text/csv")}
    page = client.post("/secrets/import", data={"csrf_token": token}, files=files)
    assert page.status_code == 422
    assert (
        "register.csv:3" in page.text
        and "the tier &#39;very secret&#39; is not one of" in page.text
    )
    assert "Import 1 row" not in page.text and _names(db) == []

    good = (
        HEADER
        + f"Brine,Salt,formula,sensitive,{owner}\r\nOven,Heat,design,Confidential,{owner}\r\n"
    )
    files = {"file": ("register.csv", good.encode(), "text/csv")}
    page = client.post("/secrets/import", data={"csrf_token": token}, files=files)
    assert page.status_code == 200 and "Import 2 rows" in page.text
    assert _names(db) == []  # checked, not written
    confirm = {
        "csrf_token": token,
        "confirm": "yes",
        "filename": _hidden(page.text, "filename"),
        "content": _hidden(page.text, "content"),
    }
    done = client.post("/secrets/import", data=confirm)
    assert done.status_code == 200 and done.url.path == "/secrets"
    assert "Imported 2 rows from register.csv" in done.text
    assert _names(db) == ["Brine", "Oven"]
    assert (
        'href="/secrets/export.csv?tier=confidential"'
        in client.get("/secrets?tier=confidential").text
    )

    xlsx = client.get("/secrets/export.xlsx?tier=confidential")
    assert xlsx.status_code == 200 and "register.xlsx" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:6] == ["Ref", "Name", "Description", "Category", "Tier", "Owner"]
    assert [r[1] for r in rows[1:]] == ["Oven"] and rows[1][5] == login.person.full_name
    csv_text = client.get("/secrets/export.csv").text
    assert csv_text.count("\r\n") == 3 and "Brine" in csv_text


def test_an_import_page_refuses_a_wrong_file_in_words_and_a_reader_may_not_import(
    client_for: Callable[..., TestClient],
) -> None:
    client = client_for(Role.LEGAL)
    token = csrf_of(client.get("/secrets/import").text)
    files = {"file": ("register.pdf", b"%PDF-1.7", "application/pdf")}
    page = client.post("/secrets/import", data={"csrf_token": token}, files=files)
    assert page.status_code == 422 and "import a .csv or .xlsx file" in page.text
    auditor = client_for(Role.AUDITOR)
    assert auditor.get("/secrets/import").status_code == 403
    assert auditor.get("/secrets/export.csv").status_code == 200


def test_people_are_imported_from_their_page(
    client_of: Callable[[Login], TestClient], make_login: Callable[..., Login], db: Database
) -> None:
    login = make_login(Role.ADMIN)
    client = client_of(login)
    people = client.get("/people")
    assert 'href="/people/import"' in people.text
    token = csrf_of(client.get("/people/import").text)
    with db.unit_of_work(write=False) as s:
        org = parties.get_person(s, actor=system_actor(), person_ref=login.person.id)
    row = f"Nia Park,nia@acme.example,{org.organisation_name},KR\r\n"
    text = "Name,Email,Organisation,Country\r\n" + row
    files = {"file": ("people.csv", text.encode(), "text/csv")}
    page = client.post("/people/import", data={"csrf_token": token}, files=files)
    assert page.status_code == 200 and "Import 1 row" in page.text
    confirm = {
        "csrf_token": token,
        "confirm": "yes",
        "filename": _hidden(page.text, "filename"),
        "content": _hidden(page.text, "content"),
    }
    done = client.post("/people/import", data=confirm)
    assert done.url.path == "/people" and "Imported 1 row from people.csv" in done.text
    assert "Nia Park" in done.text
