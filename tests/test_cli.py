"""The root command: init, upgrade, the "database not ready" messages, usage errors as one line
with exit code 2, and the installed entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from crownjewels.core import migrate
from tests.cli_helpers import Cli, assert_user_error
from tests.conftest import ENGINES, fresh_database_url


@pytest.fixture(params=ENGINES)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Cli:
    """An installation whose database exists but is empty (SQLite, and PostgreSQL when set)."""
    return Cli(tmp_path / "home", fresh_database_url(request.param, tmp_path, request))


def test_version_and_help_list_every_sub_command(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    assert cli.ok("--version").out.strip()
    help_text = cli.ok("--help").out
    for name in ("init", "upgrade", "serve", "demo", "users", "tokens", "orgs", "people"):
        assert name in help_text
    assert "secrets" in help_text and "custody" in help_text


def test_init_creates_the_schema_once_and_is_safe_to_repeat(fresh: Cli) -> None:
    first = fresh.ok("init")
    assert first.out.startswith("ready: database at ")
    assert (fresh.home / "secret.key").exists()
    assert fresh.sql("SELECT event_type FROM custody_event") == [("INSTALLATION_INITIALISED",)]
    fresh.ok("init")
    assert fresh.count("custody_event") == 1
    assert "already at the newest schema" in fresh.ok("upgrade").out
    assert "chain intact: 1 events" in fresh.ok("custody", "verify").out


def test_a_command_on_an_empty_database_says_run_init(fresh: Cli) -> None:
    assert_user_error(fresh("orgs", "list"), "crownjewels init")
    assert_user_error(fresh("orgs", "add", "X", "--kind", "vendor", "--country", "IN"), "init")
    assert_user_error(fresh("upgrade"), "crownjewels init")


def test_a_database_behind_the_code_says_run_upgrade(fresh: Cli) -> None:
    fresh.ok("init")
    fresh.sql("UPDATE alembic_version SET version_num = '0000_older'")
    run = fresh("orgs", "add", "Lotus", "--kind", "vendor", "--country", "IN")
    assert_user_error(run, "0000_older", "crownjewels upgrade")
    assert fresh.count("organisation") == 0
    assert fresh.count("custody_event") == 1
    assert_user_error(fresh("secrets", "list"), "crownjewels upgrade")
    fresh.sql("UPDATE alembic_version SET version_num = :head", head=migrate.head_revision())
    fresh.ok("orgs", "list")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("orgs", "add", "Lotus", "--kind", "vendor"), "--country"),
        (("orgs", "frobnicate"), "No such command"),
        (("people", "list", "--limit", "many"), "--limit"),
        (("secrets", "add"), "Missing argument 'name'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    cli = Cli(tmp_path)
    assert_user_error(cli(*args), needle, "--help")


def test_a_bare_group_prints_its_help(tmp_path: Path) -> None:
    run = Cli(tmp_path)("secrets")
    assert run.code == 2
    assert "add" in run.out + run.err and "retire" in run.out + run.err


@pytest.mark.slow
def test_the_installed_command_exits_2_with_one_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    assert_user_error(cli.binary("people", "list"), "crownjewels init")
    assert_user_error(cli.binary("orgs", "add", "X", "--kind", "vendor"), "--country")
    assert cli.binary("init").code == 0
    run = cli.binary("orgs", "add", "X", "--kind", "vendr", "--country", "IN")
    assert_user_error(run, "kind")
    assert cli.count("organisation") == 0
