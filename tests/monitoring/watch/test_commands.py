"""`crownjewels monitor departures …` and `monitor reviews …` end to end against a real
installation, with --json; bad input named in words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.cli_helpers import Cli, assert_user_error
from tests.inventory.factories import make_secret
from tests.monitoring.watch.factories import at, events
from tests.parties.factories import make_person, make_user


def test_departures_and_reviews_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    admin = system_actor("test")
    db = Database(cli.url)
    with db.unit_of_work() as s:
        leaver = make_person(s, admin, name="Rohan Gupta")
        owner = make_person(s, admin, name="Olivia Owner")
        make_user(s, admin, Role.SECRET_OWNER, person=owner)
        secret = make_secret(s, admin, name="Brine recipe", owner=owner)
        day = clock.today() - timedelta(days=5)
        events(
            s,
            [
                {
                    "occurred_at": at(day, 2, n),
                    "action": "download",
                    "person_id": leaver.id,
                    "actor": leaver.email,
                    "secret_id": secret.id,
                    "document_id": f"d{n}",
                }
                for n in range(30)
            ],
        )
        leaver_email, owner_email, secret_ref = leaver.email, owner.email, secret.ref
        other_email = make_person(s, admin, name="Otto Other").email
    db.engine.dispose()

    today, last = clock.today(), clock.today() + timedelta(days=14)
    made = cli.ok(
        "monitor", "departures", "notice", leaver_email,
        "--notice", str(today), "--last-day", str(last), "--json",
    ).json()  # fmt: skip
    ref = made["ref"]
    assert made["heightened"] and made["lookback"]["unusual_days"]
    assert ref in cli.ok("monitor", "departures", "list").out
    shown = cli.ok("monitor", "departures", "show", ref).out
    assert "Rohan Gupta" in shown and "unusual day" in shown
    report = cli.ok("monitor", "departures", "report", ref, "--json").json()
    assert report["taken"][0]["count"] == 30 and report["taken"][0]["secret_ref"] == secret_ref
    assert "Exit obligations attested: no" in cli.ok("monitor", "departures", "report", ref).out
    bad = cli(
        "monitor", "departures", "notice", leaver_email, "--notice", "soon", "--last-day", str(last)
    )
    assert_user_error(bad, "--notice 'soon' is not a date; use YYYY-MM-DD")
    closed = cli.ok("monitor", "departures", "close", ref, "--reason", "all clear", "--json").json()
    assert closed["status"] == "closed"

    asked = cli.ok("monitor", "reviews", "create", "--json").json()
    review = next(r for r in asked if r["secret_ref"] == secret_ref)
    assert cli.ok("monitor", "reviews", "create", "--json").json() == []
    mine = cli.ok("--as", owner_email, "monitor", "reviews", "list", "--json").json()
    assert [r["ref"] for r in mine] == [review["ref"]]
    assert secret_ref in cli.ok("monitor", "reviews", "show", review["ref"]).out
    concern = cli(
        "--as", owner_email, "monitor", "reviews", "concern", review["ref"], "--comment", "hm"
    )
    assert_user_error(concern, "say what concerns you")
    done = cli.ok(
        "--as", owner_email, "monitor", "reviews", "sign-off", review["ref"], "--json"
    ).json()
    assert done["status"] == "signed-off"
    assert cli.ok("monitor", "reviews", "overdue", "--json").json() == []

    # HR's own command: a notice on `people depart` opens the watch too
    cli.ok("people", "depart", other_email, "--on", str(last), "--notice", str(today))
    listed = cli.ok("monitor", "departures", "list", "--status", "open", "--json").json()
    assert [w["person_email"] for w in listed] == [other_email]
