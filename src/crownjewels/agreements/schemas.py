"""What goes in and out of the agreements file, and the small frozen values the rules read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from crownjewels.core.codes import country_code, subdivision_code
from crownjewels.inventory.schemas import Category

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Country = Annotated[str, AfterValidator(country_code)]


class AgreementKind(StrEnum):
    """What kind of agreement it is."""

    NDA = "nda"
    MSA = "msa"
    DPA = "dpa"
    SOW = "sow"
    EMPLOYEE_CONFIDENTIALITY = "employee-confidentiality"
    CONTRACTOR_CONFIDENTIALITY = "contractor-confidentiality"


class AgreementStatus(StrEnum):
    """Lifecycle of an agreement."""

    DRAFT = "draft"
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class ScopeKind(StrEnum):
    """Which secrets an agreement covers."""

    ALL = "all"
    NAMED = "named"
    CATEGORIES = "categories"


class PartyRole(StrEnum):
    """What a party does under the agreement."""

    DISCLOSER = "discloser"
    RECIPIENT = "recipient"
    MUTUAL = "mutual"


class FindingStatus(StrEnum):
    """The analyser's (or legal's) verdict on one requirement."""

    SATISFIED = "satisfied"
    CONTRADICTED = "contradicted"
    NOT_MENTIONED = "not_mentioned"


class ReviewDecision(StrEnum):
    """Legal's decision on a finding."""

    ACCEPTED = "accepted"
    OVERRIDDEN = "overridden"


Subdivision = Annotated[str, AfterValidator(subdivision_code)]


# --- the values the pure rules work on ------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What the rules need to know of an agreement (built from a row or a read model)."""

    ref: str
    status: str
    effective_on: date | None
    expires_on: date | None = None
    terminated_on: date | None = None
    scope: str = ScopeKind.ALL
    secret_ids: frozenset[str] = field(default_factory=frozenset)
    categories: frozenset[str] = field(default_factory=frozenset)
    survival_years: int | None = None
    trade_secrets_survive: bool = True


@dataclass(frozen=True)
class SecretFacts:
    """What the rules need to know of a trade secret."""

    id: str
    ref: str
    category: str


@dataclass(frozen=True)
class CoverAsk:
    """One question for `coverage.covered`: does an agreement with the organisation or the
    person (either) cover disclosing the secret?"""

    secret: SecretFacts
    organisation_id: str | None
    person_id: str | None


# --- input ----------------------------------------------------------------------------------


class PartyCreate(BaseModel):
    """A party: an organisation or a person (by id, name or email), in a role."""

    model_config = ConfigDict(extra="forbid")

    organisation: str | None = Field(default=None, max_length=200)
    person: str | None = Field(default=None, max_length=320)
    role: PartyRole = PartyRole.RECIPIENT

    @model_validator(mode="after")
    def _one(self) -> Self:
        if bool(self.organisation) == bool(self.person):
            raise ValueError("a party is either an organisation or a person; give exactly one")
        return self


class SignatoryCreate(BaseModel):
    """Who signed, for which party (an organisation or person of the agreement), and when."""

    model_config = ConfigDict(extra="forbid")

    #: as long as the signatory's name column holds (a person's name, not a document title)
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    title: str | None = Field(default=None, max_length=200)
    party: str | None = Field(default=None, max_length=320)
    signed_on: date | None = None


class _Dates(BaseModel):
    effective_on: date | None = None
    expires_on: date | None = None

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.effective_on and self.expires_on and self.expires_on < self.effective_on:
            raise ValueError(
                f"expires_on ({self.expires_on}) is before effective_on ({self.effective_on}); "
                "an agreement must start before it ends"
            )
        return self


