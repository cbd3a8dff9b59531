"""A file its parser refuses (pypdf, python-docx, pikepdf, zipfile, PIL) answers a message in
words that names the problem and the fix; the parser's own text, which can name a Python
object (`<_io.BytesIO object at 0x...>`) or an exception class, goes to the log only."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.disclosure.watermark.docx import open_docx
from crownjewels.disclosure.watermark.image import open_image
from crownjewels.disclosure.watermark.marks import MarkError
from crownjewels.disclosure.watermark.pdf import open_pdf
from crownjewels.vault.keys import create_key_file
from tests.api_support import Roles
from tests.conftest import savepoint_per_test
from tests.inventory.factories import make_secret
from tests.vault import samples

#: what a library's text looks like: a Python object, an exception class, a traceback's quote
LIBRARY_TEXT = re.compile(r"object at 0x|<_io\.|[A-Z][a-z]+(Error|Exception)\b|\bErrno\b")


def _zip(**entries: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DAMAGED = {
    "a PDF with a broken body": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\ngarbage" * 3,
    "a PDF cut short": samples.pdf()[:400],
    "a ZIP cut short": samples.docx()[:300],
    "a ZIP that is no Word document": _zip(**{"notes.txt": b"hello"}),
}


def _words_only(detail: str) -> None:
    assert not LIBRARY_TEXT.search(detail), detail
    assert "again" in detail or "upload" in detail, detail


@pytest.fixture(scope="module")
def secret_ref(module_db: Database, roles: Roles) -> str:
    with module_db.unit_of_work() as session:
        return make_secret(session, system_actor("test"), name="Sauce formula").ref


@pytest.fixture
def connection(
    module_connection: Connection, roles: Roles, secret_ref: str
) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def client(db: Database, roles: Roles, tmp_path: Path) -> Iterator[TestClient]:
    create_key_file(tmp_path / "vault.key")
    rc = roles.clients(db, tmp_path)
    with rc.client() as client:
        client.headers.update(rc.headers(Role.ADMIN))
        yield client


@pytest.mark.parametrize("name", list(DAMAGED))
@pytest.mark.parametrize("filename", ["agreement.pdf", "agreement.docx"])
def test_analysing_a_damaged_file_answers_in_words(
    client: TestClient, name: str, filename: str
) -> None:
    r = client.post(
        f"{API_PREFIX}/agreements/analyse",
        content=DAMAGED[name],
        headers={"X-Filename": filename, "content-type": "application/octet-stream"},
    )
    assert r.status_code == 422, r.text
    _words_only(r.json()["detail"])


@pytest.mark.parametrize("name", [n for n in DAMAGED if "no Word" not in n])  # a ZIP is a ZIP
def test_uploading_a_damaged_file_answers_in_words(
    client: TestClient, secret_ref: str, name: str
) -> None:
    r = client.post(
        f"{API_PREFIX}/documents?owner_type=secret&owner={secret_ref}",
        content=DAMAGED[name],
        headers={"X-Filename": "recipe.docx"},
    )
    assert r.status_code == 422, r.text
    _words_only(r.json()["detail"])


@pytest.mark.parametrize(
    ("opener", "data"),
    [
        (open_pdf, DAMAGED["a PDF with a broken body"]),
        (open_docx, DAMAGED["a ZIP cut short"]),
        (open_docx, DAMAGED["a ZIP that is no Word document"]),
        (open_image, samples.png()[:60]),
    ],
    ids=["pdf", "docx-cut", "docx-not-word", "image"],
)
def test_watermarking_a_damaged_file_answers_in_words(opener: object, data: bytes) -> None:
    with pytest.raises(MarkError) as refused:
        opener(data)  # type: ignore[operator]
    _words_only(refused.value.message)
