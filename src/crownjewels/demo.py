"""The demo company: a realistic register seeded only through the services (so every row has its
custody event), with one login per role whose password and TOTP keys derive from the secret key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy.orm import Session

from crownjewels import demo_access
from crownjewels.agreements import documents as agreement_documents
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict, Invalid
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import MFA_EXEMPT, Role
from crownjewels.core.sealing import Sealer
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import (
    Factor,
    LegalTest,
    ReviewCreate,
    SecretCreate,
    SecretFilter,
    SecretStatus,
    StatusChange,
)
from crownjewels.parties import accounts
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import (
    Departure,
    OrganisationCreate,
    OrganisationFilter,
    PersonCreate,
    PersonFilter,
    UserCreate,
)
from crownjewels.vault import service as vault_service
from crownjewels.vendors import certifications as vendor_certifications
from crownjewels.vendors import contacts as vendor_contacts
from crownjewels.vendors import service as vendors
from crownjewels.vendors.diligence import loader as questionnaires
from crownjewels.vendors.diligence import review as diligence_review
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.diligence.schemas import (
    AnswersSave,
    AssessmentSend,
    Channel,
    Decision,
    RemediationCreate,
    Review,
    ReviewSave,
)
from crownjewels.vendors.schemas import (
    CertificationCreate,
    ContactCreate,
    SubcontractorAdd,
    VendorCreate,
)
from crownjewels.vendors.schemas import (
    StatusChange as VendorStatusChange,
)

COMPANY = "Northwind Biologics"
DOMAIN = "northwind.example"


@dataclass(frozen=True)
class DemoLogin:
    """One demo login; `totp_secret` is None for a role that logs in with its password only."""

    role: Role
    email: str
    full_name: str
    title: str
    totp_secret: str | None


@dataclass(frozen=True)
class DemoResult:
    """What the demo holds and how to log in; `seeded` is False when it was already there."""

    seeded: bool
    company: str
    password: str
    logins: tuple[DemoLogin, ...]
    organisations: int
    people: int
    secrets: int

    @property
    def admin(self) -> DemoLogin:
        """The admin login (the one to start the tour with)."""
        return next(login for login in self.logins if login.role == Role.ADMIN)


# --- credentials: derived from the installation's secret key, so they can be printed again ---


def _derive(secret_key: str, purpose: str) -> bytes:
    return hmac.new(
        secret_key.encode("utf-8"), f"crownjewels/demo/{purpose}".encode(), hashlib.sha256
    ).digest()


def demo_password(secret_key: str) -> str:
    """The password of every demo login (not guessable without the installation's key)."""
    raw = base64.b32encode(_derive(secret_key, "password")).decode("ascii").lower()
    return f"demo-{raw[:4]}-{raw[4:8]}-{raw[8:12]}"


def totp_secret(secret_key: str, email: str) -> str:
    """The base32 TOTP key of a demo login."""
    digest = _derive(secret_key, f"totp/{email.lower()}")[:20]
    return base64.b32encode(digest).decode("ascii")


def login_code(secret_key: str, who: str, *, now: datetime | None = None) -> str:
    """The 6-digit code to type for a demo login: the next time step's, which the login accepts
    for about a minute and which can never be the step already used when the demo enrolled."""
    login = demo_login(secret_key, who)
    if login.totp_secret is None:
        raise Invalid(f"{login.email} ({login.role.value}) logs in with the password only")
    moment = (now or clock.now()) + timedelta(seconds=30)
    return str(pyotp.TOTP(login.totp_secret).at(moment))


def demo_logins(secret_key: str) -> tuple[DemoLogin, ...]:
    """The demo's logins, one per role."""
    out = []
    for role, (email, _org, name, title) in _LOGINS.items():
        secret = None if role in MFA_EXEMPT else totp_secret(secret_key, email)
        out.append(
            DemoLogin(role=role, email=email, full_name=name, title=title, totp_secret=secret)
        )
    return tuple(out)


def demo_login(secret_key: str, who: str) -> DemoLogin:
    """The demo login with this email or role name (`admin`), or Invalid listing them."""
    key = who.strip().lower()
    for login in demo_logins(secret_key):
        if key in (login.email, login.role.value):
            return login
    emails = ", ".join(email for email, *_ in _LOGINS.values())
    raise Invalid(f"{who!r} is not a demo login or role; the demo logins are: {emails}")


# --- the company -----------------------------------------------------------------------------

#: key -> (name, kind, country, website, notes); "own" takes the company name given to seed()
_ORGS: dict[str, tuple[str, str, str, str | None, str]] = {
    "own": ("", "own", "US", "https://northwind.example", "Headquarters and R&D, Boston MA."),
    "gmbh": (
        "Northwind Biologics GmbH",
        "subsidiary",
        "DE",
        None,
        "Analytical development and EU regulatory affairs, Heidelberg.",
    ),
    "lotus": (
        "Lotus Process Services Pvt Ltd",
        "vendor",
        "IN",
        "https://lotus-process.example",
        "BPO in Pune: payer claims and reimbursement processing for US customers.",
    ),
    "bayani": (
        "Bayani Contact Solutions Inc.",
        "vendor",
        "PH",
        "https://bayani-contact.example",
        "Contact centre in Cebu: first-line support for the NW-3 analyzer.",
    ),
    "wisla": (
        "Wisla Software sp. z o.o.",
        "vendor",
        "PL",
        "https://wisla-soft.example",
        "Software house in Krakow: LIMS integrations and the sample-routing engine.",
    ),
    "mekong": (
        "Mekong Precision Manufacturing JSC",
        "vendor",
        "VN",
        "https://mekong-precision.example",
        "Contract manufacturer in Binh Duong: injection-moulded diagnostic cartridges.",
    ),
    "helvetia": (
        "Helvetia BioAnalytics AG",
        "partner",
        "CH",
        "https://helvetia-bioanalytics.example",
        "Co-development partner for the NWB-17 stability programme, Basel.",
    ),
}

_VENDOR_DOMAINS = {
    "lotus": "lotus-process.example",
    "bayani": "bayani-contact.example",
    "wisla": "wisla-soft.example",
    "mekong": "mekong-precision.example",
    "helvetia": "helvetia-bioanalytics.example",
}

#: the logins, one per role: role -> (email, org key, full name, title)
_LOGINS: dict[Role, tuple[str, str, str, str]] = {
    Role.ADMIN: (f"dana.whitfield@{DOMAIN}", "own", "Dana Whitfield", "IT Director"),
    Role.LEGAL: (f"rachel.okafor@{DOMAIN}", "own", "Rachel Okafor", "General Counsel"),
    Role.SECURITY: (
        f"marcus.chen@{DOMAIN}",
        "own",
        "Marcus Chen",
        "Chief Information Security Officer",
    ),
    Role.COMPLIANCE: (f"priya.raman@{DOMAIN}", "own", "Priya Raman", "Compliance Manager"),
    Role.VENDOR_MANAGER: (
        f"tomas.alvarez@{DOMAIN}",
        "own",
        "Tomás Álvarez",
        "Vendor Management Lead",
    ),
    Role.SECRET_OWNER: (f"elena.vasquez@{DOMAIN}", "own", "Dr. Elena Vasquez", "VP Research"),
    Role.AUDITOR: (f"grace.liu@{DOMAIN}", "own", "Grace Liu", "Internal Audit Manager"),
    Role.VENDOR_USER: (
        "arjun.mehta@lotus-process.example",
        "lotus",
        "Arjun Mehta",
        "Team Lead, Claims",
    ),
}

#: people without a login: (org key, full name, email local part, kind, country, title)
_PEOPLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("own", "Samuel Brooks", "samuel.brooks", "employee", "US", "Director, Manufacturing Science"),
    ("own", "Olivia Bennett", "olivia.bennett", "employee", "US", "Chief Financial Officer"),
    ("own", "Nathan Reyes", "nathan.reyes", "employee", "US", "Chief Commercial Officer"),
    ("own", "Sofia Rossi", "sofia.rossi", "employee", "US", "Head of Digital Platforms"),
    ("own", "James Patel", "james.patel", "employee", "US", "Senior Data Scientist"),
    ("own", "Laura Kim", "laura.kim", "employee", "US", "Bioprocess Scientist"),
    ("own", "Kevin O'Brien", "kevin.obrien", "employee", "US", "Senior Software Engineer"),
    ("own", "Michael Turner", "michael.turner", "contractor", "US", "Lab Technician (contract)"),
    (
        "gmbh",
        "Dr. Katrin Vogel",
        "katrin.vogel",
        "employee",
        "DE",
        "Head of Analytical Development",
    ),
    ("gmbh", "Jonas Becker", "jonas.becker", "employee", "DE", "QA Manager"),
    ("gmbh", "Lena Hoffmann", "lena.hoffmann", "employee", "DE", "Regulatory Affairs Specialist"),
    ("lotus", "Kavya Nair", "kavya.nair", "vendor-staff", "IN", "Claims Processing Analyst"),
    ("lotus", "Rohan Gupta", "rohan.gupta", "vendor-staff", "IN", "Process Associate"),
    ("bayani", "Maria Santos", "maria.santos", "vendor-staff", "PH", "Contact Centre Supervisor"),
    ("bayani", "Jose Dela Cruz", "jose.delacruz", "vendor-staff", "PH", "Support Agent"),
    ("bayani", "Andrea Villanueva", "andrea.villanueva", "vendor-staff", "PH", "Quality Analyst"),
    ("wisla", "Piotr Nowak", "piotr.nowak", "vendor-staff", "PL", "Engineering Manager"),
    (
        "wisla",
        "Agnieszka Kowalczyk",
        "agnieszka.kowalczyk",
        "vendor-staff",
        "PL",
        "Senior Developer",
    ),
    ("wisla", "Tomasz Wisniewski", "tomasz.wisniewski", "vendor-staff", "PL", "DevOps Engineer"),
    ("mekong", "Nguyen Van An", "an.nguyen", "vendor-staff", "VN", "Plant Manager"),
    ("mekong", "Tran Thi Mai", "mai.tran", "vendor-staff", "VN", "Quality Engineer"),
    ("mekong", "Le Minh Duc", "duc.le", "vendor-staff", "VN", "Production Supervisor"),
    ("helvetia", "Dr. Lukas Meier", "lukas.meier", "vendor-staff", "CH", "Principal Scientist"),
    ("helvetia", "Sarah Brunner", "sarah.brunner", "vendor-staff", "CH", "Alliance Manager"),
)

