"""`crownjewels users|tokens|orgs|people`: happy paths with --json, and bad input that exits 2
with one line and leaves no row and no custody event."""

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
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok(
        "orgs",
        "add",
        "Lotus Process",
        "--kind",
        "vendor",
        "--country",
        "IND",
        "--website",
        "https://lotus.example",
    )
    cli.ok(
        "people",
        "add",
        "Dana Whitfield",
        "--email",
        "Dana@Northwind.example",
        "--org",
        "northwind",
        "--country",
        "US",
        "--title",
        "IT Director",
    )
    cli.ok(
        "people",
        "add",
        "Arjun Mehta",
        "--email",
        "arjun@lotus.example",
        "--org",
        "Lotus Process",
        "--country",
        "IN",
        "--kind",
        "vendor-staff",
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("parties-template"))
    cli.ok("init")
    _seed(cli)
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    """A fresh copy of an installation with two organisations and two people."""
    return template.copy_to(tmp_path / "home")


@pytest.fixture
def pg_cli(pg_server: PgServer, tmp_path: Path) -> Iterator[Cli]:
    url = pg_server.create()
    cli = Cli(tmp_path / "home", url)
    cli.ok("init")
    yield cli
    pg_server.drop(url)


def _unchanged(cli: Cli, *tables: str) -> dict[str, int]:
    return {t: cli.count(t) for t in (*tables, "custody_event")}


# --- organisations ---------------------------------------------------------------------------


def test_orgs_add_list_show(cli: Cli) -> None:
    page = cli.ok("orgs", "list", "--json").json()
    assert page["total"] == 2
    assert [o["name"] for o in page["items"]] == ["Lotus Process", "Northwind"]
    lotus = cli.ok("orgs", "show", "lotus process", "--json").json()
    assert (lotus["kind"], lotus["country"], lotus["website"]) == (
        "vendor",
        "IN",
        "https://lotus.example",
    )
    assert cli.ok("orgs", "show", lotus["id"], "--json").json()["name"] == "Lotus Process"
    assert "Lotus Process" in cli.ok("orgs", "show", "Lotus Process").out
    vendors = cli.ok("orgs", "list", "--kind", "vendor", "--country", "in", "--json").json()
    assert [o["name"] for o in vendors["items"]] == ["Lotus Process"]
    table = cli.ok("orgs", "list").out
    assert table.splitlines()[0].split() == ["ID", "NAME", "KIND", "COUNTRY", "STATUS", "WEBSITE"]
    assert (
        cli.ok("orgs", "list", "--limit", "1", "--offset", "1", "--json").json()["items"][0]["name"]
        == "Northwind"
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--kind", "vendr", "--country", "PH"), "kind"),
        (("--kind", "vendor", "--country", "XX"), "ISO 3166"),
        (("--kind", "vendor", "--country", "PH", "--status", "sleeping"), "status"),
        (("--kind", "own", "--country", "US"), "own company is already recorded"),
    ],
)
def test_orgs_add_bad_input_leaves_nothing(cli: Cli, args: tuple[str, ...], needle: str) -> None:
    before = _unchanged(cli, "organisation")
    assert_user_error(cli("orgs", "add", "Bayani", *args), needle)
    assert _unchanged(cli, "organisation") == before


def test_orgs_duplicate_name_and_unknown_org(cli: Cli) -> None:
    before = _unchanged(cli, "organisation")
    run = cli("orgs", "add", "LOTUS PROCESS", "--kind", "vendor", "--country", "IN")
    assert_user_error(run, "already exists")
    assert _unchanged(cli, "organisation") == before
    assert_user_error(cli("orgs", "show", "Nowhere Ltd"), "no organisation", "orgs list")
    assert_user_error(cli("orgs", "list", "--kind", "alien"), "kind")


# --- people ----------------------------------------------------------------------------------


