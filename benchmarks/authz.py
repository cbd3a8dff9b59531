"""Access decision benchmark: PolicyEngine.decide latency at 10, 1,000 and 100,000 grants, and
the real path, `crownjewels access check` through the service on PostgreSQL.

Run with `make bench` (or `.venv/bin/python benchmarks/authz.py [--quick] [--sizes N ...]`).

In-memory path, in one process, on synthetic data (10,000 people in 50 organisations, 200
secrets, N grants):

1. Crown Jewels: the facts of each request are assembled from in-memory indexes shaped the way
   the database serves them (person, organisation and secret rows by id, granted levels by
   (person, secret), agreement cover, acknowledgements, transfer rules), then
   `PolicyEngine.decide(facts)` (one Cedar call); the whole per-request path is timed.
2. pycasbin on an equivalent model (MODEL below): request (sub, obj, act) with the subject's and
   the secret's attributes as objects, one policy line per granted level (a download grant is
   three lines: know-of, view, download) plus a `*` line for the owner, and a matcher with the
   same rules. Its subject and object are assembled from the same rows, also timed.

Both engines first decide the same few thousand requests (allowed ones and every denial cause)
and must agree on each, or the benchmark stops. Then p50 and p99 per N, and the ratio casbin /
ours. Targets (issue): p50 <= 150 us, p99 <= 1 ms, flat in the number of grants. Anchors from the
issue: cedarpy ~100 us p50 with parsed policies and entities; pycasbin 0.85 ms at 1,100 rules,
~78 ms at 110,000.

Real path (target p99 <= 5 ms): `access.service.decide`, the function `crownjewels access check
EMAIL TS-0001` calls, each check in its own unit of work committed as the CLI's is (a denial
records ACCESS_DENIED in the custody log, an allowed use marks its grants used), every fact read
from the database. The world, in a database created for the run (`--pg`: a server where CREATE
DATABASE is allowed; CROWNJEWELS_BENCH_DATABASE_URL, else CROWNJEWELS_TEST_DATABASE_URL, else
the local server; dropped at the end unless `--keep`), is built in about a minute:
- the demo company seeded through the services (`crownjewels.demo.seed`: 7 organisations, 4
  vendors with their due diligence, the NDAs, the training courses, 13 secrets);
- then bulk inserts (SQLAlchemy `insert(Model)` with lists of rows, no service per row): people
  up to 10,000 spread over the organisations (half the company's staff, 35 % vendor staff), the
  secrets copied up to 200, every required course passed (one person in 32 with one lapsed), a
  confidentiality agreement for each new member of staff (one in 20 has none) and an NDA naming
  95 % of the secrets for the subsidiary, 100,000 grants on distinct person x secret pairs (90 %
  active, the rest expired, suspended or revoked), and the notice acknowledged by vendor staff
  for nine in ten of their grants; then ANALYZE.
Checks: random person x secret pairs (60 % with a grant, 10 % by the owner, 30 % anyone on
anything), a random level, MFA nine times in ten; p50 and p99 of wall-clock and on-CPU time
over --checks checks after a warm-up, and the SQL statements each check ran (a SQLAlchemy
`before_cursor_execute` listener), printed next to the in-memory p50 and p99.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.metadata import version
from typing import Any

import casbin
from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crownjewels import demo
from crownjewels.access import service as access
from crownjewels.access.engine import PolicyEngine
from crownjewels.access.facts import Facts, Level, PersonFacts, SecretFacts
from crownjewels.access.models import Grant
from crownjewels.access.rules import MAX_DAYS
from crownjewels.agreements.models import Agreement, AgreementParty, AgreementScope
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database, normalise_url
from crownjewels.core.ids import new_id
from crownjewels.core.migrate import upgrade
from crownjewels.inventory.models import TradeSecret
from crownjewels.parties.models import Organisation, Person
from crownjewels.training.models import Attestation, Completion, Course

P50_TARGET_US = 150.0
P99_TARGET_US = 1000.0
#: ours is "flat" when its p50 at the largest N is within this factor of the smallest N's
FLAT_FACTOR = 1.5
PEOPLE, ORGS, SECRETS = 10_000, 50, 200
COUNTRIES = ("GB", "FR", "DE", "NL", "IE", "US", "CH", "IN", "CN", "BR")
BLOCKED = frozenset({"CN", "BR"})  # personal data does not go there (the transfer rule)
PERSONAL = "customer-list"
CATEGORIES = ("formula", "process", "customer-list", "source-code", "pricing")
TIERS = ("highly-sensitive", "sensitive", "confidential")
LEVELS = tuple(Level)

MODEL = """
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = ((r.sub.id == p.sub && r.obj.id == p.obj && r.act == p.act) || \
(p.sub == "*" && r.obj.owner == r.sub.id)) && \
r.sub.agreement_covers && \
(!r.sub.vendor_staff || r.sub.acknowledged) && \
(!r.sub.vendor_staff || r.sub.diligence_current) && \
r.sub.training_current && \
(!r.obj.regions || (r.sub.country in r.obj.regions && r.sub.processing <= r.obj.regions)) && \
r.sub.transfer_allowed && \
r.sub.status == "active" && r.sub.account_active && r.sub.org_status == "active" && \
(r.obj.tier != "highly-sensitive" || r.sub.mfa)
"""


@dataclass
class World:
    """The rows a decision reads, indexed the way the database serves them."""

    people: dict[str, dict[str, Any]]
    orgs: dict[str, dict[str, Any]]
    secrets: dict[str, dict[str, Any]]
    grants: dict[tuple[str, str], frozenset[Level]]
    top: dict[tuple[str, str], Level]
    covered: set[tuple[str, str]]
    acks: set[tuple[str, str]]


Request = tuple[str, str, Level, bool]


def _orgs(rng: random.Random) -> dict[str, dict[str, Any]]:
    orgs = {}
    for i in range(ORGS):
        kind = "own" if i == 0 else rng.choice(("vendor", "vendor", "partner", "subsidiary"))
        countries = frozenset(rng.sample(COUNTRIES, rng.randint(1, 3))) if kind == "vendor" else ()
        orgs[f"o{i}"] = {
            "id": f"o{i}",
            "kind": kind,
            "status": "active" if rng.random() < 0.92 else "suspended",
            "processing_countries": frozenset(countries),
            "diligence_current": rng.random() < 0.85,
        }
    return orgs


def _people(rng: random.Random, orgs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    people = {}
    for i in range(PEOPLE):
        org = "o0" if rng.random() < 0.5 else f"o{rng.randrange(1, ORGS)}"
        kind = (
            "vendor-staff"
            if orgs[org]["kind"] == "vendor"
            else rng.choice(("employee", "contractor"))
        )
        people[f"u{i}"] = {
            "id": f"u{i}",
            "status": rng.choices(("active", "departing", "departed"), (92, 4, 4))[0],
            "kind": kind,
            "country": rng.choice(COUNTRIES),
            "organisation_id": org,
            "account_active": rng.random() < 0.97,
            "training_current": rng.random() < 0.93,
        }
    return people


def build(n_grants: int, seed: int = 7) -> World:
    """Synthetic people, organisations, secrets and n_grants grants (unique person/secret)."""
    rng = random.Random(seed)
    orgs = _orgs(rng)
    people = _people(rng, orgs)
    secrets = {}
    for i in range(SECRETS):
        regions = () if rng.random() < 0.4 else rng.sample(COUNTRIES, rng.randint(3, 8))
        secrets[f"s{i}"] = {
            "id": f"s{i}",
            "tier": rng.choices(TIERS, (2, 4, 4))[0],
            "category": rng.choice(CATEGORIES),
            "owner_id": f"u{rng.randrange(PEOPLE)}",
            "status": "active",
            "allowed_regions": frozenset(regions),
        }
    top: dict[tuple[str, str], Level] = {}
    while len(top) < n_grants:
        top[(f"u{rng.randrange(PEOPLE)}", f"s{rng.randrange(SECRETS)}")] = rng.choice(LEVELS)
    grants = {pair: level.includes() for pair, level in top.items()}
    covered = {(o, s) for o in orgs for s in secrets if rng.random() < 0.95}
    acks = {pair for pair in top if rng.random() < 0.9}
    return World(people, orgs, secrets, grants, top, covered, acks)


def requests(world: World, count: int, seed: int) -> list[Request]:
    """A mix: mostly requests within (or just above) a grant, some by owners, some random."""
    rng = random.Random(seed)
    pairs = list(world.top)
    owners = [(s["owner_id"], s["id"]) for s in world.secrets.values()]
    out: list[Request] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.6 and pairs:
            person, secret = rng.choice(pairs)
        elif roll < 0.75:
            person, secret = rng.choice(owners)
        else:
            person, secret = f"u{rng.randrange(PEOPLE)}", f"s{rng.randrange(SECRETS)}"
        out.append((person, secret, rng.choice(LEVELS), rng.random() < 0.85))
    return out


def our_facts(world: World, req: Request) -> Facts:
    """The facts of a request, assembled from the indexes as decide.py does from the database."""
    pid, sid, action, mfa = req
    p = world.people[pid]
    org = world.orgs[p["organisation_id"]]
    s = world.secrets[sid]
    person = PersonFacts(
        id=pid,
        status=p["status"],
        kind=p["kind"],
        country=p["country"],
        organisation_id=org["id"],
        organisation_kind=org["kind"],
        organisation_status=org["status"],
        account_active=p["account_active"],
        processing_countries=org["processing_countries"],
        diligence_current=org["diligence_current"],
        training_current=p["training_current"],
    )
    secret = SecretFacts(
        id=sid,
        tier=s["tier"],
        category=s["category"],
        owner_id=s["owner_id"],
        status=s["status"],
        allowed_regions=s["allowed_regions"],
    )
    return Facts(
        person=person,
        secret=secret,
        action=action,
        granted=world.grants.get((pid, sid), frozenset()),
        mfa=mfa,
        agreement_covers=(org["id"], sid) in world.covered,
        acknowledged=(pid, sid) in world.acks,
        transfer_allowed=not (s["category"] == PERSONAL and p["country"] in BLOCKED),
    )


class Subject:
    """pycasbin's r.sub: the person's attributes and those of this request's session."""

    __slots__ = (
        "account_active",
        "acknowledged",
        "agreement_covers",
        "country",
        "diligence_current",
        "id",
        "mfa",
        "org_status",
        "processing",
        "status",
        "training_current",
        "transfer_allowed",
        "vendor_staff",
    )  # fmt: skip

    def __init__(self, **attrs: Any) -> None:
        for key, value in attrs.items():
            setattr(self, key, value)


