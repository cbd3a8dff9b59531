"""Migrations are the only schema source: they match the models, go down and up again, and
the app refuses a database that is empty or behind."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, inspect, select, table, text

from crownjewels.core import migrate
from crownjewels.core.db import create_db_engine
from crownjewels.core.errors import NotInitialised
from crownjewels.custody import merkle
from crownjewels.registry import METADATA
from tests.conftest import ENGINES, fresh_database_url


@pytest.fixture(params=ENGINES)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, tmp_path, request)


# SQLAlchemy cannot reflect SQLite's expression indexes (ix_person_email_lower): it skips them
# with this warning, and alembic then leaves them out of the comparison on SQLite alone
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning",
    "ignore:autogenerate skipping metadata-specified expression-based index:UserWarning",
)
def test_models_and_migrations_agree(migrated_url: str) -> None:
    engine = create_db_engine(migrated_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": migrate.compared}
        )
        diff = compare_metadata(context, METADATA)
    engine.dispose()
    assert diff == [], f"autogenerate found differences; add a migration: {diff}"


def test_downgrade_to_base_and_up_again(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")
    engine = create_db_engine(empty_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_url)
    assert "custody_event" in inspect(engine).get_table_names()
    engine.dispose()


def test_empty_database_is_refused_with_the_fix(empty_url: str) -> None:
    engine = create_db_engine(empty_url)
    with pytest.raises(NotInitialised, match="crownjewels init"):
        migrate.ensure_current(engine, empty_url)
    engine.dispose()


def test_older_database_is_refused_with_the_fix(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(empty_url)
    engine = create_db_engine(empty_url)
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999")
    with pytest.raises(NotInitialised, match="crownjewels upgrade"):
        migrate.ensure_current(engine, empty_url)
    engine.dispose()


def test_migration_files_follow_the_naming_rule() -> None:
    folder = Path(migrate.__file__).parent.parent / "migrations" / "versions"
    names = sorted(p.name for p in folder.glob("*.py"))
    assert names, "no migrations found"
    for name in names:
        assert name[:16].replace("-", "").replace("_", "").isdigit(), name


def test_clause_evidence_loses_its_sentences_and_keeps_its_offsets(empty_url: str) -> None:
    migrate.upgrade(empty_url, "0012")
    engine = create_db_engine(empty_url)
    t = METADATA.tables
    sentence = "The Recipient shall return every copy."
    with engine.begin() as conn:
        # the document table as it was at 0012 (the model has grown columns since)
        document = table(
            "document",
            *(column(c) for c in ("id", "owner_type", "owner_id", "owner_label", "title")),
            *(column(c) for c in ("status", "current_version", "legal_hold", "created_at")),
            column("created_by"),
        )
        doc = "01J0000000000000000000DOC1"
        conn.execute(
            document.insert().values(
                id=doc,
                owner_type="agreement",
                owner_id="a",
                owner_label="a",
                title="NDA",
                status="active",
                current_version=0,
                legal_hold=False,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
                created_by="x",
            )
        )
        agreement = conn.execute(
            t["agreement"].insert().values(ref="AG-2026-001", kind="nda", title="NDA")
        ).inserted_primary_key[0]
        version = conn.execute(
            t["agreement_version"]
            .insert()
            .values(
                agreement_id=agreement,
                number=1,
                document_id=doc,
                document_version=1,
                sha256="0" * 64,
                media_type="text/plain",
                uploaded_by="x",
            )
        ).inserted_primary_key[0]
        conn.execute(
            t["clause_finding"]
            .insert()
            .values(
                version_id=version,
                position=0,
                requirement="return_on_termination",
                title="Return",
                status="satisfied",
                evidence=[{"text": sentence, "start": 10, "end": 48}],
                explanation="Met.",
                strictness="required",
            )
        )
    migrate.upgrade(empty_url)
    with engine.connect() as conn:
        [evidence] = conn.execute(select(t["clause_finding"].c.evidence)).scalars()
    assert evidence == [{"start": 10, "end": 48, "digest": None}]
    migrate.downgrade(empty_url, "0012")
    with engine.connect() as conn:
        [evidence] = conn.execute(select(t["clause_finding"].c.evidence)).scalars()
    assert evidence == [{"text": "", "start": 10, "end": 48}]
    engine.dispose()


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_migrations_never_import_live_code() -> None:
    """A migration copies what it needs: live code changes, a migration must not."""
    folder = Path(migrate.__file__).parent.parent / "migrations" / "versions"
    for path in sorted(folder.glob("*.py")):
        imported = _imports(ast.parse(path.read_text(encoding="utf-8")))
        live = sorted(n for n in imported if n == "crownjewels" or n.startswith("crownjewels."))
        assert not live, f"{path.name} imports {live}: copy what it needs into the migration"


def test_the_merkle_backfill_builds_the_tree_the_live_code_builds(empty_url: str) -> None:
    """Migration 0002 fills custody_tree_node for the events already recorded, with its own
    copy of the tree building: the nodes are the ones custody/merkle.py makes."""
    migrate.upgrade(empty_url, "0001")
    engine = create_db_engine(empty_url)
    rows = [
        {
            "seq": seq,
            "at_us": 1_700_000_000_000_000 + seq,
            "actor": "admin",
            "event_type": "TEST_EVENT",
            "subject_type": "test",
            "subject_id": f"s{seq}",
            "details": "{}",
            "prev_hash": f"{seq - 1:064x}",
            "hash": f"{seq:064x}",
        }
        for seq in range(1, 12)  # 11 leaves: an odd size, so the right edge is ragged
    ]
    columns = ", ".join(rows[0])
    values = ", ".join(f":{c}" for c in rows[0])
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO custody_event ({columns}) VALUES ({values})"), rows)
    migrate.upgrade(empty_url, "0002")
    with engine.connect() as conn:
        stored = {
            (level, idx): bytes(digest)
            for level, idx, digest in conn.execute(
                text("SELECT level, idx, hash FROM custody_tree_node")
            )
        }
    engine.dispose()
    order = ("seq", "at_us", "actor", "event_type", "subject_type", "subject_id", "prev_hash")
    lines = [["crownjewels-custody-v1", *(str(r[c]) for c in (*order, "details"))] for r in rows]
    leaves = [merkle.leaf_hash("\n".join(line).encode()) for line in lines]
    expected = {(level, idx): digest for level, idx, digest in merkle.new_nodes(0, leaves, {})}
    assert stored == expected
    builder = merkle.RootBuilder()
    builder.add(leaves)
    assert merkle.root(len(leaves), stored) == builder.root()
