"""The evidence bundle of one subject: its events, their inclusion proofs, every checkpoint with
the consistency proofs between them, the public key and the steps to verify it by hand (a zip;
`custody.bundle` verifies it offline). Exporting is an audited write: CUSTODY_EXPORTED names
what the bundle holds, and a fresh checkpoint covers that record."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from importlib import resources
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.custody import checkpoints, labels, repository, service, signing, tree
from crownjewels.custody.errors import EventNotFound
from crownjewels.custody.models import CustodyCheckpoint, CustodyEvent
from crownjewels.custody.schemas import EventType
from crownjewels.custody.words import event_words

FORMAT = "crownjewels-custody-bundle-v1"
FIELDS = ("seq", "at_us", "actor", "event_type", "subject_type", "subject_id", "prev_hash")


def events_digest(pairs: list[tuple[int, str]]) -> str:
    """SHA-256 over "seq hash" lines of the subject's events (what CUSTODY_EXPORTED records)."""
    return hashlib.sha256("".join(f"{s} {h}\n" for s, h in pairs).encode()).hexdigest()


def _event(
    event: CustodyEvent, proof: dict[str, Any], named: dict[str, labels.Label]
) -> dict[str, Any]:
    fields = {name: getattr(event, name) for name in FIELDS}
    subject = f"{event.subject_type}:{event.subject_id}"
    words = {  # for the person reading the file; the verifier reads only the fields above
        "event": event_words(event.event_type),
        "actor_name": _named(named, event.actor),
        "subject_name": _named(named, subject),
    }
    return {**fields, **words, "details": event.details, "hash": event.hash, "inclusion": proof}


def _named(named: dict[str, labels.Label], ref: str) -> str:
    label = named.get(ref)
    if label is None:
        return ref
    return (
        f"{label.text} ({label.short})"
        if label.short and label.short not in label.text
        else label.text
    )


def export(
    session: Session, *, actor: Actor, key: Ed25519PrivateKey, subject_type: str, subject_id: str
) -> bytes:
    """The zip bundle of one subject's events, proven against a checkpoint signed now."""
    service.flush(session)
    found = repository.subject_events(session, subject_type, subject_id)
    if not found:
        raise EventNotFound(f"no custody events about {subject_type}:{subject_id}")
    pairs = [(e.seq, e.hash) for e in found]
    seq, _ = service.record(
        session,
        actor=actor,
        event_type=EventType.CUSTODY_EXPORTED,
        subject_type="custody-export",
        subject_id=f"{subject_type}:{subject_id}",
        details={
            "events": len(pairs),
            "last_seq": pairs[-1][0],
            "events_sha256": events_digest(pairs),
        },
    )
    latest = checkpoints.create(session, actor=actor, key=key)
    size = latest.tree_size
    exported = session.get(CustodyEvent, seq)
    assert exported is not None
    every = [*found, exported]
    named = labels.refs(
        session, {e.actor for e in every} | {f"{e.subject_type}:{e.subject_id}" for e in every}
    )
    events = []
    for event in every:
        _, path, _ = tree.inclusion(session, event.seq - 1, size)
        proof = {"tree_size": size, "proof": [p.hex() for p in path]}
        events.append(_event(event, proof, named))
    rows = list(reversed(repository.checkpoints(session, limit=1_000_000)))
    public = key.public_key()
    manifest = {
        "format": FORMAT,
        "subject": f"{subject_type}:{subject_id}",
        "subject_name": _named(named, f"{subject_type}:{subject_id}"),
        "exported_by": _named(named, actor.ref),
        "origin": signing.origin(public),
        "key_id": signing.key_id(public),
        "exported_at": clock.now().isoformat(),
        "tree_size": size,
        "events": len(events),
    }
    files = {
        "README.txt": resources.files("crownjewels.custody")
        .joinpath("templates/custody/bundle_readme.txt")
        .read_text(),
        "manifest.json": _json(manifest),
        "public_key.pem": signing.public_key_pem(public).decode(),
        "events.json": _json(events),
        "checkpoints.json": _json(_checkpoints(session, rows)),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def _checkpoints(session: Session, rows: list[CustodyCheckpoint]) -> list[dict[str, Any]]:
    """Every checkpoint, smallest first, each with the consistency proof from the previous."""
    out: list[dict[str, Any]] = []
    previous = 0
    for row in rows:
        path, _, _ = tree.consistency(session, previous, row.tree_size)
        out.append(
            {
                "tree_size": row.tree_size,
                "root_hash": row.root_hash,
                "note": row.note,
                "consistency_from": previous,
                "consistency_proof": [p.hex() for p in path],
            }
        )
        previous = row.tree_size
    return out


def _json(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False) + "\n"
