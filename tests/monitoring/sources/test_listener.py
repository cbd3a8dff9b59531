"""The syslog listener on 127.0.0.1 with real sockets: TCP with octet counting and with line
feeds, UDP datagrams, batching, a malformed stream, a failing batch, and a clean stop."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import subprocess
import threading

import pytest

from crownjewels.monitoring.sources import syslog
from crownjewels.monitoring.sources.listener import Received
from crownjewels.monitoring.sources.syslog import octet_frame
from tests.monitoring.sources.listening import (
    PATIENCE,
    Collector,
    listening,
    send_tcp,
    send_udp,
    wait_until,
)

ONE = "<134>1 2026-12-01T02:10:04Z sftp01 sftpgw - - - CEF:0|Acme|SFTP|1|get|Get|3|suser=ravi"


def test_tcp_frames_by_octet_count_and_by_line_feed_on_one_connection() -> None:
    collector = Collector()
    with listening(collector, flush_after=0.05) as listener:
        stream = (
            octet_frame(ONE)
            + octet_frame("<14>1 - h a - - - line\nwith a line feed inside")
            + b"<14>1 - h a - - - by line feed\r\n"
            + octet_frame("<14>1 - h a - - - naïve ünïcode")
            + b"\n<14>1 - h a - - - the last line has no line feed"
        )
        send_tcp(listener.bound_port, stream)
        wait_until(lambda: len(collector.lines) == 5, "five messages over TCP")
    assert collector.texts() == [
        ONE,
        "<14>1 - h a - - - line\nwith a line feed inside",
        "<14>1 - h a - - - by line feed",
        "<14>1 - h a - - - naïve ünïcode",
        "<14>1 - h a - - - the last line has no line feed",
    ]
    assert {(r.transport, r.peer.split(":")[0]) for r in collector.lines} == {("tcp", "127.0.0.1")}


def test_udp_one_message_per_datagram_on_the_same_port() -> None:
    collector = Collector()
    with listening(collector, flush_after=0.05) as listener:
        send_udp(listener.bound_port, ONE.encode(), b"<14>1 - h a - - - second\n", b"\n")
        wait_until(lambda: len(collector.lines) == 2, "two datagrams")
    assert collector.texts() == [ONE, "<14>1 - h a - - - second"]
    assert {r.transport for r in collector.lines} == {"udp"}


def test_batches_are_at_most_the_batch_size_and_nothing_is_lost() -> None:
    collector = Collector()
    with listening(collector, batch_size=10, flush_after=0.05) as listener:
        send_tcp(
            listener.bound_port, b"".join(octet_frame(f"<14>1 - h a - - - n{i}") for i in range(95))
        )
        wait_until(lambda: len(collector.lines) == 95, "95 messages")
    assert all(1 <= len(batch) <= 10 for batch in collector.batches)
    assert collector.texts() == [f"<14>1 - h a - - - n{i}" for i in range(95)]


def test_stop_hands_over_what_is_still_queued() -> None:
    collector = Collector()
    with listening(collector, flush_after=3600) as listener:  # no batch would flush on its own
        send_tcp(
            listener.bound_port, b"".join(octet_frame(f"<14>1 - h a - - - {i}") for i in range(3))
        )
        wait_until(lambda: listener.stats.received == 3, "three messages queued")
        assert collector.batches == []
    assert len(collector.texts()) == 3  # stop() flushed them


def test_a_malformed_stream_closes_only_that_connection() -> None:
    collector = Collector()
    with listening(collector, flush_after=0.05, max_message=100) as listener:
        with socket.create_connection(("127.0.0.1", listener.bound_port), timeout=PATIENCE) as bad:
            bad.sendall(b"500 " + b"x" * 500)
            assert _closed_by_peer(bad)
        send_tcp(listener.bound_port, octet_frame("<14>1 - h a - - - still listening"))
        wait_until(lambda: len(collector.lines) == 1, "a message after the bad one")
        assert listener.stats.framing_errors == 1
        assert "a message of 500 bytes (at most 100)" in listener.stats.errors[0]


def test_a_failing_batch_is_counted_and_the_listener_goes_on() -> None:
    seen: list[str] = []

    def handler(batch: list[Received]) -> None:
        seen.extend(r.text for r in batch)
        if any("boom" in r.text for r in batch):
            raise RuntimeError("database unavailable")

    with listening(handler, flush_after=0.01) as listener:
        send_udp(listener.bound_port, b"<14>1 - h a - - - boom")
        wait_until(lambda: listener.stats.failed_batches == 1, "the failing batch")
        send_udp(listener.bound_port, b"<14>1 - h a - - - fine")
        wait_until(lambda: "<14>1 - h a - - - fine" in seen, "the next batch")
        assert "could not be handled: database unavailable" in listener.stats.errors[0]


def test_udp_beyond_a_full_queue_is_dropped_and_counted() -> None:
    release = threading.Event()
    handled: list[int] = []

    def slow(batch: list[Received]) -> None:
        handled.append(len(batch))
        release.wait(PATIENCE)

    with listening(slow, flush_after=0.0, max_pending=1) as listener:
        send_udp(listener.bound_port, b"<14>1 - h a - - - first")
        wait_until(lambda: handled == [1], "the first batch to be in hand")
        send_udp(listener.bound_port, *(f"<14>1 - h a - - - {i}".encode() for i in range(4)))
        wait_until(lambda: listener.stats.received + listener.stats.dropped == 5, "all datagrams")
        assert listener.stats.dropped == 3  # one fits the queue while the handler is busy
        release.set()


def _closed_by_peer(conn: socket.socket) -> bool:
    """Whether the other end closed the connection (an orderly close, or a reset when it
    left our bytes unread)."""
    try:
        return conn.recv(1) == b""
    except ConnectionResetError:
        return True


def test_senders_outside_the_allowed_networks_are_refused() -> None:
    collector = Collector()
    only_elsewhere = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]
    with listening(collector, flush_after=0.01, allow=only_elsewhere) as listener:
        send_udp(listener.bound_port, b"<14>1 - h a - - - from loopback")
        with socket.create_connection(("127.0.0.1", listener.bound_port), timeout=PATIENCE) as conn:
            conn.sendall(octet_frame("<14>1 - h a - - - from loopback"))
            assert _closed_by_peer(conn)
        wait_until(lambda: listener.stats.refused == 2, "both senders refused")
        assert listener.stats.received == 0
    assert collector.batches == []
    with listening(collector, flush_after=0.01, allow=[ipaddress.ip_network("127.0.0.0/8")]) as ok:
        send_udp(ok.bound_port, b"<14>1 - h a - - - from loopback")
        wait_until(lambda: len(collector.lines) == 1, "an allowed sender's message")


@pytest.mark.skipif(shutil.which("logger") is None, reason="util-linux logger is not installed")
def test_a_standard_client_over_udp_tcp_and_octet_counting_is_understood() -> None:
    collector = Collector()
    cef = "CEF:0|Acme|SFTP|1|get|Get|3|suser=ravi@acme.example act=download fname=/brine/p.pdf"
    with listening(collector, flush_after=0.01) as listener:
        port = str(listener.bound_port)
        for transport in (["-d"], ["-T"], ["-T", "--octet-count"]):
            subprocess.run(
                ["logger", "--rfc5424", "-n", "127.0.0.1", "-P", port, *transport, "-t", "sftpgw",
                 "--sd-id", "meta@32473", "--sd-param", 'via="logger"', cef],
                check=True, timeout=PATIENCE,
            )  # fmt: skip
        wait_until(lambda: len(collector.lines) == 3, "three messages from logger")
    result = syslog.convert_lines(collector.texts())
    assert not result.problems, result.problems
    assert [(e.actor, e.action.value, e.source) for e in result.events] == [
        ("ravi@acme.example", "download", "sftp")
    ] * 3
    parsed = syslog.parse(collector.texts()[0])
    assert parsed.app_name == "sftpgw" and parsed.structured_data["meta@32473"] == {"via": "logger"}
