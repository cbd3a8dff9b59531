"""The home folder and everything `crownjewels init` and the database put in it are
owner-only: 0700 folders, 0600 files (the SQLite file and its -wal and -shm too)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from crownjewels.core.db import Database
from tests.cli_helpers import Cli


def _modes(home: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(home.stat().st_mode)}
    for root, dirs, files in os.walk(home):
        for name in [*dirs, *files]:
            path = Path(root) / name
            found[str(path.relative_to(home))] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_init_creates_a_private_home(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, under which files come out world-readable
    try:
        cli = Cli(tmp_path / "fresh" / "home")
        cli.ok("init")
        db = Database(cli.url)
        with db.engine.connect() as conn:  # an open WAL connection: -wal and -shm exist now
            conn.exec_driver_sql("CREATE TABLE mode_probe (x INTEGER)")
            conn.commit()
            modes = _modes(cli.home)
        db.dispose()
    finally:
        os.umask(old)
    assert {"crownjewels.db-wal", "crownjewels.db-shm", "secret.key", "blobs"} <= set(modes)
    assert any(name.endswith(".key") and name != "secret.key" for name in modes), modes
    loose = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (cli.home / name).is_dir() else 0o600)
    }
    assert loose == {}, f"not owner-only: {loose}"
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o700  # the parent made for it
