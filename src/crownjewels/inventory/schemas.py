"""What goes in and out of the register."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from crownjewels.core.codes import country_code, currency_code

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
#: a URL prefix, a path glob or s3://bucket/prefix: one token, no spaces
LocationPattern = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000, pattern=r"^\S+$")
]
Currency = Annotated[str, AfterValidator(currency_code)]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


class Category(StrEnum):
    """What kind of secret it is."""

    FORMULA = "formula"
    PROCESS = "process"
    SOURCE_CODE = "source-code"
    DESIGN = "design"
    CUSTOMER_LIST = "customer-list"
    PRICING_FINANCIAL = "pricing-financial"
    STRATEGIC_PLAN = "strategic-plan"
    KNOW_HOW = "know-how"
    OTHER = "other"


class Tier(StrEnum):
    """Sensitivity tier: decides legend, review cadence and (later) grant rules."""

    HIGHLY_SENSITIVE = "highly-sensitive"
    SENSITIVE = "sensitive"
    CONFIDENTIAL = "confidential"


class SecretStatus(StrEnum):
    """Lifecycle of a secret."""

    ACTIVE = "active"
    RETIRED = "retired"
    DISCLOSED = "disclosed"
    LOST = "lost"


class LocationKind(StrEnum):
    """Where a copy lives."""

    REPOSITORY = "repository"
    DRIVE = "drive"
    SYSTEM = "system"
    VENDOR = "vendor"
    PHYSICAL = "physical"


class Factor(StrEnum):
    """The six factors of the Restatement of Torts §757 cmt. b."""

    KNOWN_OUTSIDE = "known-outside"
    KNOWN_INSIDE = "known-inside"
    MEASURES = "measures"
    VALUE = "value"
    EFFORT = "effort"
    EASE_OF_DUPLICATION = "ease-of-duplication"


FACTOR_QUESTIONS: dict[Factor, str] = {
    Factor.KNOWN_OUTSIDE: "How little is it known outside the business? (5 = not at all)",
    Factor.KNOWN_INSIDE: "How narrowly is it known by employees and others involved? (5 = few)",
    Factor.MEASURES: "How strong are the measures taken to guard its secrecy? (5 = strong)",
    Factor.VALUE: "How valuable is it to the business and to competitors? (5 = very)",
    Factor.EFFORT: "How much effort or money went into developing it? (5 = a great deal)",
    Factor.EASE_OF_DUPLICATION: "How hard is it for others to duplicate it properly? (5 = very)",
}


class LegalTest(StrEnum):
    """The three statutory tests (DTSA 18 U.S.C. §1839(3); EU Directive 2016/943 Art. 2(1)).
    The key `not-generally-known` names both prongs of the first test (see LEGAL_TESTS)."""

    NOT_GENERALLY_KNOWN = "not-generally-known"
    VALUE_FROM_SECRECY = "value-from-secrecy"
    REASONABLE_MEASURES = "reasonable-measures"


#: each statutory test in the statutes' words, as people read it (the keys stay stable)
LEGAL_TESTS: dict[LegalTest, str] = {
    # 18 U.S.C. §1839(3)(B): "not being generally known to, and not being readily ascertainable
    # through proper means by, another person"; Directive (EU) 2016/943 Art. 2(1)(a): "not ...
    # generally known among or readily accessible to persons within the circles that normally
    # deal with the kind of information in question". Both prongs: public-domain pieces a
    # competitor could readily assemble fail the test even if nobody has published them.
    LegalTest.NOT_GENERALLY_KNOWN: "Not generally known or readily ascertainable",
    # §1839(3)(B) "independent economic value, actual or potential"; Art. 2(1)(b)
    LegalTest.VALUE_FROM_SECRECY: "Has commercial value because it is secret",
    # §1839(3)(A) "reasonable measures"; Art. 2(1)(c) "reasonable steps under the circumstances"
    LegalTest.REASONABLE_MEASURES: "Reasonable measures taken to keep it secret",
}


class ReviewOutcome(StrEnum):
    """What a review concluded."""

    CONFIRMED = "confirmed"
    CHANGES_NEEDED = "changes-needed"
    RETIRE = "retire"


class FactorScore(BaseModel):
    """One factor scored 1-5 with the reason."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5)
    rationale: str = Field(default="", max_length=4000)


class LegalTestResult(BaseModel):
    """Whether one statutory test is met (None: not yet assessed), with notes."""

    model_config = ConfigDict(extra="forbid")

    met: bool | None = None
    notes: str = Field(default="", max_length=4000)


def _regions(value: list[str]) -> list[str]:
    return sorted({country_code(v) for v in value})


Regions = Annotated[list[str], AfterValidator(_regions)]
Country = Annotated[str, AfterValidator(country_code)]


