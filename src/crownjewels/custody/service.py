"""The custody verbs: record (in the caller's transaction), list, verify.

Appends are serialized: on PostgreSQL by a transaction-scoped advisory lock (core.db's append
lock, which reference numbering shares) taken at the first record() of a transaction, on SQLite
by the write lock that every write unit of work takes at BEGIN IMMEDIATE. The head (last seq and
hash) is read once under that lock and kept for the rest of the transaction; rows are buffered
and inserted in one batch before commit or before a read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import append_lock, durable
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.custody import anchoring, fastpath, merkle, repository, rules, tree
from crownjewels.custody.errors import BadSubject, EventNotFound
from crownjewels.custody.models import CustodyEvent
from crownjewels.custody.schemas import EventFilter, EventRead, EventType, VerifyResult

_STATE = "crownjewels.custody"


@dataclass
class _Pending:
    seq: int
    hash: str
    rows: list[tuple[Any, ...]]
    leaves: list[bytes]
    #: the right edge of the tree of `seq` leaves, when known (None: read it at the flush)
    edge: merkle.Nodes | None


#: the right edge of the Merkle tree after this process's last append, with the head it ends at:
#: a head (seq, hash) names its whole chain, since every event's hash covers the one before, so
#: the same head means the same leaves and the same tree (whoever wrote it, even if that append
#: rolled back and another took its seq: its hash differs). The next append under the lock that
#: reads this head needs no query of the tree; any other head reads the stored nodes.
_last_edge: tuple[int, str, merkle.Nodes] = (0, rules.GENESIS_HASH, {})


def _state(session: Session) -> _Pending:
    state: _Pending | None = session.info.get(_STATE)
    if state is None:
        append_lock(session)  # core's: reference numbering takes the same lock
        current = repository.head(session)
        seq, head_hash = current if current else (0, rules.GENESIS_HASH)
        known_seq, known_hash, edge = _last_edge
        state = _Pending(
            seq=seq,
            hash=head_hash,
            rows=[],
            leaves=[],
            edge=edge if (known_seq, known_hash) == (seq, head_hash) else None,
        )
        session.info[_STATE] = state
    return state


def jsonable(value: Any) -> Any:
    """Details made JSON-safe: dates, decimals and enums become strings."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.loads(json.dumps(to_jsonable_python(value)))


_MAX_SAFE_INT = 2**53 - 1  # RFC 8785 serialises numbers as IEEE doubles
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_DUMPS = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
).encode


