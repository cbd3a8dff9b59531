"""`crownjewels reports ...` against a throw-away installation: a case handler lists, shows,
answers, acknowledges, assigns and closes a report (--json on the listings); an administrator
is refused in one plain line; an action against a protected reporter is asked for, refused to
its asker, approved by a case handler and then runs once."""

from __future__ import annotations

import pytest

from crownjewels.core.db import Database
from tests.cli_helpers import Cli, assert_user_error
from tests.incidents.reports.world import send

PASSWORD = "correct-horse-42-battery"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """One installation for the module: two case handlers, an administrator, Dana."""
    cli = Cli(tmp_path_factory.mktemp("reports") / "home")
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    for name, email, role in (
        ("Hana Kovac", "hana@example.com", "case-handler"),
        ("Ivo Petrov", "ivo@example.com", "case-handler"),
        ("Ada Admin", "ada@example.com", "admin"),
        ("Dana Whitfield", "dana@example.com", "auditor"),
    ):
        cli.ok("people", "add", name, "--email", email, "--org", "Northwind", "--country", "US")
        cli.ok("users", "create", email, "--role", role, "--password", PASSWORD)
    return cli


def _send(cli: Cli) -> str:
    """A report from Dana, who gave her email (so she is protected)."""
    db = Database(cli.url)
    with db.unit_of_work() as s:
        ref = send(s, reporter_name="Dana", reporter_contact="dana@example.com").ref
    db.dispose()
    return ref


def test_a_case_handler_works_a_report(cli: Cli) -> None:
    ref = _send(cli)
    hana = {"CROWNJEWELS_AS": "hana@example.com"}
    listed = cli.ok("reports", "list", "--json", **hana).json()
    assert ref in [r["ref"] for r in listed] and listed[0]["status"] == "received"
    table = cli.ok("reports", "list", **hana).out
    assert "ACKNOWLEDGE_BY" in table and ref in table
    shown = cli.ok("reports", "show", ref, **hana).out
    assert "I saw the night-shift lead" in shown and "protected: Dana Whitfield" in shown
    assert "replied on" in cli.ok("reports", "reply", ref, "-m", "Which binder?", **hana).out
    assert_user_error(cli("reports", "acknowledge", ref, **hana), "was acknowledged on")
    assigned = cli.ok("reports", "assign", ref, "ivo@example.com", **hana).out
    assert assigned.startswith(f"{ref} is assigned to Ivo Petrov")
    assert_user_error(cli("reports", "close", ref, "--note", "x", **hana), "say what was done")
    assert (
        f"{ref} is closed" in cli.ok("reports", "close", ref, "--note", "Dealt with.", **hana).out
    )
    assert ref not in [
        r["ref"] for r in cli.ok("reports", "list", "--open", "--json", **hana).json()
    ]
    assert_user_error(
        cli("reports", "list", **{"CROWNJEWELS_AS": "ada@example.com"}), "reports:handle"
    )
    assert_user_error(cli("reports", "show", "RP-0999", **hana), "there is no report RP-0999")
    assert_user_error(cli("reports", "list", "--status", "maybe", **hana), "no report status")


def test_an_action_against_a_protected_reporter_is_approved_then_runs_once(cli: Cli) -> None:
    _send(cli)
    refused = cli("users", "sign-out", "dana@example.com")
    assert_user_error(
        refused,
        "Dana Whitfield is protected from retaliation",
        "crownjewels reports approvals request dana@example.com --action end-sessions",
    )
    ada = {"CROWNJEWELS_AS": "ada@example.com"}
    asked = cli.ok(
        "reports", "approvals", "request", "dana@example.com", "--action", "end-sessions",
        "--reason", "A shared password was seen on her screen.", "--json", **ada,
    ).json()  # fmt: skip
    assert asked["ref"] == "AA-0001" and asked["status"] == "pending"
    assert_user_error(cli("reports", "approvals", "approve", "AA-0001", **ada), "reports:handle")
    hana = {"CROWNJEWELS_AS": "hana@example.com"}
    assert [a["ref"] for a in cli.ok("reports", "approvals", "list", "--json", **hana).json()] == [
        "AA-0001"
    ]
    assert "may run once" in cli.ok("reports", "approvals", "approve", "AA-0001", **hana).out
    assert "signed dana@example.com out" in cli.ok("users", "sign-out", "dana@example.com").out
    assert_user_error(cli("users", "sign-out", "dana@example.com"), "protected from retaliation")
    used = cli.ok("reports", "approvals", "list", "--status", "used", "--json", **ada).json()
    assert [a["ref"] for a in used] == ["AA-0001"]


def test_a_protection_ends_only_once_another_case_handler_approved(cli: Cli) -> None:
    _send(cli)
    hana, ivo = {"CROWNJEWELS_AS": "hana@example.com"}, {"CROWNJEWELS_AS": "ivo@example.com"}
    refs = [r["ref"] for r in cli.ok("reports", "list", "--json", **hana).json()]
    shown = [cli.ok("reports", "show", ref, "--json", **hana).json() for ref in refs]
    [ref] = [r["ref"] for r in shown if r["protected"] == "Dana Whitfield"]
    why = ("--reason", "The reporter is another Dana, from the Leeds plant.")
    assert_user_error(
        cli("reports", "lift-protection", ref, *why, **hana),
        "ending the protection from retaliation of dana@example.com",
        "--action lift-protection",
    )
    asked = cli.ok(
        "reports", "approvals", "request", "dana@example.com", "--action", "lift-protection",
        *why, "--json", **hana,
    ).json()  # fmt: skip
    cli.ok("reports", "approvals", "approve", asked["ref"], **ivo)
    done = cli.ok("reports", "lift-protection", ref, *why, **hana).out
    assert done.startswith(f"the reporter of {ref} is no longer protected from retaliation")
    assert cli.ok("reports", "show", ref, "--json", **hana).json()["protected"] is None
    assert "signed dana@example.com out" in cli.ok("users", "sign-out", "dana@example.com").out
