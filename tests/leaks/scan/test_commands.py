"""`crownjewels leaks scan …`, `scans`, `scan-show`, `matches`, `match`, the review commands and
`watches …` end to end against a real installation, with --json; bad input named in words."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from tests.cli_helpers import Cli, assert_user_error
from tests.leaks.scan.world import UNRELATED, excerpt, make_world


def test_scan_review_and_watch_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    db = Database(cli.url)
    with db.unit_of_work() as s:
        world = make_world(s, system_actor("test"), cli.home)
    db.engine.dispose()
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "utils.py").write_text(excerpt())
    (dump / "main.py").write_text(UNRELATED)

    out = cli.ok("leaks", "scan", str(dump)).out
    assert f"LS-0001 folder {dump}: 2 files" in out and "1 match" in out
    assert "LM-0001 utils.py: " in out and "identifiers renamed" in out
    (pasted,) = cli.ok("leaks", "scan", "--text", "-", "--json", input=excerpt()).json()
    assert pasted["target"] == "text from standard input" and len(pasted["found"]) == 1
    assert [s["ref"] for s in cli.ok("leaks", "scans", "--json").json()] == ["LS-0002", "LS-0001"]
    shown = cli.ok("leaks", "scan-show", "LS-0001").out
    assert "main.py" in shown and "utils.py" in shown
    assert len(cli.ok("leaks", "matches", "--json").json()) == 2
    match = cli.ok("leaks", "match", "LM-0001").out
    assert f"{world.secret_ref}" in match and "lines " in match
    assert_user_error(cli("leaks", "dismiss", "LM-0001", "--reason", "x"), "say why")
    assert (
        "LM-0001 dismissed: a licensed copy"
        in cli.ok("leaks", "dismiss", "LM-0001", "--reason", "a licensed copy").out
    )
    assert_user_error(cli("leaks", "confirm", "LM-0001"), "already dismissed")
    # the incidents capability receives the finding: a case is opened
    assert "LM-0002: investigation IN-0001 opened" in cli.ok("leaks", "investigate", "LM-0002").out
    assert_user_error(cli("leaks", "scan", str(tmp_path / "missing")), "no file or folder")
    assert_user_error(cli("leaks", "match", "LM-0099"), "no match")

    added = cli.ok("leaks", "watches", "add", str(dump), "--name", "Dump", "--json").json()
    assert added["ref"] == "LW-0001" and added["target_kind"] == "folder"
    ran = cli.ok("leaks", "watches", "run", "LW-0001", "--json").json()
    assert len(ran["found"]) == 1 and ran["watch_ref"] == "LW-0001"
    again = cli.ok("leaks", "watches", "run", "LW-0001").out
    assert "0 matches" in again and "matches reported before: 1" in again
    assert "LW-0001 paused" in cli.ok("leaks", "watches", "pause", "LW-0001").out
    assert "Dump" in cli.ok("leaks", "watches", "list").out
    assert "LW-0001 removed" in cli.ok("leaks", "watches", "remove", "LW-0001").out
