"""How many SQL statements `access check` runs: each fact family is read once, a person or a
secret already loaded in the unit of work is not read again, so the count does not grow with
what else the decision asks of the lower capabilities (a regression guard, not a timing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.core.actor import Actor
from tests.access.conftest import make_world
from tests.access.factories import bind_for_access
from tests.access.test_transfers import _bpo, _check, allow
from tests.parties.factories import make_person

#: reads of one check: person with organisation, secret, names, locations, training (courses,
#: completions), login, grants, agreements, acknowledgement; then the decision's own write
MOST = 16


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_an_allowed_and_a_denied_check_read_each_fact_once(session: Session, admin: Actor) -> None:
    owner = make_person(session, admin, name="Olive Owner")
    world = make_world(session, admin, owner=owner)
    bind_for_access(session, person_id=world.grantee.id, secret_id=world.secret.id, level="view")
    for person, allowed in ((world.grantee, True), (world.stranger, False)):
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
        assert len(seen) <= MOST, "\n".join(seen)
        # the person is read once, with their organisation, however many services ask
        people = [s for s in seen if s.lstrip().startswith("SELECT person.organisation_id")]
        assert len(people) == 1, "\n".join(seen)


def test_a_personal_data_check_reads_its_transfer_facts_once(
    session: Session, admin: Actor
) -> None:
    """Personal data held in DE, reaching a vendor in IN under SCCs and a TIA: the transfer
    facts add five reads to a plain check (our own company, where the data is held, the
    vendor's mechanisms, its assessments, the kinds of its agreements in force for the SCC
    module), 20 in all here, never one per destination."""
    bpo = _bpo(session, admin, personal_data=True)
    allow(session, admin, bpo)
    session.expunge_all()
    with counted(session) as seen:
        assert _check(session, admin, bpo).allowed
    assert len(seen) <= MOST + 4, "\n".join(seen)
    mechanisms = [s for s in seen if "FROM vendor_transfer_mechanism" in s]
    assert len(mechanisms) == 1, "\n".join(seen)