class Resource:
    """pycasbin's r.obj: the secret's attributes."""

    __slots__ = ("id", "owner", "regions", "tier")

    def __init__(self, id: str, tier: str, owner: str, regions: frozenset[str]) -> None:
        self.id, self.tier, self.owner, self.regions = id, tier, owner, regions


def casbin_args(world: World, req: Request) -> tuple[Subject, Resource, str]:
    """pycasbin's request, assembled from the same rows."""
    pid, sid, action, mfa = req
    p = world.people[pid]
    org = world.orgs[p["organisation_id"]]
    s = world.secrets[sid]
    sub = Subject(
        id=pid,
        status=p["status"],
        account_active=p["account_active"],
        org_status=org["status"],
        country=p["country"],
        processing=org["processing_countries"],
        vendor_staff=p["kind"] == "vendor-staff" or org["kind"] == "vendor",
        diligence_current=org["diligence_current"],
        training_current=p["training_current"],
        mfa=mfa,
        agreement_covers=(org["id"], sid) in world.covered,
        acknowledged=(pid, sid) in world.acks,
        transfer_allowed=not (s["category"] == PERSONAL and p["country"] in BLOCKED),
    )
    return sub, Resource(sid, s["tier"], s["owner_id"], s["allowed_regions"]), action.value


