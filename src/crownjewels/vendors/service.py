"""The verbs of vendor profiles: create, update, change status, review; countries and
subcontractors; read, list, the risk matrix and the jurisdiction panels. Certifications and
contacts have their own modules. Every write records its custody event in the caller's
transaction."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crownjewels.core import clock
from crownjewels.core import search as core_search
from crownjewels.core.actor import Actor
from crownjewels.core.codes import country_name
from crownjewels.core.ids import new_id
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventRead, EventType
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrgKind
from crownjewels.vendors import jurisdictions, reads, repository, rules
from crownjewels.vendors.errors import (
    BadStatusChange,
    DuplicateVendor,
    ItemNotFound,
    NotAVendor,
    StaleVendor,
    SubcontractorCycle,
)
from crownjewels.vendors.models import Subcontractor, VendorCountry, VendorProfile
from crownjewels.vendors.schemas import (
    CountryAdd,
    Criticality,
    ReviewCreate,
    RiskMatrix,
    RiskRow,
    StatusChange,
    SubcontractorAdd,
    VendorCreate,
    VendorFilter,
    VendorRead,
    VendorStanding,
    VendorStatus,
    VendorUpdate,
)

SUBJECT = "vendor"
_AUDITED = (
    "organisation_id",
    "services",
    "criticality",
    "status",
    "status_reason",
    "review_cadence_months",
    "last_reviewed_on",
    "next_review_on",
    "notes",
)


def _snapshot(vendor: VendorProfile) -> dict[str, Any]:
    return {k: to_jsonable_python(getattr(vendor, k)) for k in _AUDITED}


def record_event(
    session: Session, actor: Actor, event: EventType, vendor: VendorProfile, **details: Any
) -> None:
    """Record a custody event about a vendor profile (its ref always in the details)."""
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=vendor.id,
        details={"ref": vendor.ref, **to_jsonable_python(details)},
    )


# --- the profile -----------------------------------------------------------------------------


def create(session: Session, *, actor: Actor, data: VendorCreate) -> VendorRead:
    """Open the vendor file of an organisation of kind vendor."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    org = parties.get_organisation(session, actor=actor, org_ref=data.organisation_id)
    if org.kind != OrgKind.VENDOR:
        raise NotAVendor(
            f"{org.name} is an organisation of kind {org.kind.value}, not vendor; only vendors "
            "get a vendor profile (change its kind in parties if it is one)",
            field="organisation_id",
        )
    if existing := repository.has_profile(session, org.id):
        raise DuplicateVendor(
            f"{org.name} already has the vendor profile {existing}; update that one",
            field="organisation_id",
        )
    if data.status not in rules.INITIAL_STATUSES:
        allowed = ", ".join(sorted(rules.INITIAL_STATUSES))
        raise BadStatusChange(
            f"a new vendor profile cannot start {data.status}; start it as one of: {allowed}",
            field="status",
        )
    today = clock.today()
    cadence = rules.cadence_for(data.criticality, data.review_cadence_months)
    status = VendorStatus(data.status)
    activated, offboarded = rules.status_dates(
        status, on=today, activated_on=None, offboarded_on=None
    )
    vendor = VendorProfile(
        id=new_id(),
        ref=next_ref(session, VendorProfile.ref, "VN-", 4),
        organisation_id=org.id,
        services=data.services,
        criticality=data.criticality,
        status=status,
        status_changed_at=clock.now(),
        activated_on=activated,
        offboarded_on=offboarded,
        review_cadence_months=cadence,
        next_review_on=rules.next_review(today, cadence),
        notes=data.notes,
    )
    session.add(vendor)
    session.flush()
    record_event(session, actor, EventType.VENDOR_PROFILE_CREATED, vendor, after=_snapshot(vendor))
    for country in data.countries:
        _add_country(session, actor, vendor, CountryAdd(country=country))
    return reads.full(session, actor, vendor)


