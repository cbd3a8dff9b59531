"""Offset pagination shared by every listing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_LIMIT = 500
#: rows a listing may skip: far beyond any real listing, well inside what a database takes
MAX_OFFSET = 1_000_000_000


class PageParams(BaseModel):
    """Which slice of a listing to return."""

    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class Page(BaseModel, Generic[T]):
    """A slice of a listing with the total count."""

    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, query: Select[T], params: PageParams) -> tuple[Sequence[T], int]:
    """The rows of one page of `query` and the total number of rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.limit(params.limit).offset(params.offset)).all()
    return rows, total
