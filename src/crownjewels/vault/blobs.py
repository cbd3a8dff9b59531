"""Blob stores: where encrypted streams live, a folder under home or an S3-compatible bucket.

Blobs are addressed by id (the caller's, e.g. a document version's ULID), not by content:
every version is encrypted under a fresh data key with random nonces, so ciphertexts never
repeat and content addressing would deduplicate nothing; addressing by the plaintext hash
would tell who holds what and would make one blob shared by several owners, which breaks
deletion and crypto-shredding. Blobs are immutable: writing an existing id is refused.

A store only ever sees ciphertext (`vault.stream`); it adds durability, not secrecy.
Writes are all or nothing: the local store writes a temp file, fsyncs it and links it into
place; the S3 store uploads in parts and completes (or aborts) the multipart upload.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from crownjewels.core.errors import Conflict, Invalid
from crownjewels.core.files import private_dir
from crownjewels.settings import Settings
from crownjewels.vault.errors import BlobNotFound, BlobTooLarge
from crownjewels.vault.stream import Reader, Writer

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef
else:
    S3Client = CompletedPartTypeDef = Any

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
COPY_CHUNK = 1 << 20
#: S3 parts: at least 5 MiB each but the last; 8 MiB x 10,000 parts allows 80 GB per blob
DEFAULT_PART_SIZE = 8 << 20
MIN_PART_SIZE = 5 << 20


class BlobExists(Conflict):
    """A blob with that id is already stored (blobs are immutable)."""


def check_blob_id(blob_id: str) -> str:
    """A blob id is 1-128 letters, digits, dots, dashes or underscores (no path tricks)."""
    if not _ID.fullmatch(blob_id) or ".." in blob_id:
        raise Invalid(f"not a valid blob id: {blob_id!r}", field="blob_id")
    return blob_id


class BlobStore(Protocol):
    """Immutable blobs by id, written and read as streams."""

    def writer(self, blob_id: str) -> contextlib.AbstractContextManager[Writer]:
        """A writer whose bytes become the blob when the block ends without an exception."""
        ...

    def put(self, blob_id: str, reader: Reader, *, max_size: int | None = None) -> int:
        """Store everything the reader yields; returns the size. BlobTooLarge past max_size."""
        ...

    def open(self, blob_id: str) -> contextlib.AbstractContextManager[Reader]:
        """Read a blob as a stream; BlobNotFound if there is none."""
        ...

    def exists(self, blob_id: str) -> bool:
        """Whether a blob with that id is stored."""
        ...

    def size(self, blob_id: str) -> int:
        """The stored size in bytes; BlobNotFound if there is none."""
        ...

    def delete(self, blob_id: str) -> bool:
        """Remove a blob; True if it existed."""
        ...

    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Every stored blob id with its last-modified time (for the orphan sweep)."""
        ...


def copy_stream(reader: Reader, writer: Writer, *, max_size: int | None = None) -> int:
    """Copy in 1 MiB chunks; returns the byte count, BlobTooLarge as soon as it is exceeded."""
    total = 0
    while chunk := reader.read(COPY_CHUNK):
        total += len(chunk)
        if max_size is not None and total > max_size:
            raise BlobTooLarge(f"the blob is larger than the {max_size}-byte limit")
        writer.write(chunk)
    return total


