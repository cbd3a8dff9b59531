"""Vendor profile queries, each scoped to what the actor may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import (
    CompoundSelect,
    Row,
    Select,
    String,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.db import read
from crownjewels.core.permissions import Permission
from crownjewels.vendors.models import (
    Certification,
    Subcontractor,
    VendorContact,
    VendorCountry,
    VendorProfile,
)
from crownjewels.vendors.schemas import VendorFilter

V = VendorProfile


def visible_to(actor: Actor) -> Select[VendorProfile]:
    """Profiles the actor may see: all with vendors:read, none otherwise."""
    query = select(V)
    if actor.can(Permission.VENDORS_READ):
        return query
    return query.where(false())


def find(
    session: Session, actor: Actor, ref: str, *, names: dict[str, str] | None = None
) -> VendorProfile | None:
    """A visible profile by id, ref (VN-0001), organisation id or (with `names`, organisation
    id -> name) organisation name, case-insensitive."""
    query = visible_to(actor)
    key = ref.strip()
    found = (
        session.scalar(query.where(V.id == key))
        or session.scalar(query.where(V.ref == key.upper()))
        or session.scalar(query.where(V.organisation_id == key))
    )
    if found is None and names:
        org_ids = [oid for oid, name in names.items() if name.lower() == key.lower()]
        if org_ids:
            found = session.scalar(query.where(V.organisation_id.in_(org_ids)))
    return found


def filtered(
    query: Select[VendorProfile],
    flt: VendorFilter,
    *,
    org_ids: Iterable[str] | None,
    today: date | None = None,
) -> Select[VendorProfile]:
    """Apply listing filters (`org_ids`: organisations whose name matched the text search;
    `today`: the day a certificate's expiry is counted from)."""
    if flt.certificate_expiring is not None and today is not None:
        horizon = today + timedelta(days=flt.certificate_expiring)
        query = query.where(
            exists().where(
                Certification.vendor_id == V.id,
                Certification.expires_on.is_not(None),
                Certification.expires_on <= horizon,
            )
        )
    if flt.status:
        query = query.where(V.status == flt.status)
    if flt.criticality:
        query = query.where(V.criticality == flt.criticality)
    if flt.q:
        needle = flt.q.strip().lower()
        # a typed % or _ is a plain character, not a wildcard
        clauses = [
            func.lower(V.services).contains(needle, autoescape=True),
            func.lower(V.ref) == needle,
        ]
        if org_ids:
            clauses.append(V.organisation_id.in_(list(org_ids)))
        query = query.where(or_(*clauses))
    return query.order_by(V.ref)


def has_profile(session: Session, organisation_id: str) -> str | None:
    """The ref of the organisation's profile (visible or not), if it has one."""
    return session.scalar(select(V.ref).where(V.organisation_id == organisation_id))


#: the reads of vendors' countries, links and certifications, each built once
_COUNTRIES = select(VendorCountry.vendor_id, VendorCountry.country).order_by(VendorCountry.country)
_LINK_FACTS = select(
    Subcontractor.vendor_id,
    Subcontractor.subcontractor_id,
    Subcontractor.countries,
    Subcontractor.service,
).order_by(Subcontractor.created_at)
_CERTIFICATIONS = (
    select(Certification)
    .where(Certification.vendor_id == bindparam("vendor_id"))
    .order_by(Certification.expires_on, Certification.created_at)
)


def countries(session: Session, vendor_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Processing countries by vendor id (all vendors when `vendor_ids` is None)."""
    query = _COUNTRIES
    if vendor_ids is not None:
        query = query.where(VendorCountry.vendor_id.in_(list(vendor_ids)))
    out: dict[str, list[str]] = {}
    for vid, country in read(session, query):
        out.setdefault(vid, []).append(country)
    return out


def all_country_rows(session: Session) -> dict[str, list[VendorCountry]]:
    """Every country row by vendor id (listings show each vendor's countries)."""
    out: dict[str, list[VendorCountry]] = {}
    for row in session.scalars(select(VendorCountry).order_by(VendorCountry.country)):
        out.setdefault(row.vendor_id, []).append(row)
    return out


def country_rows(session: Session, vendor_id: str) -> list[VendorCountry]:
    """The country rows of one vendor."""
    return list(
        session.scalars(
            select(VendorCountry)
            .where(VendorCountry.vendor_id == vendor_id)
            .order_by(VendorCountry.country)
        )
    )


def link_facts(session: Session) -> list[Row[str, str, list[str], str]]:
    """Every subcontracting link as (vendor id, subcontractor id, countries, service), oldest
    first (chains cross vendors, so the walk needs them all): plain columns, no ORM objects."""
    return list(read(session, _LINK_FACTS))


def direct_links(session: Session, vendor_id: str) -> list[Subcontractor]:
    """The vendor's own subcontractors."""
    return list(
        session.scalars(
            select(Subcontractor)
            .where(Subcontractor.vendor_id == vendor_id)
            .order_by(Subcontractor.created_at)
        )
    )


def profiles_by_id(session: Session, ids: Iterable[str]) -> dict[str, VendorProfile]:
    """Profiles by id (for labelling chain links)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {v.id: v for v in session.scalars(select(V).where(V.id.in_(wanted)))}


def certifications(session: Session, vendor_id: str) -> list[Certification]:
    """The vendor's certifications, soonest expiry first."""
    return list(session.scalars(_CERTIFICATIONS, {"vendor_id": vendor_id}))


def certification(session: Session, vendor_id: str, cert_id: str) -> Certification | None:
    """One certification of the vendor."""
    return session.scalar(
        select(Certification).where(
            Certification.id == cert_id, Certification.vendor_id == vendor_id
        )
    )


def contacts(session: Session, vendor_id: str) -> list[VendorContact]:
    """The vendor's contacts, primary first."""
    return list(
        session.scalars(
            select(VendorContact)
            .where(VendorContact.vendor_id == vendor_id)
            .order_by(VendorContact.is_primary.desc(), VendorContact.name)
        )
    )


def contact(session: Session, vendor_id: str, contact_id: str) -> VendorContact | None:
    """One contact of the vendor."""
    return session.scalar(
        select(VendorContact).where(
            VendorContact.id == contact_id, VendorContact.vendor_id == vendor_id
        )
    )


def _chain_facts() -> CompoundSelect[str, str, str, str | None, str | None]:
    is_vendor = exists().where(VendorProfile.organisation_id == bindparam("organisation_id"))
    profile: Select[str, str, str, str | None, str | None] = select(
        literal_column("'profile'"),
        VendorProfile.id,
        VendorProfile.ref,
        VendorProfile.status,
        cast(null(), String),
    ).where(VendorProfile.organisation_id == bindparam("organisation_id"))
    countries: Select[str, str, str, str | None, str | None] = select(
        literal_column("'country'"),
        VendorCountry.vendor_id,
        VendorCountry.country,
        cast(null(), String),
        cast(null(), String),
    ).where(is_vendor)
    links: Select[str, str, str, str | None, str | None] = select(
        literal_column("'link'"),
        Subcontractor.vendor_id,
        Subcontractor.subcontractor_id,
        Subcontractor.service,
        cast(Subcontractor.countries, String),
    ).where(is_vendor)
    return union_all(profile, countries, links)


#: an access decision about a vendor's staff reads these together: built once
_CHAIN_FACTS = _chain_facts()


def chain_facts(
    session: Session, organisation_id: str
) -> list[Row[str, str, str, str | None, str | None]]:
    """In one query, when the organisation is a vendor (no rows when it is not): its profile
    as ("profile", id, ref, status, None), every vendor's processing countries as ("country",
    vendor id, country, None, None) and every subcontracting link as ("link", vendor id,
    subcontractor id, service, countries as JSON text). Chains cross vendors: the walk needs
    every link and every country."""
    return list(read(session, _CHAIN_FACTS, {"organisation_id": organisation_id}))
