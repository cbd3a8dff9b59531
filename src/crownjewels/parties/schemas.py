"""What goes in and out of parties."""

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
from crownjewels.core.permissions import Role

CountryCode = Annotated[str, AfterValidator(country_code)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class OrgKind(StrEnum):
    """What an organisation is to us."""

    OWN = "own"
    VENDOR = "vendor"
    PARTNER = "partner"
    SUBSIDIARY = "subsidiary"


class OrgStatus(StrEnum):
    """Where an organisation stands."""

    PROSPECT = "prospect"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    OFFBOARDED = "offboarded"


class PersonKind(StrEnum):
    """How a person relates to us."""

    EMPLOYEE = "employee"
    CONTRACTOR = "contractor"
    VENDOR_STAFF = "vendor-staff"


class PersonStatus(StrEnum):
    """A person's lifecycle."""

    ACTIVE = "active"
    DEPARTING = "departing"
    DEPARTED = "departed"


class OrganisationCreate(BaseModel):
    """A new organisation."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: OrgKind
    country: CountryCode
    status: OrgStatus = OrgStatus.ACTIVE
    website: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=4000)


class OrganisationUpdate(BaseModel):
    """Changes to an organisation; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    country: CountryCode | None = None
    status: OrgStatus | None = None
    website: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=4000)


class OrganisationRead(BaseModel):
    """An organisation as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: OrgKind
    country: str
    status: OrgStatus
    website: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


class PersonCreate(BaseModel):
    """A new person."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name
    email: EmailStr
    organisation_id: str
    kind: PersonKind = PersonKind.EMPLOYEE
    country: CountryCode
    title: str | None = Field(default=None, max_length=200)


class PersonUpdate(BaseModel):
    """Changes to a person; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name | None = None
    email: EmailStr | None = None
    country: CountryCode | None = None
    title: str | None = Field(default=None, max_length=200)


class PersonRead(BaseModel):
    """A person as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    full_name: str
    email: str
    organisation_id: str
    organisation_name: str | None = None
    kind: PersonKind
    country: str
    title: str | None
    status: PersonStatus
    notice_on: date | None = None
    departing_on: date | None
    departed_on: date | None
    timezone: str | None = None
    created_at: datetime
    updated_at: datetime


class PersonStanding(PersonRead):
    """A person as an access decision reads them: the person, their organisation's kind and
    status, and whether their login is active (True with no login at all), read in one query."""

    organisation_name: str
    organisation_kind: OrgKind
    organisation_status: OrgStatus
    account_active: bool


class PersonFilter(BaseModel):
    """Filters of the people listing."""

    organisation_id: str | None = None
    status: PersonStatus | None = None
    kind: PersonKind | None = None
    q: str | None = None


class OrganisationFilter(BaseModel):
    """Filters of the organisation listing."""

    kind: OrgKind | None = None
    status: OrgStatus | None = None
    country: str | None = None
    q: str | None = None


class Departure(BaseModel):
    """Mark a person departing (a future date) or departed (today or earlier); with the day
    they gave notice (HR), which opens a departure watch (monitoring)."""

    model_config = ConfigDict(extra="forbid")

    #: the last day
    on: date | None = None
    #: the day notice of departure was given
    notice_on: date | None = None

    @model_validator(mode="after")
    def _notice_before_last_day(self) -> Departure:
        if self.notice_on is not None and self.on is None:
            raise ValueError("give the last day (on) with the notice date")
        if self.notice_on is not None and self.on is not None and self.notice_on > self.on:
            raise ValueError(
                f"the notice date {self.notice_on} is after the last day {self.on}; "
                "notice comes first"
            )
        return self


class UserCreate(BaseModel):
    """A login for an existing person."""

    model_config = ConfigDict(extra="forbid")

    person_id: str
    password: str = Field(min_length=12, max_length=256)
    roles: list[Role] = Field(min_length=1)


class UserRead(BaseModel):
    """A user as shown (never its secrets)."""

    id: str
    username: str
    person_id: str
    full_name: str
    roles: list[Role]
    active: bool
    mfa_enrolled: bool
    mfa_required: bool
    last_login_at: datetime | None
    locked_until: datetime | None


class SignedOut(BaseModel):
    """The outcome of "sign out everywhere": how many live web sessions of the user ended."""

    user_id: str
    username: str
    sessions_ended: int


class TokenCreate(BaseModel):
    """A new API token for the acting user."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    scopes: list[str] = Field(default_factory=lambda: ["read"])
    days: int = Field(default=90, ge=1, le=366)


class TokenRead(BaseModel):
    """An API token as shown (never the token itself)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenIssued(TokenRead):
    """A token just created: the only time its secret is shown."""

    token: str


class LoginState(BaseModel):
    """A person's login as an emergency lock-out sees it: whether it is active, its live API
    tokens (neither revoked nor expired) and how many web sessions are live."""

    user_id: str
    username: str
    person_id: str
    active: bool
    tokens: list[TokenRead]
    live_sessions: int


class LoginOutcome(BaseModel):
    """The result of a password (and TOTP) check; failures are recorded, so this never raises."""

    ok: bool
    user_id: str | None = None
    needs_mfa_enrolment: bool = False
    message: str | None = None


class MfaEnrolment(BaseModel):
    """What a user scans to enrol TOTP."""

    secret: str
    provisioning_uri: str
    qr_svg: str


class PersonHandle(BaseModel):
    """The names a person goes by, for mapping other systems' actors to them: their email and
    their login's id and username (monitoring adds the identities it keeps)."""

    person_id: str
    organisation_id: str
    email: str
    user_id: str | None = None
    username: str | None = None
