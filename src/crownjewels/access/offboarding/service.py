"""Offboarding a person or a whole vendor organisation in one action: every live grant (and
the member grants of group grants) is revoked, an exit-obligations acknowledgement is asked
for, a return-or-destruction certificate is collected (a file in the vault, or a signed
statement kept with its SHA-256), and a report lists what they accessed in the last 90 days.
The record completes once both the acknowledgement and the certificate are in."""

from __future__ import annotations

import hashlib

from sqlalchemy import Select
from sqlalchemy.orm import Session

from crownjewels.access import repository, service
from crownjewels.access.errors import InvalidGrant
from crownjewels.access.models import Grant, Offboarding
from crownjewels.access.offboarding import report as access_report
from crownjewels.access.offboarding import repository as offboardings
from crownjewels.access.offboarding.schemas import AccessReport, OffboardingRead, OffboardingStatus
from crownjewels.access.rules import GrantStatus
from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden, NotFound
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import service as parties
from crownjewels.training import service as training
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import Owner

SUBJECT = "offboarding"
OWNER_TYPE = "offboarding"
EXIT_KIND = "exit-obligations"
#: what the leaving person acknowledges (kept verbatim, with its hash, by training)
EXIT_TEXT = (
    "I have returned or destroyed every copy of the company's confidential information and "
    "trade secrets in my possession, and I understand that my obligation to keep them "
    "confidential continues after my engagement ends, for trade secrets for as long as they "
    "remain secret."
)
READER = fact_reader("access")


class OffboardingNotFound(NotFound):
    """No such offboarding record."""


class OffboardingOwners:
    """The vault's owner kind for offboarding certificates."""

    def resolve(self, session: Session, actor: Actor, ref: str, *, write: bool) -> Owner:
        """An offboarding record; changing its documents needs grants:manage."""
        actor.require(Permission.GRANTS_READ, what="an offboarding record")
        row = _row(session, ref)
        if write:
            actor.require(Permission.GRANTS_MANAGE, what="collecting an offboarding certificate")
        return Owner(
            owner_type=OWNER_TYPE,
            owner_id=row.id,
            label=row.ref,
            legend=f"CONFIDENTIAL: offboarding {row.ref}",
        )

    def may_read(self, actor: Actor) -> bool:
        """Certificates are read by those who manage grants."""
        return actor.can(Permission.GRANTS_MANAGE)

    def visible_ids(self, actor: Actor) -> Select[tuple[str]] | None:
        """Every record for grants:read holders; none otherwise."""
        if actor.can(Permission.GRANTS_READ):
            return None
        return offboardings.no_ids()


OFFBOARDING_OWNERS = OffboardingOwners()


def _row(session: Session, ref: str) -> Offboarding:
    row = offboardings.offboarding(session, ref)
    if row is None:
        raise OffboardingNotFound(
            f"no offboarding {ref!r}; `crownjewels access offboard PERSON` starts one"
        )
    return row


def _record(
    session: Session, actor: Actor, event: EventType, row: Offboarding, **d: object
) -> None:
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "ref": row.ref,
            "person_id": row.person_id,
            "organisation_id": row.organisation_id,
            **d,
        },
    )


def read(session: Session, row: Offboarding) -> OffboardingRead:
    """The record with its subject's name."""
    out = OffboardingRead.model_validate(row)
    if row.person_id:
        out.subject_name = parties.person_names(session, {row.person_id}).get(row.person_id, "")
    elif row.organisation_id:
        out.subject_name = parties.get_organisation(
            session, actor=READER, org_ref=row.organisation_id
        ).name
    return out


def person_ids(session: Session, row: Offboarding) -> list[str]:
    """The people an offboarding covers: the person, or everyone of the organisation."""
    if row.person_id:
        return [row.person_id]
    return [
        p.id
        for p in parties.people_of(
            session, organisation_id=row.organisation_id or "", active_only=False
        )
    ]


def _live_grants(session: Session, row: Offboarding) -> list[Grant]:
    found: dict[str, Grant] = {}
    if row.organisation_id:
        for g in repository.live_for(session, organisation_id=row.organisation_id):
            found[g.id] = g
    for pid in person_ids(session, row):
        for g in repository.live_for(session, person_id=pid):
            found[g.id] = g
    return sorted(found.values(), key=lambda g: g.ref)


def _revoke_all(session: Session, actor: Actor, row: Offboarding) -> int:
    """Revoke every live grant; the count includes member grants revoked with their group."""
    grants = _live_grants(session, row)
    for grant in grants:
        if grant.status == GrantStatus.REVOKED:
            continue  # revoked with its group grant a moment ago
        service.change_status(
            session,
            actor=actor,
            grant_ref=grant.id,
            status=GrantStatus.REVOKED,
            reason=f"offboarding {row.ref}",
        )
    return sum(1 for g in grants if g.status == GrantStatus.REVOKED)


