"""Reports and approvals as custody tables name them (report RP-0003, approval AA-0001: never
a word of what a report says) and find them (by the ref typed); registry.py registers them
with custody.labels."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.incidents.models import Approval, Report


def _reports(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Report.id, Report.ref).where(Report.id.in_(ids)))
    return {rid: Label(text=f"report {ref}", short=ref, url=f"/reports/{ref}") for rid, ref in rows}


def _find_reports(session: Session, typed: str) -> list[str]:
    return list(session.scalars(select(Report.id).where(Report.ref == typed.strip().upper())))


def _approvals(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Approval.id, Approval.ref).where(Approval.id.in_(ids)))
    return {
        aid: Label(text=f"approval {ref}", short=ref, url=f"/reports/approvals#{ref}")
        for aid, ref in rows
    }


def _find_approvals(session: Session, typed: str) -> list[str]:
    query = select(Approval.id).where(Approval.ref == typed.strip().upper())
    return list(session.scalars(query))


REPORTS = SubjectKind(noun="report", label=_reports, find=_find_reports)
APPROVALS = SubjectKind(noun="approval", label=_approvals, find=_find_approvals)
