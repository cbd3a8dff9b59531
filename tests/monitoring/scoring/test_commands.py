"""`crownjewels monitor score --once` through the real CLI, with the default rules: a queued
signal becomes an alert, a second pass finds nothing left."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.db import Database
from tests.cli_helpers import Cli
from tests.monitoring.scoring.factories import store_event


def test_score_once_turns_the_queue_into_alerts(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.ok("init")
    db = Database(cli.url)
    with db.unit_of_work() as session:
        store_event(
            session,
            actor="unknown",
            action="signal",
            resource="canary:CT-0001",
            channel="signal",
            source="leaks",
            details={
                "kind": "canary",
                "summary": "A canary document was opened",
                "reference": "CT-0001",
                "severity": "high",
            },
        )
        store_event(session, actor="svc-backup", action="login", resource="sftp://files")
    db.dispose()

    first = cli.ok("monitor", "score", "--once", "--json").json()
    assert first["events"] == 2
    assert first["alerts_raised"] == ["AL-0001"]
    assert cli.sql("SELECT rule_id, severity FROM monitoring_alert") == [("signal", "high")]
    assert cli.count("monitoring_pending") == 0

    again = cli.ok("monitor", "score", "--once")
    assert again.out.strip() == "Scored 0 event(s); no alert"
