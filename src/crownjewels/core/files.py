"""Private files: the home folder holds the database, keys and encrypted blobs, so every folder
and file made in it is owner-only (0700 folders, 0600 files), whatever the process umask."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create the folder and every missing parent as 0700 (mkdir's `mode` alone skips the
    parents); an existing folder is left as it is."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is masked by the umask: say it exactly
    return path


def private_file(path: Path) -> Path:
    """Create an empty 0600 file unless it exists (SQLite then gives its -wal and -shm files
    the same mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return path
    os.close(fd)
    return path


@contextmanager
def private_umask() -> Iterator[None]:
    """Everything created inside the block is owner-only (umask 077). For single-threaded set-up
    steps (`crownjewels init`): the umask is process-wide."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def write_whole(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: the file appears whole or not at all."""
    part = path.with_name(f".{path.name}.part")
    with part.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, path)