class LocalBlobStore:
    """Blobs as files under a folder (mode 0600 files, 0700 folders), fanned out by id hash."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, blob_id: str) -> Path:
        """Where a blob lives: <root>/<2 hex of sha256(id)>/<id>."""
        fan = hashlib.sha256(check_blob_id(blob_id).encode()).hexdigest()[:2]
        return self.root / fan / blob_id

    @contextlib.contextmanager
    def writer(self, blob_id: str) -> Iterator[Writer]:
        final = self.path(blob_id)
        if final.exists():
            raise BlobExists(f"blob {blob_id} already exists")
        private_dir(final.parent)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{blob_id}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(tmp, final)  # atomic, and unlike rename never replaces an existing blob
            except FileExistsError:
                raise BlobExists(f"blob {blob_id} already exists") from None
            _fsync_dir(final.parent)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def put(self, blob_id: str, reader: Reader, *, max_size: int | None = None) -> int:
        with self.writer(blob_id) as out:
            return copy_stream(reader, out, max_size=max_size)

    @contextlib.contextmanager
    def open(self, blob_id: str) -> Iterator[Reader]:
        try:
            fh: BinaryIO = self.path(blob_id).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {blob_id}") from None
        with fh:
            yield fh

    def exists(self, blob_id: str) -> bool:
        return self.path(blob_id).is_file()

    def size(self, blob_id: str) -> int:
        try:
            return self.path(blob_id).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {blob_id}") from None

    def delete(self, blob_id: str) -> bool:
        path = self.path(blob_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True

    def listing(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.is_dir():
            return
        for fan in sorted(self.root.iterdir()):
            if not fan.is_dir():
                continue
            for entry in sorted(fan.iterdir()):
                if entry.name.startswith(".") or not entry.is_file():
                    continue  # temp files of writes in progress
                with contextlib.suppress(FileNotFoundError):
                    yield entry.name, datetime.fromtimestamp(entry.stat().st_mtime, UTC)


def _fsync_dir(path: Path) -> None:
    """Make a rename or unlink in a folder durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _MultipartWriter:
    """Buffers one part; the first full part starts a multipart upload, smaller blobs are one
    PUT. Memory is one part whatever the blob's size."""

    def __init__(self, client: S3Client, bucket: str, key: str, part_size: int) -> None:
        self.client, self.bucket, self.key, self.part_size = client, bucket, key, part_size
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[CompletedPartTypeDef] = []

    def write(self, data: bytes, /) -> int:
        self.buffer += data
        while len(self.buffer) >= self.part_size:
            self._upload_part(bytes(self.buffer[: self.part_size]))
            del self.buffer[: self.part_size]
        return len(data)

    def _upload_part(self, body: bytes) -> None:
        if self.upload_id is None:
            created = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)
            self.upload_id = created["UploadId"]
        number = len(self.parts) + 1
        done = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=body
        )
        self.parts.append({"PartNumber": number, "ETag": done["ETag"]})

    def complete(self) -> None:
        if self.upload_id is None:
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self.buffer))
            return
        if self.buffer or not self.parts:
            self._upload_part(bytes(self.buffer))
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def abort(self) -> None:
        if self.upload_id is not None:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
            )


class _S3Body:
    """An S3 object body as a Reader (read(n), read() for all)."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def read(self, size: int = -1, /) -> bytes:
        data: bytes = self.body.read(size if size >= 0 else None)
        return data


class S3BlobStore:
    """Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, R2 …)."""

    def __init__(
        self, client: S3Client, bucket: str, *, prefix: str = "", part_size: int = DEFAULT_PART_SIZE
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"S3 parts are at least {MIN_PART_SIZE} bytes")
        self.client, self.bucket, self.prefix, self.part_size = client, bucket, prefix, part_size

    def key(self, blob_id: str) -> str:
        """The object key of a blob: <prefix><id>."""
        return self.prefix + check_blob_id(blob_id)

    @contextlib.contextmanager
    def writer(self, blob_id: str) -> Iterator[Writer]:
        # A check, not a lock: ids are fresh ULIDs, so two writers of one id are a bug upstream.
        if self.exists(blob_id):
            raise BlobExists(f"blob {blob_id} already exists")
        upload = _MultipartWriter(self.client, self.bucket, self.key(blob_id), self.part_size)
        try:
            yield upload
            upload.complete()
        except BaseException:
            upload.abort()
            raise

    def put(self, blob_id: str, reader: Reader, *, max_size: int | None = None) -> int:
        with self.writer(blob_id) as out:
            return copy_stream(reader, out, max_size=max_size)

    @contextlib.contextmanager
    def open(self, blob_id: str) -> Iterator[Reader]:
        from botocore.exceptions import ClientError  # with boto3: only an S3 store needs it

        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.key(blob_id))
        except ClientError as exc:
            if _missing(exc):
                raise BlobNotFound(f"no blob {blob_id}") from None
            raise
        body = obj["Body"]
        try:
            yield _S3Body(body)
        finally:
            body.close()

    def _head(self, blob_id: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(blob_id))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return head["ContentLength"]

    def exists(self, blob_id: str) -> bool:
        return self._head(blob_id) is not None

    def size(self, blob_id: str) -> int:
        size = self._head(blob_id)
        if size is None:
            raise BlobNotFound(f"no blob {blob_id}")
        return size

    def delete(self, blob_id: str) -> bool:
        existed = self.exists(blob_id)
        self.client.delete_object(Bucket=self.bucket, Key=self.key(blob_id))
        return existed

    def listing(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                yield obj["Key"][len(self.prefix) :], obj["LastModified"]


def _missing(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


def s3_client(settings: Settings) -> S3Client:
    """A boto3 S3 client for the configured endpoint, region and credentials."""
    import boto3  # imported when used: most installations and commands never reach S3

    secret = settings.s3_secret_access_key
    client: S3Client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
    )
    return client


def blob_store(settings: Settings) -> BlobStore:
    """The blob store the settings name: a folder under home, or an S3 bucket."""
    if settings.blob_store == "s3":
        if not settings.s3_bucket:
            raise Invalid("blob_store is s3 but no s3_bucket is set", field="s3_bucket")
        return S3BlobStore(s3_client(settings), settings.s3_bucket, prefix=settings.s3_prefix)
    return LocalBlobStore(settings.resolved_blob_dir())