def test_people_add_list_show_depart(cli: Cli) -> None:
    dana = cli.ok("people", "show", "dana@northwind.example", "--json").json()
    assert dana["email"] == "dana@northwind.example"
    assert dana["organisation_name"] == "Northwind"
    assert dana["title"] == "IT Director"
    page = cli.ok("people", "list", "--org", "Lotus Process", "--json").json()
    assert [p["full_name"] for p in page["items"]] == ["Arjun Mehta"]
    assert cli.ok("people", "list", "--kind", "vendor-staff", "--json").json()["total"] == 1
    assert cli.ok("people", "list", "--q", "whit", "--json").json()["total"] == 1
    future = clock.today() + timedelta(days=30)
    out = cli.ok("people", "depart", "arjun@lotus.example", "--on", future.isoformat()).out
    assert "departing" in out
    assert cli.ok("people", "list", "--status", "departing", "--json").json()["total"] == 1
    cli.ok("people", "depart", dana["id"])
    shown = cli.ok("people", "show", dana["id"], "--json").json()
    assert (shown["status"], shown["departed_on"]) == ("departed", clock.today().isoformat())
    assert "Dana Whitfield" in cli.ok("people", "list").out
    types = [r[0] for r in cli.sql("SELECT event_type FROM custody_event ORDER BY seq")]
    assert types[-2:] == ["PERSON_DEPARTING", "PERSON_DEPARTED"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--email", "not-an-email", "--org", "Northwind", "--country", "US"), "email"),
        (("--email", "x@northwind.example", "--org", "Nowhere", "--country", "US"), "Nowhere"),
        (("--email", "x@northwind.example", "--org", "Northwind", "--country", "ZZ"), "ISO"),
        (
            ("--email", "DANA@northwind.example", "--org", "Northwind", "--country", "US"),
            "already exists",
        ),
        (
            (
                "--email",
                "x@northwind.example",
                "--org",
                "Northwind",
                "--country",
                "US",
                "--kind",
                "robot",
            ),
            "kind",
        ),
    ],
)
def test_people_add_bad_input_leaves_nothing(cli: Cli, args: tuple[str, ...], needle: str) -> None:
    before = _unchanged(cli, "person")
    assert_user_error(cli("people", "add", "Someone", *args), needle)
    assert _unchanged(cli, "person") == before


def test_people_depart_bad_input(cli: Cli) -> None:
    before = _unchanged(cli, "person")
    assert_user_error(cli("people", "depart", "nobody@x.example"), "no person")
    assert_user_error(cli("people", "depart", "arjun@lotus.example", "--on", "2999-01-01"), "year")
    assert_user_error(cli("people", "depart", "arjun@lotus.example", "--on", "soon"), "on")
    assert _unchanged(cli, "person") == before
    cli.ok("people", "depart", "arjun@lotus.example")
    assert_user_error(cli("people", "depart", "arjun@lotus.example"), "already departed")


# --- users and tokens ------------------------------------------------------------------------


def test_users_create_with_prompt_and_list(cli: Cli) -> None:
    run = cli.ok(
        "users",
        "create",
        "dana@northwind.example",
        "--role",
        "admin",
        "-r",
        "Legal",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert "admin, legal" in run.out
    assert PASSWORD not in run.out
    cli.ok(
        "users",
        "create",
        "arjun@lotus.example",
        "--role",
        "vendor_user",
        CROWNJEWELS_NEW_PASSWORD=PASSWORD,
    )
    users = cli.ok("users", "list", "--json").json()
    assert [(u["username"], u["roles"], u["mfa_required"]) for u in users] == [
        ("arjun@lotus.example", ["vendor-user"], True),
        ("dana@northwind.example", ["admin", "legal"], True),
    ]
    assert "dana@northwind.example" in cli.ok("users", "list").out
    hashes = [r[0] for r in cli.sql("SELECT password_hash FROM app_user")]
    assert all(h.startswith("$argon2") for h in hashes)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("dana@northwind.example", "--role", "wizard", "--password", PASSWORD), "unknown role"),
        (("dana@northwind.example", "--password", PASSWORD), "at least one --role"),
        (("dana@northwind.example", "--role", "admin", "--password", "short"), "12"),
        (("dana@northwind.example", "--role", "admin", "--password", "abcdefghijklmnop"), "mix"),
        (("ghost@northwind.example", "--role", "admin", "--password", PASSWORD), "no person"),
    ],
)
def test_users_create_bad_input_leaves_nothing(
    cli: Cli, args: tuple[str, ...], needle: str
) -> None:
    before = _unchanged(cli, "app_user")
    assert_user_error(cli("users", "create", *args), needle)
    assert _unchanged(cli, "app_user") == before


