"""`crownjewels questionnaires import|list|send|show` through the real CLI."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.inventory.schemas import Tier
from crownjewels.vendors.diligence import loader
from tests.cli_helpers import Cli, assert_user_error
from tests.inventory.factories import make_secret
from tests.vendors.diligence_factories import make_contact, make_vendor

BUILT_IN = loader.BUILT_IN / "vendor-security.yaml"


def test_import_list_send_show(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    first = cli.ok("questionnaires", "import", str(BUILT_IN))
    assert first.out.startswith("vendor-security version 2 imported: 27 questions, SHA-256 ")
    again = cli.ok("questionnaires", "import", str(BUILT_IN))
    assert "already imported, unchanged" in again.out
    changed = tmp_path / "changed.yaml"
    changed.write_text(BUILT_IN.read_text().replace("Is our data", "Is the data", 1))
    assert_user_error(cli("questionnaires", "import", str(changed)), "raise `version`")
    broken = tmp_path / "broken.yaml"
    broken.write_text(BUILT_IN.read_text().replace("weight: 3", "weight: 30", 1))
    assert_user_error(cli("questionnaires", "import", str(broken)), f"{broken}:19:", "weight")
    listed = cli.ok("questionnaires", "list", "--json").json()
    assert [(t["key"], t["version"]) for t in listed] == [("vendor-security", 2)]

    db = Database(cli.url)
    with db.unit_of_work() as s:
        admin = system_actor("test")
        vendor, _ = make_vendor(s, admin, name="Lotus Process", countries=("IN",))
        make_contact(s, vendor)
        secret = make_secret(s, admin, name="Glaze recipe", tier=Tier.HIGHLY_SENSITIVE)
        ref, secret_ref = vendor.ref, secret.ref
    db.dispose()
    sent = cli.ok("questionnaires", "send", ref, "--secret", secret_ref, "--days", "7")
    assert "DD-0001 sent to" in sent.out
    assert "one-time link (shown once): http://127.0.0.1:8000/a/" in sent.out
    assert "criticality high: +3" in sent.out and "India: USTR Priority Watch List 2025" in sent.out
    rows = cli.ok("questionnaires", "list", "--sent", "--json").json()["items"]
    assert [(r["ref"], r["status"]) for r in rows] == [("DD-0001", "sent")]
    shown = cli.ok("questionnaires", "show", "DD-0001")
    assert "residual risk:" in shown.out
    assert_user_error(cli("questionnaires", "show", "DD-0099"), "no assessment 'DD-0099'")
    assert_user_error(cli("questionnaires", "send", "VEN-0999"), "no vendor 'VEN-0999'")
    assessed = cli.ok("vendors", "assess", ref, "--json").json()
    assert assessed["assessment"]["ref"] == "DD-0002"
    assert assessed["risk"]["inherent"]["factors"][0]["text"] == "criticality high: +3"
