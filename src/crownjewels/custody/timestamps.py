"""RFC 3161 timestamps of signed checkpoints, kept in the database. A token asked for while the
checkpoint is signed lives in its row; the row is append-only (the database refuses UPDATE), so
a token obtained later (the TSA was down) is recorded as a CHECKPOINT_TIMESTAMPED event that
carries it, which the hash chain and the next checkpoint then protect."""

from __future__ import annotations

import base64
import json

from cryptography import x509
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.custody import checkpoints, repository, service, tsa
from crownjewels.custody.errors import BadTimestamp, CheckpointNotFound
from crownjewels.custody.models import CustodyCheckpoint
from crownjewels.custody.schemas import EventType, TimestampRead


def pending(session: Session, *, limit: int = 100) -> list[tuple[int, str]]:
    """(tree size, note) of the checkpoints that have no timestamp yet, oldest first."""
    return [(r.tree_size, r.note) for r in repository.unstamped_checkpoints(session, limit=limit)]


def record_late(session: Session, *, actor: Actor, tree_size: int, stamp: tsa.Stamp) -> bool:
    """Record a token obtained after signing (CHECKPOINT_TIMESTAMPED); False when the
    checkpoint got one meanwhile (another worker), so nothing is recorded twice."""
    service.lock(session)  # serialises with other workers recording the same stamp
    service.flush(session)
    row = _checkpoint(session, tree_size)
    if row.timestamp_token is not None or repository.late_stamp(session, tree_size) is not None:
        return False
    details = {
        "tree_size": tree_size,
        **checkpoints.stamp_details(stamp),
        "token": base64.b64encode(stamp.token).decode(),
    }
    service.record(
        session,
        actor=actor,
        event_type=EventType.CHECKPOINT_TIMESTAMPED,
        subject_type="checkpoint",
        subject_id=str(tree_size),
        details=details,
    )
    return True


def token_of(session: Session, tree_size: int) -> tuple[bytes, str] | None:
    """A checkpoint's timestamp token and where it is stored ("row" or "event"), or None."""
    row = _checkpoint(session, tree_size)
    if row.timestamp_token is not None:
        return row.timestamp_token, "row"
    service.flush(session)
    event = repository.late_stamp(session, tree_size)
    if event is None:
        return None
    return base64.b64decode(json.loads(event.details)["token"]), "event"


def verify(
    session: Session, *, actor: Actor, tree_size: int, roots: tuple[x509.Certificate, ...]
) -> TimestampRead:
    """Check a checkpoint's timestamp: it covers the checkpoint's signed note and its signature
    chains to one of `roots`; BadTimestamp names the problem."""
    del actor  # every custody reader may check; adapters check custody:read
    row = _checkpoint(session, tree_size)
    found = token_of(session, tree_size)
    if found is None:
        raise BadTimestamp(
            f"checkpoint {tree_size} has no timestamp; `crownjewels custody timestamp --pending` "
            "asks the TSA for one"
        )
    token, where = found
    try:
        stamp = tsa.verify(token, row.note.encode(), roots)
    except BadTimestamp as exc:
        raise BadTimestamp(f"checkpoint {tree_size}: {exc.message}") from None
    return TimestampRead(
        tree_size=tree_size,
        gen_time=stamp.gen_time,
        tsa=stamp.tsa,
        serial_number=stamp.serial_number,
        token_sha256=stamp.token_sha256,
        stored_in=where,
    )


def _checkpoint(session: Session, tree_size: int) -> CustodyCheckpoint:
    row = session.get(CustodyCheckpoint, tree_size)
    if row is None:
        raise CheckpointNotFound(
            f"no checkpoint of tree size {tree_size}; `crownjewels custody checkpoints` lists them"
        )
    return row
