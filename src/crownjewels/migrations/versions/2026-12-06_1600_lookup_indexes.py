"""lookup indexes: a person by email, case-insensitively

`crownjewels access check alice@example.com TS-0001` (and every other command, page and route
naming a person by email) looks the person up by lower(email); without an index on that
expression PostgreSQL scans the whole person table (8 ms at 10,000 people, per check).

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_person_email_lower", "person", [sa.text("lower(email)")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_person_email_lower", table_name="person")