def casbin_enforcer(world: World) -> casbin.Enforcer:
    """pycasbin with MODEL and one policy line per granted level (and the owner's `*` line)."""
    enforcer = casbin.Enforcer(casbin.Enforcer.new_model(text=MODEL))
    rules = [["*", "*", "*"]]
    rules += [[pid, sid, lv.value] for (pid, sid), levels in world.grants.items() for lv in levels]
    enforcer.add_policies(rules)
    return enforcer


def check_agreement(engine: PolicyEngine, enforcer: casbin.Enforcer, world: World, n: int) -> str:
    """Both engines decide the same requests alike; a line of what was covered."""
    causes: Counter[str] = Counter()
    reqs = requests(world, n, seed=11)
    for req in reqs:
        verdict = engine.decide(our_facts(world, req))
        theirs = enforcer.enforce(*casbin_args(world, req))
        if verdict.allowed != theirs:
            sys.exit(f"DISAGREE on {req}: ours {verdict}, casbin {theirs}")
        causes.update(["allowed"] if verdict.allowed else verdict.failed)
    return ", ".join(f"{k} {v}" for k, v in sorted(causes.items()))


def latencies_us(
    fn: Callable[[Request], object], reqs: Sequence[Request], warm: Sequence[Request]
) -> tuple[list[float], list[float]]:
    """Per request: wall-clock microseconds, and on-CPU microseconds of this thread (the
    machine may be shared: a request preempted mid-way shows in the first, not the second)."""
    for req in warm:
        fn(req)
    gc.collect()
    wall, cpu = [], []
    clock, on_cpu = time.perf_counter_ns, time.thread_time_ns
    for req in reqs:
        start, start_cpu = clock(), on_cpu()
        fn(req)
        cpu.append((on_cpu() - start_cpu) / 1000)
        wall.append((clock() - start) / 1000)
    return wall, cpu


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def say(line: str = "") -> None:
    print(line, flush=True)


