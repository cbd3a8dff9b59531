"""The orphan sweep: blobs written for an upload whose transaction never committed (the process
died between the blob and the commit; a rollback deletes its blob itself). Such a blob is
ciphertext whose data key was never stored, so it is harmless, but it takes space. Only blobs
older than a grace period are touched, so an upload still in flight is never swept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.vault import repository
from crownjewels.vault.blobs import BlobStore

DEFAULT_GRACE = timedelta(hours=24)
_BATCH = 500


def sweep_orphans(
    session: Session, *, actor: Actor, store: BlobStore, grace: timedelta = DEFAULT_GRACE
) -> list[str]:
    """Delete the blobs older than `grace` that no document version names; records
    ORPHAN_BLOBS_SWEPT when it deleted any. Returns their ids."""
    cutoff = clock.now() - grace
    old = [blob_id for blob_id, modified in store.listing() if modified < cutoff]
    orphans: list[str] = []
    for start in range(0, len(old), _BATCH):
        chunk = old[start : start + _BATCH]
        known = repository.known_blob_ids(session, chunk)
        orphans.extend(b for b in chunk if b not in known)
    for blob_id in orphans:
        store.delete(blob_id)
    if orphans:
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ORPHAN_BLOBS_SWEPT,
            subject_type="vault",
            subject_id="blobs",
            details={"count": len(orphans), "blob_ids": orphans[:200]},
        )
    return orphans
