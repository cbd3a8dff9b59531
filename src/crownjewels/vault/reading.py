"""Decrypting reads. Each one is a DOCUMENT_READ custody event, and none exposes plaintext of
damaged content:

- `export_version` writes a file that appears only after the last segment authenticated
  (`stream.decrypt_to_file`: a temp file beside it, renamed into place);
- `open_version` decrypts into an unnamed temp file and hands back its handle only after the
  whole stream authenticated;
- `stream_version` (HTTP downloads) yields segment by segment as each authenticates; on damage
  it raises mid-stream, so the server aborts the response and the client sees a failed transfer
  (never a complete-looking short file: the Content-Length is the full size)."""

from __future__ import annotations

import contextlib
import queue
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.vault import owners, repository
from crownjewels.vault.errors import DocumentDestroyed, DocumentNotFound
from crownjewels.vault.keys import WrappedKey
from crownjewels.vault.schemas import VersionRead
from crownjewels.vault.service import (
    SUBJECT,
    Vault,
    owned_document,
    read_document,
    require_active,
)
from crownjewels.vault.stream import decrypt_stream, decrypt_to_file
from crownjewels.vault.uploads import version_context


@dataclass(frozen=True)
class _Unlocked:
    version: VersionRead
    blob_id: str
    data_key: bytes


def _unlock(
    session: Session,
    actor: Actor,
    vault: Vault,
    document_id: str,
    number: int | None,
    recorded_as: Actor | None = None,
) -> _Unlocked:
    """Find the version, unwrap its data key and record the read (against `recorded_as` when
    given: the person a higher capability decrypts for, after its own policy check)."""
    if not owners.may_read_any(actor):
        raise Forbidden("reading a document needs the documents:read permission")
    document, _ = owned_document(session, actor, document_id)
    require_active(document)
    wanted = number or document.current_version
    row = repository.version(session, document.id, wanted)
    if row is None:
        raise DocumentNotFound(
            f"document {document.id} has no version {wanted}; it has 1-{document.current_version}"
        )
    version, key = row
    if key.wrapped is None:
        raise DocumentDestroyed(f"version {wanted} of document {document.id} was destroyed")
    data_key = vault.keys.unwrap(
        WrappedKey.from_bytes(key.wrapped), version_context(document.id, version.number)
    )
    custody.record(
        session,
        actor=recorded_as or actor,
        event_type=EventType.DOCUMENT_READ,
        subject_type=SUBJECT,
        subject_id=document.id,
        details={"version": version.number, "sha256": version.sha256},
    )
    read = read_document(document, [row])
    return _Unlocked(read.versions[0], version.blob_id, data_key)


def export_version(
    session: Session,
    *,
    actor: Actor,
    vault: Vault,
    document_id: str,
    path: Path,
    version: int | None = None,
) -> VersionRead:
    """Decrypt a version (default the newest) to `path`, which appears only if it all
    authenticated."""
    unlocked = _unlock(session, actor, vault, document_id, version)
    with vault.store.open(unlocked.blob_id) as blob:
        decrypt_to_file(blob, path, unlocked.data_key)
    return unlocked.version


def open_version(
    session: Session,
    *,
    actor: Actor,
    vault: Vault,
    document_id: str,
    version: int | None = None,
    recorded_as: Actor | None = None,
) -> tuple[VersionRead, IO[bytes]]:
    """A version's plaintext as a readable file, returned only after the whole stream
    authenticated; the caller closes it (the temp file then disappears). `recorded_as`: who
    the DOCUMENT_READ names when a higher capability reads for a person it checked (disclosure
    for a self-download the access rules allowed); the permission is then `actor`'s."""
    unlocked = _unlock(session, actor, vault, document_id, version, recorded_as)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
    try:
        with vault.store.open(unlocked.blob_id) as blob:
            decrypt_stream(blob, out, unlocked.data_key)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return unlocked.version, out


class _Stopped(Exception):
    """The consumer went away (the client disconnected): stop decrypting."""


class _QueueWriter:
    def __init__(self, q: queue.Queue[bytes | BaseException | None], stop: threading.Event):
        self._q, self._stop = q, stop

    def write(self, data: bytes, /) -> int:
        self.put(bytes(data))
        return len(data)

    def put(self, item: bytes | BaseException | None) -> None:
        while True:
            if self._stop.is_set():
                raise _Stopped
            try:
                self._q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue


def stream_version(
    session: Session, *, actor: Actor, vault: Vault, document_id: str, version: int | None = None
) -> tuple[VersionRead, Iterator[bytes]]:
    """The version's metadata (the read is recorded now) and an iterator of authenticated
    plaintext segments that raises on damage; at most two segments are held in memory."""
    unlocked = _unlock(session, actor, vault, document_id, version)
    return unlocked.version, _segments(vault, unlocked)


def _segments(vault: Vault, unlocked: _Unlocked) -> Iterator[bytes]:
    q: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            with vault.store.open(unlocked.blob_id) as blob:
                decrypt_stream(blob, _QueueWriter(q, stop), unlocked.data_key)
            _QueueWriter(q, stop).put(None)
        except _Stopped:
            return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            with contextlib.suppress(_Stopped):
                _QueueWriter(q, stop).put(exc)

    worker = threading.Thread(target=produce, name="vault-download", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()
