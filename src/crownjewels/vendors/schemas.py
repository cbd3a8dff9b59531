"""What goes in and out of vendor profiles."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from crownjewels.core.codes import country_code

CountryCode = Annotated[str, AfterValidator(country_code)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


def _countries(value: list[str]) -> list[str]:
    return sorted({country_code(v) for v in value})


Countries = Annotated[list[str], AfterValidator(_countries)]


class Criticality(StrEnum):
    """How much harm the vendor's failure or breach would do: drives review cadence and risk."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class VendorStatus(StrEnum):
    """Where the relationship stands."""

    PROSPECT = "prospect"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    OFFBOARDED = "offboarded"


class Standard(StrEnum):
    """Certifications and attestations a vendor may hold; `other` needs a name."""

    ISO_27001 = "iso-27001"
    SOC2_TYPE2 = "soc2-type2"
    SOC2_TYPE1 = "soc2-type1"
    ISO_27701 = "iso-27701"
    ISO_27017 = "iso-27017"
    ISO_27018 = "iso-27018"
    ISO_22301 = "iso-22301"
    ISO_9001 = "iso-9001"
    TISAX = "tisax"
    PCI_DSS = "pci-dss"
    CSA_STAR = "csa-star"
    HITRUST = "hitrust"
    OTHER = "other"


STANDARD_NAMES: dict[Standard, str] = {
    Standard.ISO_27001: "ISO/IEC 27001",
    Standard.SOC2_TYPE2: "SOC 2 Type II",
    Standard.SOC2_TYPE1: "SOC 2 Type I",
    Standard.ISO_27701: "ISO/IEC 27701",
    Standard.ISO_27017: "ISO/IEC 27017",
    Standard.ISO_27018: "ISO/IEC 27018",
    Standard.ISO_22301: "ISO 22301",
    Standard.ISO_9001: "ISO 9001",
    Standard.TISAX: "TISAX",
    Standard.PCI_DSS: "PCI DSS",
    Standard.CSA_STAR: "CSA STAR",
    Standard.HITRUST: "HITRUST CSF",
    Standard.OTHER: "Other",
}


class CertState(StrEnum):
    """The expiry badge of a certification."""

    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    NO_EXPIRY = "no-expiry"


# --- inputs ----------------------------------------------------------------------------------


class VendorCreate(BaseModel):
    """A new vendor profile for an organisation of kind vendor."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: Name = Field(description="the organisation's id or name")
    services: Text
    criticality: Criticality
    status: VendorStatus = VendorStatus.PROSPECT
    countries: Countries = Field(default_factory=list)
    review_cadence_months: int | None = Field(default=None, ge=1, le=60)
    notes: Note | None = None


class VendorUpdate(BaseModel):
    """Changes to a profile; omitted fields stay as they are. `version` guards lost updates."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = None
    services: Text | None = None
    criticality: Criticality | None = None
    review_cadence_months: int | None = Field(default=None, ge=1, le=60)
    next_review_on: date | None = None
    notes: Note | None = None


class StatusChange(BaseModel):
    """Move a vendor to another status, with the reason."""

    model_config = ConfigDict(extra="forbid")

    status: VendorStatus
    reason: Text


class ReviewCreate(BaseModel):
    """A periodic review of a vendor (the next one follows from the cadence)."""

    model_config = ConfigDict(extra="forbid")

    reviewed_on: date | None = None
    notes: Note | None = None


class CountryAdd(BaseModel):
    """A country where the vendor processes our data."""

    model_config = ConfigDict(extra="forbid")

    country: CountryCode
    notes: Note | None = None


class CertificationCreate(BaseModel):
    """A certification the vendor holds."""

    model_config = ConfigDict(extra="forbid")

    standard: Standard
    standard_name: Name | None = None
    issuer: Name
    scope: Note | None = None
    certificate_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    issued_on: date | None = None
    expires_on: date | None = None

    @model_validator(mode="after")
    def _check(self) -> CertificationCreate:
        if self.standard == Standard.OTHER and not self.standard_name:
            raise ValueError("a certification of standard 'other' needs its name (standard_name)")
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValueError(
                f"the expiry date {self.expires_on} is before the issue date {self.issued_on}; "
                "check both dates"
            )
        return self


