"""The installation's KEK files and their rotation.

`<home>/vault.key` holds the current KEK. Rotation (`crownjewels keys rotate`) writes the new
KEK to `vault.key.next`, re-wraps every live data key under it in one transaction (content is
never read), then keeps the old KEK as `vault.key.retired-<key id>` and moves the new one into
place. While `vault.key.next` exists (a rotation was interrupted) the ring holds both, so reads
keep working, and running the rotation again finishes it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.settings import Settings
from crownjewels.vault import repository
from crownjewels.vault.errors import KeyFileError
from crownjewels.vault.keys import (
    KeyProvider,
    KeyRing,
    WrappedKey,
    create_key_file,
    env_key_provider,
    load_key_file,
)
from crownjewels.vault.schemas import RotationResult


def next_path(path: Path) -> Path:
    """Where a rotation keeps the new KEK until it is complete."""
    return path.with_name(path.name + ".next")


def ensure_key_file(settings: Settings) -> str | None:
    """Create the KEK file (mode 0600) unless it exists or keys come from a variable; returns
    the key id of a new key, None when nothing was created."""
    if settings.vault_key_provider != "file":
        return None
    path = settings.resolved_vault_key_file()
    if path.exists():
        return None
    return create_key_file(path).key_id


def key_ring(settings: Settings) -> KeyRing:
    """The current KEK, plus the previous one while a rotation is unfinished."""
    if settings.vault_key_provider == "env":
        return KeyRing(env_key_provider(settings.vault_key_env))
    path = settings.resolved_vault_key_file()
    pending = next_path(path)
    if pending.exists():
        older = [load_key_file(path)] if path.exists() else []
        return KeyRing(load_key_file(pending), older=older)
    return KeyRing(load_key_file(path))


def rotate_keys(session: Session, *, actor: Actor, ring: KeyRing) -> RotationResult:
    """Re-wrap every live data key wrapped by an older KEK under the ring's current KEK, in the
    caller's transaction, and record KEYS_ROTATED. The content is not touched."""
    rewrapped, old_ids = 0, set()
    now = clock.now()
    for row in repository.live_keys(session):
        assert row.wrapped is not None
        wrapped = WrappedKey.from_bytes(row.wrapped)
        if not ring.needs_rewrap(wrapped):
            continue
        data_key = ring.unwrap(wrapped, row.context)
        fresh = ring.current.wrap(data_key, row.context)
        old_ids.add(wrapped.key_id)
        row.wrapped, row.kek_id, row.rewrapped_at = fresh.to_bytes(), fresh.key_id, now
        rewrapped += 1
    result = RotationResult(
        rewrapped=rewrapped, from_kek_ids=sorted(old_ids), to_kek_id=ring.current.key_id
    )
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.KEYS_ROTATED,
        subject_type="vault",
        subject_id="keys",
        details=result.model_dump(),
    )
    return result


def begin_file_rotation(settings: Settings) -> tuple[KeyRing, KeyProvider]:
    """Create (or reuse, after an interrupted run) the next KEK; the ring for re-wrapping and
    the old provider. Only the key-file provider rotates here."""
    if settings.vault_key_provider != "file":
        raise KeyFileError(
            "`keys rotate` manages the key file; with the env provider, put the new KEK in the "
            "variable through your secret manager and re-wrap with a key ring"
        )
    path = settings.resolved_vault_key_file()
    old = load_key_file(path)
    pending = next_path(path)
    new = load_key_file(pending) if pending.exists() else create_key_file(pending)
    return KeyRing(new, older=[old]), old


def finish_file_rotation(settings: Settings, old: KeyProvider, *, purge_old: bool) -> Path | None:
    """After the re-wrap committed: keep the old KEK aside (or delete it), make the new one
    current. Returns where the old KEK was kept."""
    path = settings.resolved_vault_key_file()
    retired = path.with_name(f"{path.name}.retired-{old.key_id}")
    if not purge_old:
        with contextlib.suppress(FileExistsError):
            os.link(path, retired)
    os.replace(next_path(path), path)
    _fsync_dir(path.parent)
    return None if purge_old else retired


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