def update(session: Session, *, actor: Actor, vendor_ref: str, changes: VendorUpdate) -> VendorRead:
    """Change a profile's fields; records before and after of every changed field."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    if changes.version is not None and changes.version != vendor.version:
        raise StaleVendor(
            f"{vendor.ref} was changed by someone else (version {vendor.version}, you edited "
            f"version {changes.version}); reload it and apply your change again"
        )
    fields = {
        k: v
        for k, v in changes.model_dump(exclude_unset=True, exclude={"version"}).items()
        if v is not None or k == "notes"
    }
    before = _snapshot(vendor)
    old = Criticality(vendor.criticality)
    for key, value in fields.items():
        setattr(vendor, key, value)
    if "criticality" in fields and "review_cadence_months" not in fields:
        vendor.review_cadence_months = rules.cadence_after_change(
            old, Criticality(fields["criticality"]), vendor.review_cadence_months
        )
    if vendor.review_cadence_months != before["review_cadence_months"] and (
        "next_review_on" not in fields
    ):
        base = vendor.last_reviewed_on or vendor.created_at.date()
        vendor.next_review_on = rules.next_review(base, vendor.review_cadence_months)
    after = _snapshot(vendor)
    keys = [k for k in after if before[k] != after[k]]
    if keys:
        try:
            session.flush()
        except StaleDataError:
            raise StaleVendor(
                f"{vendor.ref} was changed by someone else; reload it and try again"
            ) from None
        record_event(
            session,
            actor,
            EventType.VENDOR_PROFILE_UPDATED,
            vendor,
            before={k: before[k] for k in keys},
            after={k: after[k] for k in keys},
        )
    return reads.full(session, actor, vendor)


def change_status(
    session: Session, *, actor: Actor, vendor_ref: str, change: StatusChange
) -> VendorRead:
    """Move the vendor through its lifecycle (prospect, onboarding, active, suspended,
    offboarded) with a reason; a move the lifecycle does not allow is refused with why."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    return _move(session, actor, reads.find(session, actor, vendor_ref), change)


#: who may suspend a vendor and reinstate it: vendor managers, and the incident team containing
#: a case (`incidents.containment`)
SUSPENDERS = (Permission.VENDORS_WRITE, Permission.INCIDENTS_CONTAIN)


def suspend(session: Session, *, actor: Actor, vendor_ref: str, reason: str) -> VendorRead:
    """Suspend an active vendor with a reason (VENDOR_STATUS_CHANGED): vendors:write, or
    incidents:contain."""
    actor.require_any(*SUSPENDERS, what="suspending a vendor")
    vendor = reads.find(session, actor, vendor_ref)
    change = StatusChange(status=VendorStatus.SUSPENDED, reason=reason)
    return _move(session, actor, vendor, change)


def reinstate(session: Session, *, actor: Actor, vendor_ref: str, reason: str) -> VendorRead:
    """Make a suspended vendor active again with a reason (VENDOR_STATUS_CHANGED):
    vendors:write, or incidents:contain."""
    actor.require_any(*SUSPENDERS, what="reinstating a vendor")
    vendor = reads.find(session, actor, vendor_ref)
    change = StatusChange(status=VendorStatus.ACTIVE, reason=reason)
    return _move(session, actor, vendor, change)


def _move(
    session: Session, actor: Actor, vendor: VendorProfile, change: StatusChange
) -> VendorRead:
    """Move the vendor to the change's status if its lifecycle allows it."""
    current = VendorStatus(vendor.status)
    refusal = rules.transition_refusal(current, change.status)
    if refusal:
        raise BadStatusChange(f"{vendor.ref}: {refusal}", field="status")
    before = {"status": current, "status_reason": vendor.status_reason}
    vendor.activated_on, vendor.offboarded_on = rules.status_dates(
        change.status,
        on=clock.today(),
        activated_on=vendor.activated_on,
        offboarded_on=vendor.offboarded_on,
    )
    vendor.status, vendor.status_reason = change.status, change.reason
    vendor.status_changed_at = clock.now()
    session.flush()
    record_event(
        session,
        actor,
        EventType.VENDOR_STATUS_CHANGED,
        vendor,
        before=before,
        after={"status": change.status, "status_reason": change.reason},
    )
    return reads.full(session, actor, vendor)


