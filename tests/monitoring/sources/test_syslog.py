"""RFC 5424 messages read and written (the RFC's own examples), and what a received line
says in the event format: CEF in RFC 5424 or behind a BSD header, or a JSON event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crownjewels.monitoring.sources import syslog

RECEIVED = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)


def test_the_rfc_examples() -> None:
    one = syslog.parse(
        "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
        "\ufeff'su root' failed for lonvick on /dev/pts/8"
    )
    assert (one.facility, one.severity, one.app_name, one.procid, one.msgid) == (
        4,
        2,
        "su",
        None,
        "ID47",
    )
    assert one.timestamp == datetime(2003, 10, 11, 22, 14, 15, 3000, tzinfo=UTC)
    assert one.msg == "'su root' failed for lonvick on /dev/pts/8"  # the BOM is not text
    two = syslog.parse(
        "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
        "%% It's time to make the do-nuts."
    )
    assert two.timestamp == datetime(2003, 8, 24, 12, 14, 15, 3, tzinfo=UTC)
    assert (two.hostname, two.procid, two.structured_data) == ("192.0.2.1", "8710", {})
    three = syslog.parse(
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
        'iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]'
    )
    assert three.structured_data == {
        "exampleSDID@32473": {"iut": "3", "eventSource": "Application", "eventID": "1011"},
        "examplePriority@32473": {"class": "high"},
    }
    assert three.msg == ""


def test_escaped_parameter_values() -> None:
    message = syslog.parse(r'<14>1 - - - - - [a@1 p="say \"hi\" \\ [x\]"] body')
    assert message.structured_data == {"a@1": {"p": 'say "hi" \\ [x]'}}
    assert message.timestamp is None and message.msg == "body"


_printable = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20)


@given(
    pri=st.integers(0, 191),
    host=_printable,
    params=st.dictionaries(
        st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.text(max_size=20), max_size=3
    ),
    msg=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(str.strip),
)
def test_any_message_survives_writing_and_reading(
    pri: int, host: str, params: dict[str, str], msg: str
) -> None:
    message = syslog.SyslogMessage(
        facility=pri // 8, severity=pri % 8, timestamp=RECEIVED, hostname=host.replace("-", "h"),
        app_name="cj", structured_data={"meta@32473": params} if params else {}, msg=msg,
    )  # fmt: skip
    assert syslog.parse(syslog.format_message(message)) == message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("hello", "starts with <PRI>1"),
        ("<200>1 - - - - - -", "out of range"),
        ("<14>2 - - - - - -", "not RFC 5424"),
        ("<14>1 - - -", "TIMESTAMP HOSTNAME"),
        ("<14>1 2026-12-01 h a - - - x", "not RFC 3339"),
        ("<14>1 - h a - - [a@1 p=1] x", 'p="value"'),
        ('<14>1 - h a - - [a@1 p="1"x', "not closed"),
        ('<14>1 - h a - - [a@1 p="1]', "no closing quote"),
    ],
)
def test_a_malformed_message_is_named(text: str, problem: str) -> None:
    with pytest.raises(syslog.SyslogError, match=problem):
        syslog.parse(text)


def test_octet_framing() -> None:
    assert syslog.octet_frame("<14>1 - - - - - - é") == b"20 <14>1 - - - - - - \xc3\xa9"


def test_received_lines_in_the_event_format() -> None:
    lines = [
        "<134>1 2026-12-01T02:10:04Z sftp01 sftpgw 812 - - CEF:0|Acme|SFTP|1|get|Get|3|"
        "suser=ravi@acme.example act=download fname=/brine/p.pdf",
        "<134>Dec  1 02:11:00 sftp01 CEF:0|Acme|SFTP|1|get|Get|3|suser=ravi act=view fname=/x",
        '<134>1 - dlp01 dlp - - - {"actor": "ana", "action": "print", "resource": "/r.pdf"}',
        '{"actor": "ana", "action": "copy", "resource": "/r.pdf", "source": "usb"}',
        "",
        "<134>1 - h a - - - plain words",
        "<134>1 - h a - - - CEF:0|too|short",
        '<134>1 - h a - - - {"actor": "ana", "action": "teleport", "resource": "/r"}',
        "<134>1 - h a - - - {broken",
        "garbage",
    ]
    result = syslog.convert_lines(lines, received_at=RECEIVED)
    got = [(e.time, e.actor, e.action.value, e.source) for e in result.events]
    assert got == [
        (datetime(2026, 12, 1, 2, 10, 4, tzinfo=UTC), "ravi@acme.example", "download", "sftp"),
        (RECEIVED, "ravi", "view", "sftp"),  # a BSD header's time has no year: when received
        (RECEIVED, "ana", "print", "dlp"),  # the app name is the source
        (RECEIVED, "ana", "copy", "usb"),
    ]
    assert result.origins == [1, 2, 3, 4]
    reasons = {p.line: p.reason for p in result.problems}
    assert sorted(reasons) == [6, 7, 8, 9, 10]
    assert "neither a CEF event" in reasons[6]
    assert "7 fields" in reasons[7]
    assert reasons[8].startswith("action: not one of login, view")
    assert "not valid JSON" in reasons[9]
    assert "starts with <PRI>1" in reasons[10]


def test_without_a_time_anywhere_the_line_is_refused() -> None:
    result = syslog.convert_lines(["<14>1 - h a - - - CEF:0|a|b|1|view|v|1|suser=x fname=/y"])
    assert [(p.line, p.reason) for p in result.problems] == [(1, "time: missing")]
