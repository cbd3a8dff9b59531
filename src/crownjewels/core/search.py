"""The one matching rule of the global search, applied by each capability to its own scoped
query: the reference typed exactly comes first, then rows whose name contains the words
(case-insensitive), never more than a page's worth."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")
#: a column of the searched table, or an expression over it
Column = ColumnElement[Any] | InstrumentedAttribute[Any]

#: the most hits one kind shows
LIMIT = 10
#: the longest search text read (longer input is cut, not refused: it is a search box)
MAX_CHARS = 200


def matching(
    session: Session,
    query: Select[T],
    *,
    exact: list[Column],
    names: list[Column],
    q: str,
    order: Column,
    limit: int = LIMIT,
) -> list[T]:
    """Rows of the (already scoped) `query`: those whose `exact` columns equal `q`
    (case-insensitive) first, then those whose `names` contain it, in `order`; no row twice."""
    typed = " ".join(q.split())[:MAX_CHARS]
    if not typed:
        return []
    hits: list[T] = []
    if exact:
        same = or_(*(func.upper(c) == typed.upper() for c in exact))
        hits = list(session.scalars(query.where(same).limit(limit)))
    if len(hits) < limit and names:
        needle = typed.lower()
        contains = or_(*(func.lower(c).contains(needle, autoescape=True) for c in names))
        for row in session.scalars(query.where(contains).order_by(order).limit(limit)):
            if row not in hits and len(hits) < limit:
                hits.append(row)
    return hits