class AgreementCreate(_Dates):
    """A new agreement."""

    model_config = ConfigDict(extra="forbid")

    kind: AgreementKind
    title: Title
    status: AgreementStatus = AgreementStatus.DRAFT
    survival_years: int | None = Field(default=None, ge=0, le=100)
    trade_secrets_survive: bool = True
    governing_law: Country | None = None
    governing_law_subdivision: Subdivision | None = None
    forum: str | None = Field(default=None, max_length=300)
    scope: ScopeKind = ScopeKind.ALL
    secrets: list[str] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    renewal_notice_days: int = Field(default=60, ge=0, le=3650)
    breach_notice_hours: int | None = Field(default=None, ge=1, le=24 * 366)
    notes: str | None = Field(default=None, max_length=20_000)
    parties: list[PartyCreate] = Field(default_factory=list)
    signatories: list[SignatoryCreate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status not in (AgreementStatus.DRAFT, AgreementStatus.IN_FORCE):
            raise ValueError("a new agreement is a draft or in_force; terminate it afterwards")
        if self.status == AgreementStatus.IN_FORCE and self.effective_on is None:
            raise ValueError("an agreement in force needs effective_on; give the start date")
        _check_scope(self.scope, self.secrets, self.categories)
        _check_subdivision(self.governing_law, self.governing_law_subdivision)
        return self


def _check_scope(
    scope: str | None, secrets: list[str] | None, categories: list[Any] | None
) -> None:
    if scope == ScopeKind.NAMED and not secrets:
        raise ValueError("scope 'named' needs at least one secret in `secrets`")
    if scope == ScopeKind.CATEGORIES and not categories:
        raise ValueError("scope 'categories' needs at least one category in `categories`")


def _check_subdivision(country: str | None, subdivision: str | None) -> None:
    if subdivision and country and not subdivision.startswith(country + "-"):
        raise ValueError(
            f"governing_law_subdivision {subdivision} is not in {country}; "
            f"use a code that starts with {country}-"
        )


class AgreementUpdate(_Dates):
    """Changes to an agreement; omitted fields stay as they are. `version` guards lost updates."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = None
    kind: AgreementKind | None = None
    title: Title | None = None
    survival_years: int | None = Field(default=None, ge=0, le=100)
    trade_secrets_survive: bool | None = None
    governing_law: Country | None = None
    governing_law_subdivision: Subdivision | None = None
    forum: str | None = Field(default=None, max_length=300)
    scope: ScopeKind | None = None
    secrets: list[str] | None = None
    categories: list[Category] | None = None
    renewal_notice_days: int | None = Field(default=None, ge=0, le=3650)
    breach_notice_hours: int | None = Field(default=None, ge=1, le=24 * 366)
    notes: str | None = Field(default=None, max_length=20_000)


class Termination(BaseModel):
    """End an agreement early, with the date it takes effect and the reason."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason
    terminated_on: date | None = None


class Activation(BaseModel):
    """Put a draft in force (it was signed), from its effective date or the one given here."""

    model_config = ConfigDict(extra="forbid")

    effective_on: date | None = None


class Renewal(BaseModel):
    """Extend an agreement to a new expiry date (None: indefinite)."""

    model_config = ConfigDict(extra="forbid")

    expires_on: date | None
    reason: str | None = Field(default=None, max_length=4000)


class FindingReview(BaseModel):
    """Legal's review of a finding: accept it, or override its status with a reason."""

    model_config = ConfigDict(extra="forbid")

    decision: ReviewDecision
    status: FindingStatus | None = None
    reason: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _override_needs(self) -> Self:
        if self.decision == ReviewDecision.OVERRIDDEN:
            if self.status is None:
                raise ValueError("an override needs the corrected `status`")
            if not (self.reason or "").strip():
                raise ValueError("an override needs a `reason` saying why the finding is wrong")
        return self


class AgreementFilter(BaseModel):
    """Filters of the agreements listing."""

    kind: AgreementKind | None = None
    status: AgreementStatus | None = None
    organisation: str | None = Field(default=None, max_length=200)
    person: str | None = Field(default=None, max_length=320)
    secret: str | None = Field(default=None, max_length=200)
    expiring_within_days: int | None = Field(default=None, ge=0, le=3650)
    renewal_due: bool | None = None
    #: only agreements whose latest analysed version has a clause finding legal has not decided
    findings_to_decide: bool | None = None
    q: str | None = Field(default=None, max_length=200)


# --- output ---------------------------------------------------------------------------------


class PartyRead(BaseModel):
    """A party as shown."""

    id: str
    organisation_id: str | None
    person_id: str | None
    role: PartyRole
    name: str


class SignatoryRead(BaseModel):
    """A signatory as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    title: str | None
    party_id: str | None
    signed_on: date | None


class ScopeSecret(BaseModel):
    """A secret named in a scope."""

    id: str
    ref: str
    name: str


class VersionRead(BaseModel):
    """An uploaded version of the agreement's document."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    number: int
    document_id: str
    document_version: int
    sha256: str
    filename: str | None
    media_type: str
    uploaded_at: datetime
    uploaded_by: str
    text_sha256: str | None
    analysed_at: datetime | None
    analysed_by: str | None
    jurisdiction: str | None


class EvidenceRead(BaseModel):
    """A cited sentence: its character offsets in the extracted text and their digest (what is
    stored); `text`, the sentence itself, only where the version's text was decrypted."""

    start: int
    end: int
    digest: str | None = None
    text: str | None = None


class FindingRead(BaseModel):
    """One clause finding and its review."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    requirement: str
    title: str
    status: FindingStatus
    evidence: list[EvidenceRead]
    explanation: str
    strictness: str
    review: ReviewDecision | None
    review_status: FindingStatus | None
    review_reason: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None

    @property
    def effective_status(self) -> FindingStatus:
        """The status that counts: legal's override, else the analyser's."""
        return self.review_status or self.status


class AgreementRead(BaseModel):
    """An agreement as shown, with where it stands today."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    ref: str
    kind: AgreementKind
    title: str
    status: AgreementStatus
    status_reason: str | None
    status_changed_at: datetime | None
    terminated_on: date | None
    effective_on: date | None
    expires_on: date | None
    survival_years: int | None
    trade_secrets_survive: bool
    governing_law: str | None
    governing_law_subdivision: str | None
    forum: str | None
    scope: ScopeKind
    renewal_notice_days: int
    breach_notice_hours: int | None = None
    notes: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    parties: list[PartyRead] = Field(default_factory=list)
    secrets: list[ScopeSecret] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    signatories: list[SignatoryRead] = Field(default_factory=list)
    in_force_today: bool = False
    standing: str = ""
    expires_in_days: int | None = None
    renewal_due: bool = False
    renewal_due_on: date | None = None

    def terms(self) -> Terms:
        """The values the rules read."""
        return Terms(
            ref=self.ref,
            status=self.status,
            effective_on=self.effective_on,
            expires_on=self.expires_on,
            terminated_on=self.terminated_on,
            scope=self.scope,
            secret_ids=frozenset(s.id for s in self.secrets),
            categories=frozenset(self.categories),
            survival_years=self.survival_years,
            trade_secrets_survive=self.trade_secrets_survive,
        )


class AgreementDetail(AgreementRead):
    """An agreement with its versions and the findings of the latest analysed version."""

    versions: list[VersionRead] = Field(default_factory=list)
    findings: list[FindingRead] = Field(default_factory=list)
    findings_version: int | None = None
    # why the findings were not computed under the governing law's own profile (None: they were)
    profile_note: str | None = None
