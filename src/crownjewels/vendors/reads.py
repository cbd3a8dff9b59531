"""How vendor profiles are read: found for an actor, and assembled with their countries,
subcontractor chain, exposure, certifications and contacts (the services' shared read side)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.codes import country_name
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationFilter, OrgKind
from crownjewels.vendors import repository, rules
from crownjewels.vendors.errors import VendorNotFound
from crownjewels.vendors.models import Certification, VendorCountry, VendorProfile
from crownjewels.vendors.schemas import (
    STANDARD_NAMES,
    CertificationRead,
    ChainLink,
    ContactRead,
    CountryRead,
    Standard,
    SubcontractorRead,
    VendorFilter,
    VendorRead,
    VendorStatus,
)

#: fields of VendorRead filled from other tables, not from the profile row
_RELATED = frozenset({"countries", "certifications", "contacts", "subcontractors", "chain"})


def vendor_org_names(session: Session, actor: Actor) -> dict[str, str]:
    """Organisation id -> name of every organisation of kind vendor the actor may see."""
    names: dict[str, str] = {}
    offset = 0
    while True:
        page, total = parties.list_organisations(
            session,
            actor=actor,
            filters=OrganisationFilter(kind=OrgKind.VENDOR),
            page=PageParams(limit=500, offset=offset),
        )
        names |= {o.id: o.name for o in page}
        offset += len(page)
        if not page or offset >= total:
            return names


def find(session: Session, actor: Actor, ref: str) -> VendorProfile:
    """A visible profile by ref, id, organisation id or name, else VendorNotFound."""
    actor.require(Permission.VENDORS_READ, what="reading vendor files")
    vendor = repository.find(session, actor, ref)
    if vendor is None:
        vendor = repository.find(session, actor, ref, names=vendor_org_names(session, actor))
    if vendor is None:
        raise VendorNotFound(
            f"no vendor {ref!r}; `crownjewels vendors list` shows the vendor profiles"
        )
    return vendor


def base(vendor: VendorProfile, names: dict[str, str], homes: dict[str, str]) -> VendorRead:
    """The profile row as shown, without its related rows."""
    data = {
        c: getattr(vendor, c)
        for c in VendorRead.model_fields
        if hasattr(VendorProfile, c) and c not in _RELATED
    }
    read = VendorRead.model_validate(
        {**data, "name": names.get(vendor.organisation_id, vendor.organisation_id)}
    )
    read.home_country = homes.get(vendor.organisation_id)
    read.review_due = rules.review_due(
        vendor.next_review_on, VendorStatus(vendor.status), on=clock.today()
    )
    return read


def links(session: Session) -> list[rules.Link]:
    """Every subcontracting link as the pure rules take it."""
    return [
        rules.Link(vendor=vendor, sub=sub, countries=tuple(countries), service=service)
        for vendor, sub, countries, service in repository.link_facts(session)
    ]


def country_read(row: VendorCountry) -> CountryRead:
    """A country row as shown, with the country's name."""
    return CountryRead.model_validate(row).model_copy(
        update={"country_name": country_name(row.country)}
    )


def certification_label(standard: str, standard_name: str | None) -> str:
    """What a certification is called: its own name for "other", else the standard's."""
    return standard_name or STANDARD_NAMES.get(Standard(standard), standard)


def certification_read(row: Certification) -> CertificationRead:
    """A certification as shown, with its label and expiry badge."""
    read = CertificationRead.model_validate(row)
    read.label = certification_label(row.standard, row.standard_name)
    read.state = rules.certification_state(row.expires_on, on=clock.today())
    return read


def full(session: Session, actor: Actor, vendor: VendorProfile) -> VendorRead:
    """The profile with its countries, chain, exposure, certifications and contacts."""
    org = parties.get_organisation(session, actor=actor, org_ref=vendor.organisation_id)
    read = base(vendor, {org.id: org.name}, {org.id: org.country})
    read.countries = [country_read(c) for c in repository.country_rows(session, vendor.id)]
    all_links = links(session)
    steps = rules.walk_chain(vendor.id, all_links)
    profiles = repository.profiles_by_id(
        session, {s.link.sub for s in steps} | {s.link.vendor for s in steps}
    )
    names = vendor_org_names(session, actor)

    def label(vid: str) -> tuple[str, str]:
        p = profiles[vid]
        return p.ref, names.get(p.organisation_id, p.organisation_id)

    own = repository.countries(session)
    read.chain = [
        ChainLink(
            depth=s.depth,
            vendor_id=s.link.sub,
            ref=label(s.link.sub)[0],
            name=label(s.link.sub)[1],
            via_ref=label(s.link.vendor)[0],
            service=s.link.service,
            countries=list(s.link.countries or own.get(s.link.sub, [])),
            cycle=s.cycle,
        )
        for s in steps
    ]
    read.exposure = rules.exposure(vendor.id, own, all_links)
    read.subcontractors = [
        SubcontractorRead(
            id=s.id,
            subcontractor_id=s.subcontractor_id,
            subcontractor_ref=label(s.subcontractor_id)[0],
            subcontractor_name=label(s.subcontractor_id)[1],
            service=s.service,
            countries=list(s.countries),
            notes=s.notes,
            created_at=s.created_at,
        )
        for s in repository.direct_links(session, vendor.id)
    ]
    read.certifications = [
        certification_read(c) for c in repository.certifications(session, vendor.id)
    ]
    read.contacts = [ContactRead.model_validate(c) for c in repository.contacts(session, vendor.id)]
    return read


def matching(session: Session, actor: Actor, filters: VendorFilter) -> tuple[list[VendorRead], int]:
    """Every profile that matches the filters, with its exposure (the country and review-due
    filters need the chain walk, so they are applied here rather than in SQL)."""
    actor.require(Permission.VENDORS_READ, what="reading vendor files")
    names = vendor_org_names(session, actor)
    matched = None
    if filters.q:
        needle = filters.q.strip().lower()
        matched = [oid for oid, name in names.items() if needle in name.lower()]
    query = repository.filtered(
        repository.visible_to(actor), filters, org_ids=matched, today=clock.today()
    )
    rows = list(session.scalars(query))
    country_rows, all_links = repository.all_country_rows(session), links(session)
    own = {vid: [c.country for c in cs] for vid, cs in country_rows.items()}
    out = []
    for v in rows:
        read = base(v, names, {})
        read.countries = [country_read(c) for c in country_rows.get(v.id, [])]
        read.exposure = rules.exposure(v.id, own, all_links)
        if filters.country and filters.country not in read.exposure:
            continue
        if filters.review_due and not read.review_due:
            continue
        out.append(read)
    return out, len(out)
