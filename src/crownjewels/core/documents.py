"""A document version stored or a document crypto-shredded (vault): the capabilities above
react in the same transaction (leaks queues the version for fingerprinting, or removes the
document's fingerprints) without the vault importing them. Each registers from registry.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor


@dataclass(frozen=True)
class VersionStored:
    """A new version of a document, as the vault stored it."""

    document_id: str
    version_number: int
    owner_type: str
    owner_id: str
    media_type: str
    filename: str | None
    sha256: str


@dataclass(frozen=True)
class DocumentDestroyed:
    """A document whose data keys were erased: its content is gone for good."""

    document_id: str
    owner_type: str
    owner_id: str


#: called in the transaction that stored the version (or destroyed the document)
StoredListener = Callable[[Session, Actor, VersionStored], None]
DestroyedListener = Callable[[Session, Actor, DocumentDestroyed], None]

_STORED: list[StoredListener] = []
_DESTROYED: list[DestroyedListener] = []


def on_stored(listener: StoredListener) -> None:
    """Call `listener` on every version stored (once, however often it is registered)."""
    if listener not in _STORED:
        _STORED.append(listener)


def on_destroyed(listener: DestroyedListener) -> None:
    """Call `listener` on every document destroyed (once, however often it is registered)."""
    if listener not in _DESTROYED:
        _DESTROYED.append(listener)


def stored(session: Session, *, actor: Actor, version: VersionStored) -> None:
    """Tell every listener of a stored version, in the caller's transaction."""
    for listener in _STORED:
        listener(session, actor, version)


def destroyed(session: Session, *, actor: Actor, document: DocumentDestroyed) -> None:
    """Tell every listener of a destroyed document, in the caller's transaction (a listener's
    failure rolls the destruction back with it: no fingerprint outlives its document)."""
    for listener in _DESTROYED:
        listener(session, actor, document)