def offboard(
    session: Session, *, actor: Actor, person: str | None = None, organisation: str | None = None
) -> OffboardingRead:
    """Start offboarding a person or an organisation (OFFBOARDING_STARTED): every live grant
    of theirs, group grants and member grants included, is revoked."""
    actor.require(Permission.GRANTS_MANAGE)
    if bool(person) == bool(organisation):
        raise InvalidGrant("name either the person or the organisation to offboard", field="person")
    person_id = (
        parties.resolve_person_id(session, actor=READER, person_ref=person) if person else None
    )
    org_id = (
        parties.get_organisation(session, actor=READER, org_ref=organisation).id
        if organisation
        else None
    )
    row = Offboarding(
        ref=next_ref(session, Offboarding.ref, "OFF-", 4),
        person_id=person_id,
        organisation_id=org_id,
        started_by=actor.ref,
        started_at=clock.now(),
        status=OffboardingStatus.OPEN,
    )
    session.add(row)
    session.flush()
    _record(session, actor, EventType.OFFBOARDING_STARTED, row)
    row.grants_revoked = _revoke_all(session, actor, row)
    session.flush()
    return read(session, row)


def get(session: Session, *, actor: Actor, ref: str) -> OffboardingRead:
    """One offboarding record."""
    actor.require(Permission.GRANTS_READ)
    return read(session, _row(session, ref))


def list_offboardings(session: Session, *, actor: Actor) -> list[OffboardingRead]:
    """Every offboarding, newest first."""
    actor.require(Permission.GRANTS_READ)
    return [read(session, r) for r in offboardings.offboardings(session)]


def _maybe_complete(session: Session, actor: Actor, row: Offboarding) -> None:
    has_certificate = row.certificate_document_id or row.statement_sha256
    if row.status == OffboardingStatus.OPEN and row.exit_attestation_id and has_certificate:
        row.status, row.completed_at = OffboardingStatus.COMPLETED, clock.now()
        session.flush()
        _record(
            session, actor, EventType.OFFBOARDING_COMPLETED, row, grants_revoked=row.grants_revoked
        )


def acknowledge_exit(
    session: Session, *, actor: Actor, ref: str, person: str | None = None
) -> OffboardingRead:
    """The person acknowledges their continuing confidentiality obligations (a training
    attestation of kind exit-obligations); the record notes it. The person themselves, or a
    grants:manage holder recording a signed paper acknowledgement."""
    row = _row(session, ref)
    covered = person_ids(session, row)
    pid = (
        parties.resolve_person_id(session, actor=READER, person_ref=person)
        if person
        else (row.person_id or actor.person_id)
    )
    if pid not in covered:
        raise InvalidGrant(
            "the acknowledgement must come from a person being offboarded", field="person"
        )
    if actor.person_id != pid and not actor.can(Permission.GRANTS_MANAGE):
        raise Forbidden("only the person, or a grants:manage holder, records their acknowledgement")
    attestation = training.acknowledge(
        session, actor=actor, person_id=pid, kind=EXIT_KIND, text=EXIT_TEXT
    )
    row.exit_attestation_id = row.exit_attestation_id or attestation.id
    session.flush()
    _maybe_complete(session, actor, row)
    return read(session, row)


def certify(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    statement: str | None = None,
    vault_: vault.Vault | None = None,
    upload: vault.Upload | None = None,
    filename: str | None = None,
) -> OffboardingRead:
    """Collect the return-or-destruction certificate: a file stored in the vault as the
    record's document, or a signed statement whose SHA-256 is kept
    (OFFBOARDING_CERTIFICATE_COLLECTED)."""
    actor.require(Permission.GRANTS_MANAGE)
    row = _row(session, ref)
    if (upload is None) == (not statement):
        raise InvalidGrant(
            "give either the certificate file or the signed statement text", field="statement"
        )
    if upload is not None:
        if vault_ is None:
            raise InvalidGrant("storing a certificate file needs the vault", field="file")
        document = vault.add_document(
            session,
            actor=actor,
            vault=vault_,
            owner_type=OWNER_TYPE,
            owner_ref=row.id,
            title=f"{row.ref} return-or-destruction certificate",
            upload=upload,
            filename=filename,
        )
        row.certificate_document_id = document.id
        details: dict[str, object] = {
            "document_id": document.id,
            "sha256": document.versions[-1].sha256,
        }
    else:
        text = (statement or "").strip()
        if len(text) < 20:
            raise InvalidGrant("the statement is too short to certify anything", field="statement")
        row.statement = text
        row.statement_sha256 = hashlib.sha256(text.encode()).hexdigest()
        details = {"statement_sha256": row.statement_sha256}
    session.flush()
    _record(session, actor, EventType.OFFBOARDING_CERTIFICATE_COLLECTED, row, **details)
    _maybe_complete(session, actor, row)
    return read(session, row)


def report(
    session: Session, *, actor: Actor, ref: str, days: int = access_report.REPORT_DAYS
) -> AccessReport:
    """What the offboarded people accessed in the `days` before the offboarding started."""
    actor.require(Permission.GRANTS_READ)
    row = _row(session, ref)
    return access_report.build(
        session, person_ids=person_ids(session, row), days=days, at=clock.now()
    )
