"""The lifecycle CLI end to end against a real installation: `access review start|list|show|
decide|close|export`, `access offboard`, `access offboarding show|certify|report`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.cli_helpers import Cli
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person, make_user


def test_review_and_offboard_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    admin = system_actor("test")
    db = Database(cli.url)
    with db.unit_of_work() as s:
        org = partner(s, admin)
        nda(s, admin, org=org)
        leaver = bound_person(s, admin, org=org)
        owner = make_person(s, admin, name="Olivia Owner")
        make_user(s, admin, Role.SECRET_OWNER, person=owner)
        secret = make_secret(s, admin, name="Brine recipe", owner=owner)
        grant = granted(s, admin, person=leaver, secret=secret)
        leaver_email, grant_ref, owner_email = leaver.email, grant.ref, owner.email
    db.engine.dispose()

    started = cli.ok("access", "review", "start", "Q4 review", "--json").json()
    assert started["total"] == 1
    ref = started["ref"]
    assert ref in cli.ok("access", "review", "list").out
    item = cli.ok("access", "review", "show", ref, "--json").json()["items"][0]
    assert item["grant_ref"] == grant_ref
    assert (
        "confirm"
        in cli.ok("--as", owner_email, "access", "review", "decide", item["id"], "confirm").out
    )
    assert "1 of 1 decided" in cli.ok("access", "review", "close", ref).out
    rows = list(csv.DictReader(io.StringIO(cli.ok("access", "review", "export", ref).out)))
    assert rows[0]["decision"] == "confirm"

    made = cli.ok("access", "offboard", leaver_email, "--json").json()
    assert made["grants_revoked"] == 1
    off = made["ref"]
    statement = "I returned every copy of the Brine recipe and shredded my notes."
    assert (
        "certificate collected"
        in cli.ok("access", "offboarding", "certify", off, "--statement", statement).out
    )
    shown = json.loads(cli.ok("access", "offboarding", "show", off, "--json").out)
    assert shown["statement_sha256"] and shown["status"] == "open"
    report = json.loads(cli.ok("access", "offboarding", "report", off).out)
    assert report["person_ids"] == [made["person_id"]]
    assert cli.ok("access", "offboarding", "report", off, "--csv").out.startswith("at,event_type")