@dataclass
class Row:
    """One size: (p50, p99) wall-clock and on-CPU, microseconds, for each engine."""

    n: int
    policies: int
    ours: tuple[float, float]
    theirs: tuple[float, float]
    ours_cpu: tuple[float, float]
    theirs_cpu: tuple[float, float]


def p50_p99(values: list[float]) -> tuple[float, float]:
    return pct(values, 50), pct(values, 99)


def measure(engine: PolicyEngine, n: int, samples: int, check: int) -> Row:
    """One size: build, load pycasbin, check agreement, time both on the same requests."""
    world = build(n)
    start = time.perf_counter()
    enforcer = casbin_enforcer(world)
    policies = len(enforcer.get_policy())
    say(f"{n:>9,} grants: pycasbin loaded {policies:,} policy lines in "
        f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    checked = check if n <= 1000 else max(100, check // 15)
    say(
        f"   agreement on {checked:,} requests: {check_agreement(engine, enforcer, world, checked)}"
    )
    reqs = requests(world, samples, seed=n)
    # warm: other requests first, as a running server has seen (our engine keeps the parsed
    # part of each secret's entities: 200 secrets times at most five grant shapes)
    warm = requests(world, samples, seed=n + 1)
    ours, ours_cpu = latencies_us(lambda r: engine.decide(our_facts(world, r)), reqs, warm)
    few = reqs if n <= 1000 else reqs[: max(50, samples // 25)]
    theirs, theirs_cpu = latencies_us(
        lambda r: enforcer.enforce(*casbin_args(world, r)), few, warm[:20]
    )
    row = Row(n, policies, p50_p99(ours), p50_p99(theirs), p50_p99(ours_cpu), p50_p99(theirs_cpu))
    for name, (p50, p99), (c50, c99), count in (
        ("ours  ", row.ours, row.ours_cpu, len(ours)),
        ("casbin", row.theirs, row.theirs_cpu, len(theirs)),
    ):
        say(f"   {name} p50 {p50:9.1f} us  p99 {p99:9.1f} us   on-CPU p50 {c50:9.1f} us  "
            f"p99 {c99:9.1f} us  ({count:,} requests)")  # fmt: skip
    return row


def _table(rows: list[Row], title: str, cpu: bool) -> None:
    say(title)
    say(f"   {'grants':>9} {'casbin lines':>12} {'ours p50':>9} {'ours p99':>9} "
        f"{'casbin p50':>11} {'casbin p99':>11} {'p50 x':>8} {'p99 x':>8}")  # fmt: skip
    for r in rows:
        ours, theirs = (r.ours_cpu, r.theirs_cpu) if cpu else (r.ours, r.theirs)
        say(f"   {r.n:>9,} {r.policies:>12,} {ours[0]:>9.1f} {ours[1]:>9.1f} "
            f"{theirs[0]:>11.1f} {theirs[1]:>11.1f} "
            f"{theirs[0] / ours[0]:>8.1f} {theirs[1] / ours[1]:>8.1f}")  # fmt: skip
    say("   (p50 x, p99 x = casbin / ours)")


def summary(rows: list[Row]) -> None:
    say()
    _table(
        rows,
        "Wall-clock per decision, us (facts + decide; casbin: request objects + enforce)",
        False,
    )
    _table(rows, "On-CPU per decision, us (the same requests; time this thread ran)", True)
    say()
    say("Summary (ratio = target / measured; >= 1.00 meets the target)")
    for r in rows:
        for name, value, target in (
            (f"ours p50 at {r.n:,} grants", r.ours[0], P50_TARGET_US),
            (f"ours p99 at {r.n:,} grants", r.ours[1], P99_TARGET_US),
        ):
            ratio = target / value
            verdict = "meets target" if ratio >= 1 else "BELOW target"
            say(f"   {name:<34}{value:>9.1f} us  target {target:>6.0f} us  ratio {ratio:5.2f}  "
                f"{verdict}")  # fmt: skip
    if len(rows) > 1:
        growth = rows[-1].ours[0] / rows[0].ours[0]
        ratio = FLAT_FACTOR / growth
        verdict = "meets target" if ratio >= 1 else "BELOW target"
        say(f"   {'ours flat: p50 largest / smallest N':<34}{growth:>9.2f} x   target "
            f"{FLAT_FACTOR:>6.2f} x   ratio {ratio:5.2f}  {verdict}")  # fmt: skip


# --- the real path: `crownjewels access check` through the service, on PostgreSQL -----------

REAL_PEOPLE, REAL_GRANTS, REAL_SECRETS = 10_000, 100_000, 200
P99_REAL_TARGET_MS = 5.0
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
ACTOR = system_actor("bench")
#: how the people spread over the demo's organisations, by kind
ORG_SHARE = {"own": 0.50, "vendor": 0.35, "partner": 0.10, "subsidiary": 0.05}


@dataclass
class RealWorld:
    """What the checks pick from, as the CLI is given them (email, secret reference): every
    person, every secret, the pairs with a grant (live or not), each secret's owner."""

    db: Database
    people: list[str]
    secrets: list[str]
    granted: list[tuple[str, str]]
    owners: list[tuple[str, str]]
    counts: dict[str, int]


def _pg_admin(base: str) -> Any:
    return create_engine(
        normalise_url(base), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )


def pg_database(base: str, name: str, *, drop: bool = False) -> str | None:
    """(Re)create database `name` on the server of `base`; its URL, or None when unreachable.
    With drop=True only drop it."""
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    try:
        admin = _pg_admin(base)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not drop:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # unreachable server, no CREATE DATABASE right
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        say(f"real path SKIPPED: cannot use PostgreSQL at {base} ({first})")
        return None
    return url


def _rows(session: Session, table: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in session.execute(select(table)).mappings()]


def build_real(url: str, people: int, grants: int, secrets: int, seed: int = 7) -> RealWorld:
    """The demo company seeded through the services (organisations, vendors with their due
    diligence, NDAs, courses, 13 secrets), then bulk inserts up to `people` people, `secrets`
    secrets and `grants` grants with what the rules read (see the module's docstring)."""
    rng = random.Random(seed)
    upgrade(url)
    db = Database(url)
    with db.unit_of_work() as session:
        demo.seed(session, actor=ACTOR, company="Northwind Biologics", secret_key="bench")
    now, today = clock.now(), clock.today()
    with db.unit_of_work() as session:
        orgs = _rows(session, Organisation.__table__)
        by_kind = {k: [o for o in orgs if o["kind"] == k] for k in ORG_SHARE}
        courses = _rows(session, Course.__table__)
        # people: the demo's, then new ones spread over the organisations
        new_people = []
        existing = session.scalar(select(func.count()).select_from(Person)) or 0
        for i in range(people - existing):
            kind = rng.choices(list(ORG_SHARE), list(ORG_SHARE.values()))[0]
            org = rng.choice(by_kind[kind])
            pkind = (
                "vendor-staff"
                if kind == "vendor"
                else rng.choice(("employee",) * 9 + ("contractor",))
            )
            status = rng.choices(("active", "departing", "departed"), (94, 3, 3))[0]
            new_people.append(
                {
                    "id": new_id(),
                    "created_at": now,
                    "updated_at": now,
                    "organisation_id": org["id"],
                    "full_name": f"Bench Person {i}",
                    "email": f"bench.person.{i}@{kind}.example",
                    "kind": pkind,
                    "country": org["country"] if rng.random() < 0.8 else rng.choice(COUNTRIES),
                    "title": None,
                    "status": status,
                    "departing_on": today + timedelta(days=20) if status == "departing" else None,
                    "departed_on": today - timedelta(days=20) if status == "departed" else None,
                }
            )
        session.execute(insert(Person), new_people)
        own_ids = {o["id"] for o in by_kind["own"]}
        staff = [p for p in new_people if p["organisation_id"] in own_ids]
        # secrets: the demo's, then copies of them owned by the company's new staff
        demo_secrets = _rows(session, TradeSecret.__table__)
        new_secrets = []
        for n in range(len(demo_secrets) + 1, secrets + 1):
            row = dict(demo_secrets[n % len(demo_secrets)])
            row.update(
                id=new_id(),
                ref=f"TS-{n:04d}",
                name=f"{row['name']} ({n})",
                owner_id=rng.choice(staff)["id"],
                created_at=now,
                updated_at=now,
                version=1,
            )
            new_secrets.append(row)
        session.execute(insert(TradeSecret), new_secrets)
        all_secrets = demo_secrets + new_secrets
        # training: every required course passed (one person in sixteen has one lapsed)
        completions = []
        for p in new_people:
            vendor = p["kind"] == "vendor-staff"
            for c in courses:
                needed = c["required_for"] == "all" or c["required_for"] == (
                    "vendor-staff" if vendor else "employees"
                )
                if not needed or c["status"] != "active":
                    continue
                done = today - timedelta(days=400 if rng.random() < 1 / 32 else rng.randint(1, 300))
                completions.append(
                    {
                        "id": new_id(),
                        "person_id": p["id"],
                        "course_id": c["id"],
                        "completed_on": done,
                        "expires_on": done + timedelta(days=c["validity_days"] or 365),
                        "result": "passed",
                        "score": None,
                        "source": "bench",
                        "external_id": None,
                        "recorded_by": "bench",
                        "recorded_at": now,
                    }
                )
        session.execute(insert(Completion), completions)
        # agreements: each new member of staff signs their own confidentiality agreement
        # (scope all, no expiry; one in twenty has none); the subsidiary gets an NDA naming
        # 95 % of the secrets (the named-scope lookup)
        agreements, parties, scopes = [], [], []
        for n, p in enumerate(staff):
            if rng.random() < 0.05:
                continue
            aid = new_id()
            agreements.append(
                _agreement(
                    aid,
                    f"AG-E-{n:06d}",
                    "employee-confidentiality",
                    "all",
                    today - timedelta(days=rng.randint(30, 2000)),
                    None,
                    now,
                )
            )
            parties.append(
                {
                    "id": new_id(),
                    "agreement_id": aid,
                    "organisation_id": None,
                    "person_id": p["id"],
                    "role": "recipient",
                    "created_at": now,
                }
            )
        for n, org in enumerate(by_kind["subsidiary"]):
            aid = new_id()
            agreements.append(
                _agreement(
                    aid,
                    f"AG-S-{n:06d}",
                    "nda",
                    "named",
                    today - timedelta(days=100),
                    today + timedelta(days=600),
                    now,
                )
            )
            parties.append(
                {
                    "id": new_id(),
                    "agreement_id": aid,
                    "organisation_id": org["id"],
                    "person_id": None,
                    "role": "recipient",
                    "created_at": now,
                }
            )
            scopes += [
                {
                    "id": new_id(),
                    "agreement_id": aid,
                    "secret_id": s["id"],
                    "category": None,
                    "created_at": now,
                }
                for s in all_secrets
                if rng.random() < 0.95
            ]
        session.execute(insert(Agreement), agreements)
        session.execute(insert(AgreementParty), parties)
        session.execute(insert(AgreementScope), scopes)
        # grants: distinct (person, secret) pairs; mostly active, some expired, suspended or
        # revoked; vendor staff acknowledged the notice of nine in ten of their secrets
        everyone = [p["id"] for p in new_people]
        pairs: dict[tuple[str, str], Level] = {}
        while len(pairs) < grants:
            pairs[(rng.choice(everyone), rng.choice(all_secrets)["id"])] = rng.choice(LEVELS)
        tier = {s["id"]: s["tier"] for s in all_secrets}
        ref_secret = {s["id"]: s for s in all_secrets}
        vendor_staff = {p["id"] for p in new_people if p["kind"] == "vendor-staff"}
        first = (session.scalar(select(func.count()).select_from(Grant)) or 0) + 1
        rows, acks = [], []
        for n, ((pid, sid), level) in enumerate(pairs.items()):
            status = rng.choices(("active", "expired", "suspended", "revoked"), (90, 4, 3, 3))[0]
            starts = now - timedelta(days=rng.randint(1, 60))
            longest = MAX_DAYS[tier[sid]]
            expires = (
                starts + timedelta(days=rng.randint(61, longest))
                if status != "expired"
                else now - timedelta(days=1)
            )
            rows.append(
                {
                    "id": new_id(),
                    "created_at": now,
                    "updated_at": now,
                    "ref": f"GR-{first + n:06d}",
                    "person_id": pid,
                    "organisation_id": None,
                    "group_id": None,
                    "secret_id": sid,
                    "document_id": None,
                    "level": level.value,
                    "purpose": "benchmark world",
                    "requested_by": "bench",
                    "requester_person_id": None,
                    "approvals_needed": 1,
                    "status": status,
                    "status_reason": None,
                    "status_changed_at": None,
                    "starts_at": starts,
                    "expires_at": expires,
                    "last_used_at": None,
                    "version": 1,
                }
            )
            if pid in vendor_staff and rng.random() < 0.9:
                s = ref_secret[sid]
                notice = f"I acknowledge the confidentiality notice of {s['ref']}: {s['legend']}"
                acks.append(
                    {
                        "id": new_id(),
                        "person_id": pid,
                        "kind": "secret-notice",
                        "secret_id": sid,
                        "text": notice,
                        "text_sha256": hashlib.sha256(notice.encode()).hexdigest(),
                        "channel": "portal",
                        "acknowledged_at": now,
                        "recorded_by": "bench",
                    }
                )
        for start in range(0, len(rows), 10_000):
            session.execute(insert(Grant), rows[start : start + 10_000])
        session.execute(insert(Attestation), acks)
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    with db.unit_of_work(write=False) as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("people", Person),
                ("secrets", TradeSecret),
                ("grants", Grant),
                ("agreements", Agreement),
                ("completions", Completion),
                ("acknowledgements", Attestation),
            )
        }
        # the checks name people and secrets as the CLI is given them: email and reference
        email: dict[str, str] = dict(session.execute(select(Person.id, Person.email)).all())
        ref: dict[str, str] = dict(session.execute(select(TradeSecret.id, TradeSecret.ref)).all())
        owners = [
            (email[o], ref[s])
            for s, o in session.execute(select(TradeSecret.id, TradeSecret.owner_id))
        ]
    return RealWorld(
        db,
        list(email.values()),
        list(ref.values()),
        [(email[p], ref[s]) for p, s in pairs],
        owners,
        counts,
    )


def _agreement(
    aid: str, ref: str, kind: str, scope: str, effective: date, expires: date | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": aid,
        "created_at": now,
        "updated_at": now,
        "ref": ref,
        "kind": kind,
        "title": f"{kind} {ref}",
        "status": "in_force",
        "status_reason": None,
        "status_changed_at": now,
        "terminated_on": None,
        "effective_on": effective,
        "expires_on": expires,
        "survival_years": 5,
        "trade_secrets_survive": True,
        "governing_law": "US",
        "governing_law_subdivision": None,
        "forum": None,
        "scope": scope,
        "renewal_notice_days": 60,
        "renewal_flagged_for": None,
        "notes": None,
        "version": 1,
    }


def real_checks(world: RealWorld, count: int, seed: int) -> list[Request]:
    """Random person × secret pairs: most within a grant (live or not), some by the owner,
    the rest anyone × anything; a random level, MFA nine times in ten."""
    rng = random.Random(seed)
    out: list[Request] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.6:
            person, secret = rng.choice(world.granted)
        elif roll < 0.7:
            person, secret = rng.choice(world.owners)
        else:
            person, secret = rng.choice(world.people), rng.choice(world.secrets)
        out.append((person, secret, rng.choice(LEVELS), rng.random() < 0.9))
    return out


@dataclass
class RealRow:
    """The real path: (p50, p99) wall-clock and on-CPU ms, statements per check, outcomes."""

    wall: tuple[float, float]
    cpu: tuple[float, float]
    statements: tuple[float, int, int]
    outcomes: Counter[str]
    checks: int


def measure_real(world: RealWorld, checks: int) -> RealRow:
    """`access.service.decide` (what `crownjewels access check` runs), one unit of work per
    check as the CLI opens, timed from opening the unit of work to its commit."""
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(world.db.engine, "before_cursor_execute", count)
    outcomes: Counter[str] = Counter()

    def check(req: Request) -> None:
        person, secret, action, mfa = req
        with world.db.unit_of_work() as session:
            decision = access.decide(
                session, actor=ACTOR, person=person, secret=secret, action=action, mfa=mfa
            )
        outcomes.update(["allowed"] if decision.allowed else [r.rule for r in decision.reasons])

    warm = real_checks(world, max(50, checks // 10), seed=2)
    for req in warm:
        check(req)
    outcomes.clear()
    reqs = real_checks(world, checks, seed=3)
    per: list[int] = []
    gc.collect()
    wall, cpu = [], []
    for req in reqs:
        before = statements[0]
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        check(req)
        cpu.append((time.thread_time_ns() - start_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - start) / 1e6)
        per.append(statements[0] - before)
    event.remove(world.db.engine, "before_cursor_execute", count)
    return RealRow(
        p50_p99(wall), p50_p99(cpu), (statistics.mean(per), min(per), max(per)), outcomes, checks
    )


def real_summary(row: RealRow, world: RealWorld, memory: Row | None, seconds: float) -> None:
    c = world.counts
    say()
    say(f"Real path: `access check` through the service on PostgreSQL, {row.checks:,} checks")
    say(
        f"   world: {c['people']:,} people, {c['secrets']:,} secrets, {c['grants']:,} grants, "
        f"{c['agreements']:,} agreements, {c['completions']:,} training completions, "
        f"{c['acknowledgements']:,} acknowledgements (built in {seconds:.0f} s)"
    )
    mean, low, high = row.statements
    say(f"   SQL statements per check: mean {mean:.1f}, min {low}, max {high}")
    say("   outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(row.outcomes.items())))
    say(f"   {'':<34}{'p50':>10}{'p99':>10}")
    say(f"   {'real path, wall-clock ms':<34}{row.wall[0]:>10.2f}{row.wall[1]:>10.2f}")
    say(f"   {'real path, on-CPU ms (this process)':<34}{row.cpu[0]:>10.2f}{row.cpu[1]:>10.2f}")
    if memory is not None:
        say(
            f"   {f'in-memory at {memory.n:,} grants, ms':<34}"
            f"{memory.ours[0] / 1000:>10.3f}{memory.ours[1] / 1000:>10.3f}"
        )
        say(f"   real / in-memory p50: {row.wall[0] * 1000 / memory.ours[0]:.1f} x")


def real_ratio_lines(row: RealRow) -> None:
    for name, value in (("real path p50", row.wall[0]), ("real path p99", row.wall[1])):
        ratio = P99_REAL_TARGET_MS / value
        verdict = "meets target" if ratio >= 1 else "BELOW target"
        say(
            f"   {name + ' (PostgreSQL)':<34}{value:>9.2f} ms  "
            f"target {P99_REAL_TARGET_MS:>6.0f} ms  ratio {ratio:5.2f}  {verdict}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer requests")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of grants")
    parser.add_argument("--samples", type=int, help="timed requests per size (ours)")
    parser.add_argument(
        "--pg",
        default=os.environ.get("CROWNJEWELS_BENCH_DATABASE_URL")
        or os.environ.get("CROWNJEWELS_TEST_DATABASE_URL")
        or DEFAULT_PG,
        help="a PostgreSQL server where CREATE DATABASE is allowed (the real path)",
    )
    parser.add_argument(
        "--database",
        default=f"bench_authz_{os.getpid()}",
        help="the real path's database (created, and dropped at the end)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the real path's database")
    parser.add_argument("--checks", type=int, help="timed checks on the real path")
    parser.add_argument("--no-real", action="store_true", help="only the in-memory path")
    parser.add_argument("--no-memory", action="store_true", help="only the real path")
    parser.add_argument(
        "--agree", type=int, help="requests both engines decide, compared (300 quick, 3,000)"
    )
    parser.add_argument(
        "--real-world",
        type=int,
        nargs=3,
        metavar=("PEOPLE", "GRANTS", "SECRETS"),
        help="the real path's world (500 2,000 40 quick; 10,000 100,000 200)",
    )
    args = parser.parse_args()
    sizes = args.sizes or ([10, 1_000] if args.quick else [10, 1_000, 100_000])
    samples = args.samples or (300 if args.quick else 5_000)
    check = args.agree or (300 if args.quick else 3_000)
    say(f"Access decision benchmark: Python {platform.python_version()}, "
        f"cedarpy {version('cedarpy')}, pycasbin {version('casbin')}")  # fmt: skip
    rows: list[Row] = []
    if not args.no_memory:
        say(f"   {PEOPLE:,} people, {ORGS} organisations, {SECRETS} secrets; grants per size: "
            + ", ".join(f"{n:,}" for n in sizes))  # fmt: skip
        engine = PolicyEngine.load()
        rows = [measure(engine, n, samples, check) for n in sizes]
        summary(rows)
    real: RealRow | None = None
    if not args.no_real:
        people, grants, secrets = args.real_world or (
            (500, 2_000, 40) if args.quick else (REAL_PEOPLE, REAL_GRANTS, REAL_SECRETS)
        )
        url = pg_database(args.pg, args.database)
        if url is not None:
            try:
                started = time.perf_counter()
                world = build_real(url, people, grants, secrets)
                built = time.perf_counter() - started
                real = measure_real(world, args.checks or (200 if args.quick else 2_000))
                real_summary(real, world, rows[-1] if rows else None, built)
                world.db.dispose()
            finally:
                if not args.keep:
                    pg_database(args.pg, args.database, drop=True)
    if real is not None:
        say()
        say("Summary, real path (ratio = target / measured; >= 1.00 meets the target)")
        real_ratio_lines(real)
    return 0


if __name__ == "__main__":
    sys.exit(main())
