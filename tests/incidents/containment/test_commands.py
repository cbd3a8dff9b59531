"""`crownjewels incidents contain|uncontain|containment` against a real installation: the
preview in words and as JSON, asked before it runs (a no changes nothing), kinds left out with
--skip, the runs listed, the reversal with what stays; mistakes as one plain line."""

from __future__ import annotations

import os
from pathlib import Path

from crownjewels.core.db import Database
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vault.service import Vault
from tests.cli_helpers import Cli, assert_user_error
from tests.incidents.containment.world import build


def test_contain_and_uncontain_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    db = Database(cli.url)
    store = Vault(
        store=LocalBlobStore(tmp_path / "blobs"),
        keys=KeyRing(LocalKeyProvider(os.urandom(32), source="test")),
        segment_size=4096,
        max_upload=1 << 20,
    )
    with db.unit_of_work() as session:
        world = build(session, store)
    db.dispose()
    case = world.case
    shown = cli.ok("incidents", "contain", case, "--preview").out
    assert "Would change: 6 grants of 3 people at Lotus Process Services" in shown
    assert "Revoke their API tokens: 3 (not reversible: stay revoked)" in shown
    plan = cli.ok("incidents", "contain", case, "--preview", "--json").json()
    assert plan["case"] == case and len(plan["digest"]) == 20
    assert_user_error(cli("incidents", "contain", case, "--skip", "bogus"), "no kind of change")
    assert_user_error(cli("incidents", "contain", case, "--json"), "add --yes")
    declined = cli("incidents", "contain", case, "--skip", "tokens", input="n\n")
    assert declined.code == 1 and "nothing was changed" in declined.out
    assert "(left out: --skip)" in declined.out
    assert cli.count("incident_containment") == 0
    ran = cli.ok("incidents", "contain", case, "--skip", "tokens,vendors", input="y\n").out
    assert (
        "Would change: 6 grants of 3 people at Lotus Process Services; 2 accounts; 2 sessions;"
        in ran
    )
    assert f"{case} contained: 6 grants of 3 people" in ran and "3 tokens" not in ran
    [run] = cli.ok("incidents", "containment", case, "--json").json()
    assert run["number"] == 1 and run["reversed_at"] is None
    assert_user_error(cli("incidents", "uncontain", case, "--reason", "x"), "at least 3")
    undone = cli.ok("incidents", "uncontain", case, "--reason", "a false alarm").out
    assert undone.startswith(f"{case}: ") and "  undone: " in undone
    assert "stays marked compromised" in undone
    again = cli.ok("incidents", "contain", case, "--yes", "--json").json()
    assert again["containment"]["number"] == 2