#: (email local part, days from today): past -> departed, future -> departing
_DEPARTURES = (
    ("kevin.obrien", -45),
    ("michael.turner", -120),
    ("rohan.gupta", -30),
    ("laura.kim", 21),
    ("tomasz.wisniewski", 14),
    ("lena.hoffmann", 40),
)


def _email(org: str, local: str) -> str:
    return f"{local}@{_VENDOR_DOMAINS.get(org, DOMAIN)}"


def _staff(local: str) -> str:
    """The email of a person of the company or its subsidiary."""
    return f"{local}@{DOMAIN}"


# --- the register ----------------------------------------------------------------------------


def _factors(scores: tuple[int, int, int, int, int, int], *why: str) -> dict[str, Any]:
    order = (
        Factor.KNOWN_OUTSIDE,
        Factor.KNOWN_INSIDE,
        Factor.MEASURES,
        Factor.VALUE,
        Factor.EFFORT,
        Factor.EASE_OF_DUPLICATION,
    )
    return {
        f.value: {"score": s, "rationale": w} for f, s, w in zip(order, scores, why, strict=True)
    }


def _tests(known: str, value: str, measures: str, *, measures_met: bool | None = True) -> Any:
    return {
        LegalTest.NOT_GENERALLY_KNOWN.value: {"met": True, "notes": known},
        LegalTest.VALUE_FROM_SECRECY.value: {"met": True, "notes": value},
        LegalTest.REASONABLE_MEASURES.value: {"met": measures_met, "notes": measures},
    }


def _loc(kind: str, name: str, owner: str | None = None, notes: str | None = None) -> Any:
    return {
        "kind": kind,
        "name": name,
        "owner_id": _staff(owner) if owner else None,
        "notes": notes,
    }


