"""`crownjewels monitor alerts ...` end to end against a real installation: the queue with its
filters, one alert with its evidence, each action (with --json), the per-rule feedback, and
refusals as one plain line."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.cli_helpers import Cli, assert_user_error
from tests.monitoring.triage.world import make_triage_world
from tests.parties.factories import make_person, make_user


def test_triage_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    admin = system_actor("test")
    db = Database(cli.url)
    with db.unit_of_work() as s:
        world = make_triage_world(s, admin)
        analyst = make_person(s, admin, name="Sana Analyst")
        make_user(s, admin, Role.SECURITY, person=analyst)
        owner = make_person(s, admin, name="Omar Owner")
        make_user(s, admin, Role.SECRET_OWNER, person=owner)
        analyst_email, owner_email = analyst.email, owner.email
    db.engine.dispose()
    as_analyst = ("--as", analyst_email)

    listed = cli.ok(*as_analyst, "monitor", "alerts", "list").out
    assert world.alert in listed and world.quiet in listed and "2 open" in listed
    queue = cli.ok(*as_analyst, "monitor", "alerts", "list", "--severity", "low", "--json").json()
    assert [a["ref"] for a in queue["alerts"]] == [world.quiet]
    shown = cli.ok(*as_analyst, "monitor", "alerts", "show", world.alert, "--json").json()
    assert shown["alert"]["person_name"] == world.rohan and shown["events_total"] == 8
    assert (
        "evidence: 8 event(s)" in cli.ok(*as_analyst, "monitor", "alerts", "show", world.alert).out
    )

    assigned = cli.ok(*as_analyst, "monitor", "alerts", "assign", world.alert, "--json").json()
    assert assigned["status"] == "assigned" and assigned["assignee_name"] == "Sana Analyst"
    cli.ok(*as_analyst, "monitor", "alerts", "comment", world.alert, "Asked his manager")
    suspended = cli.ok(
        *as_analyst, "monitor", "alerts", "suspend", world.alert, "--reason", "hold", "--json"
    ).json()
    assert suspended["grants"] == [world.grant]
    assert (
        "confirmed as a true positive"
        in cli.ok(
            *as_analyst, "monitor", "alerts", "confirm", world.alert, "--note", "copied to USB"
        ).out
    )
    dismissed = cli.ok(
        *as_analyst, "monitor", "alerts", "dismiss", world.quiet, "--reason", "nightly CI job"
    ).out
    assert "dismissed: nightly CI job" in dismissed
    assert (
        "reopened; now open"
        in cli.ok(
            *as_analyst, "monitor", "alerts", "reopen", world.quiet, "--reason", "ran at noon"
        ).out
    )
    escalated = cli.ok(
        *as_analyst, "monitor", "alerts", "escalate", world.quiet, "--note", "shared key"
    ).out
    assert "escalated to IN-0001" in escalated  # the incidents capability opened a case
    rules = cli.ok(*as_analyst, "monitor", "alerts", "rules", "--json").json()
    assert {r["rule_id"]: (r["dismissed"], r["confirmed"]) for r in rules} == {
        "off-hours": (0, 0),
        "bulk-download": (0, 1),
    }
    assert cli.count("monitoring_alert_note") == 7

    assert_user_error(
        cli(*as_analyst, "monitor", "alerts", "dismiss", world.alert, "--reason", "second look"),
        "reopen it first",
    )
    refused = cli("--as", owner_email, "monitor", "alerts", "list")
    assert refused.code == 0 and world.alert not in refused.out  # owns neither secret
    denied = cli("--as", owner_email, "monitor", "alerts", "comment", world.alert, "hello")
    assert denied.code != 0 and f"no alert {world.alert!r}" in denied.err
