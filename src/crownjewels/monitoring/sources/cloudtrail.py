"""AWS CloudTrail records in monitoring's format: S3 data events (GetObject is a download,
PutObject an upload, CopyObject a copy, DeleteObject(s) a delete, ListObjects a view, an
object's or bucket's ACL or policy a share) and console sign-ins; refused and failed
requests are counted, not converted. A file is CloudTrail's own
(`{"Records": [...]}`, gzip or not), one record per line, or EventBridge's envelope."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from typing import Any

from crownjewels.monitoring.sources.conversion import Conversion, ip_or_none, nonempty

#: S3 operations as the format's actions; the bytes moved are in additionalEventData
S3_ACTIONS = {
    "GetObject": "download",
    "SelectObjectContent": "download",
    "HeadObject": "view",
    "GetObjectAttributes": "view",
    "ListObjects": "view",
    "ListObjectsV2": "view",
    "ListObjectVersions": "view",
    "PutObject": "upload",
    "CompleteMultipartUpload": "upload",
    "CopyObject": "copy",
    "UploadPartCopy": "copy",
    "DeleteObject": "delete",
    "DeleteObjects": "delete",
    "PutObjectAcl": "share",
    "PutBucketAcl": "share",
    "PutBucketPolicy": "share",
}
_LISTS = {"ListObjects", "ListObjectsV2", "ListObjectVersions"}
_BUCKET_WIDE = {"PutBucketAcl", "PutBucketPolicy"}
#: the error codes of a refused request (counted apart from other failures)
_DENIALS = {"AccessDenied", "AllAccessDisabled", "AccountProblem", "InvalidAccessKeyId",
            "SignatureDoesNotMatch"}  # fmt: skip


def read(data: bytes) -> Conversion:
    """The S3 data events and console sign-ins in a CloudTrail file."""
    if data[:2] == b"\x1f\x8b":  # CloudTrail delivers its files gzipped
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            result = Conversion(unit="record")
            result.reject(1, "the file looks gzipped but cannot be decompressed")
            return result
    text = data.decode("utf-8-sig", errors="replace")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return _read_lines(text)
    result = Conversion(unit="record")
    records = _records_of(whole)
    if records is None:
        result.reject(1, 'not a CloudTrail file: expected {"Records": [...]}, a list of '
                      "records or one record per line")  # fmt: skip
        return result
    for number, record in enumerate(records, start=1):
        convert_record(record, at=number, into=result)
    return result


def _records_of(whole: Any) -> list[Any] | None:
    if isinstance(whole, dict) and isinstance(whole.get("Records"), list):
        return list(whole["Records"])
    if isinstance(whole, list):
        return whole
    if isinstance(whole, dict) and ("eventName" in whole or "detail" in whole):
        return [whole]
    return None


def _read_lines(text: str) -> Conversion:
    """One record (or one {"Records": [...]}) per line, as CloudTrail Lake and log shippers
    write them."""
    result = Conversion(unit="line")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            result.reject(number, f"not JSON ({exc.msg} at column {exc.colno})")
            continue
        records = _records_of(value)
        if records is None:
            result.reject(number, "not a CloudTrail record (no eventName)")
            continue
        for record in records:
            convert_record(record, at=number, into=result)
    return result


def convert_record(record: Any, *, at: int, into: Conversion) -> None:
    """One CloudTrail record: zero, one or (DeleteObjects) several events."""
    if not isinstance(record, dict):
        into.reject(at, "a CloudTrail record must be a JSON object")
        return
    if isinstance(record.get("detail"), dict) and "eventName" not in record:
        record = record["detail"]  # EventBridge: "AWS API Call via CloudTrail"
    name = record.get("eventName")
    if not isinstance(name, str) or not name:
        into.reject(at, "the record has no eventName")
        return
    if name == "ConsoleLogin":
        _console_login(record, at=at, into=into)
        return
    if record.get("eventSource") != "s3.amazonaws.com" or name not in S3_ACTIONS:
        into.skip(name)
        return
    error = record.get("errorCode")
    if error:  # refused or failed: nothing was read or written (the format has no refusal)
        code = error if isinstance(error, str) else json.dumps(error)[:40]
        into.skip(f"{name} {'refused' if code in _DENIALS else 'failed'} ({code})")
        return
    action = S3_ACTIONS[name]
    resources = list(_resources(record, name))
    if not resources:
        into.reject(at, f"{name}: no bucket and key in requestParameters or resources")
        return
    base = _common(record)
    size = _bytes(_dict(record.get("additionalEventData")), action)
    for resource in resources:
        event = {**base, "action": action, "resource": resource}
        if size is not None:
            event["bytes"] = size
        into.add(event, at=at)


def _bytes(extra: dict[str, Any], action: str) -> int | None:
    """The bytes a download, upload or copy moved (CloudTrail writes them as numbers)."""
    if action not in ("download", "upload", "copy"):
        return None
    size = extra.get("bytesTransferredIn" if action == "upload" else "bytesTransferredOut")
    if isinstance(size, bool) or not isinstance(size, int | float) or not math.isfinite(size):
        return None
    return int(size) or None


def _dict(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one when the record has something else there."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _common(record: dict[str, Any]) -> dict[str, Any]:
    """What every event of a record shares: when, who, from where."""
    data = {
        "time": record.get("eventTime"),
        "actor": actor_of(record.get("userIdentity")),
        "ip": ip_or_none(record.get("sourceIPAddress")),
        "source": "s3",
    }
    return {k: v for k, v in data.items() if v is not None}


def actor_of(identity: Any) -> str | None:
    """Who made the call: an IAM user's name; an assumed role's session name (the person's
    email under IAM Identity Center); else the access key id, the ARN, the principal id, or
    the AWS service acting."""
    if not isinstance(identity, dict):
        return None
    arn = identity.get("arn")
    session = None
    if identity.get("type") == "AssumedRole" and isinstance(arn, str) and arn.count("/") >= 2:
        session = arn.rsplit("/", 1)[1]
    if identity.get("userName") == "HIDDEN_DUE_TO_SECURITY_REASONS":
        # a failed sign-in with a name AWS does not know: the name typed is withheld
        return f"unknown-user@aws-account-{identity.get('accountId') or 'unknown'}"
    return nonempty([identity.get("userName"), session, identity.get("accessKeyId"), arn,
                     identity.get("principalId"), identity.get("invokedBy")])  # fmt: skip


def _resources(record: dict[str, Any], name: str) -> Iterator[str]:
    """The objects touched, as s3://bucket/key (a listing: s3://bucket/prefix)."""
    params = _dict(record.get("requestParameters"))
    bucket = _text(params.get("bucketName"))
    if name in ("CopyObject", "UploadPartCopy"):
        source = params.get("x-amz-copy-source")
        if isinstance(source, str) and source:  # what was copied (bucket/key?versionId=…)
            yield "s3://" + source.lstrip("/").split("?", 1)[0]
            return
    if name == "DeleteObjects":
        objects = _dict(params.get("delete")).get("Object") or []
        objects = objects if isinstance(objects, list) else [objects]
        keys = [o["Key"] for o in objects if isinstance(o, dict) and _text(o.get("Key"))]
        if bucket and keys:
            yield from (f"s3://{bucket}/{key}" for key in keys)
            return
    if bucket and name in _LISTS:
        yield f"s3://{bucket}/{_text(params.get('prefix')) or ''}"
        return
    if bucket and name in _BUCKET_WIDE:
        yield f"s3://{bucket}/"
        return
    key = _text(params.get("key"))
    if bucket and key:
        yield f"s3://{bucket}/{key}"
        return
    items = record.get("resources")
    for item in items if isinstance(items, list) else []:  # arn:aws:s3:::bucket/key
        arn = item.get("ARN") if isinstance(item, dict) else None
        if isinstance(arn, str) and item.get("type") == "AWS::S3::Object":
            yield "s3://" + arn.split(":::", 1)[-1]
            return


def _console_login(record: dict[str, Any], *, at: int, into: Conversion) -> None:
    outcome = _dict(record.get("responseElements")).get("ConsoleLogin")
    failed = outcome == "Failure" or bool(record.get("errorMessage"))
    account = _text(record.get("recipientAccountId")) or _text(
        _dict(record.get("userIdentity")).get("accountId")
    )
    event = {
        **_common(record),
        "action": "failed-login" if failed else "login",
        "resource": f"aws-console:{account or 'unknown-account'}",
        "source": "aws-console",
    }
    into.add(event, at=at)
