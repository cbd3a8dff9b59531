"""`crownjewels access ...` through the real CLI (typer's CliRunner, in-process): request,
approve as the secret's owner, check (exit 0 allowed, 1 denied, every failed rule in plain
words), who-can, what-can, grants, grant show, suspend / resume / revoke, and `policies
check` on a folder of .cedar files (a broken file: exit 2 naming file and line)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crownjewels.core import clock
from tests.cli_helpers import Cli, assert_user_error
from tests.parties.factories import PASSWORD

OWNER = "elena@northwind.example"
GRANTEE = "grace@northwind.example"
STRANGER = "sam@elsewhere.example"
EXPIRES = str(clock.today() + timedelta(days=60))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("access-template"))
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("orgs", "add", "Elsewhere", "--kind", "partner", "--country", "US")
    for name, email, org in (
        ("Elena Vasquez", OWNER, "Northwind"),
        ("Grace Hopper", GRANTEE, "Northwind"),
        ("Sam Stranger", STRANGER, "Elsewhere"),
    ):
        cli.ok("people", "add", name, "--email", email, "--org", org, "--country", "US")
    cli.ok("users", "create", OWNER, "-r", "secret-owner", "--password", PASSWORD)
    cli.ok(
        "secrets", "add", "Brine recipe",
        "--description", "Salt ratios and resting times of the brine.",
        "--category", "formula", "--tier", "sensitive", "--owner", OWNER,
    )  # fmt: skip
    cli.ok(
        "agreements", "add", "Northwind staff confidentiality",
        "--kind", "employee-confidentiality", "--person", GRANTEE, "--status", "in_force",
        "--effective", str(clock.today() - timedelta(days=30)),
        "--expires", str(clock.today() + timedelta(days=300)),
    )  # fmt: skip
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    return template.copy_to(tmp_path / "home")


def _request(cli: Cli, person: str = GRANTEE) -> str:
    run = cli.ok(
        "access", "request", "--person", person, "--secret", "TS-0001", "--level", "download",
        "--purpose", "scale-up trial at the plant", "--expires", EXPIRES, "--json",
    )  # fmt: skip
    ref: str = run.json()["ref"]
    return ref


def test_request_approve_check_and_lifecycle(cli: Cli) -> None:
    denied = cli("access", "check", GRANTEE, "TS-0001", "--action", "download")
    assert denied.code == 1
    assert denied.out.startswith("DENIED")
    assert "no need-to-know grant for download of TS-0001" in denied.out
    assert "need-to-know:" not in denied.out  # the rule id is only in --json

    ref = _request(cli)
    assert_user_error(cli("access", "approve", ref), "first approval")  # the operator is no owner
    approved = cli.ok("--as", OWNER, "access", "approve", ref, "--note", "fine")
    assert approved.out.strip() == f"approved {ref}: active"

    allowed = cli("access", "check", GRANTEE, "TS-0001", "--action", "download", "--json")
    assert allowed.code == 0, allowed.err
    assert allowed.json()["allowed"] is True and allowed.json()["grant_refs"] == [ref]
    edit = cli("access", "check", GRANTEE, "TS-0001", "--action", "edit")
    assert edit.code == 1 and "need-to-know" in edit.out

    who = cli.ok("access", "who-can", "TS-0001", "--json").json()
    assert {d["person_name"]: d["allowed"] for d in who}["Grace Hopper"] is True
    what = cli.ok("access", "what-can", GRANTEE).out
    assert "TS-0001" in what and "yes" in what
    listed = cli.ok("access", "grants", "--secret", "TS-0001", "--status", "active").out
    assert ref in listed and "Grace Hopper" in listed
    shown = cli.ok("access", "grant", "show", ref).out
    assert "scale-up trial" in shown and "approved by" in shown

    assert cli.ok("access", "suspend", ref, "--reason", "audit").out.strip().endswith("suspended")
    assert cli("access", "check", GRANTEE, "TS-0001").code == 1
    assert cli.ok("access", "resume", ref, "--reason", "audit done").out.strip().endswith("active")
    assert cli.ok("access", "revoke", ref, "--reason", "trial over").out.strip().endswith("revoked")
    assert_user_error(cli("access", "resume", ref, "--reason", "again"), "only a suspended")


def test_a_denial_names_every_failed_rule(cli: Cli) -> None:
    run = cli("access", "check", STRANGER, "TS-0001", "--json")
    assert run.code == 1
    rules = {r["rule"] for r in run.json()["reasons"]}
    assert rules == {"need-to-know", "bound:agreement"}
    ref = _request(cli, STRANGER)
    assert_user_error(cli("--as", OWNER, "access", "approve", ref), "Sam Stranger")
    assert_user_error(cli("access", "deny", ref, "--reason", "no"), "say why")
    assert cli.ok("access", "deny", ref, "--reason", "no agreement").out.strip() == (
        f"denied {ref}: denied"
    )


def test_bad_input_exits_2_with_one_line(cli: Cli) -> None:
    assert_user_error(cli("access", "check", GRANTEE, "TS-0001", "--action", "read"), "not a level")
    assert_user_error(
        cli(
            "access", "request", "--person", GRANTEE, "--secret", "TS-0001",
            "--purpose", "a long one", "--expires", "2999-01-01",
        ),
        "at most 180 days",
    )  # fmt: skip
    assert_user_error(cli("access", "grant", "show", "GR-999999"), "no grant")


CUSTOM = """@id("no-formulas-to-partners")
@reason("formulas are never shared with partners")
forbid (principal, action, resource)
when { principal.organisation.kind == "partner" && resource.category == "formula" };
"""


def test_policies_check(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "ours.cedar").write_text(CUSTOM, "utf-8")
    run = cli.ok("access", "policies", "check", str(folder), "--json").json()
    rules = {r["rule"]: r for r in run}
    assert rules["no-formulas-to-partners"]["reason"] == "formulas are never shared with partners"
    assert {"need-to-know:view", "bound:agreement", "mfa"} <= rules.keys()
    (folder / "bad.cedar").write_text(
        '\n@id("x")\nforbid (principal, action, resource)\nwhen { principal.nope };\n'
    )
    run = cli("access", "policies", "check", str(folder))
    assert run.code == 2
    assert "bad.cedar:2" in run.err
