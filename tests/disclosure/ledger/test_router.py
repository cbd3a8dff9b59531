"""The ledger API: the role x action matrix, the filters, the CSV and PDF downloads, and a
manual record refused with every reason until access allows it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pypdf
import pytest

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import LedgerChannel
from crownjewels.vault.keys import create_key_file
from tests.access.factories import bind_for_access
from tests.access.refusals import refusals
from tests.api_support import RoleClients, Roles, connection  # noqa: F401
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person

P = Permission


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    create_key_file(tmp_path / "vault.key")
    return roles.clients(db, tmp_path)


@pytest.fixture
def world(db: Database, rc: RoleClients) -> dict[str, str]:
    """Two secrets (one the secret-owner user's), a bound recipient of each with one entry,
    and a person nobody bound."""
    admin = system_actor("test")
    with db.unit_of_work() as session:
        theirs = make_secret(session, admin, name="Theirs")
        mine = make_secret(session, admin, owner=rc.people[Role.SECRET_OWNER], name="Mine")
        ravi = make_person(session, admin, org=make_org(session, admin, name="Acme"), name="Ravi")
        for secret in (theirs, mine):
            bind_for_access(session, person_id=ravi.id, secret_id=secret.id)
            ledger.record_disclosure(
                session,
                actor=admin,
                secret=secret.ref,
                person=ravi.id,
                channel=LedgerChannel.MANUAL_PHYSICAL,
                on=None,
                description=f"a sample of {secret.name} handed over",
            )
        stranger = make_person(session, admin, name="Sam Stranger")
    return {
        "theirs": theirs.ref,
        "mine": mine.ref,
        "ravi": ravi.email,
        "stranger": stranger.email,
        "stranger_id": stranger.id,
    }


def _reads(role: Role) -> bool:
    return P.DISCLOSURES_READ in MATRIX[role]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_permission_matrix(rc: RoleClients, world: dict[str, str], role: Role) -> None:
    h = rc.headers(role)
    with rc.client() as client:
        listed = client.get(f"{API_PREFIX}/disclosures", headers=h)
        as_csv = client.get(f"{API_PREFIX}/disclosures.csv", headers=h)
        as_pdf = client.get(f"{API_PREFIX}/disclosures.pdf", headers=h)
        posted = client.post(
            f"{API_PREFIX}/disclosures",
            headers=h,
            json={"secret": world["theirs"], "person": world["ravi"],
                  "description": "told the milling steps", "channel": "manual-oral"},
        )  # fmt: skip
    expected = 200 if _reads(role) else 403
    for r in (listed, as_csv, as_pdf):
        assert r.status_code == expected, f"{role.value}: {r.text}"
    if _reads(role):
        owned_only = P.SECRETS_READ_ALL not in MATRIX[role]
        refs = {e["secret_ref"] for e in listed.json()}
        assert refs == ({world["mine"]} if owned_only else {world["theirs"], world["mine"]})
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert as_pdf.content.startswith(b"%PDF-")
    records = P.GRANTS_MANAGE in MATRIX[role]
    assert posted.status_code == (201 if records else 403), f"{role.value}: {posted.text}"
    if records:
        assert posted.json()["channel"] == "manual-oral"
        assert posted.json()["recorded_by"].startswith("user:")


def test_filters_and_exports(rc: RoleClients, world: dict[str, str]) -> None:
    h = rc.headers(Role.AUDITOR)
    with rc.client() as client:
        one = client.get(f"{API_PREFIX}/disclosures?secret={world['theirs']}", headers=h).json()
        assert [e["secret_ref"] for e in one] == [world["theirs"]]
        org = client.get(f"{API_PREFIX}/disclosures?organisation=Acme", headers=h).json()
        assert len(org) == 2
        none = client.get(f"{API_PREFIX}/disclosures?since=2999-01-01", headers=h).json()
        assert none == []
        bad = client.get(f"{API_PREFIX}/disclosures?since=2026-02-01&until=2026-01-01", headers=h)
        assert bad.status_code == 422 and "swap" in bad.json()["detail"]
        got = client.get(f"{API_PREFIX}/disclosures.csv?secret={world['mine']}", headers=h)
        assert got.headers["content-disposition"].startswith(
            'attachment; filename="disclosures.csv"'
        )
        text = got.text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["secret_ref"] for r in rows] == [world["mine"]]
        assert rows[0]["channel"] == "manual-physical" and rows[0]["custody_hash"]
        pdf = client.get(f"{API_PREFIX}/disclosures.pdf?person={world['ravi']}", headers=h)
        assert pdf.headers["content-disposition"].startswith(
            'attachment; filename="disclosures.pdf"'
        )
        assert got.headers["cache-control"] == pdf.headers["cache-control"] == "no-store"
        words = " ".join(
            " ".join(p.extract_text().split())
            for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
        )
        assert "Disclosure ledger" in words and f"person {world['ravi']}" in words
        assert rows[0]["custody_seq"] in words


def test_a_manual_record_is_refused_with_every_reason(
    rc: RoleClients, world: dict[str, str]
) -> None:
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/disclosures",
            headers=rc.headers(Role.LEGAL),
            json={"secret": world["theirs"], "person": world["stranger"],
                  "description": "told the milling steps"},
        )  # fmt: skip
        assert r.status_code == 403, r.text
        problem = r.json()
        assert problem["reasons"] and "Sam Stranger may not view" in problem["detail"]
        listed = client.get(
            f"{API_PREFIX}/disclosures?person={world['stranger']}", headers=rc.headers(Role.ADMIN)
        )
        assert listed.json() == []
    kept = refusals(rc.app.state.db, world["stranger_id"])
    assert [(r["action"], r["document_id"]) for r in kept] == [("view", None)]