_SECRETS: tuple[dict[str, Any], ...] = (
    {
        "name": "NWB-17 enzyme stabiliser formulation",
        "description": (
            "Composition and order of addition of the excipient system that keeps the NWB-17 "
            "recombinant enzyme active for 24 months at 2-8 °C in liquid form: buffer species, "
            "stabiliser ratios, surfactant grade and the tolerances that matter. Basis of the "
            "company's lead therapeutic and of the liquid diagnostic reagent line."
        ),
        "category": "formula",
        "tier": "highly-sensitive",
        "owner_id": _staff("elena.vasquez"),
        "business_unit": "Research & Development",
        "estimated_value": "48000000",
        "development_cost": "12500000",
        "currency": "USD",
        "allowed_regions": ["US", "DE", "CH"],
        "secrecy_assessment": _factors(
            (5, 5, 4, 5, 5, 4),
            "Never published; patent strategy deliberately keeps the ratios out of filings.",
            "Seven named scientists; the full ratio table lives in one restricted ELN project.",
            "Need-to-know ELN group, NDAs with Helvetia, legends on every batch record.",
            "Drives the 24-month shelf life that competitors' lyophilised products lack.",
            "Four years and about 300 formulation runs.",
            "Reverse engineering finds the excipients but not the ratios or order of addition.",
        ),
        "legal_tests": _tests(
            "Literature and competitor products searched 2026-Q2; nothing equivalent.",
            "Shelf-life advantage worth an estimated USD 48 M over the product's life.",
            "Access limited to a named group; NDA with the co-development partner in force.",
        ),
        "locations": [
            _loc("repository", "ELN project NWB-17-FORM (restricted)", "elena.vasquez"),
            _loc("drive", "R&D vault: /formulation/NWB-17", "elena.vasquez"),
            _loc(
                "vendor",
                "Helvetia BioAnalytics: stability study data room",
                None,
                "Ratios shared as coded blends only.",
            ),
        ],
    },
    {
        "name": "Continuous perfusion bioreactor process parameters",
        "description": (
            "Set points, control ranges and the feed and bleed strategy of the 2,000 L perfusion "
            "process for NWB-17, including the dissolved-oxygen cascade and the temperature "
            "shift that doubled titre. Includes the deviation history that explains why each "
            "range is where it is."
        ),
        "category": "process",
        "tier": "highly-sensitive",
        "owner_id": _staff("samuel.brooks"),
        "business_unit": "Manufacturing Science",
        "estimated_value": "31000000",
        "development_cost": "6800000",
        "currency": "USD",
        "allowed_regions": ["US", "DE"],
        "secrecy_assessment": _factors(
            (5, 4, 4, 5, 4, 5),
            "Only general perfusion principles are public.",
            "Process engineers on two shifts know the set points; the rationale is restricted.",
            "Batch records carry legends; MES recipes locked; plant visitors escorted and logged.",
            "Titre twice the industry median for this modality.",
            "Three years of scale-up runs.",
            "Requires our cell line and control history; not derivable from the product.",
        ),
        "legal_tests": _tests(
            "Not described in any publication or regulatory summary.",
            "Cost of goods 40 % below the nearest competitor.",
            "MES recipe locks and badge-controlled suites.",
        ),
        "locations": [
            _loc("system", "MES recipes: PERF-2000 (locked)", "samuel.brooks"),
            _loc("physical", "Building 2 process archive, cabinet P-7"),
        ],
    },
    {
        "name": "CHO-NW4 cell line development know-how",
        "description": (
            "How the CHO-NW4 production clone was selected: the selection pressure sequence, "
            "the media supplements used during adaptation and the screening assays that "
            "predicted long-term stability. Negative results are part of the secret."
        ),
        "category": "know-how",
        "tier": "highly-sensitive",
        "owner_id": _staff("elena.vasquez"),
        "business_unit": "Research & Development",
        "estimated_value": "22000000",
        "development_cost": "5200000",
        "currency": "USD",
        "allowed_regions": ["US"],
        "secrecy_assessment": _factors(
            (5, 5, 3, 4, 5, 5),
            "Not published; the clone itself is deposited only internally.",
            "Three people hold the full history.",
            "Notebook access restricted; departing scientists get exit interviews.",
            "Shortens every new programme by about nine months.",
            "Six years of negative and positive results.",
            "Cannot be re-derived without repeating the failed paths.",
        ),
        "legal_tests": _tests(
            "Specific selection sequence is not in the literature.",
            "Nine months faster development per programme.",
            "Exit attestations started only in 2026; earlier departures not covered.",
            measures_met=None,
        ),
        "locations": [_loc("repository", "ELN project CL-NW4 (restricted)", "elena.vasquez")],
    },
    {
        "name": "NW-3 microfluidic cartridge design (Rev F)",
        "description": (
            "CAD models, tolerance stack and moulding notes of the NW-3 diagnostic cartridge, "
            "including the channel geometry that prevents bubble trapping and the gate positions "
            "agreed with the moulder."
        ),
        "category": "design",
        "tier": "sensitive",
        "owner_id": _staff("samuel.brooks"),
        "business_unit": "Diagnostics",
        "estimated_value": "9500000",
        "development_cost": "2100000",
        "currency": "USD",
        "allowed_regions": ["US", "VN"],
        "secrecy_assessment": _factors(
            (4, 3, 3, 4, 4, 3),
            "External shape is visible on the market; internal geometry is not.",
            "Design team and the moulder's tooling engineers.",
            "Tooling package shared under NDA; drawings watermarked.",
            "First-pass yield 98 % against 85 % for the previous generation.",
            "Eighteen months of iterations.",
            "A cartridge can be sectioned, but tolerances and gate positions cannot be read off.",
        ),
        "legal_tests": _tests(
            "Geometry not in the patent family (design choice).",
            "Yield advantage in manufacturing.",
            "Vendor NDA with Mekong Precision covers the tooling package.",
        ),
        "locations": [
            _loc("system", "PDM vault: NW3-CART-F", "samuel.brooks"),
            _loc("vendor", "Mekong Precision Manufacturing: tooling package T-114"),
        ],
    },
    {
        "name": "Sample-routing engine source code",
        "description": (
            "Source of the engine that routes incoming samples between LIMS, analyzers and the "
            "reporting service, including the scheduling heuristics tuned on five years of lab "
            "traffic. Developed jointly with Wisla Software."
        ),
        "category": "source-code",
        "tier": "sensitive",
        "owner_id": _staff("sofia.rossi"),
        "business_unit": "Digital Platforms",
        "estimated_value": "4200000",
        "development_cost": "1600000",
        "currency": "USD",
        "allowed_regions": ["US", "PL"],
        "secrecy_assessment": _factors(
            (5, 3, 4, 3, 4, 3),
            "Closed source; binaries only at customer sites.",
            "Twelve developers across Northwind and Wisla.",
            "Private repository, SSO with MFA, branch protection, vendor accounts reviewed.",
            "Turnaround-time advantage cited by three key accounts.",
            "Five years of development.",
            "The heuristics are tuned on proprietary traffic data.",
        ),
        "legal_tests": _tests(
            "Not open source; no public code.",
            "Differentiator in lab-automation tenders.",
            "Repository access reviewed quarterly.",
        ),
        "locations": [
            _loc("repository", "git.northwind.example/platform/sample-router", "sofia.rossi"),
            _loc("vendor", "Wisla Software: mirrored development repository"),
        ],
    },
    {
        "name": "Assay yield prediction model",
        "description": (
            "Trained model, feature set and training data selection of the model that predicts "
            "assay yield from raw-material certificates, used to accept or reject reagent lots."
        ),
        "category": "other",
        "tier": "sensitive",
        "owner_id": _staff("elena.vasquez"),
        "business_unit": "Research & Development",
        "estimated_value": "3500000",
        "development_cost": "900000",
        "currency": "USD",
        "allowed_regions": ["US", "DE"],
        "secrecy_assessment": _factors(
            (5, 4, 3, 3, 3, 4),
            "Never presented externally.",
            "Data science team of four.",
            "Model registry restricted; training data in a separate project.",
            "Cuts failed lots by a third.",
            "Two years including data cleaning.",
            "Needs our historical lot data.",
        ),
        "legal_tests": _tests(
            "Feature set not published.",
            "Fewer rejected lots.",
            "Registry access limited to the team.",
        ),
        "locations": [_loc("system", "Model registry: yield-predictor v7", "james.patel")],
    },
    {
        "name": "Key account and hospital customer list",
        "description": (
            "The 340 hospital and reference-lab accounts with contacts, contract terms, renewal "
            "dates, installed analyzers and consumable volumes."
        ),
        "category": "customer-list",
        "tier": "sensitive",
        "owner_id": _staff("nathan.reyes"),
        "business_unit": "Commercial",
        "estimated_value": "15000000",
        "development_cost": "1200000",
        "currency": "USD",
        "allowed_regions": ["US", "PH"],
        "secrecy_assessment": _factors(
            (3, 3, 3, 5, 3, 3),
            "Some accounts are public reference sites; volumes and terms are not.",
            "Sales, support and the contact-centre supervisors.",
            "CRM roles; exports disabled for vendor staff.",
            "A competitor could target every renewal.",
            "Built over ten years of sales work.",
            "Volumes and terms cannot be reconstructed from public sources.",
        ),
        "legal_tests": _tests(
            "Compilation with volumes and terms is not public.",
            "Renewal targeting risk.",
            "CRM export controls; the contact centre sees only case data.",
        ),
        "locations": [
            _loc("system", "CRM: Key Accounts", "nathan.reyes"),
            _loc("vendor", "Bayani Contact Solutions: support desk (case view only)"),
        ],
    },
    {
        "name": "2027 tiered pricing and rebate model",
        "description": (
            "Price corridors, volume tiers, rebate triggers and the floor prices approved by the "
            "board for the 2027 contracting season."
        ),
        "category": "pricing-financial",
        "tier": "sensitive",
        "owner_id": _staff("olivia.bennett"),
        "business_unit": "Finance",
        "estimated_value": "6000000",
        "development_cost": "250000",
        "currency": "USD",
        "allowed_regions": ["US"],
        "secrecy_assessment": _factors(
            (5, 4, 3, 4, 2, 2),
            "Floor prices are never disclosed to customers.",
            "Finance and the commercial leadership.",
            "Spreadsheet in the restricted finance share.",
            "Losing the floors would cost margin in every tender.",
            "A quarter of analyst work.",
            "A competitor could infer corridors from lost tenders over time.",
        ),
        "legal_tests": _tests(
            "Internal pricing strategy.",
            "Margin protection.",
            "Restricted share; the file carries the legend.",
        ),
        "locations": [_loc("drive", "Finance share: /pricing/2027", "olivia.bennett")],
    },
    {
        "name": "Project Halcyon: European expansion plan",
        "description": (
            "Plan to acquire a European diagnostics manufacturer: target shortlist, valuation "
            "ranges, integration plan and the timetable agreed with the board."
        ),
        "category": "strategic-plan",
        "tier": "highly-sensitive",
        "owner_id": _staff("olivia.bennett"),
        "business_unit": "Corporate Development",
        "estimated_value": "25000000",
        "development_cost": "800000",
        "currency": "USD",
        "allowed_regions": ["US", "DE"],
        "secrecy_assessment": _factors(
            (5, 5, 5, 5, 3, 1),
            "Targets have not been approached.",
            "Board, CEO, CFO, General Counsel and two advisers.",
            "Code name, clean-team rules, data room with watermarked copies.",
            "Disclosure would move target valuations.",
            "Six months of corporate development work.",
            "A plan is easy to copy once seen; protection rests on secrecy alone.",
        ),
        "legal_tests": _tests(
            "Not announced.",
            "Valuation advantage while unannounced.",
            "Clean-team protocol and insider list.",
        ),
        "locations": [_loc("system", "Board data room: Halcyon", "olivia.bennett")],
    },
    {
        "name": "Claims adjudication playbook",
        "description": (
            "Payer-by-payer rules for coding, appeals and documentation that raised first-pass "
            "reimbursement of NW-3 tests from 71 % to 93 %. Used daily by the BPO team in Pune."
        ),
        "category": "know-how",
        "tier": "confidential",
        "owner_id": _staff("elena.vasquez"),
        "business_unit": "Market Access",
        "estimated_value": "2800000",
        "development_cost": "400000",
        "currency": "USD",
        "allowed_regions": ["US", "IN", "PH"],
        "secrecy_assessment": _factors(
            (4, 2, 3, 3, 3, 3),
            "Payer rules are public; our compiled tactics are not.",
            "Market access team and about twenty BPO staff.",
            "Vendor portal access only; no local copies; legends on every page.",
            "Reimbursement rate drives product adoption.",
            "Two years of appeals experience.",
            "Could be rebuilt with effort by a competitor's own appeals team.",
        ),
        "legal_tests": _tests(
            "Compilation not public.",
            "Higher reimbursement rate.",
            "BPO staff bound by individual confidentiality undertakings.",
        ),
        "locations": [
            _loc("vendor", "Lotus Process Services: claims workstation image"),
            _loc("drive", "Market access share: /playbooks"),
        ],
    },
    {
        "name": "NW-3 analyzer troubleshooting scripts",
        "description": (
            "Decision trees and hidden service-menu codes the contact centre uses to resolve "
            "analyzer faults remotely, with error-code meanings that are not in the user manual."
        ),
        "category": "know-how",
        "tier": "confidential",
        "owner_id": _staff("sofia.rossi"),
        "business_unit": "Customer Support",
        "estimated_value": "1200000",
        "development_cost": "300000",
        "currency": "USD",
        "allowed_regions": ["US", "PH"],
        "secrecy_assessment": _factors(
            (3, 2, 3, 3, 3, 2),
            "Some codes leak through customer forums.",
            "All support agents.",
            "Knowledge base behind SSO; agents sign the confidentiality undertaking.",
            "Third-party service companies would like the codes.",
            "Built from four years of tickets.",
            "Codes can be observed by a determined technician.",
        ),
        "legal_tests": _tests(
            "Service codes are not in the public manual.",
            "Protects the service contract revenue.",
            "Knowledge base access is logged.",
        ),
        "locations": [
            _loc("system", "Support knowledge base: NW-3 scripts", "sofia.rossi"),
            _loc("vendor", "Bayani Contact Solutions: agent desktop"),
        ],
    },
    {
        "name": "Stability-indicating HPLC method",
        "description": (
            "Column, gradient and sample-preparation details of the HPLC method that separates "
            "NWB-17 degradation products, with the validation report."
        ),
        "category": "process",
        "tier": "confidential",
        "owner_id": _staff("katrin.vogel"),
        "business_unit": "Analytical Development (GmbH)",
        "estimated_value": "1800000",
        "development_cost": "450000",
        "currency": "EUR",
        "allowed_regions": ["DE", "US", "CH"],
        "secrecy_assessment": _factors(
            (4, 3, 4, 3, 3, 3),
            "Summarised, without parameters, in regulatory filings.",
            "Analytical teams in Heidelberg and at the partner.",
            "SOP in the controlled-document system; partner under NDA.",
            "Needed to prove stability claims.",
            "One year of method development.",
            "A skilled lab could develop a comparable method.",
        ),
        "legal_tests": _tests(
            "Parameters not in the public part of the filing.",
            "Supports the stability claim.",
            "Controlled-document system with read receipts.",
        ),
        "locations": [_loc("system", "QMS: SOP-AD-0117", "katrin.vogel")],
    },
    {
        "name": "NWB-09 lyophilisation cycle",
        "description": (
            "Freeze-drying cycle of the discontinued NWB-09 product: shelf temperatures, "
            "pressures and hold times."
        ),
        "category": "process",
        "tier": "confidential",
        "owner_id": _staff("samuel.brooks"),
        "business_unit": "Manufacturing Science",
        "estimated_value": "150000",
        "development_cost": "600000",
        "currency": "USD",
        "allowed_regions": ["US"],
        "secrecy_assessment": _factors(
            (4, 3, 3, 1, 3, 3),
            "Not published.",
            "Former production team.",
            "Archived batch records.",
            "Product discontinued; little value left.",
            "Developed in 2019.",
            "Standard cycle development would reproduce it.",
        ),
        "legal_tests": _tests(
            "Not public.",
            "Little value since the product was discontinued.",
            "Archived.",
        ),
        "locations": [_loc("physical", "Off-site archive box 2019-NWB09")],
    },
)

