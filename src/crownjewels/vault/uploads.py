"""Staging an upload: the media type from its first bytes, encryption into a new blob while it
streams in, and the structural checks, with no database involved, so no transaction (and no
lock) is held however long an upload takes. `service.add_document` / `add_version` then write
the rows for a `Staged` upload."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import IO

from crownjewels.core import archives
from crownjewels.core.ids import new_id
from crownjewels.vault import content
from crownjewels.vault.blobs import BlobStore
from crownjewels.vault.keys import KeyProvider, WrappedKey, new_data_key
from crownjewels.vault.stream import Reader, encrypt_stream


def version_context(document_id: str, number: int) -> dict[str, str]:
    """The wrap context of a version's data key: it unwraps for that version only."""
    return {"purpose": "document-version", "document": document_id, "version": str(number)}


class _Tee:
    """Replays the sniffed head, then the rest of the upload; copies into `copy` if given."""

    def __init__(self, head: bytes, reader: Reader, copy: IO[bytes] | None) -> None:
        self._head, self._reader, self._copy = head, reader, copy

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            data = self._head if size < 0 else self._head[:size]
            self._head = self._head[len(data) :]
        else:
            data = self._reader.read(size)
        if self._copy is not None and data:
            self._copy.write(data)
        return data


@dataclass(frozen=True)
class Staged:
    """An upload encrypted into its blob, not yet in the database: made before the transaction
    (`stage_upload`) so a long upload holds no lock, then handed to `add_document` or
    `add_version` as their `upload`."""

    document_id: str
    version_id: str
    number: int
    sha256: str
    size: int
    media_type: str
    wrapped: WrappedKey
    context: dict[str, str]


def stage_upload(
    *,
    store: BlobStore,
    keys: KeyProvider,
    upload: Reader,
    document_id: str,
    number: int,
    segment_size: int,
    max_size: int,
    zip_limits: archives.ArchiveLimits,
) -> Staged:
    """Encrypt an upload into a new blob while it streams in and check its structure. Nothing
    is written to the database, so a refused upload leaves nothing behind; a staged upload that
    never reaches a committed version is removed on rollback, or else by the orphan sweep."""
    head = content.read_head(upload)
    media_type = content.sniff(head)
    version_id = new_id()
    context = version_context(document_id, number)
    data_key = new_data_key()
    wrapped = keys.wrap(data_key, context)
    # A PDF or ZIP is checked from an unnamed temp copy (the only plaintext at rest, gone when
    # closed); everything else is only ever held a segment at a time.
    spool = tempfile.TemporaryFile() if content.needs_check(media_type) else None  # noqa: SIM115
    try:
        with store.writer(version_id) as out:
            info = encrypt_stream(
                _Tee(head, upload, spool),
                out,
                data_key,
                segment_size=segment_size,
                max_size=max_size,
            )
            if spool is not None:
                media_type = content.check(media_type, spool, zip_limits)
    finally:
        if spool is not None:
            spool.close()
    return Staged(
        document_id, version_id, number, info.sha256 or "", info.size, media_type, wrapped, context
    )