def _plain(value: Any) -> bool:
    """True when `value` is JSON made only of ASCII-keyed dicts, lists, str, safe int, bool and
    None: for such values jsonable() is the identity and RFC 8785 equals sorted json.dumps."""
    kind = type(value)
    if kind is str:
        return _SURROGATE.search(value) is None
    if kind is int:
        return bool(-_MAX_SAFE_INT <= value <= _MAX_SAFE_INT)
    if kind is bool or value is None:
        return True
    if kind is dict:
        return all(type(k) is str and k.isascii() and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    return False


def _details_json(details: dict[str, Any] | None) -> str:
    """The canonical (RFC 8785) text of an event's details; plain JSON skips the slow path."""
    if not details:
        return "{}"
    if type(details) is dict and _plain(details):
        return _PLAIN_DUMPS(details)
    return rules.canonical_details(jsonable(details))


def record(
    session: Session,
    *,
    actor: Actor,
    event_type: EventType,
    subject_type: str,
    subject_id: str,
    details: dict[str, Any] | None = None,
) -> tuple[int, str]:
    """Append one event to the chain in the caller's transaction; returns its (seq, hash)."""
    # Everything that does not need the head is computed before taking the append lock.
    details_json = _details_json(details)
    actor_ref = rules.check_field("actor", actor.ref)
    etype = rules.check_field("event_type", EventType(event_type).value)
    rules.check_field("subject_type", subject_type)
    rules.check_field("subject_id", subject_id)
    state = _state(session)
    seq, prev = state.seq + 1, state.hash
    at_us = clock.to_micros(clock.now())  # read under the lock: time never goes back along seq
    encoded = rules.encode(
        seq=seq,
        at_us=at_us,
        actor=actor_ref,
        event_type=etype,
        subject_type=subject_type,
        subject_id=subject_id,
        prev_hash=prev,
        details_json=details_json,
    )
    digest = rules.event_hash(encoded)
    state.leaves.append(merkle.leaf_hash(encoded))
    state.rows.append(
        (seq, at_us, actor_ref, etype, subject_type, subject_id, details_json, prev, digest)
    )
    state.seq, state.hash = seq, digest
    return seq, digest


_INSERT_SQL = (
    "INSERT INTO custody_event (seq, at_us, actor, event_type, subject_type, subject_id, "
    "details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
#: PostgreSQL: the events and the tree nodes they complete in one statement (one round trip),
#: each column sent as an array
_PG_INSERT_SQL = (
    "WITH events AS (INSERT INTO custody_event (seq, at_us, actor, event_type, subject_type, "
    "subject_id, details, prev_hash, hash) SELECT * FROM unnest("
    "%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::text[], %s::text[])) "
    "INSERT INTO custody_tree_node (level, idx, hash) "
    "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])"
)


def flush(session: Session) -> None:
    """Insert the buffered events now (record() buffers them until commit or a read)."""
    global _last_edge
    state: _Pending | None = session.info.get(_STATE)
    if state and state.rows:
        rows, state.rows = state.rows, []
        leaves, state.leaves = state.leaves, []
        connection = session.connection()
        # The Merkle tree grows in the same transaction: leaf i is event seq i + 1.
        nodes, edge = tree.new_nodes(connection, rows[0][0] - 1, leaves, state.edge)
        if connection.dialect.name == "postgresql":
            columns = (*zip(*rows, strict=True), *zip(*nodes, strict=True))
            connection.exec_driver_sql(_PG_INSERT_SQL, tuple(map(list, columns)))
        else:  # DB-API executemany of plain tuples: no ORM bulk machinery per row
            connection.exec_driver_sql(_INSERT_SQL, rows)
            tree.insert(connection, nodes)
        state.edge = edge
        _last_edge = (rows[-1][0], rows[-1][-1], edge)


@event.listens_for(Session, "before_commit")
def _flush_before_commit(session: Session) -> None:
    flush(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: SessionTransaction) -> None:
    # The head is only valid under the lock of the transaction that read it.
    if transaction.parent is None:
        session.info.pop(_STATE, None)


def _read(event: CustodyEvent) -> EventRead:
    return EventRead(
        seq=event.seq,
        recorded_at=clock.from_micros(event.at_us),
        actor=event.actor,
        event_type=event.event_type,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        details=json.loads(event.details),
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def list_events(
    session: Session, *, actor: Actor, filters: EventFilter, page: PageParams
) -> tuple[list[EventRead], int]:
    """A page of the log, newest first, with the total matching."""
    del actor  # every reader of the log sees all of it; routes check custody:read
    flush(session)
    rows, total = paginate(session, repository.filtered(filters), page)
    return [_read(e) for e in rows], total


def events_for_export(
    session: Session, *, actor: Actor, filters: EventFilter, limit: int = 10_000
) -> list[EventRead]:
    """The newest `limit` events matching the filter, newest first (for a file)."""
    del actor  # every reader of the log sees all of it; routes check custody:read
    flush(session)
    rows = session.scalars(repository.filtered(filters).limit(limit)).all()
    return [_read(e) for e in rows]


def events_after(session: Session, *, seq: int, limit: int = 1_000) -> list[EventRead]:
    """The events after `seq`, oldest first, at most `limit`: for a reader that follows the log
    with a cursor of its own (monitoring's feed). Seqs are given and committed in order under
    the append lock, so once seq n is visible, so is every seq before it."""
    flush(session)
    query = select(CustodyEvent).where(CustodyEvent.seq > seq).order_by(CustodyEvent.seq)
    return [_read(e) for e in session.scalars(query.limit(limit))]


def history(
    session: Session, *, subject_type: str, subject_id: str, limit: int = 200
) -> list[EventRead]:
    """The events of one subject, newest first (for its page)."""
    flush(session)
    flt = EventFilter(subject_type=subject_type, subject_id=subject_id)
    rows = session.scalars(repository.filtered(flt).limit(limit)).all()
    return [_read(e) for e in rows]


def get_event(session: Session, *, seq: int) -> EventRead:
    """One event by sequence number."""
    flush(session)
    found = session.get(CustodyEvent, seq)
    if found is None:
        raise EventNotFound(f"no custody event #{seq}; `crownjewels custody log` lists them")
    return _read(found)


def parse_subject(value: str) -> tuple[str, str]:
    """`TYPE:ID` split in two, or a clear error."""
    kind, sep, ident = value.partition(":")
    if not sep or not kind or not ident:
        raise BadSubject(f"subject {value!r} is not TYPE:ID; write it like secret:01J9Z...")
    return kind, ident


def recent(session: Session, *, limit: int = 10) -> list[EventRead]:
    """The newest events (dashboard)."""
    flush(session)
    query = select(CustodyEvent).order_by(CustodyEvent.seq.desc()).limit(limit)
    rows = session.scalars(query).all()
    return [_read(e) for e in rows]


#: the subject of CHAIN_VERIFIED events: the log itself
CHAIN_SUBJECT = ("custody", "chain")


def record_verification(session: Session, *, actor: Actor, result: VerifyResult) -> None:
    """Keep that the chain was verified intact, by whom and up to which event (evidence that it
    is checked, shown on the auditor's dashboard). Verifying is a read, so the event is written
    in a unit of work of its own after this one ends. A broken chain is not appended to: a new
    event would link to a damaged head (the verifier reports the break itself)."""
    if not result.ok:
        return
    details = {"ok": True, "checked": result.checked, "head_seq": result.head_seq}
    durable(
        session,
        lambda own: record(
            own,
            actor=actor,
            event_type=EventType.CHAIN_VERIFIED,
            subject_type=CHAIN_SUBJECT[0],
            subject_id=CHAIN_SUBJECT[1],
            details=details,
        ),
    )


def last_verification(session: Session) -> EventRead | None:
    """The newest recorded (intact) verification of the chain, if any."""
    flush(session)
    query = (
        select(CustodyEvent)
        .where(CustodyEvent.event_type == EventType.CHAIN_VERIFIED.value)
        .order_by(CustodyEvent.seq.desc())
        .limit(1)
    )
    row = session.scalars(query).first()
    return _read(row) if row is not None else None


def verify_rows(rows: Iterator[Any]) -> VerifyResult:
    """Recompute the chain over rows of (seq, at_us, actor, event_type, subject_type,
    subject_id, prev_hash, details, hash) in seq order; stop at the first broken event."""
    expected_seq, expected_prev, checked = 1, rules.GENESIS_HASH, 0
    encode, sha = rules.encode, rules.event_hash
    for seq, at_us, actor, etype, stype, sid, prev, details, stored in rows:
        problem = None
        if seq != expected_seq:
            problem = (
                f"event #{expected_seq} is missing (the next stored event is #{seq}): "
                "events were deleted or reordered"
                if seq > expected_seq
                else f"event #{seq} appears out of order"
            )
            broken = expected_seq if seq > expected_seq else seq
        elif prev != expected_prev:
            problem = f"event #{seq} does not link to event #{seq - 1} (previous hash differs)"
            broken = seq
        elif (
            sha(
                encode(
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
            != stored
        ):
            problem = f"event #{seq} was altered: its content no longer matches its hash"
            broken = seq
        if problem:
            return VerifyResult(
                ok=False,
                checked=checked,
                head_seq=expected_seq - 1,
                head_hash=expected_prev,
                first_broken_seq=broken,
                problem=problem,
            )
        checked += 1
        expected_seq, expected_prev = seq + 1, stored
    return VerifyResult(
        ok=True, checked=checked, head_seq=expected_seq - 1, head_hash=expected_prev
    )


def verify(
    session: Session, *, actor: Actor, public_key: Ed25519PublicKey | None = None
) -> VerifyResult:
    """Recompute every event's hash and link from the first; name the first broken event.
    Then hold the log against the Merkle tree (a tree with more leaves than the log has events
    means the log's tail was cut off) and against the newest signed checkpoint (its signature
    too, given the installation's `public_key`): a shorter log lost its tail, another root is a
    forked history. The newest checkpoint covers the CHECKPOINT_SIGNED event that records it."""
    del actor
    flush(session)
    checkpoint = repository.latest_checkpoint(session)
    size = checkpoint.tree_size if checkpoint else 0
    builder = merkle.RootBuilder()
    result = fastpath.verify(session, builder, size)
    if result is None:
        rows = repository.chain_rows(session)
        try:
            result = verify_rows(rows)
        finally:
            rows.close()
        builder = anchoring.root_builder(session, size) if result.ok else builder
    if not result.ok:
        return result
    problem: tuple[int | None, str] | None = anchoring.tail_problem(
        result.checked, tree.size(session), checkpoint
    )
    if problem is None and checkpoint is not None:
        problem = anchoring.checkpoint_problem(checkpoint, result.checked, builder, public_key)
    if problem is None:
        return result
    return result.model_copy(
        update={"ok": False, "first_broken_seq": problem[0], "problem": problem[1]}
    )


def lock(session: Session) -> None:
    """Take the custody append lock now (callers that number rows in step with the log)."""
    _state(session)
