"""The custody labels: subjects and actors as people read them (TS-0014 Sauce formula, Priya
Raman) fetched one query per kind, and what people type (a ref, an email, a name) found back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401  (registers every capability's labels)
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.custody import labels
from crownjewels.custody.errors import BadSubject
from crownjewels.custody.labels import Label
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person, make_user
from tests.vendors.factories import make_vendor


def _agreement(session: Session, admin: Actor) -> str:
    data = AgreementCreate.model_validate(
        {
            "kind": "nda",
            "title": "Mutual NDA",
            "status": "in_force",
            "effective_on": clock.today() - timedelta(days=3),
            "governing_law": "US",
        }
    )
    return agreements.create(session, actor=admin, data=data).id


def test_subjects_and_actors_read_as_refs_and_names_one_query_per_kind(
    session: Session, admin: Actor
) -> None:
    person = make_person(session, admin, name="Priya Raman")
    user = make_user(session, admin, Role.LEGAL, person=person)
    one = make_secret(session, admin, name="Sauce formula")
    two = make_secret(session, admin, name="Crust method")
    vendor = make_vendor(session, admin, name="Acme Outsourcing")
    agreement_id = _agreement(session, admin)
    session.flush()
    keys = [f"secret:{one.id}", f"secret:{two.id}", f"vendor:{vendor.id}", f"user:{user.id}"]
    keys += [f"agreement:{agreement_id}", "system:login", "copy:01ABC", "secret:01GONE"]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    bind = session.connection()
    event.listen(bind, "before_cursor_execute", count)
    try:
        found = labels.refs(session, keys)
    finally:
        event.remove(bind, "before_cursor_execute", count)

    # secrets, vendors (+ their organisations' names), logins, agreements: one query each
    assert len(statements) == 5
    assert found[f"secret:{one.id}"] == Label(
        text=f"{one.ref} Sauce formula", short=one.ref, url=f"/secrets/{one.ref}"
    )
    assert found[f"secret:{two.id}"].text == f"{two.ref} Crust method"
    assert found[f"vendor:{vendor.id}"].text == f"{vendor.ref} Acme Outsourcing"
    assert found[f"user:{user.id}"] == Label(
        text="Priya Raman", short=person.email, url=f"/people/{person.id}"
    )
    assert found[f"agreement:{agreement_id}"].short.startswith("AG-")
    assert found["system:login"].text == "system (login)"
    assert "copy:01ABC" not in found and "secret:01GONE" not in found  # shown plainly
    assert labels.actor_text(session, f"user:{user.id}") == f"Priya Raman ({person.email})"
    assert labels.actors(session, ["cli:ops"])["cli:ops"].text == "ops (command line)"


def test_what_people_type_finds_the_subject_and_the_actor(session: Session, admin: Actor) -> None:
    person = make_person(session, admin, name="Dana Whitfield")
    user = make_user(session, admin, Role.SECURITY, person=person)
    secret = make_secret(session, admin, name="Sauce formula")
    vendor = make_vendor(session, admin, name="Acme Outsourcing")
    agreement_id = _agreement(session, admin)
    session.flush()
    ag_ref = labels.refs(session, [f"agreement:{agreement_id}"])[f"agreement:{agreement_id}"].short

    assert labels.find(session, secret.ref) == ("secret", secret.id)
    assert labels.find(session, secret.ref.lower()) == ("secret", secret.id)
    assert labels.find(session, "sauce FORMULA") == ("secret", secret.id)
    assert labels.find(session, ag_ref) == ("agreement", agreement_id)
    assert labels.find(session, vendor.ref) == ("vendor", vendor.id)
    assert labels.find(session, "Acme Outsourcing") == ("vendor", vendor.id)
    assert labels.find(session, person.email.upper()) == ("person", person.id)
    assert labels.find(session, f"secret:{secret.id}") == ("secret", secret.id)  # machines
    with pytest.raises(BadSubject, match="No secret, agreement or vendor is called TS-9999"):
        labels.find(session, "TS-9999")

    assert labels.find_actor(session, person.email) == f"user:{user.id}"
    assert labels.find_actor(session, "dana whitfield") == f"user:{user.id}"
    assert labels.find_actor(session, "system:login") == "system:login"
    with pytest.raises(BadSubject, match=r"No one with a login is called nobody@example\.com"):
        labels.find_actor(session, "nobody@example.com")
