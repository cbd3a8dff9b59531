"""`column IN (many values)` without one bind parameter per value on PostgreSQL: a single
array parameter (`column = ANY(:values)`), which saves the driver from splitting and the
server from parsing thousands of placeholders in every batch. SQLite keeps IN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session


def among(
    session: Session, column: InstrumentedAttribute[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column` is one of `values` (ints or strings)."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    item = BigInteger() if values and isinstance(values[0], int) else String()
    return column == any_(bindparam(None, list(values), type_=ARRAY(item)))
