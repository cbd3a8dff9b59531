"""Monitoring's real path under load: activity sent through the HTTP API into PostgreSQL
(events/s), and the time from an event's ingestion to its stored alert (p50, p99), during a
back-to-back burst and at steady rates. Target (issue 12): p99 < 1 s. The API's backpressure
is on, as shipped (monitoring_max_lag_seconds 0.25, monitoring_max_queued 1,500: see
monitoring/admission.py): in the burst, a POST arriving while the scorers are behind is
answered 503 and sent again after Retry-After, as a well-behaved sender does; the refusals and
the waiting are printed beside the rate.

Run alone (`.venv/bin/python benchmarks/monitoring_latency.py [--quick] [--json]`) or through
`benchmarks/monitoring.py`, which calls `run(url)` and `report(figures)`.

The world, in a database created for the run on the server at `url` (CREATE DATABASE allowed;
CROWNJEWELS_BENCH_DATABASE_URL, else CROWNJEWELS_TEST_DATABASE_URL, else the local server;
dropped at the end unless `keep`): our organisation and a vendor, `people` people (a third
vendor staff in India; inserted in bulk, as the authz benchmark does), four secrets allowed in
the US and India, each with a location whose pattern is `s3://acme-recipes/<ref>/`, a grant
in force for everyone on every secret, and a user with an `ingest` token.

Three processes besides PostgreSQL, as in production: the API (uvicorn, one worker, the app of
`crownjewels serve` without its in-process jobs), the scorer (`crownjewels monitor score`'s
loop: LISTEN monitoring_events, a batch per transaction) and this one, which sends and
measures. Events are people at work (views and downloads of random documents, each person
from their own country and network, now). Every POST carries events that must each raise an
alert of their own: a person downloading from a country outside the secret's allowed regions,
each (person, country) pair used once. A thread here LISTENs on `monitoring_alerts` (the
scorer notifies each alert's ref when it commits) and notes when each ref first arrives.

Phases: saturation (`senders` threads post `events` events in POSTs of `batch`, back to back:
the ingestion rate, and the rate at which the scorer empties the queue), then each steady rate
in `rates` (ten POSTs a second for `steady_seconds`).

Latency of a trigger = the first notification of an alert holding its event − the moment the
POST carrying it was answered (the events stored: their ingestion); also printed from the
moment it was sent (its own batch's transfer and storage included). The wake-up, the queue,
detection and the alert's commit are all inside. Ingestion throughput = events sent / the time
from the first POST to the last response."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from crownjewels.access.models import Grant
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database, normalise_url
from crownjewels.core.ids import new_id
from crownjewels.core.migrate import upgrade
from crownjewels.core.permissions import Role
from crownjewels.inventory import service as inventory
from crownjewels.inventory.models import TradeSecret
from crownjewels.inventory.schemas import Category, LocationCreate, LocationKind, SecretCreate, Tier
from crownjewels.parties import accounts, tokens
from crownjewels.parties import service as parties
from crownjewels.parties.models import Person
from crownjewels.parties.schemas import (
    OrganisationCreate,
    OrgKind,
    PersonCreate,
    PersonKind,
    TokenCreate,
    UserCreate,
)
from crownjewels.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_P99_MS = 1000.0
ALLOWED = ["US", "IN"]
#: countries outside the secrets' allowed regions, one per trigger of a person
ELSEWHERE = ["BR", "DE", "FR", "JP", "KR", "MX", "NG", "PL", "RU", "SG", "TR", "VN", "ZA", "AR"]
SECRETS = 4
SCORE_BATCH = 2_000
BUCKET = "s3://acme-recipes"


def say(line: str = "") -> None:
    print(line, flush=True)


@dataclass
class World:
    url: str
    token: str
    people: list[str]
    refs: list[str]
    home: Path


@dataclass
class Notes:
    """When each alert's ref first arrived here."""

    arrived: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


# -- the database and its world ---------------------------------------------------------------


def pg_database(server: str, name: str, *, drop: bool = False) -> str | None:
    """Create (or drop) a database on the server; its URL, None when the server cannot."""
    base = make_url(normalise_url(server))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not drop:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # unreachable server, no CREATE DATABASE right
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        say(f"monitoring latency SKIPPED: cannot use PostgreSQL at {base} ({first})")
        return None
    return url