def review(session: Session, *, actor: Actor, vendor_ref: str, data: ReviewCreate) -> VendorRead:
    """Record a periodic review of the vendor and schedule the next one by its cadence."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    if vendor.status == VendorStatus.OFFBOARDED:
        raise BadStatusChange(f"{vendor.ref} is offboarded; offboarded vendors are not reviewed")
    on = data.reviewed_on or clock.today()
    if on > clock.today():
        raise BadStatusChange(f"a review cannot be dated in the future ({on})", field="reviewed_on")
    before = {"last_reviewed_on": vendor.last_reviewed_on, "next_review_on": vendor.next_review_on}
    vendor.last_reviewed_on = on
    vendor.next_review_on = rules.next_review(on, vendor.review_cadence_months)
    session.flush()
    record_event(
        session,
        actor,
        EventType.VENDOR_REVIEWED,
        vendor,
        notes=data.notes,
        before=before,
        after={"last_reviewed_on": on, "next_review_on": vendor.next_review_on},
    )
    return reads.full(session, actor, vendor)


def get(session: Session, *, actor: Actor, vendor_ref: str) -> VendorRead:
    """One vendor profile by ref (VN-0001), id or organisation name, with everything it holds."""
    return reads.full(session, actor, reads.find(session, actor, vendor_ref))


def list_vendors(
    session: Session, *, actor: Actor, filters: VendorFilter, page: PageParams
) -> tuple[list[VendorRead], int]:
    """A page of vendor profiles (country: the vendor's exposure, subcontractors included)."""
    rows, total = reads.matching(session, actor, filters)
    return rows[page.offset : page.offset + page.limit], total


def vendor_choices(session: Session, *, actor: Actor) -> list[tuple[str, str, str]]:
    """(id, ref, name) of every visible vendor, for pickers."""
    rows, _ = reads.matching(session, actor, VendorFilter())
    return [(v.id, v.ref, v.name) for v in rows]


def risk_matrix(session: Session, *, actor: Actor, filters: VendorFilter) -> RiskMatrix:
    """Vendors counted by exposed country and criticality (offboarded vendors left out unless
    the status filter asks for them)."""
    items, _ = reads.matching(session, actor, filters)
    if filters.status is None:
        items = [v for v in items if v.status != VendorStatus.OFFBOARDED]
    counts: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys([c.value for c in Criticality], 0)
    for v in items:
        totals[v.criticality.value] += 1
        for country in v.exposure:
            row = counts.setdefault(country, dict.fromkeys([c.value for c in Criticality], 0))
            row[v.criticality.value] += 1
    rows = [
        RiskRow(country=c, country_name=country_name(c), counts=n, total=sum(n.values()))
        for c, n in counts.items()
    ]
    rows.sort(key=lambda r: (-r.counts["critical"], -r.counts["high"], -r.total, r.country))
    return RiskMatrix(criticalities=list(Criticality), rows=rows, totals=totals)


def organisations_without_profile(session: Session, *, actor: Actor) -> dict[str, str]:
    """Vendor organisations (id -> name) that have no profile yet, for the create form."""
    names = reads.vendor_org_names(session, actor)
    return {oid: n for oid, n in names.items() if not repository.has_profile(session, oid)}


def history(session: Session, *, actor: Actor, vendor_ref: str) -> list[EventRead]:
    """The custody events of a vendor profile, newest first."""
    vendor = reads.find(session, actor, vendor_ref)
    return custody.history(session, subject_type=SUBJECT, subject_id=vendor.id)


# --- countries -------------------------------------------------------------------------------


def _add_country(session: Session, actor: Actor, vendor: VendorProfile, data: CountryAdd) -> None:
    if data.country in repository.countries(session, [vendor.id]).get(vendor.id, []):
        raise DuplicateVendor(
            f"{vendor.ref} already lists {data.country} ({country_name(data.country)})",
            field="country",
        )
    session.add(VendorCountry(vendor_id=vendor.id, country=data.country, notes=data.notes))
    session.flush()
    record_event(session, actor, EventType.VENDOR_COUNTRY_ADDED, vendor, after=data.model_dump())


def add_country(session: Session, *, actor: Actor, vendor_ref: str, data: CountryAdd) -> VendorRead:
    """Record a country where the vendor processes or stores our data."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    _add_country(session, actor, vendor, data)
    return reads.full(session, actor, vendor)


def remove_country(session: Session, *, actor: Actor, vendor_ref: str, country: str) -> VendorRead:
    """Forget a processing country (the custody log keeps that it was listed)."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    code = country.strip().upper()
    row = next((c for c in repository.country_rows(session, vendor.id) if c.country == code), None)
    if row is None:
        raise ItemNotFound(f"{vendor.ref} does not list {country!r}", field="country")
    before = {"country": row.country, "notes": row.notes}
    session.delete(row)
    session.flush()
    record_event(session, actor, EventType.VENDOR_COUNTRY_REMOVED, vendor, before=before)
    return reads.full(session, actor, vendor)


# --- subcontractors --------------------------------------------------------------------------


def add_subcontractor(
    session: Session, *, actor: Actor, vendor_ref: str, data: SubcontractorAdd
) -> VendorRead:
    """Record that another vendor does part of this vendor's service; refuses a cycle."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    sub = reads.find(session, actor, data.subcontractor)
    links = reads.links(session)
    if any(x.vendor == vendor.id and x.sub == sub.id for x in links):
        raise DuplicateVendor(
            f"{sub.ref} is already a subcontractor of {vendor.ref}", field="subcontractor"
        )
    path = rules.cycle_path(vendor.id, sub.id, links)
    if path is not None:
        refs = {p.id: p.ref for p in repository.profiles_by_id(session, path).values()}
        chain = " -> ".join(refs[p] for p in path)
        raise SubcontractorCycle(
            f"{sub.ref} cannot subcontract for {vendor.ref}: that would close the cycle "
            f"{chain}; a vendor cannot be its own subcontractor, directly or through others",
            field="subcontractor",
        )
    row = Subcontractor(
        vendor_id=vendor.id,
        subcontractor_id=sub.id,
        service=data.service,
        countries=data.countries,
        notes=data.notes,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        actor,
        EventType.VENDOR_SUBCONTRACTOR_ADDED,
        vendor,
        link_id=row.id,
        after={**data.model_dump(), "subcontractor": sub.ref, "subcontractor_id": sub.id},
    )
    return reads.full(session, actor, vendor)


def remove_subcontractor(
    session: Session, *, actor: Actor, vendor_ref: str, subcontractor_ref: str
) -> VendorRead:
    """Forget a subcontracting link."""
    actor.require(Permission.VENDORS_WRITE, what="changing vendor files")
    vendor = reads.find(session, actor, vendor_ref)
    sub = reads.find(session, actor, subcontractor_ref)
    row = next(
        (s for s in repository.direct_links(session, vendor.id) if s.subcontractor_id == sub.id),
        None,
    )
    if row is None:
        raise ItemNotFound(f"{sub.ref} is not a subcontractor of {vendor.ref}")
    before = {"subcontractor": sub.ref, "service": row.service, "countries": row.countries}
    session.delete(row)
    session.flush()
    record_event(session, actor, EventType.VENDOR_SUBCONTRACTOR_REMOVED, vendor, before=before)
    return reads.full(session, actor, vendor)


def may_write(actor: Actor) -> bool:
    """Whether the actor may change vendor files (pages show or hide the forms)."""
    return actor.can(Permission.VENDORS_WRITE)


def status_choices(vendor: VendorRead) -> list[VendorStatus]:
    """The statuses a vendor may move to next (pages offer only these)."""
    return sorted(rules.TRANSITIONS[vendor.status])


# --- the jurisdiction panel ------------------------------------------------------------------


class JurisdictionPanel(BaseModel):
    """What the vendor page shows for one country our data reaches: the cited profile (None
    when there is none yet), its risk notes, its sources and a stale-data warning."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    #: False for a country reached only through subcontractors
    own: bool
    profile: jurisdictions.Jurisdiction | None
    notes: list[str] = Field(default_factory=list)
    sources: list[jurisdictions.Source] = Field(default_factory=list)
    stale: str | None = None


def jurisdiction_panels(vendor: VendorRead) -> list[JurisdictionPanel]:
    """One panel per country of the vendor's exposure: its own countries first, then those only
    its subcontractors reach."""
    own = [c.country for c in vendor.countries]
    codes = own + [c for c in vendor.exposure if c not in own]
    today = clock.today()
    panels = []
    for code in codes:
        profile = jurisdictions.lookup(code)
        panels.append(
            JurisdictionPanel(
                code=code,
                name=profile.name if profile else country_name(code),
                own=code in own,
                profile=profile,
                notes=jurisdictions.risk_notes(profile) if profile else [],
                sources=profile.sources() if profile else [],
                stale=jurisdictions.stale_warning(profile, on=today) if profile else None,
            )
        )
    return panels


def standing(session: Session, *, organisation_id: str) -> VendorStanding | None:
    """A vendor organisation's status and exposure for the access rules (None: not a vendor).
    Due diligence is filled in by `vendors.diligence.service.standing`."""
    # the profile and the chain's countries in one query; the exposure alone (as
    # `reads.full` computes it), not the whole profile
    profile: tuple[str, str, str] | None = None
    countries: dict[str, list[str]] = {}
    links: list[rules.Link] = []
    for kind, vendor_id, value, more, link_countries in repository.chain_facts(
        session, organisation_id
    ):
        if kind == "profile":  # value: the ref, more: the status
            profile = (vendor_id, value, more or "")
        elif kind == "country":  # value: the country
            countries.setdefault(vendor_id, []).append(value)
        else:  # a link: value the subcontractor, more the service
            named = tuple(json.loads(link_countries or "[]"))
            links.append(rules.Link(vendor_id, value, named, more or ""))
    if profile is None:
        return None
    vendor_id, ref, status = profile
    exposure = rules.exposure(vendor_id, countries, links)
    return VendorStanding(vendor_id=vendor_id, ref=ref, status=status, exposure=exposure)


def jurisdiction(code: str) -> jurisdictions.Jurisdiction | None:
    """The built-in jurisdiction profile of a country (None when the file has none)."""
    return jurisdictions.lookup(code)


def search(session: Session, *, actor: Actor, q: str) -> list[VendorRead]:
    """Vendors the actor may see: the reference typed (VN-0001) first, then those whose
    organisation's name contains the words (the global search); none without vendors:read."""
    if not actor.can(Permission.VENDORS_READ):
        return []
    names = reads.vendor_org_names(session, actor)
    exact = core_search.matching(
        session,
        repository.visible_to(actor),
        exact=[VendorProfile.ref],
        names=[],
        q=q,
        order=VendorProfile.ref,
    )
    found = [reads.base(v, names, {}) for v in exact]
    typed = " ".join(q.split())[: core_search.MAX_CHARS]
    if typed:
        by_name, _ = reads.matching(session, actor, VendorFilter(q=typed))
        seen = {v.id for v in found}
        found += sorted((v for v in by_name if v.id not in seen), key=lambda v: v.name.lower())
    return found[: core_search.LIMIT]
