"""`crownjewels incidents letters|letter|legal-step|legal-steps` against a real installation
(its world built through the services): the letters listed, a cease-and-desist letter written
as DOCX naming its recipient, the briefing printed as text, legal steps recorded and listed;
refusals as one plain line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.text import docx_text
from tests.cli_helpers import Cli, assert_user_error
from tests.incidents.legal.world import make_world


def test_letters_and_legal_steps_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    db = Database(cli.url)
    with db.unit_of_work() as s:
        world = make_world(s, system_actor("test"), cli.home)
    db.dispose()
    ref = world.case_ref
    listed = cli.ok("incidents", "letters", ref, "--json").json()
    assert [t["key"] for t in listed] == ["cease-and-desist", "internal-briefing"]
    assert "cease-and-desist" in cli.ok("incidents", "letters", ref, "--all").out
    out = tmp_path / "cease.docx"
    cli.ok(
        "--as", world.legal_email, "incidents", "letter", ref, "cease-and-desist",
        "--to", world.jonas_email, "--agreement", world.agreement_ref, "--out", str(out),
    )  # fmt: skip
    words = docx_text(out.read_bytes(), out.name)
    assert "Dana Whitfield" in words and "Jonas Berg" in words and world.copy_id in words
    briefing = cli.ok("incidents", "letter", ref, "internal-briefing", "--format", "text")
    assert briefing.out.startswith(f"# Internal briefing: {ref}")
    assert "[to complete: the signatory's name]" in briefing.out  # the operator is no person
    assert_user_error(
        cli("incidents", "letter", ref, "cease-and-desist"), "choose its recipient", "Jonas Berg"
    )
    yesterday = (clock.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    done = cli.ok(
        "incidents", "legal-step", ref, "counsel-engaged", "--at", yesterday, "--note", "Hale & Co"
    )
    assert done.out.startswith(f"{ref}: legal step 1 recorded: outside counsel engaged")
    tomorrow = (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert_user_error(
        cli("incidents", "legal-step", ref, "settlement", "--at", tomorrow),
        "cannot be taken in the future",
    )
    steps = cli.ok("incidents", "legal-steps", ref, "--json").json()
    assert [(s["kind"], s["note"]) for s in steps] == [("counsel-engaged", "Hale & Co")]
    assert "Hale & Co" in cli.ok("incidents", "legal-steps", ref).out