def test_users_create_twice_is_a_conflict(cli: Cli) -> None:
    cli.ok("users", "create", "dana@northwind.example", "-r", "admin", "--password", PASSWORD)
    before = _unchanged(cli, "app_user")
    run = cli("users", "create", "dana@northwind.example", "-r", "legal", "--password", PASSWORD)
    assert_user_error(run, "already has a login")
    assert _unchanged(cli, "app_user") == before


def test_tokens_create_list_revoke(cli: Cli) -> None:
    cli.ok("users", "create", "dana@northwind.example", "-r", "admin", "--password", PASSWORD)
    run = cli.ok(
        "tokens",
        "create",
        "--name",
        "ci",
        "--user",
        "dana@northwind.example",
        "--scope",
        "write",
        "--days",
        "30",
    )
    token = run.out.strip()
    assert token.startswith("cj_") and "\n" not in token
    assert "shown only once" in run.err
    issued = cli.ok(
        "--as", "dana@northwind.example", "tokens", "create", "--name", "export", "--json"
    ).json()
    assert issued["token"].startswith("cj_") and issued["scopes"] == ["read"]
    mine = cli.ok("--as", "dana@northwind.example", "tokens", "list", "--json").json()
    assert sorted(t["name"] for t in mine) == ["ci", "export"]
    assert all("token" not in t for t in mine)
    listed = cli.ok("tokens", "list", "--user", "dana@northwind.example", "--json").json()
    ci = next(t for t in listed if t["name"] == "ci")
    assert ci["scopes"] == ["read", "write"]
    assert token not in cli.ok("tokens", "list", "--user", "dana@northwind.example").out
    assert "revoked" in cli.ok("tokens", "revoke", ci["id"]).out
    assert_user_error(cli("tokens", "revoke", ci["id"]), "already revoked")
    listed = cli.ok("tokens", "list", "--user", "dana@northwind.example", "--json").json()
    assert next(t for t in listed if t["name"] == "ci")["revoked_at"] is not None


def test_tokens_bad_input(cli: Cli) -> None:
    before = _unchanged(cli, "api_token")
    assert_user_error(cli("tokens", "create", "--name", "x"), "--user EMAIL")
    assert_user_error(
        cli("tokens", "create", "--name", "x", "--user", "dana@northwind.example"), "has no login"
    )
    cli.ok("users", "create", "dana@northwind.example", "-r", "admin", "--password", PASSWORD)
    before = _unchanged(cli, "api_token")
    user = ("--user", "dana@northwind.example")
    assert_user_error(cli("tokens", "create", "--name", "x", "--scope", "admin", *user), "scope")
    assert_user_error(cli("tokens", "create", "--name", "x", "--days", "999", *user), "days")
    assert_user_error(cli("tokens", "revoke", "01NOTATOKEN"), "no token")
    assert _unchanged(cli, "api_token") == before


def test_acting_as_a_user_applies_their_roles(cli: Cli) -> None:
    cli.ok("users", "create", "arjun@lotus.example", "-r", "vendor-user", "--password", PASSWORD)
    before = _unchanged(cli, "organisation")
    run = cli(
        "--as", "arjun@lotus.example", "orgs", "add", "X", "--kind", "vendor", "--country", "PH"
    )
    assert_user_error(run, "needs the parties:write permission")
    assert _unchanged(cli, "organisation") == before
    assert_user_error(cli("--as", "nobody@x.example", "orgs", "list"), "no person")


@pytest.mark.postgres
def test_parties_commands_on_postgresql(pg_cli: Cli) -> None:
    _seed(pg_cli)
    assert pg_cli.ok("orgs", "list", "--json").json()["total"] == 2
    assert pg_cli.ok("people", "list", "--json").json()["total"] == 2
    before = _unchanged(pg_cli, "person")
    run = pg_cli(
        "people",
        "add",
        "X",
        "--email",
        "dana@northwind.example",
        "--org",
        "Northwind",
        "--country",
        "US",
    )
    assert_user_error(run, "already exists")
    assert _unchanged(pg_cli, "person") == before
    assert "chain intact: 5 events" in pg_cli.ok("custody", "verify").out
