"""`crownjewels monitor channels ...`: add a signed webhook and test it against a real receiver,
syslog over UDP, list and change with --json, a delivery to a receiver that is down listed with
its error, retried and sent once it is up, bad input as one plain line."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.db import Database
from crownjewels.monitoring.channels import service
from tests.cli_helpers import Cli, assert_user_error
from tests.monitoring.channels.factories import make_alert
from tests.monitoring.channels.receivers import syslog_receiver, webhook_receiver
from tests.smtp_server import free_port


def test_add_test_list_change_and_remove(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    with webhook_receiver() as hook:
        added = cli.ok(
            "monitor", "channels", "add", "SOC", "--kind", "webhook", "--target", hook.url,
            "--format", "slack", "--min-severity", "high", "--json",
        ).json()  # fmt: skip
        hook.key = added["signing_key"]
        assert added["format"] == "slack" and hook.key
        tested = cli.ok("monitor", "channels", "test", "SOC")
        assert tested.out.startswith("ok: the test message reached")
        assert hook.wait().verified
    with syslog_receiver("udp") as siem:
        text = cli.ok(
            "monitor", "channels", "add", "SIEM", "--kind", "syslog", "--target", siem.target
        ).out
        assert "signing key" not in text
        cli.ok("monitor", "channels", "test", "SIEM")
        assert b"CEF:0|Crown Jewels|crownjewels|" in siem.wait()
    listed = cli.ok("monitor", "channels", "list", "--json").json()
    assert [c["name"] for c in listed] == ["SIEM", "SOC"]
    assert all("signing_key" not in c for c in listed)
    renewed = cli.ok("monitor", "channels", "new-key", "SOC", "--json").json()
    assert renewed["signing_key"] not in (None, hook.key)
    changed = cli.ok("monitor", "channels", "update", "SOC", "--off", "--owners", "--json").json()
    assert changed["active"] is False and changed["notify_secret_owners"] is True
    assert "removed the alert channel SIEM" in cli.ok("monitor", "channels", "remove", "siem").out
    assert_user_error(cli("monitor", "channels", "show", "SIEM"), "no alert channel 'SIEM'")
    assert_user_error(
        cli("monitor", "channels", "add", "X", "--kind", "syslog", "--target", "udp://h"),
        "names no port",
    )
    down = cli("monitor", "channels", "test", "SOC")
    assert down.code == 1 and down.out.startswith("failed: the webhook at 127.0.0.1")


def test_deliveries_are_listed_retried_and_sent(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    port = free_port()
    cli.ok(
        "monitor",
        "channels",
        "add",
        "SIEM",
        "--kind",
        "syslog",
        "--target",
        f"tcp://127.0.0.1:{port}",
    )
    db = Database(cli.url)
    try:
        with db.unit_of_work() as s:
            alert = make_alert(s, severity="critical")
            service.dispatch(s, alert=alert, new=True)
    finally:
        db.dispose()
    assert cli.ok("monitor", "channels", "send").out.strip() == "sent 0, failed 1"
    [row] = cli.ok("monitor", "channels", "deliveries", "--unsent", "--json").json()
    assert row["alert_ref"] == alert.ref and row["status"] == "retrying"
    assert "could not be reached" in row["last_error"]
    cli.ok("monitor", "channels", "update", "SIEM", "--target", "udp://127.0.0.1:9")
    assert "is due now" in cli.ok("monitor", "channels", "retry", row["id"]).out
    assert cli.ok("monitor", "channels", "send").out.strip() == "sent 1, failed 0"
    assert "no deliveries" in cli.ok("monitor", "channels", "deliveries", "--unsent").out
