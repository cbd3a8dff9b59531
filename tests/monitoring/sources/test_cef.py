"""CEF read and written: the header's and the extension's escaping both ways, values with
spaces, the time formats, and how a CEF event maps to the event format."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crownjewels.monitoring.schemas import ActivityIn
from crownjewels.monitoring.sources import cef

LINE = (
    r"CEF:0|Acme\|Corp|SFTP Gateway|2.1|file-get|File downloaded|5|suser=ravi@acme.example "
    r"act=download filePath=C:\\secrets\\brine\=v2.pdf msg=first line\nsecond line "
    r"fsize=48213 src=203.0.113.5 shost=ravi-laptop rt=1764555004000 cs1Label=country cs1=IN"
)


def test_a_cef_line_is_read_with_its_escapes() -> None:
    event = cef.parse("<134>Dec  1 02:10:04 sftp01 " + LINE)  # a BSD syslog header before it
    assert (event.vendor, event.product, event.device_version) == (
        "Acme|Corp",
        "SFTP Gateway",
        "2.1",
    )
    assert (event.signature_id, event.name, event.severity) == ("file-get", "File downloaded", "5")
    assert event.extension["filePath"] == "C:\\secrets\\brine=v2.pdf"
    assert event.extension["msg"] == "first line\nsecond line"  # a value runs to the next key
    assert event.custom("country") == "IN"


def test_a_written_line_reads_back_the_same() -> None:
    event = cef.parse(LINE)
    assert cef.parse(cef.format_event(event)) == event


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\\|=\n\r"))
_value = _text.map(lambda s: s.strip(" ")).filter(bool)
_key = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,11}", fullmatch=True)


_one_line = _text.map(lambda s: s.replace("\n", " ").replace("\r", " "))
_severity = st.sampled_from(["0", "3", "10", "Low", "Medium", "High", "Very-High"])


@given(
    header=st.lists(_one_line, min_size=5, max_size=5),
    severity=_severity,
    extension=st.dictionaries(_key, _value, max_size=6),
)
# a value that is only a no-break space (whitespace to str.strip, not a CEF separator)
@example(header=["a", "b", "c", "d", "e"], severity="3", extension={"A": "\xa0"})
def test_any_event_survives_writing_and_reading(
    header: list[str], severity: str, extension: dict[str, str]
) -> None:
    event = cef.CefEvent(*header, severity=severity, extension=extension)
    assert cef.parse(cef.format_event(event)) == event


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("hello", "does not contain 'CEF:'"),
        ("CEF:0|a|b|c", "this one has 4"),
        ("CEF:x|a|b|c|d|e|f|", "version must be a number"),
        ("CEF:0|a|b|c|d|e|f|just words", "key=value pairs"),
    ],
)
def test_text_that_is_not_cef_is_named(text: str, problem: str) -> None:
    with pytest.raises(cef.CefError, match=problem):
        cef.parse(text)


def test_a_key_that_cef_cannot_carry_is_refused() -> None:
    with pytest.raises(cef.CefError, match="cannot be a CEF extension key"):
        cef.format_event(cef.CefEvent("a", "b", "c", "d", "e", "1", extension={"bad key": "x"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1764555004000", datetime(2025, 12, 1, 2, 10, 4, tzinfo=UTC)),
        ("Dec 01 2026 02:10:04", datetime(2026, 12, 1, 2, 10, 4, tzinfo=UTC)),
        ("Dec 01 2026 02:10:04.250", datetime(2026, 12, 1, 2, 10, 4, 250000, tzinfo=UTC)),
        ("Dec 01 2026 07:40:04 +0530", datetime(2026, 12, 1, 2, 10, 4, tzinfo=UTC)),
        ("Dec 01 2026 02:10:04 UTC", datetime(2026, 12, 1, 2, 10, 4, tzinfo=UTC)),
        ("2026-12-01T02:10:04Z", datetime(2026, 12, 1, 2, 10, 4, tzinfo=UTC)),
        ("soon", None),
    ],
)
def test_cef_times(text: str, expected: datetime | None) -> None:
    assert cef.cef_time(text) == expected


def test_a_cef_event_in_the_event_format() -> None:
    data = cef.to_activity(cef.parse(LINE))
    assert ActivityIn.model_validate(data).model_dump(exclude_none=True) == {
        "time": datetime(2025, 12, 1, 2, 10, 4, tzinfo=UTC),
        "actor": "ravi@acme.example",
        "action": "download",
        "resource": "C:\\secrets\\brine=v2.pdf",
        "bytes": 48213,
        "ip": "203.0.113.5",
        "country": "IN",
        "device": "ravi-laptop",
        "source": "sftp gateway",
    }


@pytest.mark.parametrize(
    ("act", "action"),
    [
        ("read", "view"),
        ("Downloaded", "download"),
        ("FAILED_LOGON", "failed-login"),
        ("blocked", None),
        ("clone", "clone"),
        ("frobnicate", None),
    ],
)
def test_action_words(act: str, action: str | None) -> None:
    assert cef.action_of(act) == action


def test_the_action_falls_back_to_the_signature_and_the_time_to_the_default() -> None:
    event = cef.parse("CEF:0|Git|Server|1|clone|Repository cloned|3|duser=ana request=git@x:r.git")
    when = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    data = cef.to_activity(event, default_time=when)
    assert (data["action"], data["actor"], data["time"]) == ("clone", "ana", when)


def test_an_event_written_as_cef_reads_back_as_itself() -> None:
    event = ActivityIn(time=datetime(2026, 12, 1, 2, 10, 4, tzinfo=UTC), actor="ravi@acme.example",
                       action="download", resource="s3://b/k=1 2.pdf", bytes=5, ip="203.0.113.5",
                       country="IN", device="d1", source="s3")  # fmt: skip
    text = cef.format_event(cef.from_activity(event))
    assert ActivityIn.model_validate(cef.to_activity(cef.parse(text))) == event