_RETIRED = (
    "NWB-09 lyophilisation cycle",
    "NWB-09 was discontinued in 2025 and replaced by the NWB-17 liquid formulation; the cycle "
    "no longer gives an advantage worth its protection costs.",
)

#: (secret name, reviewer role, days ago, outcome, notes)
_REVIEWS = (
    (
        "NWB-17 enzyme stabiliser formulation",
        Role.SECRET_OWNER,
        12,
        "confirmed",
        "Access group re-certified; the Helvetia NDA runs to 2028.",
    ),
    (
        "NW-3 microfluidic cartridge design (Rev F)",
        Role.LEGAL,
        20,
        "changes-needed",
        "Mekong's tooling engineers changed; ask for the new names and fresh undertakings.",
    ),
    (
        "Key account and hospital customer list",
        Role.LEGAL,
        5,
        "confirmed",
        "CRM export rights confirmed removed for contact-centre accounts.",
    ),
    (
        # dated long enough ago that the next quarterly review is now overdue
        "Continuous perfusion bioreactor process parameters",
        Role.LEGAL,
        130,
        "confirmed",
        "Quarterly review held in the old spreadsheet register; carried over at migration.",
    ),
)


# --- seeding ---------------------------------------------------------------------------------


def seed(
    session: Session,
    *,
    actor: Actor,
    company: str,
    secret_key: str,
    vault: Callable[[], vault_service.Vault] | None = None,
) -> DemoResult:
    """Seed the demo company into an empty register; if the demo is already there, change
    nothing and return its credentials again. Conflict if the register holds other data."""
    password = demo_password(secret_key)
    admin_email = _LOGINS[Role.ADMIN][0]
    already = _count_people(session, actor, PersonFilter(q=admin_email)) > 0
    if not already:
        if _count_orgs(session, actor) or _count_secrets(session, actor):
            raise Conflict(
                "the register already holds data; the demo seeds only an empty installation "
                "(point CROWNJEWELS_HOME or CROWNJEWELS_DATABASE_URL at a new one)"
            )
        _seed(
            session, actor, company=company, password=password, secret_key=secret_key, vault=vault
        )
    return DemoResult(
        seeded=not already,
        company=company,
        password=password,
        logins=demo_logins(secret_key),
        organisations=_count_orgs(session, actor),
        people=_count_people(session, actor, PersonFilter()),
        secrets=_count_secrets(session, actor),
    )


