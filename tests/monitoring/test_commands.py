"""`crownjewels monitor ingest FILE.jsonl`, `monitor identities ...`, `monitor feed` and
`monitor retention` through the real CLI."""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from crownjewels.core import clock
from tests.cli_helpers import Cli, assert_user_error

PERSON = "rohan@northwind.example"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("monitoring-template"))
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok(
        "people", "add", "Rohan Gupta", "--email", PERSON, "--org", "Northwind", "--country", "IN"
    )
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    return template.copy_to(tmp_path / "home")


def _event(**fields: object) -> str:
    event = {"time": "2026-12-01T03:12:00Z", "actor": PERSON, "action": "download"}
    return json.dumps({**event, "resource": "s3://acme/recipes/a.pdf", **fields})


def test_ingest_a_file_in_batches_naming_rejected_lines(cli: Cli, tmp_path: Path) -> None:
    cli.ok("monitor", "identities", "add", PERSON, "key", "AKIAEXAMPLE")
    lines = [_event() for _ in range(25)] + ["", "not json", _event(actor="akiaexample")]
    path = tmp_path / "activity.jsonl"
    path.write_text("\n".join(lines) + "\n")

    run = cli("monitor", "ingest", str(path), "--json")
    assert run.code == 1, "a file with rejected lines exits 1"
    out = run.json()
    assert out["accepted"] == 26 and out["unknown_actors"] == 0 and out["batches"] == 1
    assert out["rejected"] == [{"line": 27, "reason": out["rejected"][0]["reason"]}]
    assert cli.count("activity_event") == 26
    assert cli.count("monitoring_pending") == 26

    plain = cli("monitor", "ingest", str(path))
    assert "26 events kept, 1 rejected" in plain.out
    assert "line 27: not JSON" in plain.err


def test_ingest_splits_a_big_file_into_batches_of_10000(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(_event(actor="nobody") for _ in range(10_005)) + "\n")
    out = cli.ok("monitor", "ingest", str(path), "--json").json()
    assert (out["accepted"], out["batches"], out["unknown_actors"]) == (10_005, 2, 10_005)
    ingested = cli.sql("SELECT count(*) FROM custody_event WHERE event_type='ACTIVITY_INGESTED'")
    assert ingested[0][0] == 2


def test_ingest_reads_a_pipe(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "activity.pipe"  # what `... | crownjewels monitor ingest /dev/stdin` reads
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(_event() + "\n" + _event() + "\n",))
    writer.start()
    run = cli("monitor", "ingest", str(fifo), TTY_COMPATIBLE="1")
    writer.join()
    assert run.code == 0, run.err
    assert run.out.startswith("activity.pipe: 2 events kept, 0 rejected")
    assert cli.count("activity_event") == 2


def test_ingest_reads_standard_input_given_as_a_dash(cli: Cli) -> None:
    run = cli("monitor", "ingest", "-", "--json", input=_event() + "\n" + "not json\n")
    assert run.code == 1  # a rejected line makes the exit code say so
    out = run.json()
    assert out["accepted"] == 1 and out["rejected"][0]["line"] == 2
    assert cli.count("activity_event") == 1


def test_a_missing_file_is_named(cli: Cli, tmp_path: Path) -> None:
    assert_user_error(cli("monitor", "ingest", str(tmp_path / "nope.jsonl")), "nope.jsonl")


def test_identities_feed_and_retention(cli: Cli, tmp_path: Path) -> None:
    added = cli.ok("monitor", "identities", "add", PERSON, "username", "RGupta", "--json").json()
    assert added["person_name"] == "Rohan Gupta"
    listed = cli.ok("monitor", "identities", "list").out
    assert "rgupta" in listed and "Rohan Gupta" in listed
    taken = cli("monitor", "identities", "add", PERSON, "username", "rgupta")
    assert_user_error(taken, "already Rohan Gupta's")
    cli.ok("monitor", "identities", "remove", added["id"])
    assert "no identities" in cli.ok("monitor", "identities", "list").out

    fed = cli.ok("monitor", "feed", "--json").json()
    assert fed["read"] > 0 and fed["position"] > 0
    assert cli.ok("monitor", "feed", "--json").json()["read"] == 0, "nothing read twice"

    old = tmp_path / "old.jsonl"
    recent = (clock.now() - timedelta(days=1)).isoformat()
    old.write_text(_event(time="2020-01-01T00:00:00Z") + "\n" + _event(time=recent) + "\n")
    cli.ok("monitor", "ingest", str(old))
    purged = cli.ok("monitor", "retention", "--json").json()
    assert purged["rows"] == 1
    assert cli.count("activity_event") == 1, "only what is past the retention"


def test_ingest_shows_a_progress_bar_on_a_terminal(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "activity.jsonl"
    path.write_text("\n".join(_event() for _ in range(30)) + "\n")
    shown = cli("monitor", "ingest", str(path), TTY_COMPATIBLE="1")
    assert shown.code == 0, shown.err
    assert "ingesting" in shown.err and "30 kept, 0 rejected" in shown.err
    quiet = cli("monitor", "ingest", str(path), "--json", TTY_COMPATIBLE="1")
    assert "ingesting" not in quiet.err, "no bar with --json"
    assert quiet.json()["accepted"] == 30
