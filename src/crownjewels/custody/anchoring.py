"""The log held against the Merkle tree and its newest signed checkpoint (used by
custody.service.verify): a log shorter than the tree or the checkpoint lost its tail; a log longer
than the tree was written around custody.record; a log whose first events hash to another root
was rewritten (a forked history); a checkpoint row that differs from its signed note was
edited."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.custody import merkle, repository, rules, signing
from crownjewels.custody.models import CustodyCheckpoint


def _events(first: int, last: int) -> str:
    return f"event #{first} is" if first == last else f"events #{first}-#{last} are"


def _signed(checkpoint: CustodyCheckpoint) -> str:
    when = clock.from_micros(checkpoint.signed_at_us)
    return f"checkpoint {checkpoint.tree_size} signed {when:%Y-%m-%d %H:%M} UTC"


def tail_problem(
    events: int, leaves: int, checkpoint: CustodyCheckpoint | None
) -> tuple[int, str] | None:
    """What is wrong with a log of `events` intact events against a Merkle tree of `leaves`
    leaves (custody.record grows both in one transaction, so they are always equal)."""
    if leaves > events:
        signed = (
            f"; {_signed(checkpoint)} covers #1-#{checkpoint.tree_size}"
            if checkpoint is not None and checkpoint.tree_size > events
            else ""
        )
        return events + 1, (
            f"{_events(events + 1, leaves)} in the Merkle tree but missing from the log "
            f"(its tail was cut off{signed})"
        )
    if leaves < events:
        return leaves + 1, (
            f"{_events(leaves + 1, events)} in the log but not in the Merkle tree "
            "(written around custody.record, or the tree's tail was cut off)"
        )
    return None


def checkpoint_problem(
    checkpoint: CustodyCheckpoint,
    events: int,
    tree: merkle.RootBuilder,
    public_key: Ed25519PublicKey | None,
) -> tuple[int | None, str] | None:
    """What is wrong with a log of `events` intact events (whose first leaves were fed to
    `tree`) against a signed checkpoint; None when the log extends it."""
    size = checkpoint.tree_size
    signed = _signed(checkpoint)
    if public_key is not None:
        try:
            note = signing.verify(checkpoint.note, public_key)
        except signing.BadNote as exc:
            return None, f"{signed} does not verify: {exc}"
        if note.tree_size != size or note.root_hash.hex() != checkpoint.root_hash:
            return None, f"{signed}: its row differs from its signed note (edited)"
    if events < size:
        return events + 1, (
            f"{_events(events + 1, size)} missing: {signed} covers {size} events "
            f"but the log holds {events} (its tail was cut off)"
        )
    if tree.size != size or tree.root().hex() != checkpoint.root_hash:
        return None, (
            f"forked history: the first {size} events no longer hash to the root of {signed} "
            "(events were rewritten and their hashes recomputed)"
        )
    return None


def root_builder(session: Session, size: int) -> merkle.RootBuilder:
    """The first `size` events' leaves, read row by row (the slow path's companion)."""
    builder = merkle.RootBuilder()
    rows = repository.chain_rows(session)
    try:
        batch: list[bytes] = []
        for seq, at_us, actor, etype, stype, sid, prev, details, _ in rows:
            if seq > size:
                break
            batch.append(
                rules.encode(
                    seq=seq,
                    at_us=at_us,
                    actor=actor,
                    event_type=etype,
                    subject_type=stype,
                    subject_id=sid,
                    prev_hash=prev,
                    details_json=details,
                )
            )
        builder.add(merkle.leaf_hashes(batch))
    finally:
        rows.close()
    return builder