def _seed(
    session: Session,
    actor: Actor,
    *,
    company: str,
    password: str,
    secret_key: str,
    vault: Callable[[], vault_service.Vault] | None = None,
) -> None:
    orgs = _seed_organisations(session, actor, company)
    _seed_people(session, actor, orgs)
    users = _seed_logins(session, actor, password, Sealer(secret_key), secret_key)
    for spec in _SECRETS:
        inventory.register(
            session, actor=actor, data=SecretCreate.model_validate(spec), company=company
        )
    _seed_reviews(session, users)
    _seed_vendor_profiles(session, users[Role.VENDOR_MANAGER])
    _seed_due_diligence(session, users)
    inventory.change_status(
        session,
        actor=users[Role.LEGAL],
        secret_ref=_RETIRED[0],
        change=StatusChange(status=SecretStatus.RETIRED, reason=_RETIRED[1]),
    )
    today = clock.today()
    for local, days in _DEPARTURES:
        org = next(o for o, _n, loc, *_ in _PEOPLE if loc == local)
        parties.depart_person(
            session,
            actor=actor,
            person_ref=_email(org, local),
            departure=Departure(on=today + timedelta(days=days)),
        )
    _seed_agreements(session, users[Role.LEGAL], orgs, vault)
    demo_access.seed(session, actor, users, _email)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DEMO_SEEDED,
        subject_type="installation",
        subject_id="demo",
        details={
            "company": company,
            "organisations": len(_ORGS),
            "people": len(_PEOPLE) + len(_LOGINS),
            "logins": len(_LOGINS),
            "secrets": len(_SECRETS),
        },
    )


