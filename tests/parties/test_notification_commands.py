"""`crownjewels mail`: list the outbox, retry a message, send what is due now (through a real
local SMTP server)."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.parties.notifications import service
from crownjewels.parties.notifications.schemas import MailKind
from tests.cli_helpers import Cli, assert_user_error
from tests.parties.factories import make_person
from tests.smtp_server import smtp_server


def test_list_retry_and_send(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    db = Database(cli.url)
    try:
        with db.unit_of_work() as s:
            person = make_person(s, system_actor("test"), name="Dana Whitfield")
            row = service.enqueue(
                s,
                to=person.id,
                kind=MailKind.SECRET_REVIEW_DUE,
                subject="Review of TS-0001 Brine recipe is due",
                body="Review it: " + service.link("/secrets/TS-0001"),
                actor=system_actor("test"),
            )
            assert row is not None
            message_id = row.id
    finally:
        db.dispose()
    [listed] = cli.ok("mail", "list", "--unsent", "--json").json()
    assert listed["status"] == "queued" and listed["recipient_name"] == "Dana Whitfield"
    assert "nothing sent" in cli.ok("mail", "send").out  # no SMTP host configured
    cli.ok("mail", "retry", message_id)
    assert_user_error(cli("mail", "retry", "nope"), "no message nope")
    with smtp_server() as (inbox, port):
        smtp = {
            "CROWNJEWELS_SMTP_HOST": "127.0.0.1",
            "CROWNJEWELS_SMTP_PORT": str(port),
            "CROWNJEWELS_SMTP_STARTTLS": "false",
            "CROWNJEWELS_BASE_URL": "https://cj.example.com",
        }
        assert cli.ok("mail", "send", **smtp).out.strip() == "sent 1, failed 0"
    assert "https://cj.example.com/secrets/TS-0001" in inbox.bodies()[0]
    assert cli.ok("mail", "list", "--json").json()[0]["status"] == "sent"
    assert "the outbox is empty" in cli.ok("mail", "list", "--unsent").out
