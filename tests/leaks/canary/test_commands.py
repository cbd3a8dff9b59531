"""`crownjewels leaks tokens|plant|retire|hits` and `vault get --plant` through the real CLI,
with --json; bad input named in words."""

from __future__ import annotations

import zipfile
from pathlib import Path

from crownjewels.core.db import Database
from crownjewels.leaks.canary import service
from tests.cli_helpers import Cli, assert_user_error
from tests.disclosure.helpers import make_docx
from tests.disclosure.test_commands import _bind


def test_plant_list_fire_and_retire_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("people", "add", "Elena Vasquez", "--email", "elena@nw.example", "--org", "Northwind",
           "--country", "US")  # fmt: skip
    cli.ok("secrets", "add", "Brine", "--description", "d", "--category", "formula",
           "--tier", "sensitive", "--owner", "elena@nw.example")  # fmt: skip
    out = tmp_path / "Q3.docx"
    made = cli.ok("leaks", "plant", "TS-0001", "--kind", "docx", "--label", "Q3",
                  "--out", str(out), "--json",
                  CROWNJEWELS_CANARY_BASE_URL="https://cj.example.com").json()  # fmt: skip
    assert made["ref"] == "CT-0001" and made["url"].startswith("https://cj.example.com/c/")
    with zipfile.ZipFile(out) as z:
        assert made["url"].encode() in z.read("word/_rels/footer1.xml.rels")
    listed = cli.ok("leaks", "tokens", "--secret", "TS-0001").out
    assert "CT-0001" in listed and "docx" in listed
    token = made["url"].rsplit("/", 1)[1].removesuffix(".png")
    db = Database(cli.url)
    with db.unit_of_work() as session:
        service.record_callback(
            session, token=token, ip="192.0.2.4", user_agent="Word", referrer=None
        )
    db.dispose()
    hits = cli.ok("leaks", "hits", "CT-0001", "--json").json()
    assert [(h["ip"], h["via"]) for h in hits] == [("192.0.2.4", "callback")]
    assert "192.0.2.4" in cli.ok("leaks", "hits", "CT-0001").out
    assert (
        cli.ok("leaks", "retire", "CT-0001", "--reason", "moved", "--json").json()["status"]
        == "retired"
    )
    assert cli.ok("leaks", "tokens", "--status", "active").out.strip() == "no canary token planted"
    assert_user_error(cli("leaks", "retire", "CT-0001", "--reason", "again"), "already retired")
    assert_user_error(cli("leaks", "hits", "CT-0042"), "no canary token 'CT-0042'")
    assert cli("leaks", "plant", "TS-0001", "--kind", "qr").code == 2

    _bind(cli.url, ["elena@nw.example"], "TS-0001")
    source = tmp_path / "sheet.docx"
    source.write_bytes(make_docx(2))
    doc = cli.ok("vault", "put", str(source), "--secret", "TS-0001", "--json").json()["id"]
    copy = tmp_path / "copy.docx"
    got = cli.ok("vault", "get", doc, "--out", str(copy), "--purpose", "audit",
                 "--to", "elena@nw.example", "--plant", "docx")  # fmt: skip
    assert "canary CT-0002 planted in the copy" in got.out
    assert cli.ok("vault", "identify", str(copy)).out.startswith("identified: copy ")
    assert "Elena Vasquez" in cli.ok("leaks", "tokens", "--json").out