def _seed_organisations(session: Session, actor: Actor, company: str) -> dict[str, str]:
    ids = {}
    for key, (name, kind, country, website, notes) in _ORGS.items():
        data = OrganisationCreate.model_validate(
            {
                "name": name or company,
                "kind": kind,
                "country": country,
                "website": website,
                "notes": notes,
            }
        )
        ids[key] = parties.create_organisation(session, actor=actor, data=data).id
    return ids


def _seed_people(session: Session, actor: Actor, orgs: dict[str, str]) -> None:
    rows = [
        (
            org,
            name,
            email,
            "vendor-staff" if org in _VENDOR_DOMAINS else "employee",
            _ORGS[org][2],
            title,
        )
        for email, org, name, title in _LOGINS.values()
    ] + [
        (org, name, _email(org, local), kind, country, title)
        for org, name, local, kind, country, title in _PEOPLE
    ]
    for org, name, email, kind, country, title in rows:
        data = PersonCreate.model_validate(
            {
                "full_name": name,
                "email": email,
                "organisation_id": orgs[org],
                "kind": kind,
                "country": country,
                "title": title,
            }
        )
        parties.create_person(session, actor=actor, data=data)


def _seed_logins(
    session: Session, actor: Actor, password: str, sealer: Sealer, secret_key: str
) -> dict[Role, Actor]:
    """One login per role; TOTP enrolled (as the user would at first login) except where exempt."""
    actors = {}
    for login in demo_logins(secret_key):
        user = accounts.create_user(
            session,
            actor=actor,
            data=UserCreate(person_id=login.email, password=password, roles=[login.role]),
        )
        if login.totp_secret is not None:
            code = pyotp.TOTP(login.totp_secret).at(clock.now())
            accounts.confirm_mfa_enrolment(
                session, user_id=user.id, secret=login.totp_secret, code=code, sealer=sealer
            )
        actors[login.role] = accounts.actor_for_user(session, user_id=user.id, mfa=True)
    return actors


def _seed_reviews(session: Session, users: dict[Role, Actor]) -> None:
    today = clock.today()
    for name, role, days_ago, outcome, notes in _REVIEWS:
        inventory.review(
            session,
            actor=users[role],
            secret_ref=name,
            data=ReviewCreate.model_validate(
                {
                    "outcome": outcome,
                    "notes": notes,
                    "reviewed_on": today - timedelta(days=days_ago),
                }
            ),
        )


#: the vendor files: org key -> (services, criticality, countries, statuses passed through, notes)
_VENDOR_PROFILES: dict[str, tuple[str, str, list[str], list[tuple[str, str]], str]] = {
    "lotus": (
        "Payer claims and reimbursement processing for US customers: reads claim files that "
        "carry customer names and price lists.",
        "high",
        ["IN"],
        [("onboarding", "MSA and NDA signed"), ("active", "go-live of the claims queue")],
        "Renewal of the MSA due next spring.",
    ),
    "bayani": (
        "First-line support for the NW-3 analyzer; sees troubleshooting guides and serial data.",
        "medium",
        ["PH"],
        [("onboarding", "NDA signed"), ("active", "contact centre live")],
        "Also takes Lotus's overflow calls about claim status.",
    ),
    "wisla": (
        "LIMS integrations and the sample-routing engine: holds our source code.",
        "critical",
        ["PL", "DE"],
        [("onboarding", "security review passed"), ("active", "first sprint started")],
        "Builds run in their Krakow office; backups in Frankfurt.",
    ),
    "mekong": (
        "Injection-moulded diagnostic cartridges: holds the cartridge drawings and moulding "
        "parameters.",
        "critical",
        ["VN"],
        [("onboarding", "tooling quote accepted; due diligence in progress")],
        "Second source for the NW-3 cartridge.",
    ),
}

#: certifications: org key -> (standard, name, issuer, number, scope, issued days ago, expires in)
_VENDOR_CERTS: tuple[tuple[str, str, str | None, str, str, str, int, int], ...] = (
    ("lotus", "iso-27001", None, "BSI", "IS 745112", "Claims processing centre, Pune", 730, 400),
    ("lotus", "soc2-type2", None, "Deloitte Haskins & Sells LLP", "SOC2-2025-LPS",
     "Claims processing services", 320, 45),
    ("bayani", "pci-dss", None, "Trustwave", "PCI-7781-PH", "Card-present support calls", 300, 65),
    ("bayani", "iso-27001", None, "TÜV SÜD", "12 310 61872 TMS", "Cebu contact centre", 1110, -20),
    ("wisla", "iso-27001", None, "DNV", "C612345-IS1", "Software development, Krakow", 400, 695),
    ("wisla", "iso-27701", None, "DNV", "C612345-PIMS1", "Privacy management", 400, 695),
    ("mekong", "iso-9001", None, "Bureau Veritas", "VN-QMS-2291", "Binh Duong plant", 500, 595),
    ("mekong", "other", "ISO 13485", "Bureau Veritas", "VN-MD-0412",
     "Medical device cartridges", 200, 895),
)  # fmt: skip

