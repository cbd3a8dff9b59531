"""SIGKILL in the middle of a batch of document writes: afterwards `custody verify` is green,
every batch the writer acknowledged (printed after its commit) is there with its blobs, and
nothing half-written is visible."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tests.conftest import ENGINES, fresh_database_url

CHILD = """
import io, os, sys
import crownjewels.registry
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.settings import Settings
from crownjewels.vault import service

settings = Settings()
db = Database(settings.resolved_database_url())
vault = service.open_vault(settings)
actor = system_actor("crash-test")
batch = 0
while True:
    batch += 1
    with db.unit_of_work() as session:
        ids = [
            service.add_document(
                session, actor=actor, vault=vault, owner_type="secret", owner_ref="TS-0001",
                title=f"batch {batch} #{n}", upload=io.BytesIO(os.urandom(50_000)),
            ).id
            for n in range(4)
        ]
    print("ACK", batch, *ids, flush=True)
"""


@pytest.fixture(params=ENGINES)
def installation(request: pytest.FixtureRequest, tmp_path: Path) -> Cli:
    url = fresh_database_url(request.param, tmp_path / "db", request)
    cli = Cli(tmp_path / "home", url)
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("people", "add", "Elena Vasquez", "--email", "elena@nw.example", "--org", "Northwind",
           "--country", "US")  # fmt: skip
    cli.ok("secrets", "add", "Brine", "--description", "d", "--category", "formula",
           "--tier", "sensitive", "--owner", "elena@nw.example")  # fmt: skip
    return cli


@pytest.mark.slow
def test_sigkill_mid_batch_loses_no_acknowledged_write(installation: Cli) -> None:
    cli = installation
    env = {k: v for k, v in {**os.environ, **cli.env}.items() if v is not None}
    acked: list[str] = []
    for round_ in range(3):  # three kills, each at a random moment after some batches
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        wanted = 3 + round_
        for line in child.stdout:
            if line.startswith("ACK"):
                acked.extend(line.split()[2:])
                wanted -= 1
                if wanted == 0:
                    break
        time.sleep(random.uniform(0, 0.05))  # land inside a later batch
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        acked.extend(w for line in rest.splitlines() if line.startswith("ACK")
                     for w in line.split()[2:])  # fmt: skip
        assert child.returncode == -signal.SIGKILL
    verify = cli.ok("custody", "verify")
    assert verify.code == 0
    listed = json.loads(cli.ok("vault", "list", "--json").out)
    present = {d["id"] for d in listed}
    assert set(acked) <= present, f"lost {sorted(set(acked) - present)}"
    assert len(present) % 4 == 0  # whole batches only: an unacknowledged one wholly or not
    added = cli.sql("SELECT subject_id FROM custody_event WHERE event_type = 'DOCUMENT_ADDED'")
    assert {r[0] for r in added} == present
    blobs = cli.home / "blobs"
    for doc in listed:  # every committed version has its ciphertext
        blob_id = doc["versions"][0]["id"]
        assert any(p.name == blob_id for p in blobs.glob(f"*/{blob_id}"))
