"""Whatever a source sends, the adapters name problems instead of failing: records of the
right shape with fields of any JSON type, any text as syslog, any bytes as a file."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crownjewels.monitoring.sources import cloudtrail, m365, syslog
from crownjewels.monitoring.sources.cloudtrail import S3_ACTIONS
from crownjewels.monitoring.sources.listener import FramingError, read_frame

_json: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_names = st.sampled_from([*S3_ACTIONS, "ConsoleLogin", "ListBuckets"]) | _json
_fields = ["eventTime", "userIdentity", "sourceIPAddress", "requestParameters", "resources",
           "additionalEventData", "responseElements", "errorCode", "recipientAccountId",
           "detail"]  # fmt: skip
_record = st.fixed_dictionaries(
    {"eventName": _names, "eventSource": st.sampled_from(["s3.amazonaws.com", "x"]) | _json},
    optional={name: _json for name in _fields}
    | {
        "requestParameters": st.fixed_dictionaries(
            {},
            optional={
                "bucketName": _json,
                "key": _json,
                "prefix": _json,
                "delete": _json,
                "x-amz-copy-source": _json,
            },
        )
    },
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(_record | _json, max_size=4))
def test_any_cloudtrail_records(records: list[Any]) -> None:
    result = cloudtrail.read(json.dumps({"Records": records}).encode())
    assert len(result.events) == len(result.origins)


_audit = st.fixed_dictionaries(
    {"Operation": st.sampled_from(list(m365.OPERATIONS)) | _json},
    optional={
        name: _json
        for name in (
            "CreationTime",
            "UserId",
            "ObjectId",
            "ClientIP",
            "ActorIpAddress",
            "SiteUrl",
            "SourceRelativeUrl",
            "SourceFileName",
            "MachineId",
            "DeviceProperties",
            "Workload",
        )
    },
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12), _audit | _json),
                     max_size=4))  # fmt: skip
def test_any_m365_rows(rows: list[tuple[str, str, Any]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["CreationDate", "UserIds", "Operations", "AuditData"])
    for date, user, audit in rows:
        writer.writerow([date, user, "FileDownloaded", json.dumps(audit)])
    result = m365.read(out.getvalue().encode())
    assert len(result.events) == len(result.origins)


@given(data=st.binary(max_size=200))
def test_any_bytes_as_a_file(data: bytes) -> None:
    cloudtrail.read(data)
    m365.read(data)


_syslogish = st.text(max_size=80) | st.builds(
    lambda head, body: head + body,
    st.sampled_from(["<14>1 - h a - - - ", '<14>1 - h a - - [x@1 a="b"] ', "<14>Dec  1 h ", ""]),
    st.builds(lambda ext: "CEF:0|a|b|1|get|n|3|" + ext, st.text(max_size=60))
    | st.builds(json.dumps, _json),
)


@settings(max_examples=200)
@given(text=_syslogish)
def test_any_text_as_syslog(text: str) -> None:
    result = syslog.convert_lines([text])
    assert len(result.events) + len(result.problems) <= 1


def _frames(data: bytes, max_message: int = 64) -> list[bytes]:
    async def read_all() -> list[bytes]:
        reader = asyncio.StreamReader(limit=max_message + 32)
        reader.feed_data(data)
        reader.feed_eof()
        frames: list[bytes] = []
        try:
            while (frame := await read_frame(reader, max_message)) is not None:
                frames.append(frame)
        except FramingError:
            pass
        return frames

    return asyncio.run(read_all())


@settings(max_examples=200)
@given(messages=st.lists(st.binary(max_size=40), max_size=5))
def test_octet_counted_frames_come_back_whole(messages: list[bytes]) -> None:
    data = b"".join(str(len(m)).encode() + b" " + m for m in messages)
    assert _frames(data) == messages


@settings(max_examples=200)
@given(data=st.binary(max_size=300))
def test_any_tcp_stream_is_framed_or_refused(data: bytes) -> None:
    assert all(len(frame) <= 64 + 32 for frame in _frames(data))
