"""The evidence tests' world, built through the services: the leak scans' secret (its code in
the vault, fingerprinted) with a leak match found by a scan, an alert about Alice Smith and the
secret, a disclosure of the secret to her in the ledger, a case about both that came from the
match, and a user of each role. The installation's home holds the vault key and the custody
signing key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.custody import keys
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import LedgerChannel
from crownjewels.incidents import service as cases
from crownjewels.incidents.schemas import CaseOpen, IncidentKind, Origin
from crownjewels.leaks.scan import service as scans
from crownjewels.parties import service as parties
from crownjewels.settings import Settings
from tests.leaks.scan.world import excerpt
from tests.leaks.scan.world import make_world as scan_world
from tests.monitoring.triage.factories import make_alert
from tests.parties.factories import actor_for, make_user


@dataclass(frozen=True)
class World:
    """What the evidence tests work on."""

    home: Path
    settings: Settings
    case_ref: str
    secret_ref: str
    alice_email: str
    alert_ref: str
    match_ref: str
    disclosure_id: str
    actors: dict[Role, Actor]


def make_world(session: Session, admin: Actor, home: Path) -> World:
    """The secret, its match, alert and disclosure, the case about them, a user per role."""
    base = scan_world(session, admin, home)
    keys.ensure_signing_key(home)
    alice = parties.get_person(session, actor=admin, person_ref=base.alice_id)
    scanned = scans.scan(session, actor=admin, settings=base.settings, text=excerpt()).scan
    (match,) = scanned.found
    alert = make_alert(session, person=alice, secret_ids=[base.secret_id], events=4)
    entry = ledger.record_disclosure(
        session,
        actor=admin,
        secret=base.secret_ref,
        person=alice.id,
        channel=LedgerChannel.MANUAL_ORAL,
        on=None,
        description="Briefed on the feed schedule of the pigment strain",
    )
    case = cases.open_case(
        session,
        actor=admin,
        data=CaseOpen(
            title="Pigment ingest code posted in a public repository",
            kind=IncidentKind.LEAK_FOUND,
            origin=Origin.LEAK_MATCH,
            origin_ref=match.ref,
            secrets=[base.secret_ref],
            people=[alice.email],
            playbook="none",
        ),
    )
    actors = {
        role: actor_for(session, make_user(session, admin, role))
        for role in (Role.SECURITY, Role.LEGAL, Role.COMPLIANCE, Role.AUDITOR, Role.VENDOR_USER)
    }
    return World(
        home=home,
        settings=base.settings,
        case_ref=case.ref,
        secret_ref=base.secret_ref,
        alice_email=alice.email,
        alert_ref=alert.ref,
        match_ref=match.ref,
        disclosure_id=entry.id,
        actors=actors,
    )
