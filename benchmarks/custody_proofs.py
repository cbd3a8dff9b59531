"""Custody proof benchmark: inclusion and consistency proofs at 1M and 10M events.

Run with `make bench` (or `.venv/bin/python benchmarks/custody_proofs.py [--sizes 1000000 ...]
[--samples N] [--no-pg]`). The tree is written straight into `custody_tree_node` in bulk (every
perfect subtree of N synthetic leaves, as custody.service.flush would have stored them), then
random proofs are generated through `custody.tree` (one indexed read of O(log n) nodes, root
included) and verified with `custody.merkle` (RFC 9162 §2.1.3.2 / §2.1.4.2). Target: under
1 ms each. SQLite always; PostgreSQL at the first size when reachable
(CROWNJEWELS_BENCH_DATABASE_URL, else CROWNJEWELS_TEST_DATABASE_URL, else
postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crownjewels.core import migrate
from crownjewels.core.db import Database, normalise_url
from crownjewels.custody import merkle, tree

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_MS = 1.0


def levels(n: int) -> Iterator[tuple[int, list[bytes]]]:
    """Every level of the perfect nodes over n synthetic leaves."""
    run = merkle.leaf_hashes(i.to_bytes(8, "big") for i in range(n))
    level = 0
    while run:
        yield level, run
        run, level = merkle.parents(run[: len(run) & ~1]), level + 1


def fill_sqlite(db: Database, n: int) -> None:
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")  # a throw-away file: bulk speed only
        cursor.execute("PRAGMA cache_size=-400000")
        cursor.execute("BEGIN")
        for level, run in levels(n):
            cursor.executemany(
                "INSERT INTO custody_tree_node (level, idx, hash) VALUES (?, ?, ?)",
                ((level, i, h) for i, h in enumerate(run)),
            )
        raw.commit()
    finally:
        raw.close()


def fill_pg(db: Database, n: int) -> None:
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for level, run in levels(n):
            with cursor.copy("COPY custody_tree_node (level, idx, hash) FROM STDIN") as copy:
                for i, h in enumerate(run):
                    copy.write_row((level, i, h))
        cursor.execute("ANALYZE custody_tree_node")
        raw.commit()
    finally:
        raw.close()


def timed(fn: Callable[[], object], samples: int) -> float:
    """Median milliseconds per call."""
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(db: Database, n: int, samples: int, engine: str) -> list[tuple[str, float]]:
    rng = random.Random(n)
    out: list[tuple[str, float]] = []
    with db.unit_of_work(write=False) as session:
        cases = [(rng.randrange(n), rng.randrange(1, n + 1)) for _ in range(samples)]
        cases = [(min(i, s - 1), s) for i, s in cases]
        proofs: list[tuple[int, int, bytes, list[bytes], bytes]] = []
        it = iter(cases)

        def gen_inclusion() -> None:
            i, s = next(it)
            leaf, path, root = tree.inclusion(session, i, s)
            proofs.append((i, s, leaf, path, root))

        out.append((f"{engine} {n:>10,} inclusion proof, generate", timed(gen_inclusion, samples)))
        pit = iter(proofs)

        def check_inclusion() -> None:
            i, s, leaf, path, root = next(pit)
            assert merkle.verify_inclusion(i, s, leaf, path, root)

        out.append((f"{engine} {n:>10,} inclusion proof, verify", timed(check_inclusion, samples)))
        pairs = [sorted((rng.randrange(1, n + 1), rng.randrange(1, n + 1))) for _ in range(samples)]
        cit = iter(pairs)
        cons: list[tuple[int, int, list[bytes], bytes, bytes]] = []

        def gen_consistency() -> None:
            a, b = next(cit)
            path, ra, rb = tree.consistency(session, a, b)
            cons.append((a, b, path, ra, rb))

        out.append(
            (f"{engine} {n:>10,} consistency proof, generate", timed(gen_consistency, samples))
        )
        kit = iter(cons)

        def check_consistency() -> None:
            a, b, path, ra, rb = next(kit)
            assert merkle.verify_consistency(a, b, ra, rb, path)

        out.append(
            (f"{engine} {n:>10,} consistency proof, verify", timed(check_consistency, samples))
        )
    return out


@contextmanager
def sqlite_db(folder: Path) -> Iterator[Database]:
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def pg_db() -> Iterator[Database | None]:
    base = os.environ.get("CROWNJEWELS_BENCH_DATABASE_URL") or os.environ.get(
        "CROWNJEWELS_TEST_DATABASE_URL", DEFAULT_PG_URL
    )
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    name = f"cj_bench_proofs_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # unreachable server: skip PostgreSQL
        print(f"PostgreSQL skipped: {type(exc).__name__}")
        admin.dispose()
        yield None
        return
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, float]] = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as folder, sqlite_db(Path(folder)) as db:
            start = time.perf_counter()
            fill_sqlite(db, n)
            print(
                f"sqlite: built {n:,} leaves ({2 * n - n.bit_count():,} nodes) in "
                f"{time.perf_counter() - start:.1f} s"
            )
            rows += measure(db, n, args.samples, "sqlite")
    if not args.no_pg:
        with pg_db() as db:
            if db is not None:
                n = args.sizes[0]
                start = time.perf_counter()
                fill_pg(db, n)
                print(f"postgresql: built {n:,} leaves in {time.perf_counter() - start:.1f} s")
                rows += measure(db, n, args.samples, "postgresql")
    print(f"\n{'case':<52} {'median ms':>10}  target < {TARGET_MS} ms")
    for name, ms in rows:
        print(f"{name:<52} {ms:>10.3f}  {'ok' if ms < TARGET_MS else 'SLOW'}")


if __name__ == "__main__":
    main()
