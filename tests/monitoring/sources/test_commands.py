"""`crownjewels monitor convert` and `monitor syslog` through the real CLI: converted files
as JSON lines with their problems named, and a listener process that stores what real TCP
and UDP clients send until it is told to stop."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from crownjewels.monitoring.sources.syslog import octet_frame
from tests.cli_helpers import BINARY, Cli, assert_user_error
from tests.monitoring.sources.fixtures import FIXTURES
from tests.monitoring.sources.listening import PATIENCE, send_tcp, send_udp, wait_until

PASSWORD = "correct-horse-42-battery"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("monitor-sources"))
    cli.ok("init")
    return cli


def test_convert_prints_json_lines_and_names_the_records_it_cannot_read(cli: Cli) -> None:
    run = cli("monitor", "convert", "--from", "cloudtrail", str(FIXTURES / "cloudtrail-s3.json"))
    assert run.code == 0, run.err
    events = [json.loads(line) for line in run.out.splitlines()]
    assert len(events) == 9
    assert events[0]["resource"] == "s3://nw-formulas/brine/process-v3.pdf"
    assert run.err_lines[:2] == [
        f"{FIXTURES / 'cloudtrail-s3.json'}: record 12: the record has no eventName",
        f"{FIXTURES / 'cloudtrail-s3.json'}: record 13: GetObject: no bucket and key in "
        "requestParameters or resources",
    ]
    assert run.err_lines[2].endswith("9 event(s); 2 record(s) not readable; 3 skipped "
                                     "(GetObject refused (AccessDenied) 1, "
                                     "GetObject failed (NoSuchKey) 1, ListBuckets 1)")  # fmt: skip
    strict = cli("monitor", "convert", "--from", "cloudtrail", "--strict",
                 str(FIXTURES / "cloudtrail-s3.json"))  # fmt: skip
    assert strict.code == 1


def test_convert_an_m365_export_to_a_file(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    run = cli.ok("monitor", "convert", "--from", "m365", str(FIXTURES / "m365-audit.csv"),
                 "--out", str(out))  # fmt: skip
    assert run.out == ""
    actions = [json.loads(line)["action"] for line in out.read_text().splitlines()]
    assert actions == ["download", "view", "upload", "copy", "delete", "share", "login",
                       "failed-login"]  # fmt: skip


def test_convert_reads_gzip_and_stdin(cli: Cli, tmp_path: Path) -> None:
    packed = tmp_path / "trail.json.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "cloudtrail-s3.json").read_bytes()))
    assert (
        len(cli.ok("monitor", "convert", "--from", "cloudtrail", str(packed)).out.splitlines()) == 9
    )
    cef = "CEF:0|Acme|SFTP|1|get|Get|3|rt=1764555004000 suser=ravi act=download fname=/a\n"
    run = cli.ok("monitor", "convert", "--from", "cef", "-", input=cef)
    assert json.loads(run.out)["actor"] == "ravi"


def test_convert_refuses_a_file_of_another_kind(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    run = cli("monitor", "convert", "--from", "m365", str(other))
    assert run.code == 2 and run.out == ""
    assert "not an audit log export" in run.err
    assert_user_error(cli("monitor", "convert", "--from", "m365", str(tmp_path / "none.csv")),
                      "none.csv: no such file")  # fmt: skip


@pytest.fixture
def listener(cli: Cli) -> Iterator[tuple[subprocess.Popen[str], int]]:
    env = {k: v for k, v in {**os.environ, **cli.env}.items() if v is not None}
    process = subprocess.Popen(
        [str(BINARY), "monitor", "syslog", "--port", "0", "--flush-seconds", "0.05"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        assert ready.startswith("listening for syslog on 127.0.0.1:"), process.stderr
        port = int(ready.split()[4].rsplit(":", 1)[1].rstrip(";"))
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(PATIENCE)


def test_the_listener_stores_what_tcp_and_udp_clients_send(
    cli: Cli, listener: tuple[subprocess.Popen[str], int]
) -> None:
    process, port = listener
    before = cli.count("activity_event")
    send_tcp(
        port,
        octet_frame("<134>1 2026-12-01T02:10:04Z sftp01 sftpgw - - - CEF:0|Acme|SFTP|1|get|Get|3|"
                    "suser=ravi@acme.example act=download fname=/brine/p.pdf fsize=4096")
        + b"<134>1 - sftp01 sftpgw - - - this is not an event\n",
    )  # fmt: skip
    event = {"actor": "ana@nw.example", "action": "print", "resource": "/brine/q.pdf"}
    send_udp(port, b"<134>1 2026-12-01T02:11:00Z dlp01 dlp - - - " + json.dumps(event).encode())
    wait_until(lambda: cli.count("activity_event") == before + 2, "two events stored")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=PATIENCE)
    assert process.returncode == 0, err
    rows = cli.sql(
        "SELECT actor, action, resource, bytes, channel, source FROM activity_event "
        "ORDER BY occurred_at"
    )[-2:]
    assert [tuple(r) for r in rows] == [
        ("ravi@acme.example", "download", "/brine/p.pdf", 4096, "syslog", "sftp"),
        ("ana@nw.example", "print", "/brine/q.pdf", None, "syslog", "dlp"),
    ]
    assert "neither a CEF event (CEF:0|…) nor a JSON event object" in err
    assert "this is not an event" in err
    assert err.strip().splitlines()[-1].startswith("stopped: 3 line(s) received, 2 stored, 1 not")


def test_a_port_in_use_is_named(cli: Cli, listener: tuple[subprocess.Popen[str], int]) -> None:
    _, port = listener
    run = cli("monitor", "syslog", "--port", str(port))
    assert_user_error(run, f"cannot listen on 127.0.0.1:{port}", "choose another --port")


def test_ingest_from_another_systems_log_stores_its_events(cli: Cli) -> None:
    before = cli.count("activity_event")
    run = cli("monitor", "ingest", "--from", "m365", str(FIXTURES / "m365-audit.csv"))
    assert run.code == 1  # one row could not be read: named, the others kept
    assert run.out.startswith("m365-audit.csv: 8 events kept from m365, 1 line(s) rejected, "
                              "1 skipped")  # fmt: skip
    assert run.err_lines == [
        "  line 11: the AuditData column is not complete JSON (Unterminated string starting "
        "at); export the row again or leave it out"
    ]
    assert cli.count("activity_event") == before + 8
    rows = cli.sql("SELECT DISTINCT channel, source FROM activity_event WHERE id > :n", n=before)
    assert [tuple(r) for r in rows] == [("file", "m365")]
    data = cli("monitor", "ingest", "--from", "cloudtrail", "--json",
               str(FIXTURES / "cloudtrail-s3.json")).json()  # fmt: skip
    assert (data["accepted"], data["unit"], data["batches"]) == (9, "record", 1)
    assert [r["line"] for r in data["rejected"]] == [12, 13]
    assert data["skipped"]["ListBuckets"] == 1


def test_a_bad_allowed_network_is_named(cli: Cli) -> None:
    run = cli("monitor", "syslog", "--port", "0", "--allow", "10.0.0.0/33")
    assert_user_error(run, "--allow '10.0.0.0/33' is not a network", "10.0.0.0/8")


def test_converted_activity_is_mapped_to_people_and_secrets(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("orgs", "add", "Acme Ltd", "--kind", "vendor", "--country", "IN")
    cli.ok("people", "add", "Elena Vasquez", "--email", "elena@nw.example", "--org", "Northwind",
           "--country", "US")  # fmt: skip
    cli.ok("people", "add", "Ravi Rao", "--email", "ravi@acme.example", "--org", "Acme Ltd",
           "--country", "IN")  # fmt: skip
    cli.ok("secrets", "add", "Brine", "--description", "d", "--category", "formula", "--tier",
           "sensitive", "--owner", "elena@nw.example", "--location", "drive:Formulas site",
           "--location", "system:nw-formulas bucket")  # fmt: skip
    site = "https://northwind.sharepoint.com/sites/Formulas/Shared%20Documents/Brine/"
    cli.ok("secrets", "patterns", "TS-0001", "Formulas site", "--pattern", site)
    cli.ok("secrets", "patterns", "TS-0001", "nw-formulas bucket", "--pattern",
           "s3://nw-formulas/brine/")  # fmt: skip
    cli.ok("monitor", "identities", "add", "ravi@acme.example", "username", "ravi.rao")

    m365 = cli("monitor", "ingest", "--from", "m365", "--json", str(FIXTURES / "m365-audit.csv"))
    data = m365.json()
    # everyone is known; only the two sign-ins touch no secret
    assert (data["accepted"], data["unknown_actors"], data["unclassified"]) == (8, 0, 2)
    trail = cli("monitor", "ingest", "--from", "cloudtrail", "--json",
                str(FIXTURES / "cloudtrail-s3.json")).json()  # fmt: skip
    # unknown: elena's SSO session name is her email (known), the hidden console user and the
    # backup service are not people; unclassified: the console sign-ins
    assert (trail["accepted"], trail["unknown_actors"], trail["unclassified"]) == (9, 2, 2)
    rows = cli.sql(
        "SELECT p.email, count(*) FROM activity_event e JOIN person p ON p.id = e.person_id "
        "WHERE e.secret_id IS NOT NULL GROUP BY p.email ORDER BY p.email"
    )
    assert [tuple(r) for r in rows] == [("elena@nw.example", 3), ("ravi@acme.example", 9)]
    # a user who may not send activity is refused before the listener opens its port
    cli.ok("users", "create", "elena@nw.example", "-r", "auditor", "--password", PASSWORD)
    run = cli("--as", "elena@nw.example", "monitor", "syslog", "--port", "0")
    assert_user_error(run, "activity:ingest")
    assert "listening" not in run.out