class LocationCreate(BaseModel):
    """A place where the secret lives."""

    model_config = ConfigDict(extra="forbid")

    kind: LocationKind
    name: Name
    owner_id: str | None = None
    #: where this copy is held (ISO 3166 alpha-2): personal data is exported from here
    country: Country | None = None
    notes: str | None = Field(default=None, max_length=4000)
    #: where monitoring finds this copy in other systems' activity: URL prefixes
    #: (https://github.com/acme/recipes), path globs (/srv/sftp/recipes/**), s3://bucket/prefix
    patterns: list[LocationPattern] = Field(default_factory=list, max_length=50)


class LocationRead(LocationCreate):
    """A location as shown."""

    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: str
    owner_name: str | None = None


class SecretCreate(BaseModel):
    """A new secret for the register."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Text
    category: Category
    tier: Tier
    owner_id: str
    business_unit: str | None = Field(default=None, max_length=200)
    estimated_value: Money | None = None
    development_cost: Money | None = None
    currency: Currency | None = None
    allowed_regions: Regions = Field(default_factory=list)
    #: holds personal data: its transfers abroad follow the origin's transfer regime
    personal_data: bool = False
    #: where the data subjects are (ISO 3166 alpha-2 codes)
    data_subject_regions: Regions = Field(default_factory=list)
    secrecy_assessment: dict[Factor, FactorScore] = Field(default_factory=dict)
    legal_tests: dict[LegalTest, LegalTestResult] = Field(default_factory=dict)
    review_cadence_days: int | None = Field(default=None, ge=7, le=1095)
    locations: list[LocationCreate] = Field(default_factory=list)

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class SecretUpdate(BaseModel):
    """Changes to a secret; omitted fields stay as they are. `version` guards lost updates."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = None
    name: Name | None = None
    description: Text | None = None
    category: Category | None = None
    tier: Tier | None = None
    owner_id: str | None = None
    business_unit: str | None = Field(default=None, max_length=200)
    estimated_value: Money | None = None
    development_cost: Money | None = None
    currency: Currency | None = None
    allowed_regions: Regions | None = None
    personal_data: bool | None = None
    data_subject_regions: Regions | None = None
    secrecy_assessment: dict[Factor, FactorScore] | None = None
    legal_tests: dict[LegalTest, LegalTestResult] | None = None
    review_cadence_days: int | None = Field(default=None, ge=7, le=1095)


class SecretRead(BaseModel):
    """A secret as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    ref: str
    name: str
    description: str
    description_sha256: str
    category: Category
    tier: Tier
    owner_id: str
    owner_name: str | None = None
    business_unit: str | None
    estimated_value: Decimal | None
    development_cost: Decimal | None
    currency: str | None
    allowed_regions: list[str]
    personal_data: bool = False
    data_subject_regions: list[str] = Field(default_factory=list)
    secrecy_assessment: dict[Factor, FactorScore]
    secrecy_score: float | None = None
    legal_tests: dict[LegalTest, LegalTestResult]
    review_cadence_days: int
    next_review_on: date
    last_reviewed_on: date | None
    review_overdue: bool = False
    status: SecretStatus
    status_reason: str | None
    status_changed_at: datetime | None
    legend: str
    version: int
    created_at: datetime
    updated_at: datetime
    locations: list[LocationRead] = Field(default_factory=list)


class SecretFilter(BaseModel):
    """Filters of the register listing."""

    tier: Tier | None = None
    category: Category | None = None
    owner_id: str | None = None
    status: SecretStatus | None = None
    q: str | None = Field(default=None, max_length=200)
    overdue: bool | None = None


class ReviewCreate(BaseModel):
    """A review of a secret."""

    model_config = ConfigDict(extra="forbid")

    outcome: ReviewOutcome = ReviewOutcome.CONFIRMED
    notes: str | None = Field(default=None, max_length=4000)
    reviewed_on: date | None = None


class ReviewRead(BaseModel):
    """A review as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    secret_id: str
    reviewer: str
    reviewed_on: date
    outcome: ReviewOutcome
    notes: str | None
    next_review_on: date


class StatusChange(BaseModel):
    """Retire a secret, or record it disclosed or lost, with the reason."""

    model_config = ConfigDict(extra="forbid")

    status: SecretStatus
    reason: Text


class RegisterStats(BaseModel):
    """Counts for the dashboard."""

    total: int
    by_tier: dict[str, int]
    by_category: dict[str, int]
    by_status: dict[str, int]
    overdue: int


class LocationPatterns(BaseModel):
    """The patterns of a location (replacing the ones it had)."""

    model_config = ConfigDict(extra="forbid")

    patterns: list[LocationPattern] = Field(default_factory=list, max_length=50)


class LocationMatch(BaseModel):
    """A location's patterns with its secret, for matching other systems' resources."""

    secret_id: str
    location_id: str
    patterns: list[str]
