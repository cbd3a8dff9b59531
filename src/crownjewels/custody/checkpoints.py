"""Signed checkpoints of the Merkle tree and the proofs against them: create (an audited write:
CHECKPOINT_SIGNED, covered by the checkpoint it records, with an RFC 3161 timestamp when a TSA is
configured), list, prove inclusion, prove consistency."""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.custody import repository, service, signing, tree, tsa
from crownjewels.custody.errors import (
    BadProof,
    BadTimestamp,
    CheckpointNotFound,
    LogTruncated,
    TreeOutOfStep,
    TsaUnavailable,
)
from crownjewels.custody.models import CustodyCheckpoint
from crownjewels.custody.schemas import (
    CheckpointRead,
    ConsistencyProofRead,
    EventType,
    InclusionProofRead,
)

log = logging.getLogger(__name__)


def read(row: CustodyCheckpoint, *, stamped_later: bool = False) -> CheckpointRead:
    """A checkpoint row as shown to a reader (`stamped_later`: a CHECKPOINT_TIMESTAMPED event
    holds its token)."""
    return CheckpointRead(
        tree_size=row.tree_size,
        root_hash=row.root_hash,
        signed_at=clock.from_micros(row.signed_at_us),
        key_id=row.key_id,
        note=row.note,
        timestamped=row.timestamp_token is not None or stamped_later,
    )


def create(
    session: Session,
    *,
    actor: Actor,
    key: Ed25519PrivateKey,
    timestamper: tsa.TsaConfig | None = None,
) -> CheckpointRead:
    """Record CHECKPOINT_SIGNED, then sign the tree as it stands, that event included: a
    checkpoint covers the record of its own signing, so no event is left outside every
    signature. With a `timestamper` the signed note is timestamped by the TSA; a TSA that fails
    leaves the checkpoint untimestamped (a warning; `custody timestamp --pending` retries)."""
    service.lock(session)  # no event can slip in between the size read and the signature
    service.flush(session)
    head = repository.head(session)
    size = head[0] if head else 0
    latest = repository.latest_checkpoint(session)
    if latest is not None and latest.tree_size > size:
        raise LogTruncated(
            f"the log holds {size} events but checkpoint {latest.tree_size} was signed: "
            f"events #{size + 1}-#{latest.tree_size} are missing; run `crownjewels custody verify`"
        )
    if tree.size(session) != size:
        raise TreeOutOfStep(
            f"the custody tree holds {tree.size(session)} leaves but the log {size} events; "
            "run `crownjewels custody verify`"
        )
    if latest is not None and latest.tree_size == size:
        return read(latest)  # nothing new since the newest checkpoint (its own event included)
    public = key.public_key()
    size += 1  # the event below is the last leaf of the tree it signs
    service.record(
        session,
        actor=actor,
        event_type=EventType.CHECKPOINT_SIGNED,
        subject_type="checkpoint",
        subject_id=str(size),
        details={"tree_size": size, "key_id": signing.key_id(public)},
    )
    service.flush(session)
    root = tree.root(session, size)
    note = signing.sign(key, size, root, clock.to_micros(clock.now()))
    text = signing.render(note, public)
    # The row is append-only, so its token is asked for before the insert (under the append
    # lock: writers wait at most the TSA timeout). The token covers the note, which covers the
    # CHECKPOINT_SIGNED event: the row holds it, the event cannot (it is written before).
    stamp = _try_stamp(text, size, timestamper) if timestamper else None
    row = CustodyCheckpoint(
        tree_size=size,
        root_hash=root.hex(),
        signed_at_us=note.signed_at_us,
        key_id=signing.key_id(public),
        note=text,
        signature=note.signature,
        timestamp_token=stamp.token if stamp else None,
    )
    session.add(row)
    session.flush()
    return read(row)


def stamp_details(stamp: tsa.Stamp) -> dict[str, object]:
    """What a custody event records about a timestamp (the token itself lives in the row)."""
    return {
        "tsa": stamp.tsa,
        "gen_time": stamp.gen_time.isoformat(),
        "serial_number": str(stamp.serial_number),
        "token_sha256": stamp.token_sha256,
    }


def _try_stamp(note: str, size: int, config: tsa.TsaConfig) -> tsa.Stamp | None:
    try:
        return tsa.request_stamp(note.encode(), config)
    except (TsaUnavailable, BadTimestamp) as exc:
        log.warning(
            "checkpoint %s signed without an RFC 3161 timestamp (the worker or "
            "`crownjewels custody timestamp --pending` retries): %s",
            size,
            exc.message,
        )
        return None


def list_checkpoints(
    session: Session, *, actor: Actor, limit: int = 50, offset: int = 0
) -> tuple[list[CheckpointRead], int]:
    """Checkpoints, largest tree first, with the total."""
    del actor  # every custody reader sees them all; adapters check custody:read
    rows = repository.checkpoints(session, limit=limit, offset=offset)
    later = repository.stamped_later(session)
    return [read(r, stamped_later=r.tree_size in later) for r in rows], repository.checkpoint_count(
        session
    )


def get(session: Session, *, tree_size: int) -> CheckpointRead:
    """The checkpoint of one tree size."""
    row = session.get(CustodyCheckpoint, tree_size)
    if row is None:
        raise CheckpointNotFound(
            f"no checkpoint of tree size {tree_size}; `crownjewels custody checkpoints` lists them"
        )
    return read(row)


def prove(
    session: Session, *, actor: Actor, seq: int, size: int | None = None
) -> InclusionProofRead:
    """The inclusion proof of event `seq` in the tree of `size` leaves; by default the
    smallest checkpoint that holds it, else the whole tree."""
    del actor
    service.flush(session)
    if size is None:
        covering = repository.covering_checkpoint(session, seq)
        size = covering.tree_size if covering else tree.size(session)
        checkpoint = read(covering) if covering else None
    else:
        found = session.get(CustodyCheckpoint, size)
        checkpoint = read(found) if found else None
    if seq < 1:
        raise BadProof(f"there is no event #{seq}: events are numbered from 1")
    leaf, path, root = tree.inclusion(session, seq - 1, size)
    return InclusionProofRead(
        seq=seq,
        leaf_index=seq - 1,
        tree_size=size,
        leaf_hash=leaf.hex(),
        root_hash=root.hex(),
        proof=[p.hex() for p in path],
        checkpoint=checkpoint,
    )


def consistency(session: Session, *, actor: Actor, old: int, new: int) -> ConsistencyProofRead:
    """The proof that the tree of `new` leaves extends the tree of `old` leaves."""
    del actor
    service.flush(session)
    path, old_root, new_root = tree.consistency(session, old, new)
    return ConsistencyProofRead(
        old_size=old,
        new_size=new,
        old_root=old_root.hex(),
        new_root=new_root.hex(),
        proof=[p.hex() for p in path],
    )