#: contacts: org key -> (email local part, role, phone, primary)
_VENDOR_CONTACTS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("lotus", "arjun.mehta", "Team Lead, Claims (questionnaires)", "+91 20 4000 1200", True),
    ("lotus", "kavya.nair", "Claims Processing Analyst", "+91 20 4000 1234", False),
    ("bayani", "maria.santos", "Contact Centre Supervisor", "+63 32 410 5500", True),
    ("wisla", "piotr.nowak", "Engineering Manager", "+48 12 300 4400", True),
    ("mekong", "an.nguyen", "Plant Manager", "+84 274 380 1100", True),
)


def _seed_vendor_profiles(session: Session, actor: Actor) -> None:
    """The vendor file of each of the four vendors: services, criticality, countries, the
    lifecycle so far, certifications (one expiring, one expired), a subcontractor, contacts."""
    refs: dict[str, str] = {}
    for key, (services, criticality, countries, steps, notes) in _VENDOR_PROFILES.items():
        data = VendorCreate.model_validate(
            {
                "organisation_id": _ORGS[key][0],
                "services": services,
                "criticality": criticality,
                "countries": countries,
                "notes": notes,
            }
        )
        ref = vendors.create(session, actor=actor, data=data).ref
        for status, reason in steps:
            vendors.change_status(
                session,
                actor=actor,
                vendor_ref=ref,
                change=VendorStatusChange.model_validate({"status": status, "reason": reason}),
            )
        refs[key] = ref
    today = clock.today()
    for key, standard, name, issuer, number, scope, issued, expires in _VENDOR_CERTS:
        cert = CertificationCreate.model_validate(
            {
                "standard": standard,
                "standard_name": name,
                "issuer": issuer,
                "certificate_number": number,
                "scope": scope,
                "issued_on": today - timedelta(days=issued),
                "expires_on": today + timedelta(days=expires),
            }
        )
        vendor_certifications.add_certification(
            session, actor=actor, vendor_ref=refs[key], data=cert
        )
    vendors.add_subcontractor(
        session,
        actor=actor,
        vendor_ref=refs["lotus"],
        data=SubcontractorAdd(
            subcontractor=refs["bayani"],
            service="overflow calls from payers about claim status",
            countries=["PH"],
        ),
    )
    for key, local, role, phone, primary in _VENDOR_CONTACTS:
        email = _email(key, local)
        name = _person_name(key, local)
        vendor_contacts.add_contact(
            session,
            actor=actor,
            vendor_ref=refs[key],
            data=ContactCreate(
                name=name, email=email, role=role, phone=phone, is_primary=primary,
                person_id=email,
            ),
        )  # fmt: skip


#: Lotus's answers to the built-in questionnaire: everything in place but MFA for all staff
_LOTUS_ANSWERS: dict[str, Any] = {
    "1.1": ["ISO/IEC 27001", "SOC 2 Type II"],
    "1.3": "yes",
    "2.1": "yes",
    "2.2": "yes",
    "3.1": "yes",
    "3.2": "no",
    "3.3": "Quarterly",
    "4.1": "yes",
    "4.2": "400",
    "5.1": "yes",
    "5.2": "48",
    "5.3": "no",
    "6.1": "yes",
    "6.2": "yes",
    "6.3": "Bayani Contact Solutions Inc (PH): overflow calls about claim status",
    "7.1": "yes",
    "7.2": "yes",
    "7.3": "yes",
    "8.1": "India (Pune); backups in Mumbai",
    "8.2": "yes",
    "8.3": "Encrypted portal or SFTP",
    "9.1": "yes",
    "9.2": "no",
}


def _seed_due_diligence(session: Session, users: dict[Role, Actor]) -> None:
    """The questionnaire imported; Lotus's assessment answered by its vendor user, reviewed
    (MFA not in place: a remediation item) and completed with its risk explanation; Mekong's
    sent by one-time link and half answered (in progress)."""
    manager = users[Role.VENDOR_MANAGER]
    diligence.import_template(session, actor=manager, loaded=questionnaires.built_in()[0])
    shared, _ = inventory.list_secrets(
        session, actor=manager, filters=SecretFilter(q="claims adjudication"), page=PageParams()
    )
    lotus = diligence.send(
        session,
        actor=manager,
        data=AssessmentSend(
            vendor=_ORGS["lotus"][0],
            channel=Channel.ACCOUNT,
            recipient=_LOGINS[Role.VENDOR_USER][0],
            secrets=[s.ref for s in shared],
            message="Annual due diligence before the claims queue takes the 2027 price lists.",
        ),
    )
    vendor_user = users[Role.VENDOR_USER]
    diligence.save_answers(
        session,
        actor=vendor_user,
        assessment_ref=lotus.id,
        data=AnswersSave(answers=_LOTUS_ANSWERS),
    )
    diligence.submit(session, actor=vendor_user, assessment_ref=lotus.id)
    decisions = [Decision(question_id=q, decision=Review.ACCEPTED) for q in _LOTUS_ANSWERS]
    diligence_review.review(
        session, actor=manager, assessment_ref=lotus.id, data=ReviewSave(decisions=decisions)
    )
    diligence_review.add_remediation(
        session,
        actor=manager,
        assessment_ref=lotus.id,
        data=RemediationCreate(
            title="MFA for all staff who reach our data",
            owner=_LOGINS[Role.VENDOR_MANAGER][0],
            due_on=clock.today() + timedelta(days=45),
            question_id="3.2",
        ),
    )
    diligence_review.complete(session, actor=manager, assessment_ref=lotus.id)
    drawings, _ = inventory.list_secrets(
        session, actor=manager, filters=SecretFilter(q="cartridge design"), page=PageParams()
    )
    mekong = diligence.send(
        session,
        actor=manager,
        data=AssessmentSend(
            vendor=_ORGS["mekong"][0],
            secrets=[s.ref for s in drawings],
            due_on=clock.today() + timedelta(days=21),
        ),
    )
    assert mekong.link is not None
    holder = diligence.link_actor(session, token=mekong.link.token)
    draft = {k: v for k, v in _LOTUS_ANSWERS.items() if k < "5"}
    diligence.save_answers(
        session, actor=holder, assessment_ref=mekong.id, data=AnswersSave(answers=draft)
    )


def _person_name(org: str, local: str) -> str:
    email = _email(org, local)
    for login_email, _org, name, _title in _LOGINS.values():
        if login_email == email:
            return name
    return next(name for o, name, loc, *_ in _PEOPLE if o == org and loc == local)


# --- agreements ------------------------------------------------------------------------------

