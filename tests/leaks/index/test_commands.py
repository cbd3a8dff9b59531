"""`crownjewels leaks index …` end to end against a real installation: an upload from the
command line is queued, `leaks index` fingerprints it, `status` and `sources` show it."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from tests.cli_helpers import Cli, assert_user_error
from tests.inventory.factories import make_secret
from tests.leaks.fingerprint.samples import SAMPLES


def test_index_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    db = Database(cli.url)
    with db.unit_of_work() as s:
        make_secret(s, system_actor("test"), name="Brine recipe")
    db.dispose()
    code = tmp_path / "ingest.py"
    code.write_text(SAMPLES["python"][1])
    cli.ok("vault", "put", str(code), "--secret", "TS-0001")
    assert cli.ok("leaks", "index", "status", "--json").json()["pending"] == 1

    report = cli.ok("leaks", "index", "--json").json()
    assert (report["indexed"], report["sources"][0]["secret_ref"]) == (1, "TS-0001")
    out = cli.ok("leaks", "index").out
    assert "fingerprinted: 0 indexed" in out

    again = cli.ok("leaks", "index", "--secret", "TS-0001").out
    assert "TS-0001  ingest.py v1:" in again and "fingerprinted: 1 indexed" in again
    status = cli.ok("leaks", "index", "status", "--json").json()
    assert (status["indexed"], status["pending"], status["documents"]) == (1, 0, 1)
    assert cli.count("leak_fingerprint") == status["fingerprints"] > 0
    listed = cli.ok("leaks", "index", "sources", "--secret", "TS-0001").out
    assert "ingest.py" in listed and "python" in listed

    assert_user_error(cli("leaks", "index", "--secret", "TS-0404"), "TS-0404")
