"""`crownjewels vault get|identify|copies` through the real CLI: a registered, marked copy to a
file, identified back to its recipient; exit code 1 when no mark survives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties
from tests.access.factories import bind_for_access
from tests.access.refusals import refusals
from tests.cli_helpers import Cli, assert_user_error
from tests.disclosure.helpers import make_pdf, prose
from tests.vault import samples


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("disclosure-template"))
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("orgs", "add", "Acme Ltd", "--kind", "vendor", "--country", "IN")
    cli.ok("people", "add", "Elena Vasquez", "--email", "elena@nw.example", "--org", "Northwind",
           "--country", "US")  # fmt: skip
    cli.ok("people", "add", "Ravi Rao", "--email", "ravi@acme.example", "--org", "Acme Ltd",
           "--country", "IN")  # fmt: skip
    cli.ok("secrets", "add", "Brine", "--description", "d", "--category", "formula",
           "--tier", "sensitive", "--owner", "elena@nw.example")  # fmt: skip
    _bind(cli.url, ["ravi@acme.example", "elena@nw.example"], "TS-0001")
    return cli


def _bind(url: str, emails: list[str], secret_ref: str) -> None:
    """A secret's copy asks access first: the recipients pass every rule (real services)."""
    db = Database(url)
    try:
        with db.unit_of_work() as session:
            for email in emails:
                person = parties.get_person(session, actor=system_actor(), person_ref=email)
                secret = inventory.get(session, actor=system_actor(), secret_ref=secret_ref)
                bind_for_access(session, person_id=person.id, secret_id=secret.id)
    finally:
        db.dispose()


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    copy = template.copy_to(tmp_path / "home")
    for name in ("vault.key", "custody-signing.key", "custody-signing.pub", "secret.key"):
        if (template.home / name).exists():
            (copy.home / name).write_bytes((template.home / name).read_bytes())
            (copy.home / name).chmod(0o600)
    return copy


def _put(cli: Cli, path: Path) -> str:
    put = cli.ok("vault", "put", str(path), "--secret", "TS-0001", "--json")
    return str(json.loads(put.out)["id"])


def test_get_issues_a_marked_copy_that_identify_names(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "process.pdf"
    source.write_bytes(make_pdf(2))
    doc = _put(cli, source)
    out = tmp_path / "for-ravi.pdf"
    got = cli.ok("vault", "get", doc, "--out", str(out), "--purpose", "supplier audit",
                 "--to", "ravi@acme.example")  # fmt: skip
    assert "for Ravi Rao (Acme Ltd), marked" in got.out
    assert out.read_bytes() != source.read_bytes()
    found = cli.ok("vault", "identify", str(out))
    assert found.out.startswith("identified: copy ")
    assert "Ravi Rao (Acme Ltd)" in found.out and "supplier audit" in found.out
    data = cli.ok("vault", "identify", str(out), "--json").json()
    assert data["verdict"] == "identified"
    assert data["record"]["recipient_email"] == "ravi@acme.example"
    listed = cli.ok("vault", "copies", "--secret", "TS-0001")
    assert data["copy_id"] in listed.out and "Ravi Rao" in listed.out
    rows = cli.ok("vault", "copies", "--json").json()
    assert [r["id"] for r in rows] == [data["copy_id"]]
    log = cli.ok("custody", "log", "--json").out
    assert "COPY_ISSUED" in log and "COPY_IDENTIFIED" in log


def test_identify_exits_1_when_no_mark_survives(cli: Cli, tmp_path: Path) -> None:
    plain = tmp_path / "found.txt"
    plain.write_text(prose(2))
    run = cli("vault", "identify", str(plain))
    assert run.code == 1 and run.out == ""
    assert "no mark survives" in run.err
    assert cli("vault", "identify", str(plain), "--json").json()["verdict"] == "no-mark"


def test_identify_names_the_original_of_a_vault_document(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "process.pdf"
    source.write_bytes(make_pdf(1))
    _put(cli, source)
    found = cli.ok("vault", "identify", str(source))
    assert found.out.startswith("original: This is the original of “process.pdf” v1 of TS-0001")
    data = cli.ok("vault", "identify", str(source), "--json").json()
    assert data["verdict"] == "original" and data["original"]["owner_label"] == "TS-0001"


def test_an_unmarkable_type_is_registered_with_a_warning(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "blob.bin"
    source.write_bytes(samples.binary())
    doc = _put(cli, source)
    out = tmp_path / "copy.bin"
    got = cli("vault", "get", doc, "--out", str(out), "--purpose", "backup test",
              "--to", "elena@nw.example")  # fmt: skip
    assert got.code == 0 and "NOT marked" in got.out and "cannot carry a mark" in got.err
    assert out.read_bytes() == source.read_bytes()


def test_get_needs_a_purpose_and_a_recipient(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text(prose(1))
    doc = _put(cli, source)
    out = tmp_path / "x.txt"
    run = cli("vault", "get", doc, "--out", str(out), "--to", "elena@nw.example")
    assert run.code == 2 and "--purpose" in run.err
    assert_user_error(
        cli("vault", "get", doc, "--out", str(out), "--purpose", "a review"), "person record"
    )
    assert not out.exists()
    assert_user_error(
        cli("vault", "get", doc, "--out", str(out), "--purpose", "review", "--to", "nobody@x"),
        "no person",
    )


def test_disclosures_list_export_and_record(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text(prose(1))
    doc = _put(cli, source)
    cli.ok("vault", "get", doc, "--out", str(tmp_path / "c.txt"), "--purpose", "plant audit",
           "--to", "ravi@acme.example")  # fmt: skip
    recorded = cli.ok("disclosures", "record", "TS-0001", "--to", "ravi@acme.example",
                      "--channel", "manual-oral", "--description", "walked through the brine",
                      "--json").json()  # fmt: skip
    assert recorded["channel"] == "manual-oral" and recorded["custody_seq"] > 0
    listed = cli.ok("disclosures", "list", "--secret", "TS-0001", "--json").json()
    assert [e["channel"] for e in listed] == ["vault-copy", "manual-oral"]
    table = cli.ok("disclosures", "list", "--organisation", "Acme Ltd")
    assert "Ravi Rao" in table.out and "vault-copy" in table.out
    csv_file, pdf_file = tmp_path / "ledger.csv", tmp_path / "ledger.pdf"
    cli.ok("disclosures", "export", "--csv", str(csv_file), "--pdf", str(pdf_file))
    assert csv_file.read_text().count("\n") == 3 and pdf_file.read_bytes().startswith(b"%PDF-")
    cli.ok("people", "add", "Sam Stranger", "--email", "sam@acme.example", "--org", "Acme Ltd",
           "--country", "IN")  # fmt: skip
    refused = cli("disclosures", "record", "TS-0001", "--to", "sam@acme.example",
                  "--description", "told the recipe")  # fmt: skip
    assert_user_error(refused, "Sam Stranger may not view TS-0001")
    out = tmp_path / "s.txt"
    denied = cli("vault", "get", doc, "--out", str(out), "--purpose", "audit",
                 "--to", "sam@acme.example")  # fmt: skip
    assert_user_error(denied, "Sam Stranger may not download TS-0001")
    assert not out.exists()
    # both refusals exited 1 and both stayed in the custody log
    db = Database(cli.url)
    try:
        with db.unit_of_work(write=False) as session:
            sam = parties.get_person(session, actor=system_actor(), person_ref="sam@acme.example")
        kept = refusals(db, sam.id)
    finally:
        db.dispose()
    assert [(r["action"], r["document_id"]) for r in kept] == [("view", None), ("download", doc)]
