"""Vendor pages: the list with its risk view and filters, a vendor's page with jurisdiction
panels, certificate badges, the chain and custody history; forms that refuse bad input with a
message next to the field and write nothing; who may see which page."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventFilter
from crownjewels.parties.schemas import OrgKind
from crownjewels.settings import Settings
from crownjewels.vault.keys import create_key_file
from crownjewels.vendors import certifications, contacts, service
from crownjewels.vendors.schemas import (
    CertificationCreate,
    ContactCreate,
    Criticality,
    SubcontractorAdd,
    VendorFilter,
)
from tests.parties.factories import make_org
from tests.vault import samples
from tests.vendors.factories import make_vendor
from tests.web.conftest import csrf_of
from tests.web.test_pages import field_error

ClientFor = Callable[..., TestClient]


@pytest.fixture
def world(db: Database) -> dict[str, str]:
    """Lotus (critical, IN) subcontracts to Mekong (medium, VN); Bayani (high, PH); a vendor
    organisation without a profile; a partner organisation."""
    admin = system_actor("test")
    today = clock.today()
    with db.unit_of_work() as s:
        lotus = make_vendor(s, admin, name="Lotus Process", criticality=Criticality.CRITICAL,
                            countries=["IN"])  # fmt: skip
        mekong = make_vendor(s, admin, name="Mekong Precision", country="VN",
                             criticality=Criticality.MEDIUM)  # fmt: skip
        make_vendor(s, admin, name="Bayani Contact", country="PH")
        service.add_subcontractor(
            s, actor=admin, vendor_ref=lotus.ref,
            data=SubcontractorAdd(subcontractor=mekong.ref, service="cartridge moulding"),
        )  # fmt: skip
        for standard, expires in (("iso-27001", 400), ("soc2-type2", 20), ("pci-dss", -3)):
            certifications.add_certification(
                s, actor=admin, vendor_ref=lotus.ref,
                data=CertificationCreate.model_validate(
                    {"standard": standard, "issuer": "BSI",
                     "expires_on": today + timedelta(days=expires)}
                ),
            )  # fmt: skip
        contacts.add_contact(
            s, actor=admin, vendor_ref=lotus.ref,
            data=ContactCreate(name="Arjun Mehta", email="arjun@lotus.example", is_primary=True),
        )  # fmt: skip
        spare = make_org(s, admin, name="Wisla Software", kind=OrgKind.VENDOR, country="PL")
        partner = make_org(s, admin, name="Helvetia AG", kind=OrgKind.PARTNER, country="CH")
    return {"lotus": lotus.ref, "mekong": mekong.ref, "spare": spare.id, "partner": partner.id}


def _vendors(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return service.list_vendors(
            s, actor=system_actor(), filters=VendorFilter(), page=PageParams()
        )[1]


def _events(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return custody.list_events(
            s, actor=system_actor(), filters=EventFilter(), page=PageParams(limit=1)
        )[1]


def _cell(page: str, country: str, criticality: str) -> str:
    row = re.search(rf'<tr data-country="{country}">(.*?)</tr>', page, re.S)
    assert row, f"no risk row for {country}"
    cell = re.search(rf'data-criticality="{criticality}">(.*?)</td>', row.group(1), re.S)
    assert cell
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def test_list_shows_the_risk_view_and_filters(client_for: ClientFor, world: dict[str, str]) -> None:
    client = client_for(Role.VENDOR_MANAGER)
    page = client.get("/vendors")
    assert page.status_code == 200
    assert 'href="/vendors" aria-current="page"' in page.text  # the nav link
    assert "Risk view" in page.text
    # Lotus is critical in IN, and in VN through its subcontractor Mekong (medium in VN)
    assert _cell(page.text, "IN", "critical") == "1"
    assert _cell(page.text, "VN", "critical") == "1"
    assert _cell(page.text, "VN", "medium") == "1"
    assert _cell(page.text, "PH", "high") == "1"
    assert _cell(page.text, "IN", "low") == "·"
    only = client.get("/vendors?criticality=critical")
    assert "Lotus Process" in only.text and "Bayani Contact" not in only.text
    vn = client.get("/vendors?country=VN", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in vn.text and "Lotus Process" in vn.text and "Mekong" in vn.text
    assert "Bayani" not in vn.text
    bad = client.get("/vendors?country=XX")
    assert bad.status_code == 422 and "not an ISO 3166 country code" in bad.text


def test_detail_shows_jurisdictions_badges_chain_and_history(
    client_for: ClientFor, world: dict[str, str]
) -> None:
    page = client_for(Role.AUDITOR).get(f"/vendors/{world['lotus']}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    panel = re.search(r'<section class="jurisdiction" id="jurisdiction-IN">(.*?)</section>', text,
                      re.S)  # fmt: skip
    assert panel, "no jurisdiction panel for India"
    assert "Priority Watch List" in panel.group(1)
    assert "https://ustr.gov/issue-areas/intellectual-property/special-301" in panel.group(1)
    assert "2026-12-01" in panel.group(1)  # the sources' retrieval date
    assert "through a subcontractor" in text  # VN reached through Mekong
    assert "badge-cert-valid" in text and "badge-cert-expiring" in text
    assert "badge-cert-expired" in text
    assert world["mekong"] in text and "cartridge moulding" in text
    assert "Arjun Mehta" in text and "Primary" in text
    assert "VENDOR_PROFILE_CREATED" in text and "VENDOR_CERTIFICATION_ADDED" in text
    # the due diligence and the agreements are the real ones (none recorded for Lotus here)
    assert "No completed assessment yet" in text and "No agreement with Lotus Process" in text
    assert 'id="status-form"' not in text  # an auditor reads, never writes


def test_stale_jurisdiction_warning_is_shown(client_for: ClientFor, world: dict[str, str]) -> None:
    page = client_for(Role.AUDITOR).get(f"/vendors/{world['lotus']}")
    # the shipped India profile quotes the 2025 USTR report, superseded after April 2026
    warning = re.search(r'class="stale-warning"[^>]*>([^<]*)<', page.text)
    assert warning and "The India profile may be out of date" in html.unescape(warning.group(1))


def test_create_form_refuses_bad_input_and_writes_nothing(
    client_for: ClientFor, world: dict[str, str], db: Database
) -> None:
    client = client_for(Role.VENDOR_MANAGER)
    form = client.get("/vendors/new")
    assert "Wisla Software" in form.text and "Lotus Process" not in form.text
    token = csrf_of(form.text)
    before, events = _vendors(db), _events(db)
    cases = [
        ({"organisation_id": world["spare"], "services": "LIMS", "criticality": "extreme"},
         "criticality", "Choose the criticality from the list"),
        ({"organisation_id": world["spare"], "services": "LIMS", "criticality": "high",
          "countries": "PL, XX"}, "countries", "not an ISO 3166 country code"),
        ({"organisation_id": world["partner"], "services": "LIMS", "criticality": "high"},
         "organisation_id", "kind partner, not vendor"),
        ({"organisation_id": "", "services": "LIMS", "criticality": "high"},
         "organisation_id", "Choose an organisation"),
        ({"organisation_id": world["spare"], "services": "LIMS", "criticality": ""},
         "criticality", "Choose a criticality"),
    ]  # fmt: skip
    for data, field, needle in cases:
        r = client.post("/vendors/new", data={**data, "csrf_token": token})
        assert r.status_code == 422, (field, r.text[:300])
        assert needle in html.unescape(field_error(r.text, field)), field
    assert (_vendors(db), _events(db)) == (before, events)
    ok = client.post(
        "/vendors/new",
        data={"organisation_id": world["spare"], "services": "LIMS integrations",
              "criticality": "high", "countries": "pl, DE", "csrf_token": token},
    )  # fmt: skip
    assert ok.status_code == 200 and ok.url.path.startswith("/vendors/VN-")
    assert "Wisla Software" in ok.text and "jurisdiction-DE" in ok.text
    assert _vendors(db) == before + 1


def test_small_forms_show_their_messages(
    client_for: ClientFor, world: dict[str, str], db: Database
) -> None:
    client = client_for(Role.VENDOR_MANAGER)
    page = client.get(f"/vendors/{world['mekong']}")
    token = csrf_of(page.text)
    picker = re.search(r'<select id="f-subcontractor".*?</select>', page.text, re.S)
    assert picker and world["lotus"] in picker.group(0) and world["mekong"] not in picker.group(0)
    events = _events(db)
    cycle = client.post(
        f"/vendors/{world['mekong']}/subcontractors",
        data={"subcontractor": world["lotus"], "service": "back", "csrf_token": token},
    )
    assert cycle.status_code == 422
    message = html.unescape(field_error(cycle.text, "subcontractor"))
    assert f"cycle {world['mekong']} -> {world['lotus']} -> {world['mekong']}" in message
    dates = client.post(
        f"/vendors/{world['mekong']}/certifications",
        data={"standard": "tisax", "issuer": "x", "issued_on": "2026-05-01",
              "expires_on": "2026-04-01", "csrf_token": token},
    )  # fmt: skip
    assert dates.status_code == 422 and "before the issue date" in html.unescape(dates.text)
    country = client.post(
        f"/vendors/{world['mekong']}/countries", data={"country": "QQ", "csrf_token": token}
    )
    assert "not an ISO 3166" in html.unescape(field_error(country.text, "country"))
    status = client.post(
        f"/vendors/{world['mekong']}/status",
        data={"status": "active", "reason": "go", "csrf_token": token},
    )
    assert "a prospect vendor cannot become active" in html.unescape(
        field_error(status.text, "status")
    )
    assert _events(db) == events
    moved = client.post(
        f"/vendors/{world['mekong']}/status",
        data={"status": "onboarding", "reason": "NDA signed", "csrf_token": token},
    )
    assert moved.status_code == 200 and "is now onboarding" in moved.text


def test_edit_form_saves_and_refuses_a_stale_version(
    client_for: ClientFor, world: dict[str, str]
) -> None:
    client = client_for(Role.VENDOR_MANAGER)
    form = client.get(f"/vendors/{world['lotus']}/edit")
    token = csrf_of(form.text)
    version = re.search(r'name="version" value="(\d+)"', form.text)
    assert version
    data = {"services": "Claims and reimbursement", "criticality": "high", "csrf_token": token}
    saved = client.post(f"/vendors/{world['lotus']}/edit", data={**data, "version": version[1]})
    assert saved.status_code == 200 and "Claims and reimbursement" in saved.text
    stale = client.post(f"/vendors/{world['lotus']}/edit", data={**data, "version": version[1]})
    assert stale.status_code == 409 and "changed by someone else" in html.unescape(stale.text)


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.AUDITOR, "/vendors", 200),
        (Role.AUDITOR, "/vendors/new", 403),
        (Role.SECRET_OWNER, "/vendors/{lotus}", 200),
        (Role.VENDOR_USER, "/vendors", 403),
        (Role.VENDOR_USER, "/vendors/{lotus}", 403),
        (Role.LEGAL, "/vendors/{lotus}/edit", 403),
        (Role.VENDOR_MANAGER, "/vendors/VN-9999", 404),
    ],
)
def test_who_may_open_which_page(
    client_for: ClientFor, world: dict[str, str], role: Role, path: str, status: int
) -> None:
    assert client_for(role).get(path.format(**world)).status_code == status


def test_certificate_uploaded_through_the_form_is_in_the_vault(
    client_for: ClientFor, world: dict[str, str], settings: Settings
) -> None:
    create_key_file(settings.home / "vault.key")
    client = client_for(Role.ADMIN)
    page = client.get(f"/vendors/{world['mekong']}")
    assert 'name="certificate"' in page.text
    pdf = samples.pdf()
    done = client.post(
        f"/vendors/{world['mekong']}/certifications",
        data={"standard": "other", "standard_name": "ISO 13485", "issuer": "Bureau Veritas",
              "expires_on": (clock.today() + timedelta(days=900)).isoformat(),
              "csrf_token": csrf_of(page.text)},
        files={"certificate": ("iso13485.pdf", pdf, "application/pdf")},
    )  # fmt: skip
    assert done.status_code == 200 and "ISO 13485 from Bureau Veritas is recorded" in done.text
    link = re.search(r'href="(/api/v1/documents/[^"]+/content)"', done.text)
    assert link, "no download link for the certificate"
    assert client.get(link.group(1)).content == pdf
    assert (
        'name="certificate"'
        in client_for(Role.VENDOR_MANAGER).get(f"/vendors/{world['mekong']}").text
    )  # a vendor manager attaches certificates (documents:write) and opens them
    manager_page = client_for(Role.VENDOR_MANAGER).get(f"/vendors/{world['mekong']}").text
    assert link.group(1) in manager_page
    assert client_for(Role.VENDOR_MANAGER).get(link.group(1)).content == pdf
    assert (
        'name="certificate"' not in client_for(Role.AUDITOR).get(f"/vendors/{world['mekong']}").text
    )


def test_a_vendors_agreements_are_on_its_page(
    db: Database, world: dict[str, str], client_for: ClientFor
) -> None:
    admin = system_actor("test")
    today = clock.today()
    with db.unit_of_work() as s:
        lotus = service.get(s, actor=admin, vendor_ref=world["lotus"])
        nda = agreements.create(
            s,
            actor=admin,
            data=AgreementCreate.model_validate(
                {
                    "kind": "nda",
                    "title": "Mutual NDA: claims",
                    "status": "in_force",
                    "effective_on": today - timedelta(days=10),
                    "expires_on": today + timedelta(days=30),
                    "parties": [{"organisation": lotus.organisation_id, "role": "mutual"}],
                }
            ),
        )
    page = client_for(Role.VENDOR_MANAGER).get(f"/vendors/{world['lotus']}")
    assert page.status_code == 200
    assert f'href="/agreements/{nda.ref}"' in page.text and "1 in force today" in page.text
    bare = client_for(Role.VENDOR_MANAGER).get(f"/vendors/{world['mekong']}")
    assert "No agreement with Mekong Precision" in bare.text
    assert client_for(Role.VENDOR_USER).get(f"/vendors/{world['lotus']}").status_code == 403


def test_transfer_mechanisms_and_assessments_on_the_vendor_page(
    client_for: ClientFor, world: dict[str, str], db: Database, settings: Settings
) -> None:
    create_key_file(settings.home / "vault.key")
    client = client_for(Role.VENDOR_MANAGER)
    page = client.get(f"/vendors/{world['lotus']}")
    assert 'id="transfers"' in page.text and "No transfer mechanism recorded" in page.text
    token = csrf_of(page.text)
    events = _events(db)
    refused = client.post(
        f"/vendors/{world['lotus']}/transfers/mechanisms",
        data={"regime": "UK", "kind": "scc", "module": "C2P", "countries": "IN",
              "csrf_token": token},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "the EU SCCs alone are not a UK mechanism" in html.unescape(refused.text)
    assert _events(db) == events
    done = client.post(
        f"/vendors/{world['lotus']}/transfers/mechanisms",
        data={"regime": "GDPR", "kind": "scc", "module": "C2P", "countries": "IN, PH",
              "effective_on": "2025-01-01", "csrf_token": token},
        files={"document": ("sccs.pdf", samples.pdf(), "application/pdf")},
    )  # fmt: skip
    assert done.status_code == 200, done.text
    assert "SCCs module C2P for GDPR transfers is recorded" in done.text
    row = re.search(r'<tr data-mechanism="[^"]+">(.*?)</tr>', done.text, re.S)
    assert row and "IN, PH" in row.group(1) and "download" in row.group(1)
    tia = client.post(
        f"/vendors/{world['lotus']}/transfers/assessments",
        data={"regime": "GDPR", "country": "IN", "assessed_on": "2025-01-05",
              "outcome": "proceed-with-measures", "csrf_token": token},
    )  # fmt: skip
    assert tia.status_code == 200 and "assessment of IN (proceed with measures)" in tia.text
    auditor = client_for(Role.AUDITOR).get(f"/vendors/{world['lotus']}").text
    assert "SCCs module C2P" in auditor and 'id="mechanism-form"' not in auditor