def build(url: str, people: int, home: Path) -> World:
    """Migrate, then make the organisations, people, secrets and the ingest token."""
    upgrade(url)
    db = Database(url)
    actor = system_actor("bench")
    with db.unit_of_work() as session:
        own = parties.create_organisation(
            session,
            actor=actor,
            data=OrganisationCreate(name="Acme Foods", kind=OrgKind.OWN, country="US"),
        )
        vendor = parties.create_organisation(
            session,
            actor=actor,
            data=OrganisationCreate(name="Spice Vendors", kind=OrgKind.VENDOR, country="IN"),
        )
        emails = _add_people(session, people, own_id=own.id, vendor_id=vendor.id)
        owner = parties.create_person(
            session,
            actor=actor,
            data=PersonCreate(
                full_name="Bench Admin",
                email="admin@bench.example",
                organisation_id=own.id,
                country="US",
                kind=PersonKind.EMPLOYEE,
            ),
        )
        refs = []
        for n in range(SECRETS):
            secret = inventory.register(
                session,
                actor=actor,
                data=SecretCreate.model_validate(
                    {
                        "name": f"Recipe {n}",
                        "description": "The exact recipe and its process parameters.",
                        "category": Category.FORMULA,
                        "tier": Tier.SENSITIVE,
                        "owner_id": owner.id,
                        "allowed_regions": ALLOWED,
                    }
                ),
                company="Acme Foods",
            )
            inventory.add_location(
                session,
                actor=actor,
                secret_ref=secret.ref,
                data=LocationCreate(
                    kind=LocationKind.SYSTEM,
                    name=f"Recipe bucket {secret.ref}",
                    patterns=[f"{BUCKET}/{secret.ref}/"],
                ),
            )
            refs.append(secret.ref)
        user = accounts.create_user(
            session,
            actor=actor,
            data=UserCreate(
                person_id=owner.id, password="bench-horse-42-battery", roles=[Role.ADMIN]
            ),
        )
        as_user = accounts.actor_for_user(session, user_id=user.id, mfa=True)
        issued = tokens.create_token(
            session, actor=as_user, data=TokenCreate(name="bench ingest", scopes=["ingest"])
        )
    _grant_everyone(db)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    db.dispose()
    return World(url=url, token=issued.token, people=emails, refs=refs, home=home)


def _add_people(session: Any, people: int, *, own_id: str, vendor_id: str) -> list[str]:
    """`people` people in bulk (as the authz benchmark does: one service call each would take
    minutes), a third of them vendor staff in India; their emails."""
    now = datetime.now(UTC)
    rows = [
        {
            "id": new_id(),
            "created_at": now,
            "updated_at": now,
            "organisation_id": vendor_id if n % 3 == 0 else own_id,
            "full_name": f"Person {n}",
            "email": f"person{n}@bench.example",
            "kind": PersonKind.VENDOR_STAFF if n % 3 == 0 else PersonKind.EMPLOYEE,
            "country": "IN" if n % 3 == 0 else "US",
            "status": "active",
        }
        for n in range(people)
    ]
    session.execute(insert(Person), rows)
    return [f"person{n}@bench.example" for n in range(people)]


def _grant_everyone(db: Database) -> None:
    """A download grant in force for every person on every secret, inserted in bulk (as the
    authz benchmark does): the world's activity is then legitimate, and what the rules find
    in it is what the triggers plant."""
    now = datetime.now(UTC)
    with db.unit_of_work() as session:
        people = list(session.scalars(select(Person.id)))
        secrets = list(session.scalars(select(TradeSecret.id)))
        rows = [
            {
                "id": new_id(),
                "created_at": now,
                "updated_at": now,
                "ref": f"GR-{n + 1:06d}",
                "person_id": pid,
                "secret_id": sid,
                "level": "download",
                "purpose": "benchmark world",
                "requested_by": "bench",
                "approvals_needed": 1,
                "status": "active",
                "starts_at": now - timedelta(days=30),
                "expires_at": now + timedelta(days=300),
                "version": 1,
            }
            for n, (pid, sid) in enumerate((p, s) for p in people for s in secrets)
        ]
        session.execute(insert(Grant), rows)


