"""Vendors as custody tables and filters name them: "VN-0001 Acme Ltd", linked to the vendor's
page; typed back by ref or organisation name. registry.py registers this with custody.labels."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.parties import service as parties
from crownjewels.vendors.models import VendorProfile as V


def _label(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(V.id, V.ref, V.organisation_id).where(V.id.in_(ids))).all()
    names = parties.organisation_names(session, {org for _, _, org in rows})
    return {
        i: Label(text=f"{ref} {names.get(org, '')}".strip(), short=ref, url=f"/vendors/{ref}")
        for i, ref, org in rows
    }


def _find(session: Session, typed: str) -> list[str]:
    orgs = parties.organisations_named(session, typed)
    match = or_(func.upper(V.ref) == typed.strip().upper(), V.organisation_id.in_(orgs))
    return list(session.scalars(select(V.id).where(match)))


VENDORS = SubjectKind(noun="vendor", label=_label, find=_find)