#: the Lotus NDA's text, uploaded and analysed by the demo: mostly sound, with the wordings the
#: clause check is there to catch (a breach-notice waiver, a retention carve-out, no audit right)
DEMO_NDA_TEXT = """MUTUAL NON-DISCLOSURE AGREEMENT

This Mutual Non-Disclosure Agreement is made between Northwind Biologics, Inc. ("Northwind") and
Lotus Process Services Pvt Ltd ("Lotus") for the purpose of payer claims and reimbursement
processing services (the "Purpose").

1. Definition. "Confidential Information" means all information disclosed by either party to
the other, whether in writing, orally or visually, and whether or not marked as confidential,
including patient-access programmes, payer contracts, pricing and reimbursement know-how.

2. Exclusions. Confidential Information does not include information that is or becomes
publicly available through no fault of the Recipient, or that the Recipient independently
developed without use of the Confidential Information.

3. Use. The Recipient shall use the Confidential Information solely for the Purpose.

4. Non-disclosure. The Recipient shall not disclose the Confidential Information to any third
party, except to its employees who need to know it for the Purpose and who are bound by written
confidentiality obligations no less protective than this Agreement.

5. Subcontractors. The Recipient shall not engage any subcontractor to process Confidential
Information without the prior written consent of Northwind, and shall ensure that any approved
subcontractor is bound by obligations no less protective than this Agreement.

6. Compelled disclosure. If the Recipient is required by law or court order to disclose
Confidential Information, it shall give the Discloser prompt written notice so that the Discloser
may seek a protective order.

7. Return. Upon termination, the Recipient shall return or destroy all Confidential Information,
provided that the Recipient may retain copies in its automatic backup systems.

8. Security incidents. The Recipient shall not be required to notify the Discloser of any
unauthorised access to Confidential Information.

9. No licence. Nothing in this Agreement grants the Recipient any licence or other right under
any patent, copyright, trade secret or other intellectual property of the Discloser.

10. Term. This Agreement remains in force for three years. The obligations of confidentiality
survive for five years after its end and, for trade secrets, for as long as they remain trade
secrets under applicable law.

11. Remedies. The Discloser shall be entitled to injunctive relief for any breach or threatened
breach of this Agreement, in addition to any other remedy available at law.

12. Governing law. This Agreement shall be governed by the laws of the State of New York, and
the courts of New York County shall have exclusive jurisdiction over any dispute.
"""

#: (vendor key, title, kind, effective days ago, expires in days (None: open-ended), law, forum)
_AGREEMENTS: tuple[tuple[str, str, str, int, int | None, str, str], ...] = (
    (
        "lotus",
        "Mutual NDA: claims processing",
        "nda",
        1070,
        25,
        "US-NY",
        "Courts of New York County",
    ),
    (
        "bayani",
        "NDA: analyzer support desk",
        "nda",
        300,
        430,
        "US-MA",
        "Courts of Suffolk County, MA",
    ),
    ("wisla", "NDA: LIMS integrations", "nda", 200, 530, "PL", "Courts of Krakow"),
    ("mekong", "NDA: cartridge tooling", "nda", 60, 670, "VN", "SIAC arbitration, Singapore"),
    ("mekong", "NDA: tooling quotation (first)", "nda", 800, -45, "VN", "SIAC arbitration"),
    ("helvetia", "Mutual NDA: NWB-17 stability", "nda", 400, 330, "CH", "Courts of Basel-Stadt"),
)


def _seed_agreements(
    session: Session,
    legal: Actor,
    orgs: dict[str, str],
    vault: Callable[[], vault_service.Vault] | None,
) -> None:
    """An NDA in force with each vendor and the partner (Lotus's expiring soon, with its text
    uploaded and analysed when a vault is given: it is opened only now, when seeding), an
    expired first NDA with Mekong, and an employee confidentiality agreement."""
    today = clock.today()
    refs: dict[str, str] = {}
    for key, title, kind, ago, left, law, forum in _AGREEMENTS:
        made = agreements.create(
            session,
            actor=legal,
            data=AgreementCreate.model_validate(
                {
                    "kind": kind,
                    "title": title,
                    "status": "in_force",
                    "effective_on": today - timedelta(days=ago),
                    "expires_on": today + timedelta(days=left) if left is not None else None,
                    "survival_years": 5,
                    "governing_law": law[:2],
                    "governing_law_subdivision": law if "-" in law else None,
                    "forum": forum,
                    "parties": [{"organisation": orgs[key], "role": "mutual"}],
                    "signatories": [{"name": "Rachel Okafor", "title": "General Counsel"}],
                }
            ),
        )
        refs.setdefault(key, made.ref)
    agreements.mark_expired(session, actor=legal, on=today)
    agreements.create(
        session,
        actor=legal,
        data=AgreementCreate.model_validate(
            {
                "kind": "employee-confidentiality",
                "title": "Confidentiality and invention assignment: Samuel Brooks",
                "status": "in_force",
                "effective_on": today - timedelta(days=900),
                "governing_law": "US",
                "governing_law_subdivision": "US-MA",
                "parties": [{"person": _email("own", "samuel.brooks"), "role": "recipient"}],
                "signatories": [
                    {"name": "Samuel Brooks", "signed_on": today - timedelta(days=900)}
                ],
            }
        ),
    )
    if vault is not None:
        opened = vault()
        agreement_documents.upload_version(
            session,
            actor=legal,
            vault_=opened,
            agreement_ref=refs["lotus"],
            upload=io.BytesIO(DEMO_NDA_TEXT.encode()),
            filename="lotus-mutual-nda.txt",
        )
        agreement_documents.analyse_version(
            session, actor=legal, vault_=opened, agreement_ref=refs["lotus"]
        )


def _count_orgs(session: Session, actor: Actor) -> int:
    return parties.list_organisations(
        session, actor=actor, filters=OrganisationFilter(), page=PageParams(limit=1)
    )[1]


def _count_people(session: Session, actor: Actor, filters: PersonFilter) -> int:
    return parties.list_people(session, actor=actor, filters=filters, page=PageParams(limit=1))[1]


def _count_secrets(session: Session, actor: Actor) -> int:
    return inventory.list_secrets(
        session, actor=actor, filters=SecretFilter(), page=PageParams(limit=1)
    )[1]


__all__ = ["COMPANY", "DemoLogin", "DemoResult", "demo_password", "login_code", "seed"]
