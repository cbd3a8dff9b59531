"""The scans' test world: a secret whose code (ingest.py) and procedure (a text) are in the
vault and fingerprinted, Alice Smith of Acme Ltd who may receive copies, and suspects made from
them (an excerpt with its identifiers renamed, unrelated code)."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers secrets as document owners
from crownjewels.core.actor import Actor
from crownjewels.leaks.index import service as leak_index
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from crownjewels.vault.keys import create_key_file
from tests.access.factories import bind_for_access
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person

SECRET_KEY = "leak-scan-test-secret-key-0123456789"

INGEST = '''"""Ingest of the fermentation line's sensor batches."""

import csv
import statistics
from dataclasses import dataclass


@dataclass
class Reading:
    tank: str
    minute: int
    temperature: float
    ph: float
    dissolved_oxygen: float


def parse_line(fields: list[str]) -> Reading:
    tank, minute, temperature, ph, oxygen = fields
    return Reading(tank, int(minute), float(temperature), float(ph), float(oxygen))


def load_batch(path: str) -> list[Reading]:
    readings = []
    with open(path, newline="") as handle:
        for row in csv.reader(handle):
            if not row or row[0].startswith("#"):
                continue
            readings.append(parse_line(row))
    return readings


def feed_rate(readings: list[Reading], target_ph: float = 6.85) -> float:
    drift = statistics.fmean(r.ph for r in readings) - target_ph
    oxygen = statistics.fmean(r.dissolved_oxygen for r in readings)
    base = 0.42 if oxygen > 31.5 else 0.37
    return round(base * (1.0 - 0.8 * drift) * (1.0 + 0.015 * len(readings) / 60), 4)


def smooth(values: list[float], window: int = 7) -> list[float]:
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        out.append(sum(chunk) / len(chunk))
    return out


def glucose_schedule(readings: list[Reading]) -> list[tuple[int, float]]:
    temps = smooth([r.temperature for r in readings])
    plan = []
    for reading, temp in zip(readings, temps):
        if temp > 37.2:
            plan.append((reading.minute, 0.0))
        elif reading.dissolved_oxygen < 28.0:
            plan.append((reading.minute, feed_rate([reading]) * 0.5))
        else:
            plan.append((reading.minute, feed_rate([reading])))
    return plan


def summarise(path: str) -> dict[str, float]:
    batch = load_batch(path)
    schedule = glucose_schedule(batch)
    total = sum(rate for _, rate in schedule)
    peak = max(r.temperature for r in batch)
    return {"readings": len(batch), "glucose": round(total, 3), "peak": peak}
'''

#: identifiers renamed in the excerpt a leaker would post
RENAMES = {
    "Reading": "Sample",
    "readings": "samples",
    "reading": "sample",
    "feed_rate": "compute_rate",
    "smooth": "rolling_mean",
    "glucose_schedule": "plan_feed",
    "temps": "series",
    "plan": "steps",
    "drift": "delta",
    "oxygen": "o2",
}

UNRELATED = """import json
import sys


def main(argv: list[str]) -> int:
    config = json.loads(open(argv[1]).read())
    for name, value in sorted(config.items()):
        print(f"{name:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
"""

PROCEDURE = (
    "Seed train and fed-batch procedure for the blue pigment strain. Inoculate the seed tank "
    "with two vials of the working cell bank thawed at room temperature for eleven minutes. "
    "Hold the seed tank at thirty one degrees with agitation at one hundred eighty revolutions "
    "per minute until the optical density reaches four point two, then transfer to the "
    "production vessel. Start the glucose feed at hour fourteen at zero point four two grams "
    "per litre per hour and raise it by six percent every three hours while the dissolved "
    "oxygen stays above thirty percent of saturation. Harvest when the pigment titre stops "
    "rising for two consecutive samples taken four hours apart."
)


def excerpt() -> str:
    """Lines 32-70 of ingest.py with the identifiers renamed and a comment added: what a
    leaker pastes into a repository of their own."""
    lines = INGEST.splitlines()[31:70]
    text = "\n".join(lines) + "\n"
    for old, new in RENAMES.items():
        text = re.sub(rf"\b{old}\b", new, text)
    return "# utilities\n" + text


@dataclass(frozen=True)
class World:
    """What the tests scan against."""

    settings: Settings
    secret_ref: str
    secret_id: str
    code_document: str
    text_document: str
    alice_id: str


def settings_for(home: Path) -> Settings:
    """An installation under `home` with its vault key, fetching from 127.0.0.1 allowed."""
    if not (home / "vault.key").exists():
        create_key_file(home / "vault.key")
    return Settings(
        home=home,
        secret_key=SECRET_KEY,
        company_name="Acme Foods",
        leaks_fetch_private_addresses=True,
    )


def make_world(session: Session, admin: Actor, home: Path) -> World:
    """The secret with its two documents in the vault, fingerprinted; Alice bound for access."""
    settings = settings_for(home)
    secret = make_secret(session, admin, name="Blue pigment")
    org = make_org(session, admin, name="Acme Ltd")
    alice = make_person(session, admin, org=org, name="Alice Smith")
    bind_for_access(session, person_id=alice.id, secret_id=secret.id)
    opened = vault.open_vault(settings)
    docs = []
    for name, body in (("ingest.py", INGEST), ("procedure.txt", PROCEDURE)):
        docs.append(
            vault.add_document(
                session,
                actor=admin,
                vault=opened,
                owner_type="secret",
                owner_ref=secret.ref,
                title=name,
                upload=io.BytesIO(body.encode()),
                filename=name,
            ).id
        )
    leak_index.index_pending(session, actor=admin, vault=opened)
    return World(
        settings=settings,
        secret_ref=secret.ref,
        secret_id=secret.id,
        code_document=docs[0],
        text_document=docs[1],
        alice_id=alice.id,
    )


def git(folder: Path, *args: str) -> None:
    """Run git in `folder` (a throw-away identity, no user config)."""
    subprocess.run(
        ["git", "-c", "user.name=Leaker", "-c", "user.email=leaker@example.com", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=60,
    )
