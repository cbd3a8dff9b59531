"""CloudTrail records in the event format: every S3 operation's mapping, console sign-ins,
the file shapes CloudTrail and its shippers write, and bad records named by number."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from crownjewels.monitoring.sources import cloudtrail
from crownjewels.monitoring.sources.conversion import Conversion
from tests.monitoring.sources.fixtures import fixture


def _plain(conversion: Conversion) -> list[dict[str, Any]]:
    return [json.loads(line) for line in conversion.lines()]


def test_the_fixture_maps_every_operation_and_names_what_it_cannot_read() -> None:
    result = cloudtrail.read(fixture("cloudtrail-s3.json"))
    events = _plain(result)
    assert [(e["action"], e["resource"]) for e in events] == [
        ("download", "s3://nw-formulas/brine/process-v3.pdf"),
        ("upload", "s3://nw-formulas/brine/process-v4.pdf"),
        ("copy", "s3://nw-formulas/brine/process-v3.pdf"),  # the source, not the new object
        ("delete", "s3://nw-formulas/brine/old-1.pdf"),  # DeleteObjects: one event per key
        ("delete", "s3://nw-formulas/brine/old-2.pdf"),
        ("view", "s3://nw-formulas/brine/"),  # ListObjects: the bucket and prefix
        ("failed-login", "aws-console:111122223333"),
        ("login", "aws-console:111122223333"),
        ("view", "s3://nw-formulas/brine/process-v3.pdf"),
    ]
    assert result.origins == [1, 2, 3, 4, 4, 5, 8, 9, 11]
    first = events[0]
    assert first == {
        "time": "2026-12-01T02:10:04Z",
        "actor": "ravi.rao",
        "action": "download",
        "resource": "s3://nw-formulas/brine/process-v3.pdf",
        "bytes": 48213,
        "ip": "203.0.113.5",
        "source": "s3",
    }
    assert events[1]["actor"] == "elena@nw.example"  # the SSO session's name
    assert events[1]["bytes"] == 1024  # an upload's bytes are the bytes in
    assert events[6]["actor"] == "unknown-user@aws-account-111122223333"
    assert events[8]["actor"] == "backup.amazonaws.com" and "ip" not in events[8]
    assert [(p.line, p.reason) for p in result.problems] == [
        (12, "the record has no eventName"),
        (13, "GetObject: no bucket and key in requestParameters or resources"),
    ]
    assert result.skipped == {
        "ListBuckets": 1,
        "GetObject refused (AccessDenied)": 1,  # the format has no refusal: counted, not sent
        "GetObject failed (NoSuchKey)": 1,
    }
    assert result.where(12) == "record 12"


def _record(name: str = "GetObject", **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.11",
        "eventTime": "2026-12-02T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "userIdentity": {"type": "IAMUser", "userName": "ravi.rao", "accessKeyId": "AKIA1"},
        "sourceIPAddress": "203.0.113.9",
        "requestParameters": {"bucketName": "b", "key": "k/x.pdf"},
        "additionalEventData": {"bytesTransferredOut": 10.0, "bytesTransferredIn": 0},
    }
    record.update(changes)
    return record


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("GetObject", "download"),
        ("SelectObjectContent", "download"),
        ("HeadObject", "view"),
        ("GetObjectAttributes", "view"),
        ("PutObject", "upload"),
        ("CompleteMultipartUpload", "upload"),
        ("CopyObject", "copy"),
        ("UploadPartCopy", "copy"),
        ("DeleteObject", "delete"),
        ("PutObjectAcl", "share"),
    ],
)
def test_each_object_operation_maps_to_its_action(name: str, action: str) -> None:
    result = cloudtrail.read(json.dumps({"Records": [_record(name)]}).encode())
    assert [(e.action.value, e.resource) for e in result.events] == [(action, "s3://b/k/x.pdf")]


def test_bucket_wide_operations_name_the_bucket() -> None:
    records = [_record("PutBucketPolicy"), _record("ListObjectsV2")]
    result = cloudtrail.read(json.dumps(records).encode())  # a bare list of records
    assert [(e.action.value, e.resource) for e in result.events] == [
        ("share", "s3://b/"),
        ("view", "s3://b/"),
    ]


@pytest.mark.parametrize(
    ("identity", "actor"),
    [
        ({"type": "IAMUser", "userName": "dana", "accessKeyId": "AKIA2"}, "dana"),
        (
            {
                "type": "AssumedRole",
                "arn": "arn:aws:sts::1:assumed-role/Role/ana@nw.example",
                "accessKeyId": "ASIA3",
            },
            "ana@nw.example",
        ),
        ({"type": "IAMUser", "accessKeyId": "AKIA4", "arn": "arn:aws:iam::1:user/x"}, "AKIA4"),
        ({"type": "Root", "arn": "arn:aws:iam::1:root", "principalId": "1"}, "arn:aws:iam::1:root"),
        ({"type": "AWSService", "invokedBy": "athena.amazonaws.com"}, "athena.amazonaws.com"),
    ],
)
def test_the_actor_is_the_most_personal_name_the_identity_gives(
    identity: dict[str, Any], actor: str
) -> None:
    assert cloudtrail.actor_of(identity) == actor


def test_a_gzipped_file_one_record_per_line_and_eventbridge_envelopes_are_read() -> None:
    lines = "\n".join(
        [
            json.dumps(_record()),
            "",
            json.dumps(
                {"detail-type": "AWS API Call via CloudTrail", "detail": _record("PutObject")}
            ),
            "{not json",
            json.dumps({"hello": "world"}),
        ]
    )
    result = cloudtrail.read(gzip.compress(lines.encode()))
    assert [e.action.value for e in result.events] == ["download", "upload"]
    assert result.origins == [1, 3]
    assert [p.line for p in result.problems] == [4, 5]
    assert result.problems[0].reason.startswith("not JSON")
    assert result.where(4) == "line 4"


def test_a_file_that_is_not_cloudtrail_says_so() -> None:
    result = cloudtrail.read(b'{"items": []}')
    assert not result.events
    assert "not a CloudTrail file" in result.problems[0].reason
    broken = cloudtrail.read(b"\x1f\x8b not really gzip")
    assert "cannot be decompressed" in broken.problems[0].reason


def test_an_invalid_event_is_named_with_its_field() -> None:
    result = cloudtrail.read(json.dumps([_record(eventTime="yesterday")]).encode())
    assert not result.events
    assert result.problems[0].line == 1
    assert result.problems[0].reason.startswith("time:")
