"""A case's letters and legal steps against the real database and vault: the letter context
built from the case (the NDA with its analysed clauses, the ledger's copy to the recipient, the
secret, the signatory), the cease-and-desist letter as DOCX and PDF naming the recipient, the
agreement and the copy, its custody event with the file's hash, every letter drafted from the
case, refusals in words, and legal steps recorded in order and refused in the future."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden, Invalid, NotFound
from crownjewels.core.permissions import Role
from crownjewels.core.text import docx_text
from crownjewels.custody import service as custody
from crownjewels.incidents import service as cases
from crownjewels.incidents.errors import CaseNotFound
from crownjewels.incidents.legal import context, service
from crownjewels.incidents.legal.errors import LetterNeeds, NotConcerned
from crownjewels.incidents.legal.schemas import StepCreate, StepKind
from crownjewels.incidents.letters.render import TEMPLATES
from crownjewels.incidents.letters.schemas import ClauseTopic, Recipient
from crownjewels.vault import service as vault
from tests.conftest import savepoint_per_test
from tests.incidents.legal.world import COMPANY, World, make_world

TZ = "America/New_York"


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    with module_db.unit_of_work() as session:
        return make_world(session, system_actor("test"), tmp_path_factory.mktemp("home"))


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


def _vault(world: World) -> vault.Vault:
    return vault.open_vault(world.settings)


def _cease(session: Session, world: World, fmt: str = "docx") -> tuple[str, str, bytes]:
    return service.generate(
        session,
        actor=world.actors[Role.LEGAL],
        ref=world.case_ref,
        template="cease-and-desist",
        recipient=world.jonas_email,
        agreement=None,
        fmt=fmt,
        tz=TZ,
        company=COMPANY,
        vault_=_vault(world),
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_context_holds_the_agreement_its_clauses_and_the_disclosure(
    session: Session, world: World
) -> None:
    ctx = context.context_for(
        session, actor=world.actors[Role.LEGAL], ref=world.case_ref.lower(),
        template="cease-and-desist", recipient="Jonas Berg", agreement=None, tz=TZ,
        company="Fallback Ltd", vault_=_vault(world),
    )  # fmt: skip
    assert ctx.recipient == Recipient(
        name="Jonas Berg", organisation="Meridian Tooling GmbH", email=world.jonas_email
    )
    assert (ctx.organisation.name, ctx.organisation.country_code) == (COMPANY, "US")
    assert (ctx.author.name, ctx.author.title) == ("Dana Whitfield", "General Counsel")
    assert ctx.organisation.contact_email == world.legal_email
    (nda,) = ctx.agreements
    assert nda.ref == world.agreement_ref and nda.counterparty == "Meridian Tooling GmbH"
    assert nda.governing_law == "the State of California"
    assert nda.governing_law_subdivision == "US-CA"
    clauses = {(c.number, c.topic) for c in nda.clauses}
    assert {
        ("1", ClauseTopic.CONFIDENTIALITY),
        ("2", ClauseTopic.NON_USE),
        ("3", ClauseTopic.CONFIDENTIALITY),
        ("4", ClauseTopic.RETURN_OR_DESTROY),
        ("5", ClauseTopic.REMEDIES),
        ("6", ClauseTopic.GOVERNING_LAW),
    } <= clauses
    returned = next(c for c in nda.clauses if c.topic == ClauseTopic.RETURN_OR_DESTROY)
    assert returned.heading == "Return of Materials"
    assert returned.text.startswith("Upon termination the Recipient shall return or destroy")
    (copy,) = ctx.disclosures
    assert (copy.copy_ref, copy.watermark, copy.secret_ref) == (
        world.copy_id,
        world.copy_id,
        world.secret_ref,
    )
    assert copy.document == "Pigment process sheet"
    assert copy.recipient == "Jonas Berg (Meridian Tooling GmbH)"
    assert [(s.ref, s.name, s.category) for s in ctx.secrets] == [
        (world.secret_ref, "Blue pigment", "process")
    ]
    assert [p.name for p in ctx.people] == ["Jonas Berg"]
    today = clock.now().astimezone(ZoneInfo(TZ)).date()
    assert ctx.today == today and ctx.respond_by == today + timedelta(days=10)
    dtsa = next(c for c in ctx.clocks if c.citation == "18 U.S.C. §1836(d)")
    assert dtsa.regime is None and dtsa.due.endswith("23:59 EST")


def test_the_cease_and_desist_letter_opens_as_docx_and_pdf(session: Session, world: World) -> None:
    name, media, data = _cease(session, world)
    assert name == f"{world.case_ref}-cease-and-desist-jonas-berg.docx"
    assert media.endswith("wordprocessingml.document")
    words = flat(docx_text(data, name))
    for expected in ("Jonas Berg", world.agreement_ref, world.copy_id, "Cal. Civ. Code § 3426"):
        assert expected in words, expected
    assert "Clause 4 (Return of Materials)" in words
    name, media, data = _cease(session, world, "pdf")
    assert (name.endswith(".pdf"), media) == (True, "application/pdf")
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    text = flat(" ".join(p.extract_text() for p in pages))
    for expected in ("Jonas Berg", world.agreement_ref):
        assert expected in text, expected
    # a table's narrow cell wraps the copy's 26-character id
    assert world.copy_id in text.replace(" ", ""), text


def test_each_letter_is_recorded_with_the_hash_of_its_file(session: Session, world: World) -> None:
    name, _, data = _cease(session, world)
    row = cases.row(session, system_actor("test"), world.case_ref)
    event = next(
        e
        for e in custody.history(session, subject_type="incident", subject_id=row.id)
        if e.event_type == "INCIDENT_LETTER_GENERATED"
    )
    assert event.details == {
        "ref": world.case_ref,
        "template": "cease-and-desist",
        "recipient": world.jonas_email,
        "agreements": [world.agreement_ref],
        "format": "docx",
        "filename": name,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert event.actor == world.actors[Role.LEGAL].ref


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_every_letter_drafts_from_the_case(session: Session, world: World, key: str) -> None:
    to = {"cease-and-desist": world.jonas_email, "vendor-breach": "Meridian Tooling GmbH"}
    shown = service.preview(
        session, actor=world.actors[Role.SECURITY], ref=world.case_ref, template=key,
        recipient=to.get(key), tz=TZ, company=COMPANY, vault_=_vault(world),
    )  # fmt: skip
    assert shown.case == world.case_ref and world.case_ref in shown.text
    assert shown.sha256 == hashlib.sha256(shown.text.encode()).hexdigest()


def test_a_regulator_letter_without_its_deadline_is_drafted_with_a_caution(
    session: Session, world: World
) -> None:
    listed = service.templates(session, actor=world.actors[Role.LEGAL], ref=world.case_ref, tz=TZ)
    assert [t.key for t in listed] == ["cease-and-desist", "internal-briefing"]
    cease = listed[0]
    assert cease.needs_recipient and cease.takes_recipient
    assert {c.value for c in cease.recipients} == {world.jonas_email, "Meridian Tooling GmbH"}
    assert [c.value for c in cease.agreements] == [world.agreement_ref]
    every = service.templates(
        session, actor=world.actors[Role.LEGAL], ref=world.case_ref, tz=TZ, everything=True
    )
    sec = next(t for t in every if t.key == "regulator-sec")
    assert not sec.applies and sec.note == f"No deadline of {world.case_ref} falls under sec"
    shown = service.preview(
        session, actor=world.actors[Role.LEGAL], ref=world.case_ref, template="regulator-sec",
        tz=TZ, company=COMPANY, vault_=_vault(world),
    )  # fmt: skip
    assert any("No deadline" in n and "sec" in n for n in shown.notes)
    assert "Form 8-K" in shown.title


def _draft(session: Session, world: World, template: str, **typed: str) -> None:
    service.generate(
        session, actor=world.actors[Role.LEGAL], ref=world.case_ref, template=template,
        recipient=typed.get("recipient"), agreement=typed.get("agreement"),
        fmt=typed.get("fmt", "docx"), tz=TZ, company=COMPANY,
    )  # fmt: skip


def test_letters_refuse_a_missing_or_foreign_recipient_in_words(
    session: Session, world: World
) -> None:
    with pytest.raises(LetterNeeds, match=r"choose its recipient.*Jonas Berg \(Meridian"):
        _draft(session, world, "cease-and-desist")
    with pytest.raises(NotConcerned, match=r"nobody@example\.com is not a person or organisation"):
        _draft(session, world, "cease-and-desist", recipient="nobody@example.com")
    with pytest.raises(NotConcerned, match="AG-1999-001 is not an agreement of"):
        _draft(
            session, world, "cease-and-desist", recipient=world.jonas_email,
            agreement="AG-1999-001",
        )  # fmt: skip
    with pytest.raises(NotFound, match="There is no letter 'apology'"):
        _draft(session, world, "apology")
    with pytest.raises(Invalid, match="no format 'rtf'"):
        _draft(session, world, "internal-briefing", fmt="rtf")


def test_drafting_needs_incidents_write_and_a_visible_case(session: Session, world: World) -> None:
    for role, error in ((Role.COMPLIANCE, Forbidden), (Role.VENDOR_USER, CaseNotFound)):
        with pytest.raises(error):
            service.generate(
                session, actor=world.actors[role], ref=world.case_ref,
                template="internal-briefing", tz=TZ, company=COMPANY,
            )  # fmt: skip
    listed = service.templates(
        session, actor=world.actors[Role.COMPLIANCE], ref=world.case_ref, tz=TZ
    )
    assert listed


def test_legal_steps_in_order_in_custody_and_in_the_briefing(
    session: Session, world: World
) -> None:
    legal = world.actors[Role.LEGAL]
    now = clock.now()
    later = service.record_step(
        session, actor=legal, ref=world.case_ref,
        data=StepCreate(kind=StepKind.TRO_APPLIED, note="N.D. Cal., ex parte"),
    )  # fmt: skip
    first = service.record_step(
        session,
        actor=legal,
        ref=world.case_ref,
        data=StepCreate.model_validate(
            {"kind": "counsel-engaged", "taken_at": (now - timedelta(days=1)).replace(tzinfo=None)}
        ),
    )
    assert first.taken_at == now - timedelta(days=1)
    assert first.recorded_by == f"Dana Whitfield ({world.legal_email})"
    listed = service.steps(session, actor=world.actors[Role.COMPLIANCE], ref=world.case_ref)
    assert [(s.number, s.kind) for s in listed] == [
        (1, StepKind.COUNSEL_ENGAGED),
        (2, StepKind.TRO_APPLIED),
    ]
    assert later.kind_words.startswith("temporary restraining order")
    row = cases.row(session, legal, world.case_ref)
    events = custody.history(session, subject_type="incident", subject_id=row.id)
    step = next(e for e in events if e.event_type == "INCIDENT_LEGAL_STEP")
    assert step.details["kind"] == "counsel-engaged"
    shown = service.preview(
        session, actor=legal, ref=world.case_ref, template="internal-briefing", tz=TZ,
        company=COMPANY,
    )  # fmt: skip
    assert "N.D. Cal., ex parte" in shown.text


def test_legal_steps_are_refused_in_the_future_or_without_a_word(
    session: Session, world: World
) -> None:
    legal = world.actors[Role.LEGAL]
    future = StepCreate(kind=StepKind.SETTLEMENT, taken_at=clock.now() + timedelta(hours=1))
    with pytest.raises(Invalid, match="cannot be taken in the future"):
        service.record_step(session, actor=legal, ref=world.case_ref, data=future)
    with pytest.raises(ValidationError, match="say in the note what the step was"):
        StepCreate.model_validate({"kind": "other"})
    with pytest.raises(Forbidden):
        service.record_step(
            session,
            actor=world.actors[Role.COMPLIANCE],
            ref=world.case_ref,
            data=StepCreate(kind=StepKind.POLICE_REPORT),
        )


def test_without_the_vault_the_clauses_are_left_to_counsel(
    session: Session, world: World, tmp_path: Path
) -> None:
    built = context.build(
        session, actor=world.actors[Role.LEGAL], ref=world.case_ref, template="cease-and-desist",
        recipient="Meridian Tooling GmbH", agreement=world.agreement_ref, tz="Europe/Berlin",
        company=COMPANY,
    )  # fmt: skip
    assert built.context.agreements[0].clauses == ()
    assert any("not quoted: the vault is not open" in n for n in built.notes)
    assert built.context.recipient == Recipient(
        name="Meridian Tooling GmbH", organisation="Meridian Tooling GmbH"
    )
    with pytest.raises(Invalid, match="is not a time zone"):
        context.build(
            session, actor=world.actors[Role.LEGAL], ref=world.case_ref,
            template="internal-briefing", recipient=None, agreement=None, tz="Mars/Olympus",
            company=COMPANY,
        )  # fmt: skip
