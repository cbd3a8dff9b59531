"""clause evidence stored as offsets and a digest, no longer as sentences

Findings of encrypted agreements kept their cited sentences in plain text in
`clause_finding.evidence`, where crypto-shredding the document could not reach them. From
now on each evidence item is `{start, end, digest}`: offsets into the analysed text and an
HMAC-SHA256 of the sentence keyed by that whole text (agreements/evidence.py); pages and the
API quote the sentence again from the decrypted text.

Upgrading drops the sentences of existing findings and keeps their offsets. Their digest
cannot be computed here (that needs the document's text, so the key), so it is NULL: such
offsets are trusted when they fall inside a text whose hash matches the version's analysed
text hash. Analysing a version again seals its evidence fully.

Downgrading cannot bring the sentences back (they are gone by design): the old shape comes
back with empty sentences, which the old code shows as unhighlighted evidence.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a copy of the one table this step touches (a migration never imports live code)
clause_finding = sa.table(
    "clause_finding",
    sa.column("id", sa.String(26)),
    sa.column("evidence", sa.JSON()),
)

Item = dict[str, Any]


def _rewrite(convert: Callable[[Item], Item]) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(clause_finding.c.id, clause_finding.c.evidence)).all()
    for row_id, evidence in rows:
        items = [convert(dict(item)) for item in evidence or []]
        conn.execute(
            clause_finding.update().where(clause_finding.c.id == row_id).values(evidence=items)
        )


def _sealed(item: Item) -> Item:
    return {"start": item["start"], "end": item["end"], "digest": item.get("digest")}


def _quoted(item: Item) -> Item:
    return {"text": "", "start": item["start"], "end": item["end"]}


def upgrade() -> None:
    _rewrite(_sealed)


def downgrade() -> None:
    _rewrite(_quoted)
