"""What the case's API routes ask first: the case reference (bounded), and a reader of the
case (incidents:read or a seat on its team); anyone else finds no case (404, never which)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from crownjewels.core.actor import Actor
from crownjewels.core.http import CurrentActor, DbSession
from crownjewels.incidents import service

CaseRef = Annotated[str, Path(max_length=20, description="the case: IN-0001")]


def require_case_reader(session: DbSession, actor: CurrentActor, ref: CaseRef) -> Actor:
    """A reader of the case (incidents:read or its team); anyone else finds no case (404)."""
    service.row(session, actor, ref)
    return actor


CaseReader = Annotated[Actor, Depends(require_case_reader)]
