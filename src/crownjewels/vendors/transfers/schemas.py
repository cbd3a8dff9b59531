"""What goes in and out of a vendor's transfer mechanisms and transfer impact assessments.
Which regime accepts which mechanism is the access rule's (access/data/transfer_regimes.yaml);
these schemas refuse only combinations no regime accepts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from crownjewels.core.codes import country_code

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def _countries(value: list[str]) -> list[str]:
    return sorted({country_code(v) for v in value})


Countries = Annotated[list[str], AfterValidator(_countries)]
Country = Annotated[str, AfterValidator(country_code)]


class Regime(StrEnum):
    """The origin regime a mechanism serves: the law of the country the data leaves."""

    GDPR = "GDPR"
    UK = "UK"
    CH = "CH"
    CN = "CN"


class MechanismKind(StrEnum):
    """Transfer mechanisms (GDPR Arts. 45-49, UK GDPR, FADP Arts. 16-17, PIPL Art. 38)."""

    SCC = "scc"  # Decision (EU) 2021/914, with its module
    UK_IDTA = "uk-idta"
    UK_ADDENDUM = "uk-addendum"  # the UK Addendum to the EU SCCs, with the SCCs' module
    BCR = "bcr"
    ADEQUACY = "adequacy"  # the recipient meets a conditional adequacy decision (e.g. DPF)
    DEROGATION = "derogation"  # GDPR/UK GDPR Art. 49, FADP Art. 17, with its ground
    CN_STANDARD_CONTRACT = "cn-standard-contract"  # with its CAC filing date
    CN_CERTIFICATION = "cn-certification"
    CN_SECURITY_ASSESSMENT = "cn-security-assessment"
    CN_EXEMPTION = "cn-exemption"  # 2024 Provisions Arts. 3-6, with its ground


class SccModule(StrEnum):
    """The module of the SCCs: exporter to importer, controller or processor."""

    C2C = "C2C"
    C2P = "C2P"
    P2P = "P2P"
    P2C = "P2C"


class Ground(StrEnum):
    """Derogation (Art. 49, FADP Art. 17) and China exemption (2024 Provisions) grounds."""

    EXPLICIT_CONSENT = "explicit-consent"
    CONTRACT_WITH_DATA_SUBJECT = "contract-with-data-subject"
    CONTRACT_IN_INTEREST = "contract-in-interest-of-data-subject"
    PUBLIC_INTEREST = "public-interest"
    LEGAL_CLAIMS = "legal-claims"
    VITAL_INTERESTS = "vital-interests"
    PUBLIC_REGISTER = "public-register"
    COMPELLING_LEGITIMATE_INTERESTS = "compelling-legitimate-interests"
    COLLECTED_ABROAD = "collected-abroad"
    HR_MANAGEMENT = "hr-management"
    UNDER_100000 = "under-100000-individuals"
    FREE_TRADE_ZONE_LIST = "free-trade-zone-list"


class TiaOutcome(StrEnum):
    """What a transfer impact assessment concluded."""

    PROCEED = "proceed"
    PROCEED_WITH_MEASURES = "proceed-with-measures"
    DO_NOT_PROCEED = "do-not-proceed"


class MechanismState(StrEnum):
    """Where a mechanism stands today."""

    PENDING = "pending"
    IN_FORCE = "in-force"
    EXPIRED = "expired"
    REVOKED = "revoked"


K = MechanismKind
_CHINA = frozenset({K.CN_STANDARD_CONTRACT, K.CN_CERTIFICATION, K.CN_SECURITY_ASSESSMENT})
_WITH_MODULE = frozenset({K.SCC, K.UK_ADDENDUM})
_WITH_GROUND = frozenset({K.DEROGATION, K.CN_EXEMPTION})


class MechanismCreate(BaseModel):
    """A transfer mechanism with the vendor for one origin regime; `countries` are the
    destinations it covers (empty: every destination)."""

    model_config = ConfigDict(extra="forbid")

    kind: MechanismKind
    regime: Regime
    countries: Countries = Field(default_factory=list)
    module: SccModule | None = None
    ground: Ground | None = None
    filed_on: date | None = None
    effective_on: date | None = None
    expires_on: date | None = None
    reference: Reference | None = None
    notes: Note | None = None

    @model_validator(mode="after")
    def _check(self) -> MechanismCreate:
        for problem in _problems(self):
            raise ValueError(problem)
        return self


def _problems(m: MechanismCreate) -> list[str]:
    """What no regime accepts, each with its fix."""
    out: list[str] = []
    if m.kind in _WITH_MODULE and m.module is None:
        out.append("SCCs need their module (C2C, C2P, P2P or P2C): give module")
    if m.kind not in _WITH_MODULE and m.module is not None:
        out.append(f"only SCCs have a module; leave module empty for {m.kind.value}")
    if m.kind in _WITH_GROUND and m.ground is None:
        out.append(f"a {m.kind.value} needs its ground (the article it relies on): give ground")
    if m.kind not in _WITH_GROUND and m.ground is not None:
        out.append(
            f"only a derogation or an exemption has a ground; leave it empty for {m.kind.value}"
        )
    if (m.kind in _CHINA or m.kind == K.CN_EXEMPTION) != (m.regime == Regime.CN):
        out.append(
            "China's mechanisms (cn-…) serve transfers out of China (regime CN) only, and"
            " transfers out of China need one of them"
        )
    if m.kind in (K.UK_IDTA, K.UK_ADDENDUM) and m.regime != Regime.UK:
        out.append("the IDTA and the UK Addendum serve transfers out of the UK (regime UK) only")
    if m.kind == K.SCC and m.regime == Regime.UK:
        out.append(
            "the EU SCCs alone are not a UK mechanism: record the UK Addendum (uk-addendum)"
            " or an IDTA (uk-idta)"
        )
    if m.kind == K.CN_STANDARD_CONTRACT and m.filed_on is None:
        out.append(
            "a China standard contract counts once filed with the provincial CAC: give filed_on"
        )
    if m.effective_on and m.expires_on and m.expires_on <= m.effective_on:
        out.append(
            f"the expiry {m.expires_on} is not after the start {m.effective_on}; check both dates"
        )
    return out


class MechanismRead(BaseModel):
    """A recorded mechanism as shown, with its state today."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: MechanismKind
    regime: Regime
    countries: list[str]
    module: SccModule | None
    ground: Ground | None
    filed_on: date | None
    effective_on: date | None
    expires_on: date | None
    reference: str | None
    document_id: str | None
    notes: str | None
    label: str = ""
    state: MechanismState = MechanismState.IN_FORCE
    #: what a person types to name it: M1 for the vendor's first mechanism recorded, M2 …
    number: str = ""
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str | None
    revoked_reason: str | None


class TiaCreate(BaseModel):
    """A transfer impact assessment of one destination for one origin regime."""

    model_config = ConfigDict(extra="forbid")

    regime: Regime
    country: Country
    assessed_on: date
    outcome: TiaOutcome
    summary: Note | None = None


class TiaRead(BaseModel):
    """A recorded assessment as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    regime: Regime
    country: str
    assessed_on: date
    outcome: TiaOutcome
    summary: str | None
    document_id: str | None
    #: what a person types to name it: T1 for the vendor's first assessment recorded, T2 …
    number: str = ""
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str | None
    revoked_reason: str | None


class Revocation(BaseModel):
    """Why a mechanism or an assessment no longer holds."""

    model_config = ConfigDict(extra="forbid")

    reason: Note


class TransfersRead(BaseModel):
    """A vendor's mechanisms and assessments, live and revoked."""

    vendor_ref: str
    vendor_name: str
    mechanisms: list[MechanismRead]
    assessments: list[TiaRead]


class TransferStanding(BaseModel):
    """What the access transfer rule reads of a recipient organisation: its name and the
    mechanisms and assessments not revoked (in force or not: the rule checks the dates)."""

    name: str
    mechanisms: list[MechanismRead]
    assessments: list[TiaRead]
