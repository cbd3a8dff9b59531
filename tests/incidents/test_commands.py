"""`crownjewels incidents …` end to end against a real installation: a case opened with its
facts, listed and shown, its clocks and a notice, the team and a task, moved, reviewed and
closed; the playbooks listed and a bad one checked with its line; mistakes in words."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from tests.cli_helpers import Cli, assert_user_error
from tests.inventory.factories import make_secret


def test_a_case_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    db = Database(cli.url)
    with db.unit_of_work() as s:
        make_secret(s, system_actor("test"), name="Pricing model")
    db.dispose()
    opened = cli.ok(
        "incidents",
        "open",
        "--title",
        "Pricing model sent to a reseller",
        "--kind",
        "disclosure",
        "--secret",
        "TS-0001",
        "--personal-data",
        "--subjects-in",
        "FR",
        "--jurisdiction",
        "FR",
        "--json",
    ).json()
    ref = opened["ref"]
    assert opened["playbook"] == "disclosure" and opened["tasks"]
    listed = cli.ok("incidents", "list", "--json").json()
    assert [c["ref"] for c in listed] == [ref]
    assert "Pricing model sent to a reseller" in cli.ok("incidents", "list").out
    shown = cli.ok("incidents", "show", ref).out
    assert "TS-0001 Pricing model" in shown
    clocks = cli.ok("incidents", "clocks", ref, "--json").json()
    gdpr = next(c for c in clocks if "33" in c["citation"])
    assert gdpr["status"] == "running"
    assert "Art. 33" in cli.ok("incidents", "clocks", ref).out
    cli.ok("incidents", "notify", ref, gdpr["key"], "--note", "CNIL online form")
    met = cli.ok("incidents", "clocks", ref, "--json").json()
    assert next(c for c in met if c["key"] == gdpr["key"])["status"] == "met"
    cli.ok("incidents", "task", ref, "1", "--status", "done")
    assert cli.ok("incidents", "tasks", ref, "--json").json()[0]["status"] == "done"
    cli.ok("incidents", "note", ref, "The reseller confirmed deletion.")
    assert "reseller confirmed" in cli.ok("incidents", "timeline", ref).out
    cli.ok("incidents", "move", ref, "investigating")
    assert_user_error(cli("incidents", "move", ref, "closed"), "post-incident review")
    cli.ok(
        "incidents",
        "review",
        ref,
        "--what-happened",
        "A rep mailed the model to a reseller.",
        "--root-cause",
        "No label on the file.",
        "--failed-measures",
        "Mail DLP.",
        "--changes",
        "Label pricing files; DLP rule.",
    )
    assert "closed" in cli.ok("incidents", "move", ref, "closed").out
    assert_user_error(cli("incidents", "note", ref, "late"), "closed")


def test_playbooks_and_mistakes(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    names = {p["name"] for p in cli.ok("incidents", "playbooks", "list", "--json").json()}
    assert {"theft", "personal-data", "canary"} <= names
    bad = tmp_path / "mine.yaml"
    bad.write_text("name: mine\nkind: theft\ntitle: Mine\n")
    run = cli("incidents", "playbooks", "check", str(bad))
    assert run.code != 0 and f"{bad}:" in run.err
    assert_user_error(
        cli("incidents", "open", "--title", "X happened", "--kind", "theft", "--secret", "TS-0404"),
        "TS-0404",
    )
    assert_user_error(cli("incidents", "show", "IN-0404"), "IN-0404")
