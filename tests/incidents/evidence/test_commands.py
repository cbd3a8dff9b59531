"""`crownjewels incidents evidence …`: an item registered from its file (hashed before the
transaction) and from a typed hash, handed over, shown with the custody event of each row,
its form written; the case's records preserved, one downloaded, and the vault refusing to
destroy them; refusals as one plain line."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from crownjewels.core import clock
from tests.cli_helpers import Cli, assert_user_error

SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_register_hand_over_preserve_and_form(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok(
        "people", "add", "Dana Whitfield", "--email", "dana@example.com", "--org", "Northwind",
        "--country", "US",
    )  # fmt: skip
    cli.ok(
        "secrets", "add", "Cell culture", "--description", "Fed-batch CHO feed schedule",
        "--category", "process", "--tier", "sensitive", "--owner", "dana@example.com",
    )  # fmt: skip
    cli.ok(
        "incidents", "open", "--title", "Laptop taken by a leaver", "--kind", "theft",
        "--secret", "TS-0001", "--person", "dana@example.com", "--playbook", "none",
    )  # fmt: skip
    image = tmp_path / "laptop.img"
    image.write_bytes(b"\x00disk image\x00" * 10_000)
    yesterday = (clock.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    common = ("--collected-by", "Kim Lee", "--collected-at", yesterday, "--stored-at", "Safe 2")
    made = cli.ok(
        "incidents", "evidence", "register", "IN-0001", "--description", "Image of the laptop",
        "--file", str(image), *common, "--json",
    ).json()  # fmt: skip
    assert (
        made["ref"] == "EV-0001"
        and made["sha256"] == hashlib.sha256(image.read_bytes()).hexdigest()
    )
    assert made["size"] == image.stat().st_size and made["custodian"] == "Kim Lee"
    typed = cli.ok(
        "incidents", "evidence", "register", "IN-0001", "--description", "An empty USB stick",
        "--sha256", SHA, *common, "--custodian", "Dana Whitfield",
    ).out  # fmt: skip
    assert typed.startswith(f"registered EV-0002 of IN-0001: SHA-256 {SHA}; Dana Whitfield holds")
    handed = cli.ok(
        "incidents", "evidence", "handover", "IN-0001", "EV-0001", "--from", "Kim Lee", "--to",
        "Hale & Co", "--at", clock.now().strftime("%Y-%m-%dT%H:%M"), "--purpose", "counsel",
    ).out  # fmt: skip
    assert handed.startswith("EV-0001: hand-over 1 from Kim Lee to Hale & Co recorded (custody")
    assert_user_error(
        cli(
            "incidents", "evidence", "handover", "IN-0001", "EV-0001", "--from", "Kim Lee",
            "--to", "Bo", "--at", clock.now().strftime("%Y-%m-%dT%H:%M"),
        ),
        "EV-0001 is held by Hale & Co, not Kim Lee",
    )  # fmt: skip
    shown = cli.ok("incidents", "evidence", "show", "IN-0001", "EV-0001", "--json").json()
    assert [(h["to_custodian"], bool(h["custody_seq"])) for h in shown["handovers"]] == [
        ("Hale & Co", True)
    ]
    assert "Hale & Co" in cli.ok("incidents", "evidence", "show", "IN-0001", "EV-0001").out
    listed = cli.ok("incidents", "evidence", "list", "IN-0001", "--json").json()
    assert [(i["ref"], i["handovers"]) for i in listed] == [("EV-0001", 1), ("EV-0002", 0)]
    kept = cli.ok("incidents", "evidence", "preserve", "IN-0001", "--json").json()
    assert [k["kind"] for k in kept] == ["bundle", "ledger", "findings"]
    assert all(k["legal_hold"] for k in kept)
    assert_user_error(
        cli("vault", "destroy", kept[0]["document_id"], "--reason", "tidy up"),
        "is under legal hold",
    )
    ledger = tmp_path / "ledger.zip"
    got = cli.ok(
        "incidents", "evidence", "download", "IN-0001", kept[1]["ref"], "--out", str(ledger)
    )
    assert got.out.startswith(f"wrote {ledger}") and kept[1]["sha256"] in got.out
    assert hashlib.sha256(ledger.read_bytes()).hexdigest() == kept[1]["sha256"]
    assert_user_error(
        cli("incidents", "evidence", "download", "IN-0001", "EV-0001", "--out", str(ledger)),
        "EV-0001 was collected outside the system: the vault holds no file of it",
    )
    out = tmp_path / "form.pdf"
    cli.ok("incidents", "evidence", "form", "IN-0001", "EV-0001", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert_user_error(
        cli("incidents", "evidence", "show", "IN-0001", "EV-0009"), "IN-0001 has no evidence item"
    )
    assert_user_error(
        cli("incidents", "evidence", "register", "IN-0001", "--description", "x y z", *common),
        "give the item's SHA-256",
    )
