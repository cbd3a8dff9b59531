"""`crownjewels custody verify|log|show`: a green chain exits 0, a tampered one exits 1 naming
the first broken event; the log filters by subject, actor, type and time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from crownjewels.core import clock
from tests.cli_helpers import Cli, assert_user_error
from tests.conftest import PgServer

PASSWORD = "correct-horse-42-battery"


def _seed(cli: Cli) -> None:
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("orgs", "add", "Lotus", "--kind", "vendor", "--country", "IN")
    cli.ok(
        "people",
        "add",
        "Elena Vasquez",
        "--email",
        "elena@northwind.example",
        "--org",
        "Northwind",
        "--country",
        "US",
    )
    cli.ok("users", "create", "elena@northwind.example", "-r", "auditor", "--password", PASSWORD)
    cli.ok(
        "secrets",
        "add",
        "Formula",
        "--description",
        "d",
        "--category",
        "formula",
        "--tier",
        "sensitive",
        "--owner",
        "elena@northwind.example",
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("custody-template"))
    _seed(cli)
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    """A fresh copy of an installation with 6 custody events."""
    return template.copy_to(tmp_path / "home")


@pytest.fixture
def pg_cli(pg_server: PgServer, tmp_path: Path) -> Iterator[Cli]:
    url = pg_server.create()
    cli = Cli(tmp_path / "home", url)
    _seed(cli)
    yield cli
    pg_server.drop(url)


def _tamper(cli: Cli, seq: int) -> None:
    """What someone with write access to the database file could do."""
    if cli.url.startswith("postgresql"):
        cli.sql("DROP TRIGGER custody_event_no_update_delete ON custody_event")
    else:
        cli.sql("DROP TRIGGER custody_event_no_update")
    cli.sql("UPDATE custody_event SET details = :d WHERE seq = :seq", d='{"forged":true}', seq=seq)


def _check_verify_and_tamper(cli: Cli) -> None:
    head_seq, head_hash = cli.sql("SELECT seq, hash FROM custody_event ORDER BY seq DESC")[0]
    run = cli.ok("custody", "verify")
    assert run.out.strip() == f"chain intact: {head_seq} events, head {head_seq} {head_hash}"
    assert cli.ok("custody", "verify", "--json").json()["ok"] is True
    _tamper(cli, 3)
    run = cli("custody", "verify")
    assert run.code == 1
    assert "event #3 was altered" in run.err
    assert "#3 ORGANISATION_CREATED organisation:" in run.err
    assert "the 2 events before it verify" in run.err
    assert run.out == ""
    result = cli("custody", "verify", "--json")
    assert result.code == 1 and result.json()["first_broken_seq"] == 3


def test_verify_green_then_tampered(cli: Cli) -> None:
    _check_verify_and_tamper(cli)


@pytest.mark.slow
def test_verify_exit_codes_through_the_installed_command(cli: Cli) -> None:
    assert cli.binary("custody", "verify").code == 0
    _tamper(cli, 5)
    run = cli.binary("custody", "verify")
    assert run.code == 1
    assert "event #5" in run.err


def test_verify_names_a_deleted_event(cli: Cli) -> None:
    cli.sql("DROP TRIGGER custody_event_no_delete")
    cli.sql("DELETE FROM custody_event WHERE seq = 4")
    run = cli("custody", "verify")
    assert run.code == 1
    assert "event #4 is missing" in run.err


@pytest.mark.postgres
def test_verify_on_postgresql(pg_cli: Cli) -> None:
    _check_verify_and_tamper(pg_cli)


def test_log_lists_newest_first_and_filters(cli: Cli) -> None:
    page = cli.ok("custody", "log", "--json").json()
    assert page["total"] == 6
    assert [e["seq"] for e in page["items"]] == [6, 5, 4, 3, 2, 1]
    assert page["items"][-1]["event_type"] == "INSTALLATION_INITIALISED"
    secret_id = cli.sql("SELECT id FROM trade_secret")[0][0]
    about = cli.ok("custody", "log", "--subject", f"secret:{secret_id}", "--json").json()
    assert [e["event_type"] for e in about["items"]] == ["SECRET_REGISTERED"]
    assert about["items"][0]["details"]["ref"] == "TS-0001"
    by_ref = cli.ok("custody", "log", "--subject", "TS-0001", "--json").json()
    assert by_ref["items"] == about["items"]  # the ref a person reads finds the same events
    table = cli.ok("custody", "log", "--subject", "TS-0001").out
    assert "TS-0001" in table and "Secret registered" in table and secret_id not in table
    typed = cli.ok("custody", "log", "--type", "organisation_created", "--json").json()
    assert typed["total"] == 2
    actor = page["items"][0]["actor"]
    assert cli.ok("custody", "log", "--actor", actor, "--json").json()["total"] == 6
    assert cli.ok("custody", "log", "--actor", "user:nobody", "--json").json()["total"] == 0
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    assert cli.ok("custody", "log", "--since", tomorrow, "--json").json()["total"] == 0
    assert cli.ok("custody", "log", "--until", yesterday, "--json").json()["total"] == 0
    window = ("--since", f"{yesterday}T00:00:00+00:00", "--until", tomorrow)
    assert cli.ok("custody", "log", *window, "--json").json()["total"] == 6
    short = cli.ok("custody", "log", "--limit", "2")
    assert short.out.splitlines()[0].split() == ["SEQ", "AT", "ACTOR", "TYPE", "SUBJECT"]
    assert len(short.out.splitlines()) == 3 and "1-2 of 6" in short.err


def test_log_bad_input(cli: Cli) -> None:
    assert_user_error(
        cli("custody", "log", "--subject", "TS-9999"),
        "No secret, agreement or vendor is called TS-9999",
    )
    assert_user_error(cli("custody", "log", "--actor", "nobody@x.example"), "No one with a login")
    assert_user_error(cli("custody", "log", "--type", "SECRET_STOLEN"), "not an event type")
    assert_user_error(cli("custody", "log", "--since", "last tuesday"), "ISO")
    assert_user_error(cli("custody", "log", "--limit", "9999"), "limit")


def test_show_one_event(cli: Cli) -> None:
    event = cli.ok("custody", "show", "1", "--json").json()
    assert event["event_type"] == "INSTALLATION_INITIALISED"
    assert event["prev_hash"] == "0" * 64
    assert "INSTALLATION_INITIALISED" in cli.ok("custody", "show", "1").out
    assert_user_error(cli("custody", "show", "99"), "no custody event #99")


def test_roles_are_checked(cli: Cli) -> None:
    as_auditor = ("--as", "elena@northwind.example")
    assert cli.ok(*as_auditor, "custody", "verify").code == 0
    log = cli.ok(*as_auditor, "custody", "log", "--json").json()
    assert log["total"] == 7  # six events, then the auditor's verification of them
    assert log["items"][0]["event_type"] == "CHAIN_VERIFIED"
    # signing is a write: the auditor verifies, but neither signs nor exports (which signs)
    assert_user_error(cli(*as_auditor, "custody", "checkpoint"), "custody:sign")
    assert_user_error(
        cli(*as_auditor, "custody", "export", "--subject", "secret:x", "--out", "x.zip"),
        "custody:sign",
    )
    cli.ok(
        "people",
        "add",
        "Arjun",
        "--email",
        "arjun@lotus.example",
        "--org",
        "Lotus",
        "--country",
        "IN",
        "--kind",
        "vendor-staff",
    )
    cli.ok("users", "create", "arjun@lotus.example", "-r", "vendor-user", "--password", PASSWORD)
    as_vendor = ("--as", "arjun@lotus.example")
    assert_user_error(cli(*as_vendor, "custody", "verify"), "custody:verify")
    assert_user_error(cli(*as_vendor, "custody", "log"), "custody:read")
