"""An S3 bucket prefix read for a scan: `s3://bucket/prefix`, every object under the prefix,
listed page by page and read one at a time (never the whole bucket in memory), shown as
`s3://bucket/key`. The endpoint, region and credentials are the installation's
CROWNJEWELS_LEAKS_S3_* settings (an S3-compatible store such as MinIO, or AWS itself); the
credentials need s3:ListBucket and s3:GetObject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from crownjewels.leaks.errors import TargetRefused
from crownjewels.leaks.scan.limits import Found, ScanLimits, too_large

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: S3's rules for a bucket name (lower-case letters, digits, dots and hyphens; 3 to 63)
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def parse(target: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix`; TargetRefused when it is not one."""
    if not target.lower().startswith("s3://"):
        raise TargetRefused(f"{target} is not an S3 address; write it as s3://bucket/prefix")
    bucket, _, prefix = target[5:].partition("/")
    if not _BUCKET.match(bucket):
        raise TargetRefused(
            f"{bucket!r} is not a valid bucket name (3 to 63 lower-case letters, digits, dots "
            "and hyphens); write the address as s3://bucket/prefix"
        )
    return bucket, prefix


def client(limits: ScanLimits) -> S3Client:
    """A boto3 client for the scanned buckets' endpoint, with bounded timeouts and retries."""
    access = limits.s3
    made: S3Client = boto3.client(
        "s3",
        endpoint_url=access.endpoint_url,
        region_name=access.region,
        aws_access_key_id=access.access_key_id,
        aws_secret_access_key=access.secret_access_key,
        config=Config(
            connect_timeout=min(limits.fetch_timeout, 10.0),
            read_timeout=limits.fetch_timeout,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )
    return made


def read_bucket(target: str, limits: ScanLimits) -> Iterator[Found]:
    """Every object under the prefix, in key order, each read or skipped with its reason."""
    bucket, prefix = parse(target)
    s3 = client(limits)
    where = limits.s3.endpoint_url or "AWS"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    try:
        for page in pages:
            for entry in page.get("Contents", []):
                key = entry["Key"]
                size = int(entry.get("Size", 0))
                if key.endswith("/") and size == 0:
                    continue  # a "folder" placeholder
                yield _read(s3, bucket, key, size, limits)
    except NoCredentialsError:
        raise TargetRefused(
            "no S3 credentials are configured for scans; set CROWNJEWELS_LEAKS_S3_ACCESS_KEY_ID "
            "and CROWNJEWELS_LEAKS_S3_SECRET_ACCESS_KEY (or the AWS_* variables)"
        ) from None
    except ClientError as exc:
        raise TargetRefused(_listing_refused(bucket, where, exc)) from None
    except BotoCoreError as exc:
        raise TargetRefused(
            f"the S3 endpoint {where} could not be reached to list s3://{bucket} ({exc}); check "
            "CROWNJEWELS_LEAKS_S3_ENDPOINT_URL and that the store is up"
        ) from None


def _listing_refused(bucket: str, where: str, exc: ClientError) -> str:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if code == "NoSuchBucket":
        return f"there is no bucket named {bucket} at {where}; check the address"
    if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return (
            f"the store at {where} refused to list s3://{bucket} ({code}); give the scanning "
            "credentials s3:ListBucket and s3:GetObject on it"
        )
    return f"s3://{bucket} could not be listed at {where} ({code or exc}); check the address"


def _read(s3: S3Client, bucket: str, key: str, size: int, limits: ScanLimits) -> Found:
    shown = f"s3://{bucket}/{key}"
    if size > limits.max_file_bytes:
        return Found(shown, None, too_large(size, limits))
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            data = body.read(limits.max_file_bytes + 1)
        finally:
            body.close()
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "")) or "refused"
        return Found(shown, None, f"could not be read ({code})")
    except BotoCoreError as exc:
        return Found(shown, None, f"could not be read ({exc})")
    if len(data) > limits.max_file_bytes:
        return Found(shown, None, too_large(len(data), limits))
    return Found(shown, data)