# -- the processes ------------------------------------------------------------------------------


def _settings(url: str, home: Path) -> Settings:
    return Settings(home=home, database_url=url)


def _serve_api(url: str, home: str, port: int) -> None:
    import uvicorn

    from crownjewels.app import create_app

    settings = _settings(url, Path(home))
    app = create_app(settings, db=Database(url), run_jobs=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _score(url: str, home: str, stop: Any, batch: int) -> None:
    from crownjewels.monitoring.scoring import detectors, scorer

    settings = _settings(url, Path(home))
    runner = scorer.Scorer(Database(url), detector=detectors.default_factory(settings), batch=batch)
    halt = threading.Event()

    def relay() -> None:
        stop.wait()
        halt.set()

    threading.Thread(target=relay, daemon=True).start()
    profile = os.environ.get("CROWNJEWELS_BENCH_PROFILE_SCORER")
    if not profile:
        runner.run(halt)
        return
    import cProfile

    with cProfile.Profile() as pr:
        runner.run(halt)
    pr.dump_stats(profile)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_api(base: str, deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the API did not start within a minute")


def _listen(url: str, notes: Notes, ready: threading.Event, stop: threading.Event) -> None:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("LISTEN monitoring_alerts")
        ready.set()
        while not stop.is_set():
            for note in conn.notifies(timeout=0.2):
                at = time.perf_counter()
                with notes.lock:
                    notes.arrived.setdefault(note.payload, at)


# -- the load -----------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _normal(rng: random.Random, world: World) -> dict[str, Any]:
    """Someone at work: from their own country and network, a document of a secret."""
    n = rng.randrange(len(world.people))
    ref = rng.choice(world.refs)
    return {
        "time": _now(),
        "actor": world.people[n],
        "action": rng.choice(("view", "view", "view", "download")),
        "resource": f"{BUCKET}/{ref}/doc-{rng.randrange(200)}.pdf",
        "bytes": rng.randrange(10_000, 2_000_000),
        "ip": f"198.51.{n % 3}.{n % 250 + 1}",
        "country": "IN" if n % 3 == 0 else "US",
        "source": "s3",
    }


def _pairs(world: World) -> Iterator[tuple[str, str]]:
    """(person, country) pairs, each used once: every trigger raises an alert of its own."""
    for country in ELSEWHERE:
        for person in world.people:
            yield person, country


@dataclass
class Load:
    #: names its triggers apart from other phases'
    name: str = "load"
    marked: int = 0
    sent: int = 0
    batches: int = 0
    #: POSTs answered 503 (the scorers behind: sent again after Retry-After), and the seconds
    #: the senders waited for it
    refused: int = 0
    waited: float = 0.0
    errors: list[str] = field(default_factory=list)
    #: trigger resource -> when the POST carrying it was sent, and when it was answered (the
    #: events stored: their ingestion)
    triggers: dict[str, float] = field(default_factory=dict)
    answered: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _send(
    base: str,
    world: World,
    load: Load,
    pairs: Iterator[tuple[str, str]],
    *,
    total: int,
    batch: int,
    triggers: int,
    seed: int,
    interval: float | None = None,
) -> None:
    """Post batches until `total` events are sent: back to back, or one every `interval`
    seconds (a steady rate; late batches go at once)."""
    rng = random.Random(seed)
    next_at = time.perf_counter()
    headers = {
        "Authorization": f"Bearer {world.token}",
        "Content-Type": "application/x-ndjson",
    }
    with httpx.Client(base_url=base, headers=headers, timeout=60.0) as client:
        while True:
            with load.lock:
                if load.sent >= total:
                    return
                load.sent += batch
                marks: list[tuple[str, str, str]] = []
                for _ in range(triggers):
                    person, country = next(pairs)
                    load.marked += 1
                    marks.append((person, country, f"trigger-{load.name}-{load.marked}"))
            lines = [_normal(rng, world) for _ in range(batch - len(marks))]
            for person, country, mark in marks:
                lines.append(
                    {
                        "time": _now(),
                        "actor": person,
                        "action": "download",
                        "resource": f"{BUCKET}/{rng.choice(world.refs)}/{mark}.pdf",
                        "bytes": 123_456,
                        "ip": "203.0.113.9",
                        "country": country,
                        "source": "s3",
                    }
                )
            rng.shuffle(lines)
            body = "\n".join(json.dumps(line) for line in lines)
            if interval is not None:
                time.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            sent_at = time.perf_counter()
            response = client.post("/api/v1/monitoring/events", content=body)
            while response.status_code == 503 and "retry-after" in response.headers:
                # the scorers are behind (backpressure): the same batch again when told
                wait = float(response.headers["retry-after"])
                with load.lock:
                    load.refused += 1
                    load.waited += wait
                time.sleep(wait)
                sent_at = time.perf_counter()
                response = client.post("/api/v1/monitoring/events", content=body)
            answered_at = time.perf_counter()
            with load.lock:
                load.batches += 1
                for _person, _country, mark in marks:
                    load.triggers[mark] = sent_at
                    load.answered[mark] = answered_at
                if response.status_code >= 300:
                    load.errors.append(f"{response.status_code}: {response.text[:200]}")


@dataclass
class Found:
    """What the run left in the database: the alerts holding each trigger's event."""

    refs: dict[str, set[str]]
    alerts: int
    backlog: int


def _trigger_alerts(url: str) -> Found:
    """trigger mark -> the refs of every alert holding its event (its own, and those raised
    later that cite it: the way back of an impossible travel)."""
    engine = create_engine(normalise_url(url))
    query = text(
        "SELECT e.resource, a.ref FROM monitoring_alert_event ae "
        "JOIN monitoring_alert a ON a.id = ae.alert_id "
        "JOIN activity_event e ON e.id = ae.event_id "
        "WHERE e.resource LIKE '%/trigger-%'"
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        alerts = conn.execute(text("SELECT count(*) FROM monitoring_alert")).scalar_one()
        backlog = conn.execute(text("SELECT count(*) FROM monitoring_pending")).scalar_one()
    engine.dispose()
    refs: dict[str, set[str]] = {}
    for resource, ref in rows:
        refs.setdefault(resource.rsplit("/", 1)[1].removesuffix(".pdf"), set()).add(ref)
    return Found(refs=refs, alerts=int(alerts), backlog=int(backlog))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(
    world: World,
    *,
    events: int,
    batch: int,
    triggers: int,
    senders: int,
    scorers: int,
    score_batch: int,
    rates: tuple[float, ...] = (250.0, 1_000.0),
    paced_seconds: float = 10.0,
) -> dict[str, Any]:
    """Start the API and the scorers, send the load as fast as the API takes it, then at a
    steady rate, and measure."""
    ctx = multiprocessing.get_context("spawn")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    api = ctx.Process(target=_serve_api, args=(world.url, str(world.home), port), daemon=True)
    stop_scorers = ctx.Event()
    scoring = [
        ctx.Process(
            target=_score,
            args=(world.url, str(world.home), stop_scorers, score_batch),
            daemon=True,
        )
        for _ in range(scorers)
    ]
    notes, listening, stop_listening = Notes(), threading.Event(), threading.Event()
    listener = threading.Thread(
        target=_listen, args=(world.url, notes, listening, stop_listening), daemon=True
    )
    api.start()
    for p in scoring:
        p.start()
    listener.start()
    try:
        _wait_for_api(base)
        listening.wait(10)
        pairs = iter(_pairs(world))
        # warm-up: the processes' first requests and batches (imports, caches, plans)
        warm = Load("warm")
        _send(base, world, warm, pairs, total=batch * 2, batch=batch, triggers=1, seed=1)
        _settle(world.url, deadline=60.0)
        with notes.lock:
            notes.arrived.clear()
        load = Load("saturation")
        threads = [
            threading.Thread(
                target=_send,
                args=(base, world, load, pairs),
                kwargs={"total": events, "batch": batch, "triggers": triggers, "seed": 10 + i},
            )
            for i in range(senders)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ingest_seconds = time.perf_counter() - started
        scored_seconds = _settle(world.url, deadline=180.0) - started
        # steady rates below saturation: the latency an event meets in normal operation
        paced: list[tuple[float, Load]] = []
        for n, rate in enumerate(rates):
            batch_of = max(1, round(rate / 10))  # ten POSTs a second
            paced.append((rate, Load(f"steady{rate:.0f}")))
            _send(
                base,
                world,
                paced[-1][1],
                pairs,
                total=int(rate * paced_seconds),
                batch=batch_of,
                triggers=1,
                seed=99 + n,
                interval=batch_of / rate,
            )
            _settle(world.url, deadline=60.0)
    finally:
        stop_listening.set()
        stop_scorers.set()
        for p in scoring:
            p.join(10)
        api.terminate()
        api.join(10)
        listener.join(5)
    found = _trigger_alerts(world.url)
    at_saturation, from_sent, missed = _latencies(load, found, notes)
    steady = []
    for rate, phase in paced:
        answered, _sent, phase_missed = _latencies(phase, found, notes)
        steady.append(
            {
                "rate": rate,
                "batch": max(1, round(rate / 10)),
                "events": phase.sent,
                "triggers": len(phase.triggers),
                "missed": phase_missed,
                "p50_ms": _ms(statistics.median, answered),
                "p99_ms": _ms(_p99, answered),
                "max_ms": _ms(max, answered),
            }
        )
    return {
        "events": load.sent,
        "batch": batch,
        "senders": senders,
        "scorers": scorers,
        "score_batch": score_batch,
        "ingest_seconds": round(ingest_seconds, 3),
        "events_per_s": round(load.sent / ingest_seconds, 1),
        "refused_posts": load.refused,
        "refused_wait_s": round(load.waited, 1),
        "scored_per_s": round(load.sent / scored_seconds, 1),
        "errors": (load.errors + [e for _r, ph in paced for e in ph.errors])[:5],
        "triggers": len(load.triggers),
        "missed": missed,
        "alerts": found.alerts,
        "backlog_after": found.backlog,
        "latency_p50_ms": _ms(statistics.median, at_saturation),
        "latency_p99_ms": _ms(_p99, at_saturation),
        "latency_max_ms": _ms(max, at_saturation),
        "from_sent_p50_ms": _ms(statistics.median, from_sent),
        "from_sent_p99_ms": _ms(_p99, from_sent),
        "steady": steady,
        "target_p99_ms": TARGET_P99_MS,
    }


def _backlog(url: str) -> int:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM monitoring_pending").fetchone()
    return int(row[0]) if row else 0


def _latencies(load: Load, found: Found, notes: Notes) -> tuple[list[float], list[float], int]:
    """Milliseconds from each trigger's POST answered (and from it sent) to the first
    notification of an alert holding it; how many triggers raised none that arrived."""
    first: dict[str, float] = {}
    for mark in load.triggers:
        arrived = [notes.arrived[r] for r in found.refs.get(mark, ()) if r in notes.arrived]
        if arrived:
            first[mark] = min(arrived)
    answered = [(at - load.answered[m]) * 1000.0 for m, at in first.items()]
    sent = [(at - load.triggers[m]) * 1000.0 for m, at in first.items()]
    return answered, sent, len(load.triggers) - len(first)


def _p99(values: list[float]) -> float:
    return _percentile(values, 0.99)


def _ms(figure: Any, values: list[float]) -> float | None:
    return round(figure(values), 1) if values else None


def _settle(url: str, *, deadline: float) -> float:
    """Wait until the scorers emptied the queue (or the deadline passed), then a moment for
    the last notifications to arrive; when the queue was found empty."""
    end = time.monotonic() + deadline
    while time.monotonic() < end and _backlog(url):
        time.sleep(0.1)
    emptied = time.perf_counter()
    time.sleep(0.5)
    return emptied


def run(
    url: str | None = None,
    *,
    events: int = 40_000,
    batch: int = 1_000,
    triggers: int = 4,
    senders: int = 2,
    scorers: int = 1,
    score_batch: int = SCORE_BATCH,
    people: int = 3_000,
    rates: tuple[float, ...] = (250.0, 1_000.0),
    steady_seconds: float = 20.0,
    keep: bool = False,
) -> dict[str, Any]:
    """Build the world on the PostgreSQL server at `url`, measure, drop it; the figures (an
    empty dict with a `skipped` reason when there is no server)."""
    server = (
        url
        or os.environ.get("CROWNJEWELS_BENCH_DATABASE_URL")
        or os.environ.get("CROWNJEWELS_TEST_DATABASE_URL")
        or DEFAULT_PG
    )
    name = f"bench_monitoring_{os.getpid()}"
    database = pg_database(server, name)
    if database is None:
        return {"skipped": f"no PostgreSQL server at {server}"}
    try:
        with tempfile.TemporaryDirectory(prefix="cj-bench-monitoring-") as home:
            started = time.perf_counter()
            world = build(database, people, Path(home))
            built = time.perf_counter() - started
            figures = measure(
                world,
                events=events,
                batch=batch,
                triggers=triggers,
                senders=senders,
                scorers=scorers,
                score_batch=score_batch,
                rates=rates,
                paced_seconds=steady_seconds,
            )
            figures["build_seconds"] = round(built, 1)
            return figures
    finally:
        if not keep:
            pg_database(server, name, drop=True)


def _verdict(p99: float | None) -> str:
    if not p99:
        return "no figure"
    ratio = TARGET_P99_MS / p99
    return f"ratio {ratio:.2f}  " + ("meets target" if ratio >= 1 else "BELOW target")


def report(figures: dict[str, Any]) -> None:
    """Print the figures and the ratios to the target."""
    if "skipped" in figures:
        say(f"monitoring latency SKIPPED: {figures['skipped']}")
        return
    f = figures
    say(
        f"Monitoring ingestion (HTTP API -> PostgreSQL), {f['scorers']} scorer(s) claiming up "
        f"to {f['score_batch']:,} events per transaction"
    )
    say(
        f"   saturation: {f['events']:,} events in POSTs of {f['batch']:,} from "
        f"{f['senders']} senders, back to back"
    )
    say(
        f"      ingestion              {f['events_per_s']:>10,.0f} events/s (accepted; "
        f"{f['refused_posts']:,} POSTs answered 503 while the scorers were behind, sent again "
        f"after Retry-After: {f['refused_wait_s']} s of waiting across the senders)"
    )
    say(
        f"      ingestion -> alert     p50 {f['latency_p50_ms']} ms, p99 {f['latency_p99_ms']} "
        f"ms, max {f['latency_max_ms']} ms ({f['triggers'] - f['missed']} triggers, "
        f"{f['missed']} missed)   p99 target {TARGET_P99_MS:.0f} ms: "
        + _verdict(f["latency_p99_ms"])
    )
    say(
        f"      from the POST sent     p50 {f['from_sent_p50_ms']} ms, p99 "
        f"{f['from_sent_p99_ms']} ms (its own {f['batch']:,} events' transfer and storage in)"
    )
    say(f"      scored (queue emptied) {f['scored_per_s']:>10,.0f} events/s")
    for phase in f["steady"]:
        say(
            f"   steady: {phase['rate']:,.0f} events/s in POSTs of {phase['batch']:,} "
            f"({phase['events']:,} events)"
        )
        say(
            f"      ingestion -> alert     p50 {phase['p50_ms']} ms, p99 {phase['p99_ms']} ms, "
            f"max {phase['max_ms']} ms ({phase['triggers'] - phase['missed']} triggers, "
            f"{phase['missed']} missed)   p99 target {TARGET_P99_MS:.0f} ms: "
            + _verdict(phase["p99_ms"])
        )
    if f["errors"]:
        say(f"   errors: {f['errors']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=None, help="a PostgreSQL server (CREATE DATABASE allowed)")
    parser.add_argument("--quick", action="store_true", help="a short run (8,000 events)")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--scorers", type=int, default=1)
    parser.add_argument("--score-batch", type=int, default=SCORE_BATCH, help="events per claim")
    parser.add_argument(
        "--rates", type=float, nargs="+", default=[250.0, 1_000.0], help="steady events/s"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    events = args.events or (8_000 if args.quick else 40_000)
    figures = run(
        args.pg,
        events=events,
        batch=args.batch,
        senders=args.senders,
        scorers=args.scorers,
        score_batch=args.score_batch,
        rates=tuple(args.rates),
        steady_seconds=5.0 if args.quick else 20.0,
        keep=args.keep,
    )
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
