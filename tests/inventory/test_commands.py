"""`crownjewels secrets ...`: register, list, show, update, review, retire through the real CLI;
bad input exits 2 with one line and leaves no row and no custody event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from crownjewels.core import clock
from tests.cli_helpers import Cli, assert_user_error
from tests.conftest import PgServer

OWNER = "elena@northwind.example"
ADD = (
    "secrets", "add", "NWB-17 formulation",
    "--description", "Excipient ratios and order of addition that keep NWB-17 stable.",
    "--category", "formula", "--tier", "highly-sensitive", "--owner", OWNER,
    "--unit", "R&D", "--value", "48000000", "--cost", "12500000.50", "--currency", "usd",
    "--region", "US", "--region", "deu", "--cadence", "60",
    "--factor", "measures=4:Need-to-know ELN group", "--factor", "value=5:Shelf life",
    "--legal-test", "not-generally-known=yes:searched 2026", "--legal-test",
    "reasonable-measures=unknown",
    "--location", "repository:ELN project NWB-17",
)  # fmt: skip


def _seed(cli: Cli) -> None:
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok(
        "people", "add", "Elena Vasquez", "--email", OWNER, "--org", "Northwind", "--country", "US"
    )
    cli.ok(
        "people",
        "add",
        "Sam Brooks",
        "--email",
        "sam@northwind.example",
        "--org",
        "Northwind",
        "--country",
        "US",
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("inventory-template"))
    cli.ok("init")
    _seed(cli)
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    """A fresh copy of an installation with our company and two people."""
    return template.copy_to(tmp_path / "home")


@pytest.fixture
def registered(cli: Cli) -> Cli:
    cli.ok(*ADD)
    return cli


def _state(cli: Cli) -> dict[str, int]:
    return {t: cli.count(t) for t in ("trade_secret", "secret_location", "custody_event")}


def test_add_then_show_as_json(cli: Cli) -> None:
    out = cli.ok(*ADD).out
    assert out.startswith("registered TS-0001 NWB-17 formulation (highly-sensitive, owner Elena")
    shown = cli.ok("secrets", "show", "TS-0001", "--json").json()
    assert shown["name"] == "NWB-17 formulation"
    assert (shown["category"], shown["tier"], shown["business_unit"]) == (
        "formula",
        "highly-sensitive",
        "R&D",
    )
    assert shown["owner_name"] == "Elena Vasquez"
    assert (shown["estimated_value"], shown["development_cost"], shown["currency"]) == (
        "48000000.00",
        "12500000.50",
        "USD",
    )
    assert shown["allowed_regions"] == ["DE", "US"]
    assert shown["review_cadence_days"] == 60
    assert shown["secrecy_assessment"]["measures"] == {
        "score": 4,
        "rationale": "Need-to-know ELN group",
    }
    assert shown["secrecy_score"] == 4.5
    assert shown["legal_tests"]["not-generally-known"] == {"met": True, "notes": "searched 2026"}
    assert shown["legal_tests"]["reasonable-measures"]["met"] is None
    assert [(loc["kind"], loc["name"]) for loc in shown["locations"]] == [
        ("repository", "ELN project NWB-17")
    ]
    assert shown["reviews"] == []
    assert "OUR COMPANY" in shown["legend"]
    events = [r[0] for r in cli.sql("SELECT event_type FROM custody_event ORDER BY seq")]
    assert events[-2:] == ["SECRET_REGISTERED", "SECRET_LOCATION_ADDED"]


def test_company_name_setting_names_the_legend(cli: Cli) -> None:
    cli.ok(*ADD, CROWNJEWELS_COMPANY_NAME="Northwind Biologics")
    legend = cli.ok("secrets", "show", "TS-0001", "--json").json()["legend"]
    assert "TRADE SECRET OF NORTHWIND BIOLOGICS" in legend


def test_description_from_a_file_and_from_stdin(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "desc.txt"
    path.write_text("Line one.\nLine two with ü.\n", encoding="utf-8")
    base = ("--category", "process", "--tier", "confidential", "--owner", OWNER)
    cli.ok("secrets", "add", "From file", "--description-file", str(path), *base)
    cli.ok("secrets", "add", "From stdin", "--description-file", "-", *base, input="Piped.\n")
    assert (
        "Line two with ü." in cli.ok("secrets", "show", "From file", "--json").json()["description"]
    )
    assert cli.ok("secrets", "show", "from stdin", "--json").json()["description"] == "Piped."
    text = cli.ok("secrets", "show", "From file").out
    assert "Line two with ü." in text and "secrecy assessment" in text


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (("--category", "recipe"), "category"),
        (("--tier", "top-secret"), "tier"),
        (("--region", "XX"), "ISO 3166"),
        (("--currency", "ABC"), "ISO 4217"),
        (("--value", "lots"), "estimated_value"),
        (("--value", "-5"), "estimated_value"),
        (("--cadence", "3"), "review_cadence_days"),
        (("--factor", "measures"), "NAME=SCORE"),
        (("--factor", "secrecy=4"), "known-outside"),
        (("--factor", "measures=9"), "secrecy_assessment"),
        (("--legal-test", "not-generally-known=maybe"), "yes|no|unknown"),
        (("--location", "cloud:somewhere"), "repository"),
        (("--owner", "ghost@northwind.example"), "no person"),
        (("--description-file", "/nonexistent/file.txt"), "cannot read"),
    ],
)
def test_add_bad_input_leaves_nothing(
    registered: Cli, change: tuple[str, ...], needle: str
) -> None:
    before = _state(registered)
    args = [*ADD]
    args[2] = "Another secret"
    option = change[0]
    if option in args and option not in ("--region", "--factor", "--legal-test", "--location"):
        i = args.index(option)
        args[i : i + 2] = change
    elif option == "--description-file":
        i = args.index("--description")
        args[i : i + 2] = change
    else:
        args += change
    assert_user_error(registered(*args), needle)
    assert _state(registered) == before


def test_add_duplicate_name_and_missing_owner(registered: Cli) -> None:
    before = _state(registered)
    dup = [*ADD]
    dup[2] = "nwb-17 FORMULATION"
    assert_user_error(registered(*dup), "already registered")
    assert_user_error(
        registered(
            "secrets",
            "add",
            "X",
            "--description",
            "d",
            "--category",
            "formula",
            "--tier",
            "sensitive",
        ),
        "--owner",
    )
    assert_user_error(
        registered(
            "secrets",
            "add",
            "X",
            "--description",
            "d",
            "--description-file",
            "-",
            "--category",
            "formula",
            "--tier",
            "sensitive",
            "--owner",
            OWNER,
        ),
        "not both",
    )
    assert_user_error(
        registered(
            "secrets", "add", "X", "--category", "formula", "--tier", "sensitive", "--owner", OWNER
        ),
        "description",
    )
    assert _state(registered) == before


def test_list_filters_and_pages(registered: Cli) -> None:
    registered.ok(
        "secrets",
        "add",
        "Customer list",
        "--description",
        "340 accounts",
        "--category",
        "customer-list",
        "--tier",
        "sensitive",
        "--owner",
        "sam@northwind.example",
    )
    page = registered.ok("secrets", "list", "--json").json()
    assert page["total"] == 2
    assert [s["ref"] for s in page["items"]] == ["TS-0002", "TS-0001"]
    by = {
        "--tier": ("highly-sensitive", ["TS-0001"]),
        "--category": ("customer-list", ["TS-0002"]),
        "--owner": ("sam@northwind.example", ["TS-0002"]),
        "--q": ("nwb", ["TS-0001"]),
        "--status": ("active", ["TS-0002", "TS-0001"]),
    }
    for option, (value, refs) in by.items():
        found = registered.ok("secrets", "list", option, value, "--json").json()["items"]
        assert [s["ref"] for s in found] == refs, option
    assert registered.ok("secrets", "list", "--overdue", "--json").json()["total"] == 0
    one = registered.ok("secrets", "list", "--limit", "1", "--offset", "1", "--json").json()
    assert (one["total"], one["limit"], one["offset"], one["items"][0]["ref"]) == (
        2,
        1,
        1,
        "TS-0001",
    )
    table = registered.ok("secrets", "list", "--limit", "1")
    assert "TS-0002" in table.out and "1-1 of 2" in table.err
    assert_user_error(registered("secrets", "list", "--tier", "secret"), "tier")
    assert_user_error(registered("secrets", "list", "--limit", "0"), "limit")
    assert_user_error(registered("secrets", "list", "--owner", "ghost@x.example"), "no person")


def test_update_fields_and_merge_factors(registered: Cli) -> None:
    out = registered.ok(
        "secrets",
        "update",
        "TS-0001",
        "--tier",
        "sensitive",
        "--factor",
        "effort=5:four years",
        "--legal-test",
        "reasonable-measures=yes:NDA in force",
        "--region",
        "ch",
        "--version",
        "1",
    ).out
    assert "now version 2" in out
    shown = registered.ok("secrets", "show", "TS-0001", "--json").json()
    assert shown["tier"] == "sensitive"
    assert shown["legend"].startswith("SENSITIVE")
    assert set(shown["secrecy_assessment"]) == {"measures", "value", "effort"}
    assert shown["legal_tests"]["reasonable-measures"] == {"met": True, "notes": "NDA in force"}
    assert shown["legal_tests"]["not-generally-known"]["met"] is True
    assert shown["allowed_regions"] == ["CH"]
    event = registered.sql("SELECT details FROM custody_event WHERE event_type = 'SECRET_UPDATED'")
    assert len(event) == 1 and '"tier":"highly-sensitive"' in event[0][0].replace(" ", "")
    registered.ok("secrets", "update", "nwb-17 formulation", "--owner", "sam@northwind.example")
    assert registered.ok("secrets", "show", "TS-0001", "--json").json()["owner_name"] == (
        "Sam Brooks"
    )


def test_update_bad_input_leaves_nothing(registered: Cli) -> None:
    registered.ok(
        "secrets",
        "add",
        "Other",
        "--description",
        "d",
        "--category",
        "design",
        "--tier",
        "confidential",
        "--owner",
        OWNER,
    )
    before = _state(registered)
    for args, needle in [
        ((), "nothing to change"),
        (("--tier", "ultra"), "tier"),
        (("--version", "7", "--unit", "Ops"), "changed by someone else"),
        (("--name", "other"), "already registered"),
        (("--owner", "ghost@x.example"), "no person"),
        (("--factor", "value=0"), "secrecy_assessment"),
    ]:
        assert_user_error(registered("secrets", "update", "TS-0001", *args), needle)
    assert_user_error(registered("secrets", "update", "TS-0404", "--unit", "x"), "no trade secret")
    assert _state(registered) == before


def test_review_and_overdue(registered: Cli) -> None:
    past = (clock.today() - timedelta(days=90)).isoformat()
    out = registered.ok(
        "secrets",
        "review",
        "TS-0001",
        "--outcome",
        "changes-needed",
        "--notes",
        "Renew the NDA",
        "--on",
        past,
    ).out
    due = (clock.today() - timedelta(days=30)).isoformat()
    assert f"next review on {due}" in out
    overdue = registered.ok("secrets", "list", "--overdue", "--json").json()["items"]
    assert [s["ref"] for s in overdue] == ["TS-0001"]
    assert overdue[0]["review_overdue"] is True
    assert "OVERDUE" in registered.ok("secrets", "list").out
    registered.ok("secrets", "review", "TS-0001")
    shown = registered.ok("secrets", "show", "TS-0001", "--json").json()
    assert [r["outcome"] for r in shown["reviews"]] == ["confirmed", "changes-needed"]
    assert shown["review_overdue"] is False
    assert "Renew the NDA" in registered.ok("secrets", "show", "TS-0001").out
    before = _state(registered)
    future = (clock.today() + timedelta(days=3)).isoformat()
    assert_user_error(registered("secrets", "review", "TS-0001", "--on", future), "future")
    assert_user_error(registered("secrets", "review", "TS-0001", "--outcome", "meh"), "outcome")
    assert _state(registered) == before


def test_retire(registered: Cli) -> None:
    before = _state(registered)
    assert_user_error(
        registered("secrets", "retire", "TS-0001", "--reason", "x", "--status", "active"),
        "retired, disclosed or lost",
    )
    assert_user_error(registered("secrets", "retire", "TS-0001", "--reason", " "), "reason")
    assert _state(registered) == before
    out = registered.ok("secrets", "retire", "TS-0001", "--reason", "Product discontinued").out
    assert "is now retired" in out
    shown = registered.ok("secrets", "show", "TS-0001", "--json").json()
    assert (shown["status"], shown["status_reason"]) == ("retired", "Product discontinued")
    assert registered.ok("secrets", "list", "--status", "retired", "--json").json()["total"] == 1
    assert_user_error(registered("secrets", "review", "TS-0001"), "only active secrets")
    registered.ok(
        "secrets",
        "add",
        "Leaky",
        "--description",
        "d",
        "--category",
        "other",
        "--tier",
        "confidential",
        "--owner",
        OWNER,
    )
    registered.ok("secrets", "retire", "Leaky", "--reason", "Posted online", "--status", "lost")
    assert_user_error(registered("secrets", "retire", "Leaky", "--reason", "again"), "lost")


@pytest.fixture
def pg_cli(pg_server: PgServer, tmp_path: Path) -> Iterator[Cli]:
    url = pg_server.create()
    cli = Cli(tmp_path / "home", url)
    cli.ok("init")
    yield cli
    pg_server.drop(url)


@pytest.mark.postgres
def test_secrets_commands_on_postgresql(pg_cli: Cli) -> None:
    _seed(pg_cli)
    pg_cli.ok(*ADD)
    shown = pg_cli.ok("secrets", "show", "TS-0001", "--json").json()
    assert shown["allowed_regions"] == ["DE", "US"]
    before = _state(pg_cli)
    assert_user_error(pg_cli(*ADD), "already registered")
    assert_user_error(
        pg_cli("secrets", "update", "TS-0001", "--version", "9", "--unit", "x"),
        "changed by someone else",
    )
    assert _state(pg_cli) == before
    pg_cli.ok("secrets", "review", "TS-0001", "--notes", "ok")
    assert pg_cli.ok("secrets", "list", "--json").json()["total"] == 1
    assert "chain intact" in pg_cli.ok("custody", "verify").out


def test_the_statutory_tests_are_printed_in_the_statutes_words(registered: Cli) -> None:
    """The first test has two prongs (18 U.S.C. §1839(3)(B); Directive (EU) 2016/943 Art.
    2(1)(a)): once it read "not generally known" alone, now "or readily ascertainable" too."""
    out = registered.ok("secrets", "show", "TS-0001").out
    tests = out[out.index("legal tests:") : out.index("locations:")]
    assert "not-generally-known" in tests
    assert "(Not generally known or readily ascertainable)" in tests
    assert "(Has commercial value because it is secret)" in tests
    assert "(Reasonable measures taken to keep it secret)" in tests


def test_the_personal_data_flag_is_set_and_cleared(registered: Cli) -> None:
    shown = registered.ok("secrets", "show", "TS-0001", "--json").json()
    assert (shown["personal_data"], shown["data_subject_regions"]) == (False, [])
    registered.ok(
        "secrets", "update", "TS-0001", "--personal-data", "--subjects-in", "fr",
        "--subjects-in", "DE",
    )  # fmt: skip
    shown = registered.ok("secrets", "show", "TS-0001", "--json").json()
    assert (shown["personal_data"], shown["data_subject_regions"]) == (True, ["DE", "FR"])
    registered.ok("secrets", "update", "TS-0001", "--no-personal-data")
    assert registered.ok("secrets", "show", "TS-0001", "--json").json()["personal_data"] is False


def test_set_a_locations_monitoring_patterns(cli: Cli) -> None:
    cli.ok(*ADD)
    ref = "TS-0001"
    set_ = cli.ok(
        "secrets", "patterns", ref, "ELN project NWB-17",
        "--pattern", "https://eln.example/nwb-17", "--pattern", "/srv/eln/nwb17/**", "--json",
    )  # fmt: skip
    (location,) = set_.json()["locations"]
    assert location["patterns"] == ["https://eln.example/nwb-17", "/srv/eln/nwb17/**"]
    assert "/srv/eln/nwb17/**" in cli.ok("secrets", "show", ref).out
    assert_user_error(cli("secrets", "patterns", ref, "no such place"), "has no location")
    cleared = cli.ok("secrets", "patterns", ref, location["id"]).out
    assert "none (not matched)" in cleared