class ContactCreate(BaseModel):
    """Someone at the vendor; optionally a person already recorded in parties."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailStr
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    is_primary: bool = False
    person_id: str | None = Field(default=None, description="a person's id or email")


class ContactUpdate(BaseModel):
    """Changes to a contact; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    email: EmailStr | None = None
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    is_primary: bool | None = None


class SubcontractorAdd(BaseModel):
    """`subcontractor` (another vendor profile) does part of the vendor's service for us."""

    model_config = ConfigDict(extra="forbid")

    subcontractor: Name = Field(description="the subcontractor's vendor ref, id or name")
    service: Text
    countries: Countries = Field(
        default_factory=list,
        description="where it handles our data for this vendor (empty: all of its own countries)",
    )
    notes: Note | None = None


class VendorFilter(BaseModel):
    """Filters of the vendor listing."""

    status: VendorStatus | None = None
    criticality: Criticality | None = None
    country: CountryCode | None = None
    q: str | None = Field(default=None, max_length=200)
    review_due: bool | None = None
    #: vendors holding a certification that expired or expires within this many days
    certificate_expiring: int | None = Field(default=None, ge=0, le=3650)


# --- outputs ---------------------------------------------------------------------------------


class CountryRead(BaseModel):
    """A processing country as shown."""

    model_config = ConfigDict(from_attributes=True)

    country: str
    country_name: str = ""
    notes: str | None
    created_at: datetime


class CertificationRead(BaseModel):
    """A certification as shown, with its expiry badge."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    standard: Standard
    standard_name: str | None
    label: str = ""
    issuer: str
    scope: str | None
    certificate_number: str | None
    issued_on: date | None
    expires_on: date | None
    document_id: str | None
    state: CertState = CertState.NO_EXPIRY
    created_at: datetime


class ContactRead(BaseModel):
    """A contact as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    email: str
    role: str | None
    phone: str | None
    is_primary: bool
    person_id: str | None
    created_at: datetime


class SubcontractorRead(BaseModel):
    """One direct subcontracting link as shown."""

    id: str
    subcontractor_id: str
    subcontractor_ref: str
    subcontractor_name: str
    service: str
    countries: list[str]
    notes: str | None
    created_at: datetime


class ChainLink(BaseModel):
    """One vendor in a subcontractor chain, `depth` links below the vendor shown."""

    depth: int
    vendor_id: str
    ref: str
    name: str
    via_ref: str
    service: str
    countries: list[str]
    cycle: bool = False


class VendorRead(BaseModel):
    """A vendor profile as shown."""

    id: str
    ref: str
    organisation_id: str
    name: str
    home_country: str | None = None
    services: str
    criticality: Criticality
    status: VendorStatus
    status_reason: str | None
    status_changed_at: datetime | None
    activated_on: date | None
    offboarded_on: date | None
    review_cadence_months: int
    last_reviewed_on: date | None
    next_review_on: date
    review_due: bool = False
    notes: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    countries: list[CountryRead] = Field(default_factory=list)
    #: every country where our data may be processed: its own and its subcontractors' (chain)
    exposure: list[str] = Field(default_factory=list)
    certifications: list[CertificationRead] = Field(default_factory=list)
    contacts: list[ContactRead] = Field(default_factory=list)
    subcontractors: list[SubcontractorRead] = Field(default_factory=list)
    chain: list[ChainLink] = Field(default_factory=list)


class RiskMatrix(BaseModel):
    """Vendors counted by processing country and criticality (the list page's risk view)."""

    criticalities: list[Criticality]
    rows: list[RiskRow]
    totals: dict[str, int]


class RiskRow(BaseModel):
    """One country of the risk matrix."""

    country: str
    country_name: str
    counts: dict[str, int]
    total: int


RiskMatrix.model_rebuild()


class VendorStanding(BaseModel):
    """What the access rules ask of a vendor organisation: its status, the countries its data
    goes to (its own and its subcontractors'), and whether its due diligence is current."""

    vendor_id: str
    ref: str
    status: str
    exposure: list[str]
    diligence_current: bool = False
    diligence_detail: str = ""
