"""The global search, capability by capability: the reference typed comes first, then names
containing the words; each kind is scoped by its own capability, so a secret owner, an auditor
and a vendor user find only what they may see; wildcards typed are plain characters."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers the document owner kinds
from crownjewels.access import service as access
from crownjewels.agreements import service as agreements
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.inventory import service as inventory
from crownjewels.parties import accounts
from crownjewels.parties import service as parties
from crownjewels.vault import service as vault
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.keys import KeyRing, LocalKeyProvider
from crownjewels.vendors import service as vendors
from tests.access.factories import bind_for_access
from tests.conftest import savepoint_per_test
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_person, make_user
from tests.vendors.factories import make_vendor


@dataclass(frozen=True)
class World:
    blue: str  # references
    green: str
    vendor: str
    grant: str
    agreement: str
    document: str
    alice_email: str
    green_owner: str  # user ids
    auditor: str
    alice_user: str


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    """Two secrets (one owned by Gil), a vendor, Alice bound to the blue secret (an NDA and a
    grant), a document of the blue secret; logins for Gil, an auditor and Alice (as a vendor
    user, who sees only what is hers)."""
    store = LocalBlobStore(Path(tmp_path_factory.mktemp("search")) / "blobs")
    vault_ = vault.Vault(store=store, keys=KeyRing(LocalKeyProvider(os.urandom(32), source="t")))
    with module_db.unit_of_work() as s:
        admin = system_actor("test")
        gil = make_person(s, admin, name="Gil Greene")
        blue = make_secret(s, admin, name="Blue pigment")
        green = make_secret(s, admin, name="Green glaze", owner=gil)
        acme = make_vendor(s, admin, name="Acme Pigments Ltd")
        alice = make_person(s, admin, name="Alice Smith")
        bound = bind_for_access(s, person_id=alice.id, secret_id=blue.id, purpose="pigment audit")
        assert bound.agreement is not None
        doc = vault.add_document(
            s, actor=admin, vault=vault_, owner_type="secret", owner_ref=blue.ref,
            title="Pigment process sheet", upload=io.BytesIO(b"milled twice"), filename="p.txt",
        )  # fmt: skip
        return World(
            blue=blue.ref,
            green=green.ref,
            vendor=acme.ref,
            grant=bound.grant.ref,
            agreement=bound.agreement.ref,
            document=doc.id,
            alice_email=alice.email,
            green_owner=make_user(s, admin, Role.SECRET_OWNER, person=gil).id,
            auditor=make_user(s, admin, Role.AUDITOR).id,
            alice_user=make_user(s, admin, Role.VENDOR_USER, person=alice).id,
        )


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


def _as(session: Session, user_id: str) -> Actor:
    return actor_for(session, accounts.get_user(session, user_id=user_id))


def _found(session: Session, actor: Actor, q: str) -> dict[str, list[str]]:
    """Each kind's hits as the references a person reads."""
    return {
        "secrets": [s.ref for s in inventory.search(session, actor=actor, q=q)],
        "vendors": [v.ref for v in vendors.search(session, actor=actor, q=q)],
        "people": [p.email for p in parties.search_people(session, actor=actor, q=q)],
        "agreements": [a.ref for a in agreements.search(session, actor=actor, q=q)],
        "grants": [g.ref for g in access.search(session, actor=actor, q=q)],
        "documents": [d.id for d in vault.search_documents(session, actor=actor, q=q)],
    }


def test_the_installation_finds_every_kind_by_name(session: Session, world: World) -> None:
    found = _found(session, system_actor("test"), "PIGMENT")
    assert found["secrets"] == [world.blue]
    assert found["vendors"] == [world.vendor]
    assert found["grants"] == [world.grant]
    assert found["documents"] == [world.document]
    assert _found(session, system_actor("test"), "alice smith")["people"] == [world.alice_email]
    assert _found(session, system_actor("test"), f"NDA for {world.blue}")["agreements"] == [
        world.agreement
    ]


def test_a_reference_typed_finds_its_row_first(session: Session, world: World) -> None:
    admin = system_actor("test")
    assert _found(session, admin, world.blue.lower())["secrets"] == [world.blue]
    assert _found(session, admin, world.vendor)["vendors"] == [world.vendor]
    assert _found(session, admin, world.grant)["grants"] == [world.grant]
    assert _found(session, admin, world.document)["documents"] == [world.document]
    # the agreement's ref is typed; the NDA's title names the secret's ref too, found after it
    assert _found(session, admin, world.agreement)["agreements"] == [world.agreement]
    assert _found(session, admin, world.alice_email.upper())["people"] == [world.alice_email]


def test_each_kind_is_scoped_by_its_capability(session: Session, world: World) -> None:
    gil = _as(session, world.green_owner)
    # the owner of the green secret: their own secret, never the blue one, its grant or document
    assert _found(session, gil, "glaze")["secrets"] == [world.green]
    seen = _found(session, gil, "pigment")
    assert seen["secrets"] == [] and seen["grants"] == [] and seen["documents"] == []
    assert _found(session, gil, world.blue)["secrets"] == []
    auditor = _found(session, _as(session, world.auditor), "pigment")
    assert auditor["secrets"] == [world.blue] and auditor["vendors"] == [world.vendor]
    assert auditor["documents"] == []  # an auditor reads no documents
    alice = _as(session, world.alice_user)
    hers = _found(session, alice, "pigment")
    assert hers["secrets"] == [] and hers["vendors"] == [] and hers["documents"] == []
    assert hers["grants"] == [world.grant]  # her own grant
    assert _found(session, alice, "g")["people"] == []  # no one else, and not by a letter
    assert _found(session, alice, "alice")["people"] == [world.alice_email]


def test_wildcards_typed_are_plain_characters(session: Session, world: World) -> None:
    admin = system_actor("test")
    assert _found(session, admin, "%") == {k: [] for k in _found(session, admin, "%")}
    assert _found(session, admin, "_")["secrets"] == []
    assert _found(session, admin, "   ")["secrets"] == []
