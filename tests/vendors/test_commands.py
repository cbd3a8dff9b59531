"""`crownjewels vendors ...` through the real CLI: add, list, show (--json), update, status,
review, certify (with the certificate into the vault), countries, subcontractors, contacts;
bad input exits 2 with one line on stderr and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import Cli, assert_user_error
from tests.vault import samples

TABLES = ("vendor_profile", "vendor_country", "vendor_subcontractor", "vendor_certification",
          "vendor_contact", "vendor_transfer_mechanism", "vendor_transfer_assessment",
          "custody_event", "document")  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("vendors-template"))
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    for name, country in (("Lotus Process", "IN"), ("Bayani Contact", "PH"), ("Mekong", "VN")):
        cli.ok("orgs", "add", name, "--kind", "vendor", "--country", country)
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    """A copy of the installation, its vault key included (certificates are encrypted)."""
    copy = template.copy_to(tmp_path / "home")
    key = copy.home / "vault.key"
    key.write_bytes((template.home / "vault.key").read_bytes())
    key.chmod(0o600)
    return copy


def _state(cli: Cli) -> dict[str, int]:
    return {t: cli.count(t) for t in TABLES}


def _add(cli: Cli, org: str, *extra: str) -> str:
    out = cli.ok(
        "vendors", "add", org, "--services", "Claims processing", "--criticality", "high", *extra
    ).out
    return out.split()[1]


def test_add_list_show(cli: Cli) -> None:
    out = cli.ok(
        "vendors", "add", "Lotus Process", "--services", "Claims processing",
        "--criticality", "Critical", "--country", "IN", "--country", "usa",
    ).out  # fmt: skip
    assert out.startswith("added VN-0001 Lotus Process (critical, prospect); next review ")
    shown = cli.ok("vendors", "show", "VN-0001", "--json").json()
    assert (shown["name"], shown["criticality"], shown["review_cadence_months"]) == (
        "Lotus Process",
        "critical",
        6,
    )
    assert [c["country"] for c in shown["countries"]] == ["IN", "US"]
    listed = cli.ok("vendors", "list", "--json").json()
    assert listed["total"] == 1 and listed["items"][0]["exposure"] == ["IN", "US"]
    assert [c["country"] for c in listed["items"][0]["countries"]] == ["IN", "US"]
    table = cli.ok("vendors", "list").out
    assert "VN-0001" in table and "Lotus Process" in table and "critical" in table
    text = cli.ok("vendors", "show", "lotus process").out
    assert "countries:" in text and "jurisdictions:" in text
    assert "IN India:" in text and "Priority Watch List" in text


def test_lifecycle_review_update(cli: Cli) -> None:
    ref = _add(cli, "Bayani Contact")
    cli.ok("vendors", "status", ref, "onboarding", "--reason", "NDA signed")
    assert "is now active" in cli.ok("vendors", "status", ref, "active", "--reason", "go live").out
    assert "next review on" in cli.ok("vendors", "review", ref, "--notes", "SOC 2 read").out
    assert "now version" in cli.ok("vendors", "update", ref, "--criticality", "low").out
    shown = cli.ok("vendors", "show", ref, "--json").json()
    assert (shown["status"], shown["criticality"], shown["review_cadence_months"]) == (
        "active",
        "low",
        36,
    )
    before = _state(cli)
    assert_user_error(
        cli("vendors", "status", ref, "onboarding", "--reason", "again"),
        "an active vendor cannot become onboarding",
    )
    assert _state(cli) == before


def test_certify_with_certificate_file(cli: Cli, tmp_path: Path) -> None:
    ref = _add(cli, "Lotus Process")
    pdf = tmp_path / "iso.pdf"
    pdf.write_bytes(samples.pdf())
    out = cli.ok(
        "vendors", "certify", ref, "--standard", "iso-27001", "--issuer", "BSI",
        "--number", "IS 712345", "--issued", "2024-01-10", "--expires", "2099-01-09",
        "--file", str(pdf),
    ).out  # fmt: skip
    assert out.startswith("recorded ISO/IEC 27001 from BSI") and "(valid)" in out
    assert "certificate in the vault as" in out
    cert = cli.ok("vendors", "show", ref, "--json").json()["certifications"][0]
    exported = tmp_path / "back.pdf"
    cli.ok("vault", "export-raw", cert["document_id"], "--out", str(exported))
    assert exported.read_bytes() == pdf.read_bytes()
    cli.ok("vendors", "certify", ref, "--standard", "soc2-type2", "--issuer", "EY",
           "--expires", "2020-01-01")  # fmt: skip
    states = {c["label"]: c["state"] for c in cli.ok("vendors", "show", ref, "--json").json()[
        "certifications"]}  # fmt: skip
    assert states == {"ISO/IEC 27001": "valid", "SOC 2 Type II": "expired"}
    soc2 = next(
        c for c in cli.ok("vendors", "show", ref, "--json").json()["certifications"]
        if c["label"] == "SOC 2 Type II"
    )  # fmt: skip
    out = cli.ok("vendors", "certificate", ref, soc2["id"], str(pdf)).out
    assert out.startswith("SOC 2 Type II certificate in the vault as ")
    before = _state(cli)
    assert_user_error(cli("vendors", "certificate", ref, "nope", str(pdf)), "has no certification")
    assert_user_error(cli("vendors", "certificate", ref, soc2["id"], "/nonexistent.pdf"), "no file")
    assert _state(cli) == before


def test_countries_subcontractors_contacts(cli: Cli) -> None:
    a = _add(cli, "Lotus Process", "--country", "IN")
    b = _add(cli, "Mekong", "--country", "VN")
    cli.ok("vendors", "country", "add", a, "PH")
    assert cli.ok("vendors", "country", "remove", a, "PH").out.strip().endswith("IN")
    out = cli.ok("vendors", "subcontractor", "add", a, "Mekong", "--service", "cartridges").out
    assert "exposure: IN, VN" in out
    assert cli.ok("vendors", "list", "--country", "VN", "--json").json()["total"] == 2
    before = _state(cli)
    assert_user_error(
        cli("vendors", "subcontractor", "add", b, a, "--service", "back"),
        f"cycle {b} -> {a} -> {b}",
    )
    assert _state(cli) == before
    out = cli.ok("vendors", "contact", "add", a, "--name", "Arjun Mehta", "--email",
                 "arjun@lotus.example", "--role", "Account manager", "--primary").out  # fmt: skip
    assert "(primary)" in out
    assert "Arjun Mehta" in cli.ok("vendors", "show", a).out


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("vendors", "add", "Lotus Process", "--services", "x", "--criticality", "extreme"),
         ("criticality",)),
        (("vendors", "add", "Northwind", "--services", "x", "--criticality", "low"),
         ("Northwind is an organisation of kind own, not vendor",)),
        (("vendors", "add", "Lotus Process", "--services", "x", "--criticality", "low",
          "--country", "XX"), ("not an ISO 3166 country code",)),
        (("vendors", "add", "Nobody Ltd", "--services", "x", "--criticality", "low"),
         ("Nobody Ltd",)),
        (("vendors", "add", "Lotus Process"), ("--services", "--criticality")),
        (("vendors", "show", "VN-0404"), ("no vendor 'VN-0404'",)),
    ],
)  # fmt: skip
def test_bad_input_writes_nothing(cli: Cli, args: tuple[str, ...], needles: tuple[str]) -> None:
    before = _state(cli)
    assert_user_error(cli(*args), *needles)
    assert _state(cli) == before


def test_duplicate_profile_and_bad_dates_write_nothing(cli: Cli) -> None:
    ref = _add(cli, "Lotus Process")
    before = _state(cli)
    assert_user_error(
        cli("vendors", "add", "Lotus Process", "--services", "x", "--criticality", "low"),
        f"already has the vendor profile {ref}",
    )
    assert_user_error(
        cli("vendors", "certify", ref, "--standard", "tisax", "--issuer", "x",
            "--issued", "2026-05-01", "--expires", "2026-04-01"),
        "before the issue date",
    )  # fmt: skip
    assert _state(cli) == before


def test_transfer_mechanisms_and_assessments(cli: Cli, tmp_path: Path) -> None:
    ref = _add(cli, "Lotus Process", "--country", "IN")
    pdf = tmp_path / "sccs.pdf"
    pdf.write_bytes(samples.pdf())
    out = cli.ok(
        "vendors", "transfers", "mechanism", ref, "--kind", "scc", "--regime", "gdpr",
        "--module", "c2p", "--country", "IN", "--effective", "2025-01-01", "--file", str(pdf),
    ).out  # fmt: skip
    assert out.startswith("recorded SCCs module C2P for GDPR transfers to IN")
    assert "(M1)" in out and "stored encrypted in the vault" in out
    out = cli.ok(
        "vendors", "transfers", "tia", ref, "--regime", "GDPR", "--country", "IN",
        "--assessed", "2025-01-05", "--outcome", "proceed-with-measures",
    ).out  # fmt: skip
    assert "transfer impact assessment of IN of 2025-01-05: proceed-with-measures (T1)" in out
    listed = cli.ok("vendors", "transfers", "list", ref, "--json").json()
    [scc] = listed["mechanisms"]
    assert (scc["label"], scc["state"]) == ("SCCs module C2P", "in-force")
    shown = cli.ok("vendors", "transfers", "list", ref).out
    assert "SCCs module C2P" in shown and "proceed-with-measures" in shown
    assert "M1" in shown and "T1" in shown and scc["id"] not in shown  # numbers, not ids
    before = _state(cli)
    assert_user_error(
        cli("vendors", "transfers", "mechanism", ref, "--kind", "scc", "--regime", "UK",
            "--module", "C2P"),
        "the EU SCCs alone are not a UK mechanism",
    )  # fmt: skip
    assert_user_error(
        cli("vendors", "transfers", "mechanism", ref, "--kind", "cn-standard-contract",
            "--regime", "CN"),
        "give filed_on",
    )  # fmt: skip
    assert _state(cli) == before
    assert_user_error(
        cli("vendors", "transfers", "revoke-mechanism", ref, "M7", "--reason", "terminated"),
        f"{ref} has no transfer mechanism 'M7'",
    )
    out = cli.ok(
        "vendors", "transfers", "revoke-mechanism", ref, "M1", "--reason", "terminated"
    ).out
    assert out.startswith("revoked SCCs module C2P for GDPR")
    assert_user_error(  # a script may still give the id
        cli("vendors", "transfers", "revoke-mechanism", ref, scc["id"], "--reason", "again"),
        "already revoked",
    )
    out = cli.ok("vendors", "transfers", "revoke-tia", ref, "t1", "--reason", "superseded").out
    assert out.startswith("revoked the IN transfer impact assessment (T1)")
    again = cli.ok("vendors", "transfers", "list", ref, "--json").json()
    assert again["mechanisms"][0]["state"] == "revoked"
