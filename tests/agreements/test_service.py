"""The agreements service on a real database (both engines): recording with parties, scope and
signatories; updates, lifecycle and their custody events; the questions the access rules ask;
the expiry and renewal jobs; documents in the vault, clause analysis and legal's review."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels import registry
from crownjewels.agreements import coverage, documents, service
from crownjewels.agreements import jobs as agreement_jobs
from crownjewels.agreements import review as reviews
from crownjewels.agreements.analysis.errors import UnreadableDocument
from crownjewels.agreements.errors import (
    AgreementNotFound,
    BadAgreement,
    BadStatusChange,
    FindingNotFound,
    StaleAgreement,
    VersionNotFound,
)
from crownjewels.agreements.models import AgreementVersion, ClauseFinding
from crownjewels.agreements.schemas import (
    Activation,
    AgreementCreate,
    AgreementFilter,
    AgreementRead,
    AgreementUpdate,
    FindingReview,
    Renewal,
    Termination,
)
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import CrownJewelsError, Forbidden, Invalid, NotFound
from crownjewels.core.jobs import JobContext
from crownjewels.core.models import Base
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.inventory.schemas import Category, SecretRead
from crownjewels.parties.schemas import OrganisationRead, PersonRead
from crownjewels.settings import Settings
from crownjewels.vault import lifecycle
from crownjewels.vault.service import Vault
from tests.agreements.samples import NDA_TEXT, corrupt_pdf, nda_docx, nda_pdf, scanned_pdf
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_org, make_user

TODAY = clock.today()


def _create(session: Session, actor: Actor, **fields: object) -> AgreementRead:
    data = AgreementCreate.model_validate(
        {
            "kind": "nda",
            "title": "Mutual NDA",
            "status": "in_force",
            "effective_on": TODAY - timedelta(days=30),
            "expires_on": TODAY + timedelta(days=335),
            "governing_law": "US",
            **fields,
        }
    )
    return service.create(session, actor=actor, data=data)


def _events(session: Session, agreement_id: str) -> list[str]:
    return [
        e.event_type
        for e in reversed(
            custody.history(session, subject_type="agreement", subject_id=agreement_id)
        )
    ]


def _actor(session: Session, admin: Actor, role: Role) -> Actor:
    return actor_for(session, make_user(session, admin, role))


# --- recording -------------------------------------------------------------------------------


def test_create_with_parties_scope_and_signatories(
    session: Session,
    admin: Actor,
    vendor: OrganisationRead,
    vendor_person: PersonRead,
    recipe: SecretRead,
) -> None:
    agreement = _create(
        session,
        admin,
        parties=[
            {"organisation": vendor.name, "role": "recipient"},
            {"person": vendor_person.email, "role": "recipient"},
        ],
        scope="named",
        secrets=[recipe.ref],
        signatories=[
            {"name": "Priya Shah", "title": "COO", "party": vendor.name, "signed_on": TODAY},
        ],
        governing_law="US",
        governing_law_subdivision="US-NY",
        forum="Courts of New York County",
    )
    assert agreement.ref == f"AG-{TODAY.year}-001"
    assert {p.name for p in agreement.parties} == {vendor.name, vendor_person.full_name}
    assert [s.ref for s in agreement.secrets] == [recipe.ref]
    assert agreement.signatories[0].party_id == next(
        p.id for p in agreement.parties if p.organisation_id == vendor.id
    )
    assert agreement.in_force_today and agreement.standing.endswith("is in force")
    assert _events(session, agreement.id) == ["AGREEMENT_ADDED"]
    event = custody.history(session, subject_type="agreement", subject_id=agreement.id)[0]
    assert event.details["after"]["secrets"] == [recipe.id]
    assert event.details["after"]["governing_law_subdivision"] == "US-NY"
    second = _create(session, admin, title="Second")
    assert second.ref == f"AG-{TODAY.year}-002"


@pytest.mark.parametrize(
    ("fields", "error", "needle"),
    [
        (
            {"signatories": [{"name": "Somebody", "party": "Nobody Ltd"}]},
            BadAgreement,
            "not a party of the agreement",
        ),
        (
            {"parties": [{"organisation": "No Such Org"}]},
            NotFound,
            "no organisation 'No Such Org'",
        ),
        ({"scope": "named", "secrets": ["TS-9999"]}, NotFound, "no trade secret 'TS-9999'"),
        ({"secrets": ["TS-0001"]}, BadAgreement, "use scope 'named'"),
        (
            {"scope": "named", "secrets": ["x"], "categories": ["formula"]},
            BadAgreement,
            "categories",
        ),
        (
            {"signatories": [{"name": "Future", "signed_on": TODAY + timedelta(days=3)}]},
            BadAgreement,
            "is in the future",
        ),
    ],
)
def test_create_refuses_bad_input_with_the_fix(
    session: Session, admin: Actor, fields: dict[str, object], error: type[Exception], needle: str
) -> None:
    with pytest.raises(error, match=needle):
        _create(session, admin, **fields)


def test_a_party_named_twice_is_refused(
    session: Session, admin: Actor, vendor: OrganisationRead
) -> None:
    with pytest.raises(BadAgreement, match="already names this party"):
        _create(
            session, admin, parties=[{"organisation": vendor.id}, {"organisation": vendor.name}]
        )


def test_schema_refuses_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="before effective_on"):
        AgreementCreate(
            kind="nda", title="x", effective_on=date(2026, 2, 1), expires_on=date(2026, 1, 1)
        )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs effective_on"):
        AgreementCreate(kind="nda", title="x", status="in_force")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not in DE"):
        AgreementCreate(
            kind="nda", title="x", governing_law="DE", governing_law_subdivision="US-CA"
        )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs at least one secret"):
        AgreementCreate(kind="nda", title="x", scope="named")  # type: ignore[arg-type]


def test_a_role_without_agreements_write_cannot_record(session: Session, admin: Actor) -> None:
    auditor = _actor(session, admin, Role.AUDITOR)
    with pytest.raises(Forbidden, match="agreements:write"):
        _create(session, auditor)
    vendor_user = _actor(session, admin, Role.VENDOR_USER)
    made = _create(session, admin)
    with pytest.raises(AgreementNotFound):  # invisible: a 404, not a leak
        service.get(session, actor=vendor_user, agreement_ref=made.ref)


def test_update_records_before_and_after_and_guards_lost_updates(
    session: Session, admin: Actor, recipe: SecretRead
) -> None:
    made = _create(session, admin)
    changed = service.update(
        session,
        actor=admin,
        agreement_ref=made.ref,
        changes=AgreementUpdate(title="Mutual NDA (amended)", forum="SIAC", version=made.version),
    )
    assert changed.title == "Mutual NDA (amended)" and changed.version == made.version + 1
    scoped = service.update(
        session,
        actor=admin,
        agreement_ref=made.ref,
        changes=AgreementUpdate(scope="categories", categories=[Category.FORMULA]),  # type: ignore[arg-type]
    )
    assert scoped.scope == "categories" and scoped.categories == ["formula"]
    assert _events(session, made.id) == [
        "AGREEMENT_ADDED",
        "AGREEMENT_UPDATED",
        "AGREEMENT_SCOPE_CHANGED",
    ]
    history = custody.history(session, subject_type="agreement", subject_id=made.id)
    assert history[1].details == {
        "before": {"title": "Mutual NDA", "forum": None},
        "after": {"title": "Mutual NDA (amended)", "forum": "SIAC"},
    }
    with pytest.raises(StaleAgreement, match="changed by someone else"):
        service.update(
            session,
            actor=admin,
            agreement_ref=made.ref,
            changes=AgreementUpdate(title="Lost", version=made.version),
        )
    with pytest.raises(BadAgreement, match="before effective_on"):
        service.update(
            session,
            actor=admin,
            agreement_ref=made.ref,
            changes=AgreementUpdate(expires_on=TODAY - timedelta(days=365)),
        )


# --- lifecycle -------------------------------------------------------------------------------


def test_draft_activate_terminate(session: Session, admin: Actor) -> None:
    draft = _create(session, admin, status="draft", effective_on=None)
    assert not draft.in_force_today and "draft" in draft.standing
    active = service.activate(session, actor=admin, agreement_ref=draft.ref, data=Activation())
    assert active.status == "in_force" and active.effective_on == TODAY
    with pytest.raises(BadStatusChange, match="it can change to: expired, terminated"):
        service.activate(session, actor=admin, agreement_ref=draft.ref, data=Activation())
    ended = service.terminate(
        session,
        actor=admin,
        agreement_ref=draft.ref,
        data=Termination(reason="vendor offboarded", terminated_on=TODAY + timedelta(days=30)),
    )
    # notice period: terminated, yet it binds until the termination date
    assert ended.status == "terminated" and ended.in_force_today
    assert ended.status_reason == "vendor offboarded"
    with pytest.raises(BadStatusChange, match="only a draft or an agreement in force"):
        service.terminate(
            session, actor=admin, agreement_ref=draft.ref, data=Termination(reason="again")
        )
    assert _events(session, draft.id) == [
        "AGREEMENT_ADDED",
        "AGREEMENT_STATUS_CHANGED",
        "AGREEMENT_TERMINATED",
    ]


def test_termination_before_the_start_is_refused(session: Session, admin: Actor) -> None:
    made = _create(session, admin)
    with pytest.raises(BadStatusChange, match="before AG-"):
        service.terminate(
            session,
            actor=admin,
            agreement_ref=made.ref,
            data=Termination(reason="x", terminated_on=TODAY - timedelta(days=60)),
        )


def test_renew_extends_and_brings_an_expired_agreement_back(session: Session, admin: Actor) -> None:
    made = _create(
        session,
        admin,
        effective_on=TODAY - timedelta(days=400),
        expires_on=TODAY - timedelta(days=2),
    )
    assert service.mark_expired(session, actor=admin) == [made.ref]
    assert service.get(session, actor=admin, agreement_ref=made.ref).status == "expired"
    with pytest.raises(BadStatusChange, match="already past"):
        service.renew(
            session,
            actor=admin,
            agreement_ref=made.ref,
            data=Renewal(expires_on=TODAY - timedelta(days=1)),
        )
    renewed = service.renew(
        session,
        actor=admin,
        agreement_ref=made.ref,
        data=Renewal(expires_on=TODAY + timedelta(days=365), reason="second term"),
    )
    assert renewed.status == "in_force" and renewed.in_force_today
    with pytest.raises(BadStatusChange, match="is not after the current one"):
        service.renew(session, actor=admin, agreement_ref=made.ref, data=Renewal(expires_on=TODAY))
    assert _events(session, made.id)[-2:] == ["AGREEMENT_EXPIRED", "AGREEMENT_RENEWED"]


def test_mark_expired_is_idempotent_and_leaves_others(session: Session, admin: Actor) -> None:
    lapsed = _create(
        session,
        admin,
        effective_on=TODAY - timedelta(days=90),
        expires_on=TODAY - timedelta(days=1),
    )
    today_last = _create(session, admin, effective_on=TODAY - timedelta(days=90), expires_on=TODAY)
    assert service.mark_expired(session, actor=admin) == [lapsed.ref]
    assert service.mark_expired(session, actor=admin) == []
    assert service.get(session, actor=admin, agreement_ref=today_last.ref).status == "in_force"


def test_flag_renewals_once_per_window(session: Session, admin: Actor) -> None:
    soon = _create(session, admin, expires_on=TODAY + timedelta(days=20), renewal_notice_days=30)
    later = _create(session, admin, expires_on=TODAY + timedelta(days=200), renewal_notice_days=30)
    assert service.get(session, actor=admin, agreement_ref=soon.ref).renewal_due
    assert not service.get(session, actor=admin, agreement_ref=later.ref).renewal_due
    assert service.flag_renewals(session, actor=admin) == [soon.ref]
    assert service.flag_renewals(session, actor=admin) == []  # once per window
    # renewing opens a new window for the new expiry
    service.renew(
        session,
        actor=admin,
        agreement_ref=soon.ref,
        data=Renewal(expires_on=TODAY + timedelta(days=25)),
    )
    assert service.flag_renewals(session, actor=admin) == [soon.ref]
    events = _events(session, soon.id)
    assert events.count("AGREEMENT_RENEWAL_DUE") == 2
    due = custody.history(session, subject_type="agreement", subject_id=soon.id)[0]
    assert due.details["days_left"] == 25 and due.details["notice_days"] == 30


# --- the questions the access rules ask ------------------------------------------------------


def test_in_force_for_and_covering(
    session: Session,
    admin: Actor,
    vendor: OrganisationRead,
    vendor_person: PersonRead,
    recipe: SecretRead,
) -> None:
    code = make_secret(session, admin, name="Router firmware", category=Category.SOURCE_CODE)
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    org_nda = _create(
        session,
        admin,
        effective_on=start,
        expires_on=end,
        parties=[{"organisation": vendor.id}],
        scope="categories",
        categories=["formula"],
    )
    person_nda = _create(
        session,
        admin,
        kind="contractor-confidentiality",
        effective_on=start,
        expires_on=None,
        parties=[{"person": vendor_person.id}],
        scope="named",
        secrets=[code.ref],
    )
    _create(session, admin, status="draft", parties=[{"organisation": vendor.id}])
    other = make_org(session, admin, name="Unrelated Co")

    def refs(found: list[AgreementRead]) -> list[str]:
        return [a.ref for a in found]

    on = date(2026, 6, 1)
    assert refs(coverage.in_force_for(session, admin, organisation_id=vendor.id, on=on)) == [
        org_nda.ref
    ]
    both = coverage.in_force_for(
        session, admin, organisation_id=vendor.id, person_id=vendor_person.id, on=on
    )
    assert refs(both) == sorted([org_nda.ref, person_nda.ref])
    assert coverage.in_force_for(session, admin, organisation_id=other.id, on=on) == []
    # boundaries: inclusive first and last day
    assert refs(coverage.in_force_for(session, admin, organisation_id=vendor.id, on=start))
    assert refs(coverage.in_force_for(session, admin, organisation_id=vendor.id, on=end))
    assert not coverage.in_force_for(
        session, admin, organisation_id=vendor.id, on=end + timedelta(days=1)
    )
    assert not coverage.in_force_for(
        session, admin, organisation_id=vendor.id, on=start - timedelta(days=1)
    )

    kw = {"organisation_id": vendor.id, "person_id": vendor_person.id, "on": on}
    assert refs(coverage.covering(session, admin, secret_id=recipe.id, **kw)) == [org_nda.ref]  # type: ignore[arg-type]
    assert refs(coverage.covering(session, admin, secret_id=code.id, **kw)) == [person_nda.ref]  # type: ignore[arg-type]
    assert (
        coverage.covering(
            session, admin, secret_id=recipe.id, organisation_id=vendor.id, on=date(2027, 1, 1)
        )
        == []
    )
    with pytest.raises(Invalid, match="name the organisation or the person"):
        coverage.in_force_for(session, admin, on=on)


def test_list_filters(
    session: Session, admin: Actor, vendor: OrganisationRead, recipe: SecretRead
) -> None:
    nda = _create(
        session, admin, parties=[{"organisation": vendor.id}], expires_on=TODAY + timedelta(days=10)
    )
    msa = _create(session, admin, kind="msa", title="Master services", expires_on=None)
    draft = _create(session, admin, kind="dpa", status="draft", scope="named", secrets=[recipe.id])

    def listed(**flt: object) -> list[str]:
        items, _ = service.list_agreements(
            session, actor=admin, filters=AgreementFilter.model_validate(flt), page=PageParams()
        )
        return [a.ref for a in items]

    assert listed() == [nda.ref, draft.ref, msa.ref]  # soonest expiry first, open-ended last
    assert listed(kind="msa") == [msa.ref]
    assert listed(status="draft") == [draft.ref]
    assert listed(organisation=vendor.name) == [nda.ref]
    assert listed(expiring_within_days=30) == [nda.ref]
    assert set(listed(secret=recipe.ref)) == {nda.ref, msa.ref, draft.ref}  # scope all covers it
    assert listed(q="master") == [msa.ref]
    assert listed(renewal_due=True) == [nda.ref]  # 10 days left, 60 days' notice


# --- documents and analysis ------------------------------------------------------------------


def test_upload_analyse_and_review(session: Session, admin: Actor, vault: Vault) -> None:
    made = _create(session, admin)
    with pytest.raises(VersionNotFound, match="has no document yet"):
        documents.analyse_version(session, actor=admin, vault_=vault, agreement_ref=made.ref)
    v1 = documents.upload_version(
        session,
        actor=admin,
        vault_=vault,
        agreement_ref=made.ref,
        upload=io.BytesIO(nda_pdf()),
        filename="nda.pdf",
    )
    v2 = documents.upload_version(
        session,
        actor=admin,
        vault_=vault,
        agreement_ref=made.ref,
        upload=io.BytesIO(nda_docx()),
        filename="nda.docx",
    )
    assert (v1.number, v1.media_type, v1.document_version) == (1, "application/pdf", 1)
    assert v2.number == 2 and v2.document_id == v1.document_id and v2.document_version == 2

    detail = documents.analyse_version(session, actor=admin, vault_=vault, agreement_ref=made.ref)
    assert detail.findings_version == 2
    by_req = {f.requirement: f for f in detail.findings}
    assert by_req["limited_use"].status == "satisfied"
    assert by_req["breach_notification"].status == "contradicted"
    assert by_req["audit_right"].status == "not_mentioned"
    _, text = documents.version_text(session, actor=admin, vault_=vault, agreement_ref=made.ref)
    for f in detail.findings:
        for e in f.evidence:
            assert text[e.start : e.end] == e.text
    version = session.scalar(
        select(AgreementVersion).where(AgreementVersion.id == detail.versions[1].id)
    )
    assert version is not None and version.text_sha256 == documents.text_digest(text)
    assert version.jurisdiction == "US"

    # analysing again replaces the findings, never duplicates them
    documents.analyse_version(session, actor=admin, vault_=vault, agreement_ref=made.ref, number=2)
    count = session.scalar(
        select(func.count())
        .select_from(ClauseFinding)
        .where(ClauseFinding.version_id == version.id)
    )
    assert count == len(detail.findings)

    finding = by_req["breach_notification"]
    with pytest.raises(ValueError, match="needs a `reason`"):
        FindingReview(decision="overridden", status="satisfied")  # type: ignore[arg-type]
    fresh = documents.findings(session, actor=admin, agreement_ref=made.ref)
    target = next(f for f in fresh if f.requirement == "breach_notification")
    reviewed = reviews.review_finding(
        session,
        actor=admin,
        agreement_ref=made.ref,
        finding_id=target.id,
        data=FindingReview(
            decision="overridden", status="satisfied", reason="schedule 3 has a 48 h notice"
        ),  # type: ignore[arg-type]
    )
    assert reviewed.effective_status == "satisfied" and reviewed.status == finding.status
    accepted = reviews.review_finding(
        session,
        actor=admin,
        agreement_ref=made.ref,
        finding_id=target.id,
        data=FindingReview(decision="accepted"),  # type: ignore[arg-type]
    )
    assert accepted.review == "accepted" and accepted.effective_status == "contradicted"
    with pytest.raises(FindingNotFound):
        reviews.review_finding(
            session,
            actor=admin,
            agreement_ref=made.ref,
            finding_id="nope",
            data=FindingReview(decision="accepted"),  # type: ignore[arg-type]
        )
    events = _events(session, made.id)
    assert events == [
        "AGREEMENT_ADDED",
        "AGREEMENT_VERSION_UPLOADED",
        "AGREEMENT_VERSION_UPLOADED",
        "AGREEMENT_ANALYSED",
        "AGREEMENT_ANALYSED",
        "AGREEMENT_FINDING_REVIEWED",
        "AGREEMENT_FINDING_REVIEWED",
    ]


def test_a_governing_law_without_a_profile_is_analysed_under_the_named_fallback(
    session: Session, admin: Actor, vault: Vault
) -> None:
    """Once a governing law without a profile (Texas, South Africa) was analysed with the
    generic profile and nothing said so; now the fallback is the nearest profile (the US for
    US-TX) and the custody event names it."""
    for law, subdivision, profile, jurisdiction in (
        ("US", "US-TX", "nda/US", "US"),
        ("ZA", None, "nda/generic", None),
    ):
        made = _create(session, admin, governing_law=law, governing_law_subdivision=subdivision)
        documents.upload_version(
            session,
            actor=admin,
            vault_=vault,
            agreement_ref=made.ref,
            upload=io.BytesIO(NDA_TEXT.encode()),
            filename="nda.txt",
        )
        documents.analyse_version(session, actor=admin, vault_=vault, agreement_ref=made.ref)
        event = custody.history(session, subject_type="agreement", subject_id=made.id)[0]
        assert event.event_type == "AGREEMENT_ANALYSED"
        assert event.details["profile"] == profile
        assert event.details["jurisdiction"] == jurisdiction
        assert (
            f"no requirement profile for jurisdiction {subdivision or law}"
            in (event.details["fallback"])
        )


def _every_row(session: Session) -> str:
    """Every row of every table as text (JSON columns decoded, so no escaping hides a word)."""
    session.flush()
    rows = [
        json.dumps(list(row), ensure_ascii=False, default=str)
        for table in Base.metadata.sorted_tables
        for row in session.execute(table.select())
    ]
    return "\n".join(rows)


def test_evidence_sentences_are_never_stored_and_go_with_the_document(
    session: Session, admin: Actor, vault: Vault
) -> None:
    made = _create(session, admin)
    version = documents.upload_version(
        session,
        actor=admin,
        vault_=vault,
        agreement_ref=made.ref,
        upload=io.BytesIO(nda_pdf()),
        filename="nda.pdf",
    )
    analysed = documents.analyse_version(session, actor=admin, vault_=vault, agreement_ref=made.ref)
    sentences = {e.text for f in analysed.findings for e in f.evidence}
    assert len(sentences) > 5 and None not in sentences
    stored = _every_row(session)
    assert "limited_use" in stored  # the dump does hold the findings
    assert [s for s in sentences if s and s in stored] == []

    bare = documents.findings(session, actor=admin, agreement_ref=made.ref)
    assert all(e.text is None and e.digest for f in bare for e in f.evidence)
    quoted = documents.findings(session, actor=admin, agreement_ref=made.ref, vault_=vault)
    assert {e.text for f in quoted for e in f.evidence} == sentences

    lifecycle.destroy(
        session, actor=admin, vault=vault, document_id=version.document_id, reason="shred"
    )
    with pytest.raises(CrownJewelsError, match="destroyed"):
        documents.findings(session, actor=admin, agreement_ref=made.ref, vault_=vault)
    after = documents.findings(session, actor=admin, agreement_ref=made.ref)
    assert [f.requirement for f in after] == [f.requirement for f in bare]
    stored = _every_row(session)
    assert [s for s in sentences if s and s in stored] == []


def test_review_needs_agreements_review(session: Session, admin: Actor, vault: Vault) -> None:
    made = _create(session, admin)
    documents.upload_version(
        session,
        actor=admin,
        vault_=vault,
        agreement_ref=made.ref,
        upload=io.BytesIO(NDA_TEXT.encode()),
        filename="nda.txt",
    )
    detail = documents.analyse_version(session, actor=admin, vault_=vault, agreement_ref=made.ref)
    manager = _actor(session, admin, Role.VENDOR_MANAGER)
    with pytest.raises(Forbidden, match="agreements:review"):
        reviews.review_finding(
            session,
            actor=manager,
            agreement_ref=made.ref,
            finding_id=detail.findings[0].id,
            data=FindingReview(decision="accepted"),  # type: ignore[arg-type]
        )
    legal = _actor(session, admin, Role.LEGAL)
    assert (
        reviews.review_finding(
            session,
            actor=legal,
            agreement_ref=made.ref,
            finding_id=detail.findings[0].id,
            data=FindingReview(decision="accepted"),  # type: ignore[arg-type]
        ).reviewed_by
        == legal.ref
    )


def _count(db: Database, model: type) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_failed_analysis_leaves_the_agreement_as_it_was(
    db: Database, admin: Actor, vault: Vault
) -> None:
    data, needle = scanned_pdf(), "no text layer: run OCR first"
    with db.unit_of_work() as s:
        made = _create(s, admin)
        documents.upload_version(
            s,
            actor=admin,
            vault_=vault,
            agreement_ref=made.ref,
            upload=io.BytesIO(data),
            filename="scan.pdf",
        )
    before = (_count(db, ClauseFinding), _count(db, CustodyEvent))
    with pytest.raises(UnreadableDocument, match=needle), db.unit_of_work() as s:
        documents.analyse_version(s, actor=admin, vault_=vault, agreement_ref=made.ref)
    assert (_count(db, ClauseFinding), _count(db, CustodyEvent)) == before
    with db.unit_of_work(write=False) as s:
        version = s.scalar(select(AgreementVersion).where(AgreementVersion.agreement_id == made.id))
        assert version is not None and version.analysed_at is None and version.text_sha256 is None


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "unsupported file type"),
        (corrupt_pdf(), "not a valid PDF"),
    ],
    ids=["png", "corrupt-pdf"],
)
def test_an_unsupported_or_corrupt_file_is_refused_and_nothing_kept(
    db: Database, admin: Actor, vault: Vault, data: bytes, needle: str
) -> None:
    with db.unit_of_work() as s:
        made = _create(s, admin)
    before = _count(db, AgreementVersion)
    with pytest.raises(CrownJewelsError, match=needle), db.unit_of_work() as s:
        documents.upload_version(
            s,
            actor=admin,
            vault_=vault,
            agreement_ref=made.ref,
            upload=io.BytesIO(data),
            filename="file.pdf",
        )
    assert _count(db, AgreementVersion) == before
    assert list(vault.store.listing()) == []  # the blob went with the rollback


def test_the_jobs_run_in_their_own_units_of_work(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    with db.unit_of_work() as s:
        lapsed = _create(
            s, admin, effective_on=TODAY - timedelta(days=90), expires_on=TODAY - timedelta(days=1)
        )
        soon = _create(s, admin, expires_on=TODAY + timedelta(days=5), renewal_notice_days=10)
    ctx = JobContext(db=db, settings=Settings(home=tmp_path, secret_key="k" * 32))
    assert agreement_jobs.mark_expired(ctx) == f"expired {lapsed.ref}"
    assert agreement_jobs.mark_expired(ctx) is None
    assert agreement_jobs.flag_renewals(ctx) == f"renewal due: {soon.ref}"
    assert agreement_jobs.flag_renewals(ctx) is None
    names = {j.name for j in registry.JOBS}
    assert {"agreements.mark_expired", "agreements.flag_renewals"} <= names
    with db.unit_of_work(write=False) as s:
        history = custody.history(s, subject_type="agreement", subject_id=lapsed.id)
        assert history[0].event_type == "AGREEMENT_EXPIRED"
        assert history[0].actor == "system:worker"
