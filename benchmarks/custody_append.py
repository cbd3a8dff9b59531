"""Custody log benchmark: append throughput, concurrent writers, full-chain verification.

Run with `make bench` (or `.venv/bin/python benchmarks/custody_append.py [--quick] [--events N]
[--verify-only]`; `--verify-only` runs section 3 alone).
Everything is measured side by side in one run and printed as a table with ratios:

1. durable appends through `custody.service.record` inside `Database.unit_of_work()`, with 1,
   100 and 1,000 events per transaction, on SQLite (a file in a temp dir, WAL, as shipped with
   synchronous=NORMAL, and with synchronous=FULL, i.e. an fsync per commit) and on PostgreSQL;
2. 8 writer processes on PostgreSQL, each with its own engine, 100 events per transaction,
   then `custody.service.verify` and a gap check;
3. `custody.service.verify` over a chain of `--events` events (1,000,000 by default) next to
   raw `hashlib.sha256(...).hexdigest()` over the same canonical bytes (the limit).

PostgreSQL: CROWNJEWELS_BENCH_DATABASE_URL, else CROWNJEWELS_TEST_DATABASE_URL, else
postgresql://postgres@127.0.0.1:5432/test. A throw-away database `cj_bench_<pid>` is created on
that server and dropped at the end; the PostgreSQL parts are skipped when it is unreachable.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import multiprocessing as mp
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import methodcaller
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from crownjewels.core import migrate
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database, normalise_url
from crownjewels.custody import merkle, rules
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.custody.schemas import EventType

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_SQLITE_GROUPED = 20_000.0  # durable events/s, grouped transactions, SQLite
TARGET_PG_WRITERS = 5_000.0  # events/s, 8 writer processes, PostgreSQL
TARGET_VERIFY_SHARE = 0.50  # verification speed / raw SHA-256 speed
TESSERA = (1_600.0, 2_900.0)  # Trillian Tessera, writes/s on one host (published)
REKOR = 1_000.0  # Sigstore Rekor, requests/s (published)
WRITERS = 8
WRITER_BATCH = 100
COLUMNS = (
    "seq",
    "at_us",
    "actor",
    "event_type",
    "subject_type",
    "subject_id",
    "details",
    "prev_hash",
    "hash",
)


@dataclass
class Settings:
    quick: bool
    events: int
    verify_only: bool
    append_seconds: float
    append_min_tx: dict[int, int]
    writer_tx: int


@dataclass
class Summary:
    lines: list[tuple[str, str, str, float, float]] = field(default_factory=list)

    def add(self, name: str, measured: str, target: str, ratio: float, goal: float) -> None:
        self.lines.append((name, measured, target, ratio, goal))


def say(line: str = "") -> None:
    print(line, flush=True)


def fmt_rate(rate: float) -> str:
    return f"{rate:,.0f}"


def details_for(i: int) -> dict[str, Any]:
    """A realistic small details payload (a secret's field changed)."""
    return {"field": "classification", "before": "internal", "after": "confidential", "n": i}


# --------------------------------------------------------------------------------------------
# 1. appends through the real service


def sqlite_database(path: Path, synchronous: str) -> Database:
    db = Database(f"sqlite:///{path}")
    if synchronous != "NORMAL":

        @event.listens_for(db.engine, "connect")
        def _sync(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")

    return db


def append_run(db: Database, per_tx: int, seconds: float, min_tx: int) -> tuple[int, int, float]:
    """Transactions of `per_tx` events until both `seconds` and `min_tx` are reached."""
    actor = system_actor("bench")
    events = txs = 0
    start = time.perf_counter()
    while True:
        with db.unit_of_work() as session:
            for _ in range(per_tx):
                custody.record(
                    session,
                    actor=actor,
                    event_type=EventType.SECRET_UPDATED,
                    subject_type="secret",
                    subject_id="01JBENCH0000000000000000",
                    details=details_for(events),
                )
                events += 1
        txs += 1
        elapsed = time.perf_counter() - start
        if txs >= min_tx and elapsed >= seconds:
            return txs, events, elapsed


def check_chain(db: Database) -> tuple[bool, int, str]:
    with db.unit_of_work(write=False) as session:
        result = custody.verify(session, actor=system_actor("bench"))
        total = session.scalar(select(func.count()).select_from(CustodyEvent)) or 0
        top = session.scalar(select(func.max(CustodyEvent.seq))) or 0
    ok = result.ok and total == top == result.checked
    return ok, total, result.problem or ("" if ok else f"count {total} / max seq {top}")


def bench_appends(
    s: Settings, tmp: Path, pg_url: str | None, summary: Summary
) -> dict[str, dict[int, float]]:
    say("1. Append throughput: committed events/s through custody.service.record")
    say("   inside Database.unit_of_work(), one writer, chain growing across the rows")
    configs: list[tuple[str, Callable[[], Database]]] = [
        ("sqlite WAL sync=NORMAL (shipped)", lambda: sqlite_database(tmp / "a.db", "NORMAL")),
        ("sqlite WAL sync=FULL (fsync)", lambda: sqlite_database(tmp / "b.db", "FULL")),
    ]
    for path in ("a.db", "b.db"):
        migrate.upgrade(f"sqlite:///{tmp / path}")
    if pg_url:
        configs.append(("postgresql (synchronous_commit)", lambda: Database(pg_url)))
    head = (
        f"   {'engine':<34}{'ev/tx':>6}{'tx':>7}{'events':>9}{'s':>7}{'events/s':>11}"
        f"{'x 1/tx':>8}{'x Tessera':>11}{'x Rekor':>9}"
    )
    say(head)
    say("   " + "-" * (len(head) - 3))
    rates: dict[str, dict[int, float]] = {}
    for name, make in configs:
        db = make()
        rates[name] = {}
        for per_tx in (1, 100, 1000):
            txs, events, elapsed = append_run(db, per_tx, s.append_seconds, s.append_min_tx[per_tx])
            rate = events / elapsed
            rates[name][per_tx] = rate
            single = rate / rates[name][1]
            say(
                f"   {name:<34}{per_tx:>6}{txs:>7}{events:>9}{elapsed:>7.2f}{fmt_rate(rate):>11}"
                f"{single:>7.1f}x{rate / TESSERA[1]:>10.2f}x{rate / REKOR:>8.2f}x"
            )
        ok, total, problem = check_chain(db)
        say(f"   {'':<34}verify after the runs: {'ok' if ok else 'FAILED'} ({total:,} events)")
        if not ok:
            raise SystemExit(f"chain broken after appends on {name}: {problem}")
        db.dispose()
    best_sqlite = max(rates[configs[0][0]][100], rates[configs[0][0]][1000])
    best_full = max(rates[configs[1][0]][100], rates[configs[1][0]][1000])
    summary.add(
        "sqlite grouped appends (sync=NORMAL)",
        f"{fmt_rate(best_sqlite)} ev/s",
        f"{fmt_rate(TARGET_SQLITE_GROUPED)} ev/s",
        best_sqlite / TARGET_SQLITE_GROUPED,
        1.0,
    )
    summary.add(
        "sqlite grouped appends (sync=FULL)",
        f"{fmt_rate(best_full)} ev/s",
        f"{fmt_rate(TARGET_SQLITE_GROUPED)} ev/s",
        best_full / TARGET_SQLITE_GROUPED,
        1.0,
    )
    say(
        f"   anchors: Trillian Tessera {fmt_rate(TESSERA[0])}-{fmt_rate(TESSERA[1])} writes/s "
        f"on one host; Sigstore Rekor ~{fmt_rate(REKOR)} requests/s (x columns use "
        f"{fmt_rate(TESSERA[1])} and {fmt_rate(REKOR)})"
    )
    say()
    return rates


# --------------------------------------------------------------------------------------------
# 2. concurrent writer processes on PostgreSQL


def _writer(url: str, worker: int, txs: int, barrier: Any, out: Any) -> None:
    db = Database(url)
    actor = system_actor(f"writer-{worker}")
    with db.unit_of_work(write=False) as session:  # connect before the clock starts
        session.execute(text("SELECT 1"))
    barrier.wait()
    start = time.time()
    for t in range(txs):
        with db.unit_of_work() as session:
            for e in range(WRITER_BATCH):
                custody.record(
                    session,
                    actor=actor,
                    event_type=EventType.SECRET_UPDATED,
                    subject_type="secret",
                    subject_id=f"w{worker}",
                    details={"t": t, "e": e, "worker": worker},
                )
    out.put((worker, start, time.time()))
    db.dispose()


def bench_writers(s: Settings, pg_url: str, summary: Summary) -> None:
    say(f"2. {WRITERS} concurrent writer processes on PostgreSQL (own engine each), ")
    say(f"   {s.writer_tx} transactions x {WRITER_BATCH} events per writer")
    db = Database(pg_url)
    ok0, before, _ = check_chain(db)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(pg_url, w, s.writer_tx, barrier, out))
        for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    spans = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    if any(p.exitcode != 0 for p in procs):
        raise SystemExit(f"a writer failed: exit codes {[p.exitcode for p in procs]}")
    elapsed = max(end for _, _, end in spans) - min(start for _, start, _ in spans)
    events = WRITERS * s.writer_tx * WRITER_BATCH
    rate = events / elapsed
    t0 = time.perf_counter()
    ok, total, problem = check_chain(db)
    verify_s = time.perf_counter() - t0
    db.dispose()
    gap_free = ok0 and ok and total == before + events
    say(
        f"   {events:,} events in {elapsed:.2f} s = {fmt_rate(rate)} events/s "
        f"(x{rate / TARGET_PG_WRITERS:.2f} of target {fmt_rate(TARGET_PG_WRITERS)}/s, "
        f"x{rate / TESSERA[1]:.2f} Tessera, x{rate / REKOR:.2f} Rekor)"
    )
    say(
        f"   verify: {'ok' if ok else 'FAILED ' + problem}; {total:,} events, seq 1..{total:,} "
        f"{'gap-free' if gap_free else 'HAS GAPS'} ({verify_s:.2f} s)"
    )
    if not gap_free:
        raise SystemExit("concurrent writers broke the chain")
    summary.add(
        f"postgresql {WRITERS} writers x {WRITER_BATCH} ev/tx",
        f"{fmt_rate(rate)} ev/s",
        f"{fmt_rate(TARGET_PG_WRITERS)} ev/s",
        rate / TARGET_PG_WRITERS,
        1.0,
    )
    say()


# --------------------------------------------------------------------------------------------
# 3. full-chain verification against raw SHA-256


def chain(n: int) -> Iterator[tuple[tuple[Any, ...], bytes]]:
    """n valid events (rows in COLUMNS order) with their canonical bytes, from genesis."""
    prev = rules.GENESIS_HASH
    at0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z
    encode, sha = rules.encode, hashlib.sha256
    kinds = ("SECRET_UPDATED", "SECRET_REVIEWED", "USER_LOGIN_SUCCEEDED", "SECRET_REGISTERED")
    for seq in range(1, n + 1):
        actor = f"user:01JUSER{seq % 97:016d}"
        etype = kinds[seq % 4]
        sid = f"01JSECRET{seq % 5003:015d}"
        details = (
            f'{{"after":"confidential","before":"internal","field":"classification",'
            f'"n":{seq},"note":"bénchmark événement"}}'
        )
        at = at0 + seq * 1_000
        blob = encode(
            seq=seq,
            at_us=at,
            actor=actor,
            event_type=etype,
            subject_type="secret",
            subject_id=sid,
            prev_hash=prev,
            details_json=details,
        )
        digest = sha(blob).hexdigest()
        yield (seq, at, actor, etype, "secret", sid, details, prev, digest), blob
        prev = digest


def load_chain_sqlite(path: Path, n: int, blobs: list[bytes]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-200000")
    sql = f"INSERT INTO custody_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * 9)})"
    rows = chain(n)
    step = 100_000
    for _ in range(0, n, step):
        batch = []
        for row, blob in rows:
            batch.append(row)
            blobs.append(blob)
            if len(batch) == step:
                break
        conn.execute("BEGIN")
        conn.executemany(sql, batch)
        conn.execute("COMMIT")
    conn.close()


def load_chain_pg(url: str, n: int) -> None:
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY custody_event ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row, _blob in chain(n):
                copy.write_row(row)
        raw.commit()
        conn.execute(text("ANALYZE custody_event"))
        conn.commit()
    engine.dispose()


def tree_levels(blobs: list[bytes]) -> Iterator[tuple[int, list[bytes]]]:
    """Every perfect node of the Merkle tree over the events, level by level (verify holds the
    log against the tree, so the chain needs its tree, as custody.service.flush would write it)."""
    run, level = merkle.leaf_hashes(blobs), 0
    while run:
        yield level, run
        run, level = merkle.parents(run[: len(run) & ~1]), level + 1


def load_tree_sqlite(path: Path, blobs: list[bytes]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for level, run in tree_levels(blobs):
        conn.executemany(
            "INSERT INTO custody_tree_node (level, idx, hash) VALUES (?, ?, ?)",
            ((level, i, h) for i, h in enumerate(run)),
        )
    conn.execute("COMMIT")
    conn.close()


def load_tree_pg(url: str, blobs: list[bytes]) -> None:
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            for level, run in tree_levels(blobs):
                with cur.copy("COPY custody_tree_node (level, idx, hash) FROM STDIN") as copy:
                    for i, h in enumerate(run):
                        copy.write_row((level, i, h))
        raw.commit()
        conn.execute(text("ANALYZE custody_tree_node"))
        conn.commit()
    engine.dispose()


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _verify_child(url: str, out: Any) -> None:
    db = Database(url)
    with db.unit_of_work(write=False) as session:
        session.execute(text("SELECT 1"))
    before = _rss_kib("VmRSS")
    # reset the peak (VmHWM) to the current RSS, so that the peak read below is verify's own
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    elapsed = float("inf")
    for _ in range(2):  # best of two, like the raw hash it is compared with
        start = time.perf_counter()
        with db.unit_of_work(write=False) as session:
            result = custody.verify(session, actor=system_actor("bench"))
        elapsed = min(elapsed, time.perf_counter() - start)
    peak = _rss_kib("VmHWM")
    db.dispose()
    out.put((result.ok, result.checked, result.problem, elapsed, max(peak - before, 0) / 1024))


def timed_verify(url: str) -> tuple[bool, int, str | None, float, float]:
    """custody.verify in a fresh process, so its peak memory growth can be read alone."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_verify_child, args=(url, out))
    proc.start()
    got: tuple[bool, int, str | None, float, float] = out.get(timeout=900)
    proc.join(timeout=60)
    return got


def raw_rate(blobs: list[bytes]) -> tuple[float, str]:
    """The limit: SHA-256 hex digests of the pre-materialised canonical bytes, best idiom."""
    sha = hashlib.sha256
    best: tuple[float, str] = (float("inf"), "")
    for _ in range(2):
        t0 = time.perf_counter()
        for b in blobs:
            sha(b).hexdigest()
        best = min(best, (time.perf_counter() - t0, "for-loop"))
        t0 = time.perf_counter()
        list(map(methodcaller("hexdigest"), map(sha, blobs)))
        best = min(best, (time.perf_counter() - t0, "map"))
    return len(blobs) / best[0], best[1]


def bench_verify(s: Settings, tmp: Path, pg_url: str | None, summary: Summary) -> None:
    n = s.events
    say(f"3. Full-chain verification (custody.service.verify) of {n:,} events vs raw SHA-256")
    blobs: list[bytes] = []
    path = tmp / "chain.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    t0 = time.perf_counter()
    load_chain_sqlite(path, n, blobs)
    load_tree_sqlite(path, blobs)
    say(f"   built the SQLite chain and tree in {time.perf_counter() - t0:.1f} s (executemany)")
    sizes = sum(map(len, blobs)) / len(blobs)
    limit, idiom = raw_rate(blobs)
    targets: list[tuple[str, str]] = [("sqlite", url)]
    if pg_url:
        t0 = time.perf_counter()
        pg_chain_url = pg_url_for(pg_url, "chain")
        create_database(pg_url, pg_chain_url)
        migrate.upgrade(pg_chain_url)
        load_chain_pg(pg_chain_url, n)
        load_tree_pg(pg_chain_url, blobs)
        say(f"   built the PostgreSQL chain and tree in {time.perf_counter() - t0:.1f} s (COPY)")
        targets.append(("postgresql", pg_chain_url))
    load_before = os.getloadavg()[0]
    measured = [(name, *timed_verify(target_url)) for name, target_url in targets]
    limit, idiom = max((limit, idiom), raw_rate(blobs))
    load_after = os.getloadavg()[0]
    del blobs
    say(
        f"   raw hashlib.sha256(b).hexdigest() over the {n:,} canonical encodings pre-materialised "
        f"in a list (avg {sizes:.0f} B, {idiom}, best of 8 runs before and after the "
        f"verifications): {fmt_rate(limit)} events/s  <- the limit"
    )
    say("   custody.service.verify: best of 2 runs, each in a fresh process (peak RSS growth);")
    say(
        f"   machine load (1-minute average) {load_before:.1f} before, {load_after:.1f} after, "
        f"on {os.cpu_count()} CPUs: compare runs made under similar load only"
    )
    head = (
        f"   {'engine':<12}{'events':>11}{'seconds':>9}{'events/s':>12}{'raw sha/s':>12}"
        f"{'verify/raw':>12}{'peak RSS +MB':>14}  result"
    )
    say(head)
    say("   " + "-" * (len(head) - 3))
    for name, ok, checked, problem, elapsed, mem in measured:
        rate = checked / elapsed if elapsed else 0.0
        share = rate / limit
        say(
            f"   {name:<12}{checked:>11,}{elapsed:>9.2f}{fmt_rate(rate):>12}{fmt_rate(limit):>12}"
            f"{share:>11.1%} {mem:>13.1f}  {'ok' if ok else 'FAILED: ' + str(problem)}"
        )
        if not ok or checked != n:
            raise SystemExit(f"verification of the {name} chain failed: {problem}")
        summary.add(
            f"verify {name} vs raw sha256",
            f"{share:.1%} of raw",
            f"{TARGET_VERIFY_SHARE:.0%} of raw",
            share / TARGET_VERIFY_SHARE,
            1.0,
        )
    say()


# --------------------------------------------------------------------------------------------
# PostgreSQL throw-away databases


_CREATED: list[str] = []


def pg_url_for(base: str, suffix: str) -> str:
    name = f"cj_bench_{os.getpid()}" + (f"_{suffix}" if suffix else "")
    return make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)


def _admin(base: str) -> Engine:
    return create_engine(
        normalise_url(base), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )


def create_database(base: str, url: str) -> None:
    name = make_url(url).database
    admin = _admin(base)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _CREATED.append(url)


def drop_databases(base: str) -> None:
    admin = _admin(base)
    with admin.connect() as conn:
        for url in _CREATED:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def pg_server(base: str) -> str | None:
    """The server version, or None (with a message) when it cannot be reached."""
    try:
        admin = _admin(base)
        with admin.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar())
            sync = str(conn.execute(text("SHOW synchronous_commit")).scalar())
            fsync = str(conn.execute(text("SHOW fsync")).scalar())
        admin.dispose()
    except Exception as exc:
        shown = make_url(normalise_url(base)).render_as_string(hide_password=True)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        say(f"PostgreSQL parts SKIPPED: cannot reach {shown} ({first})")
        say("   set CROWNJEWELS_BENCH_DATABASE_URL to a server where CREATE DATABASE is allowed")
        return None
    return f"{version} (synchronous_commit={sync}, fsync={fsync})"


# --------------------------------------------------------------------------------------------


def settings(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=None, help="events in the verified chain")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--verify-only", action="store_true", help="run section 3 (verification) alone"
    )
    args = parser.parse_args(argv)
    if args.quick:
        return Settings(
            quick=True,
            events=args.events or 20_000,
            verify_only=args.verify_only,
            append_seconds=0.2,
            append_min_tx={1: 5, 100: 2, 1000: 1},
            writer_tx=2,
        )
    return Settings(
        quick=False,
        events=args.events or 1_000_000,
        verify_only=args.verify_only,
        append_seconds=2.0,
        append_min_tx={1: 20, 100: 5, 1000: 3},
        writer_tx=25,
    )


def main(argv: list[str] | None = None) -> int:
    s = settings(argv)
    started = time.perf_counter()
    base = (
        os.environ.get("CROWNJEWELS_BENCH_DATABASE_URL")
        or os.environ.get("CROWNJEWELS_TEST_DATABASE_URL")
        or DEFAULT_PG_URL
    )
    say("Crown Jewels custody benchmark" + (" (--quick smoke run)" if s.quick else ""))
    say(
        f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    pg_version = pg_server(base)
    pg_url: str | None = None
    if pg_version:
        say(f"PostgreSQL {pg_version}")
    say()
    summary = Summary()
    try:
        with tempfile.TemporaryDirectory(prefix="cj_bench_") as tmp_dir:
            tmp = Path(tmp_dir)
            if pg_version:
                pg_url = pg_url_for(base, "")
                create_database(base, pg_url)
                migrate.upgrade(pg_url)
            if not s.verify_only:
                bench_appends(s, tmp, pg_url, summary)
                if pg_url:
                    bench_writers(s, pg_url, summary)
                else:
                    say("2. concurrent writers on PostgreSQL: SKIPPED (no PostgreSQL server)")
                    say()
            bench_verify(s, tmp, pg_url, summary)
    finally:
        if pg_version:
            drop_databases(base)
    say("Summary (ratio = measured / target; >= 1.00 meets the target)")
    for name, measured, target, ratio, goal in summary.lines:
        verdict = "meets target" if ratio >= goal else "BELOW target"
        say(f"   {name:<40}{measured:>18}  target {target:<12} ratio {ratio:5.2f}  {verdict}")
    say(f"total time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
