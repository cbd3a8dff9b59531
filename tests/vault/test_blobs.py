"""Blob stores: the local folder and an S3 bucket on a local moto server, the same tests for
both, plus each store's own guarantees (atomic local writes, S3 multipart uploads)."""

from __future__ import annotations

import io
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from crownjewels.core.errors import Invalid
from crownjewels.settings import Settings
from crownjewels.vault import blobs, keys, stream
from crownjewels.vault.errors import BlobNotFound, BlobTooLarge

from .helpers import Generated

PART = blobs.MIN_PART_SIZE


def s3_settings(moto_url: str, bucket: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path,
        blob_store="s3",
        s3_endpoint_url=moto_url,
        s3_bucket=bucket,
        s3_region="us-east-1",
        s3_prefix="blobs/",
        s3_access_key_id="testing",
        s3_secret_access_key="testing",  # type: ignore[arg-type]
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> blobs.BlobStore:
    if request.param == "local":
        return blobs.blob_store(Settings(home=tmp_path))
    settings = s3_settings(request.getfixturevalue("moto_url"), f"b-{uuid.uuid4().hex}", tmp_path)
    client = blobs.s3_client(settings)
    client.create_bucket(Bucket=str(settings.s3_bucket))
    made = blobs.blob_store(settings)
    assert isinstance(made, blobs.S3BlobStore)
    made.part_size = PART  # the smallest S3 allows, so a few MiB exercise multipart
    return made


def read_all(store: blobs.BlobStore, blob_id: str) -> bytes:
    with store.open(blob_id) as src:
        return src.read()


@pytest.mark.parametrize("size", [0, 1, 1000, PART, PART + 1, 2 * PART + 12345])
def test_put_open_size_exists_delete(store: blobs.BlobStore, size: int) -> None:
    data = os.urandom(size)
    assert not store.exists("01JBLOB")
    assert store.put("01JBLOB", io.BytesIO(data)) == size
    assert store.exists("01JBLOB")
    assert store.size("01JBLOB") == size
    assert read_all(store, "01JBLOB") == data
    assert store.delete("01JBLOB") is True
    assert not store.exists("01JBLOB")
    assert store.delete("01JBLOB") is False


def test_missing_blob(store: blobs.BlobStore) -> None:
    with pytest.raises(BlobNotFound, match="no blob nope"), store.open("nope"):
        pass
    with pytest.raises(BlobNotFound):
        store.size("nope")


def test_blobs_are_immutable(store: blobs.BlobStore) -> None:
    store.put("once", io.BytesIO(b"first"))
    with pytest.raises(blobs.BlobExists, match="already exists"):
        store.put("once", io.BytesIO(b"second"))
    assert read_all(store, "once") == b"first"


@pytest.mark.parametrize("bad", ["", "../etc/passwd", "a/b", ".hidden", "a..b", "x" * 129, "é"])
def test_blob_ids_cannot_escape(store: blobs.BlobStore, bad: str) -> None:
    with pytest.raises(Invalid, match="not a valid blob id"):
        store.exists(bad)


def test_a_failed_write_leaves_nothing(store: blobs.BlobStore) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.writer("half") as out:
        out.write(os.urandom(PART + 10))  # past one part: a multipart upload has started
        raise Boom
    assert not store.exists("half")
    with pytest.raises(BlobTooLarge, match="100-byte limit"):
        store.put("big", io.BytesIO(bytes(101)), max_size=100)
    assert not store.exists("big")


def test_encrypted_stream_through_the_store(store: blobs.BlobStore) -> None:
    """The path later steps take: encrypt into a store writer, decrypt from a store reader."""
    kek = keys.LocalKeyProvider(os.urandom(32), source="test")
    ctx = {"purpose": "document-version", "document": "01JDOC", "version": "1"}
    data_key = keys.new_data_key()
    wrapped = kek.wrap(data_key, ctx)
    size = 2 * PART + 777
    with store.writer("01JDOCV1") as out:
        info = stream.encrypt_stream(Generated(size), out, data_key)
    assert store.size("01JDOCV1") == stream.encrypted_size(size)
    with store.open("01JDOCV1") as src:
        back = stream.verify_stream(src, kek.unwrap(wrapped, ctx), hash_plaintext=True)
    assert back == info


def test_local_store_layout_and_modes(tmp_path: Path) -> None:
    store = blobs.LocalBlobStore(tmp_path / "blobs")
    store.put("01JBLOB", io.BytesIO(b"x"))
    path = store.path("01JBLOB")
    assert path.parent.parent == tmp_path / "blobs" and len(path.parent.name) == 2
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["01JBLOB"], "no temp file left"


def test_local_write_is_invisible_until_complete(tmp_path: Path) -> None:
    store = blobs.LocalBlobStore(tmp_path)
    with store.writer("later") as out:
        out.write(b"partial")
        assert not store.exists("later")
    assert read_all(store, "later") == b"partial"


def test_s3_large_blob_uses_multipart(moto_url: str, tmp_path: Path) -> None:
    settings = s3_settings(moto_url, f"b-{uuid.uuid4().hex}", tmp_path)
    client = blobs.s3_client(settings)
    client.create_bucket(Bucket=str(settings.s3_bucket))
    calls: list[str] = []

    def count(params: Any, **kwargs: Any) -> None:
        calls.append(kwargs["event_name"].rsplit(".", 1)[-1])

    client.meta.events.register("provide-client-params.s3.*", count)
    store = blobs.S3BlobStore(client, str(settings.s3_bucket), prefix="p/", part_size=PART)
    assert store.put("big", Generated(3 * PART + 5)) == 3 * PART + 5
    assert calls.count("UploadPart") == 4 and "CompleteMultipartUpload" in calls
    assert "PutObject" not in calls
    listed = client.list_objects_v2(Bucket=str(settings.s3_bucket))["Contents"]
    assert [o["Key"] for o in listed] == ["p/big"]
    calls.clear()
    store.put("small", io.BytesIO(b"tiny"))
    assert calls.count("PutObject") == 1 and "UploadPart" not in calls
    # an aborted upload leaves no multipart upload behind
    with pytest.raises(RuntimeError), store.writer("gone") as out:
        out.write(bytes(PART + 1))
        raise RuntimeError
    uploads = client.list_multipart_uploads(Bucket=str(settings.s3_bucket))
    assert not uploads.get("Uploads")


def test_s3_needs_a_bucket(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no s3_bucket"):
        blobs.blob_store(Settings(home=tmp_path, blob_store="s3"))


def test_boto3_is_the_client(tmp_path: Path) -> None:
    """The S3 store talks through a real boto3 client (boto3 is imported when a client is
    made, so that the commands that never reach S3 do not pay for importing it)."""
    settings = s3_settings("http://127.0.0.1:9", "b", tmp_path)
    client = blobs.s3_client(settings)
    assert isinstance(client, BaseClient) and client.meta.service_model.service_name == "s3"
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert boto3.DEFAULT_SESSION is not None  # made by boto3.client, not by hand


def test_listing_names_every_blob_with_its_time(store: blobs.BlobStore) -> None:
    before = datetime.now(UTC) - timedelta(minutes=5)
    for blob_id in ("a1", "b2"):
        store.put(blob_id, io.BytesIO(b"x"))
    listed = dict(store.listing())
    assert set(listed) == {"a1", "b2"}
    assert all(before < t < datetime.now(UTC) + timedelta(minutes=5) for t in listed.values())
