"""How many SQL statements `access check` runs: each fact family is read once, a person or a
secret already loaded in the unit of work is not read again, the grants a decision read are
not read again to mark them used, so the count does not grow with what else the decision asks
of the lower capabilities (a regression guard, not a timing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.core.actor import Actor
from crownjewels.parties.schemas import PersonKind
from tests.access.conftest import make_world
from tests.access.factories import bind_for_access
from tests.access.test_transfers import _bpo, _check, allow
from tests.parties.factories import make_person
from tests.vendors.diligence_factories import make_contact, make_vendor

#: an allowed check: the person with their organisation and login, the secret, the vendor
#: standing of their organisation, training (courses and completions together), grants
#: (applying and waiting together), agreement cover, acknowledgement; then one UPDATE marking
#: the grants used
ALLOWED = 8
#: a denied check of a stranger: the same reads but the acknowledgement (no grant, no notice to
#: have acknowledged), and the agreements naming them to say why none covers the secret; its
#: custody event is written with the unit of work's commit
DENIED = 7
#: an allowed check of a vendor's staff: the allowed check's reads, the vendor's standing
#: bringing its profile, every vendor's processing countries and every subcontracting link
#: together, and its due diligence (the vendor's cadence, its last completed assessment and its
#: certifications together: an expired certificate lowers the standing)
VENDOR = 9
#: what a personal-data check adds: our own company, where the data is held, the vendor's
#: transfer mechanisms, its transfer impact assessments, its agreement kinds in force
TRANSFER = 5


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(" ".join(statement.split()))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _reading(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.startswith("SELECT") and f" FROM {table}" in s.split(" WHERE")[0]]


def test_an_allowed_and_a_denied_check_read_each_fact_once(session: Session, admin: Actor) -> None:
    owner = make_person(session, admin, name="Olive Owner")
    world = make_world(session, admin, owner=owner)
    bind_for_access(session, person_id=world.grantee.id, secret_id=world.secret.id, level="view")
    vendor, org = make_vendor(session, admin, name="Offshore Labs", countries=("US",))
    make_contact(session, vendor)
    staff = make_person(session, admin, org=org, name="Val Vendor", kind=PersonKind.VENDOR_STAFF)
    bind_for_access(session, person_id=staff.id, secret_id=world.secret.id, level="view")
    checks = (
        (world.grantee, True, ALLOWED),
        (world.stranger, False, DENIED),
        (staff, True, VENDOR),
    )
    for person, allowed, most in checks:
        session.expunge_all()  # as a new unit of work starts: nothing loaded yet
        with counted(session) as seen:
            decision = access.decide(
                session,
                actor=admin,
                person=person.email,
                secret=world.secret.ref,
                action=Level.VIEW,
                mfa=True,
            )
        assert decision.allowed is allowed
        listing = "\n".join(seen)
        assert len(seen) <= most, f"{len(seen)} statements, at most {most} expected:\n{listing}"
        # the person is read once, with their organisation, however many services ask
        people = [s for s in seen if s.startswith("SELECT person.organisation_id")]
        assert len(people) == 1, listing
        # the secret once, without its locations or its owner's name
        assert len(_reading(seen, "trade_secret")) == 1, listing
        assert not _reading(seen, "secret_location"), listing
        # the grants once: applying and waiting together, and not again to mark them used
        assert len(_reading(seen, "access_grant")) == 1, listing
        # training courses and the person's completions in one query
        assert len(_reading(seen, "training_course")) == 1, listing
        assert not _reading(seen, "training_completion"), listing
        # a vendor's profile once: its status with the organisation, its cadence with its
        # last assessment
        assert len(_reading(seen, "vendor_profile")) == (2 if person is staff else 1), listing
        marks = [s for s in seen if s.startswith("UPDATE access_grant")]
        assert len(marks) == (1 if allowed else 0), listing


def test_a_personal_data_check_reads_its_transfer_facts_once(
    session: Session, admin: Actor
) -> None:
    """Personal data held in DE, reaching a vendor in IN under SCCs and a TIA: the transfer
    facts add at most five reads to a vendor staff's check (our own company, where the data is
    held, the vendor's mechanisms, its assessments, the kinds of its agreements in force for the
    SCC module), never one per destination."""
    bpo = _bpo(session, admin, personal_data=True)
    allow(session, admin, bpo)
    session.expunge_all()
    with counted(session) as seen:
        assert _check(session, admin, bpo).allowed
    assert len(seen) <= VENDOR + TRANSFER, "\n".join(seen)
    mechanisms = [s for s in seen if "FROM vendor_transfer_mechanism" in s]
    assert len(mechanisms) == 1, "\n".join(seen)
