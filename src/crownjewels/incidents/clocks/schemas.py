"""What the clocks are computed from (`Facts`) and what they give back (`Clock`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from crownjewels.core.codes import country_code, subdivision_code

#: the regulated sectors and operator kinds a condition may name
Sector = Literal[
    "health",
    "finance",
    "essential-entity",
    "important-entity",
    "critical-infrastructure",
    "network-operator",
]

#: what starts a clock; `after:<key>` is the moment another clock's notice was given
Trigger = Literal["awareness", "discovery", "occurrence", "classification", "materiality"]

#: where a clock stands: waiting for its trigger, running, in its last quarter (or last day),
#: past its deadline, done, or a duty with no fixed deadline ("without undue delay")
Status = Literal["waiting", "running", "due-soon", "overdue", "met", "no-deadline"]

#: a notice to someone, or a limitation period (the last day to sue)
Kind = Literal["notice", "limitation"]


def us_state(value: str) -> str:
    """A two-letter US state or territory code (CA, NY, DC, PR); ValueError names the fix."""
    code = value.strip().upper()
    try:
        subdivision_code(f"US-{code}")
    except ValueError:
        raise ValueError(
            f"{value!r} is not a US state; use two letters such as CA, NY, TX"
        ) from None
    return code


Country = Annotated[str, AfterValidator(country_code)]
UsState = Annotated[str, AfterValidator(us_state)]


class Agreement(BaseModel):
    """An agreement the incident concerns and the notice period it sets for a breach."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: str = Field(min_length=1, max_length=40)
    counterparty: str = Field(min_length=1, max_length=200)
    #: hours from awareness to notify the counterparty (a period in days is days x 24)
    notice_hours: int = Field(ge=1, le=24 * 366)


class Facts(BaseModel):
    """What a case knows that decides which clocks apply, and the instants that start them.

    `discovered_at` is required; `aware_at` defaults to it. A clock whose trigger is not yet
    known (no `classified_at`, `materiality_at` or `occurred_at`) waits for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    personal_data: bool = False
    #: ISO 3166-1 codes of the countries the affected data subjects live in
    data_subject_countries: tuple[Country, ...] = ()
    #: US states whose residents are affected, and how many where known
    us_states: tuple[UsState, ...] = ()
    residents: dict[UsState, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    #: people affected in total, where known
    affected: int | None = Field(default=None, ge=0)
    #: ISO 3166-1 codes of the countries where the organisation operates or is established
    jurisdictions: tuple[Country, ...] = ()
    sectors: tuple[Sector, ...] = ()
    #: an SEC registrant (Exchange Act reporting company)
    listed_us: bool = False
    #: a covered entity regulated by the New York Department of Financial Services
    nydfs: bool = False
    #: protected health information held as a HIPAA covered entity or business associate
    phi: bool = False
    agreements: tuple[Agreement, ...] = ()
    #: a trade secret was (or may have been) misappropriated
    trade_secret: bool = False
    #: the US state whose law would govern a trade-secret claim
    us_state_of_claim: UsState | None = None
    discovered_at: AwareDatetime
    aware_at: AwareDatetime | None = None
    occurred_at: AwareDatetime | None = None
    #: when the incident was classified as major (DORA)
    classified_at: AwareDatetime | None = None
    #: when the incident was determined to be material (SEC Form 8-K Item 1.05)
    materiality_at: AwareDatetime | None = None

    def instant(self, trigger: Trigger) -> datetime | None:
        """The instant of a trigger, or None while it is not known."""
        if trigger == "awareness":
            return self.aware_at or self.discovered_at
        if trigger == "discovery":
            return self.discovered_at
        if trigger == "occurrence":
            return self.occurred_at
        if trigger == "classification":
            return self.classified_at
        return self.materiality_at


class Clock(BaseModel):
    """One deadline of a case: what is owed to whom, under which rule, by when, and where it
    stands at `now`. `due_at` is UTC; `due_local` the same instant in the organisation's zone."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    kind: Kind
    regime: str
    recipient: str
    citation: str
    source: str | None
    #: checked against the source (or a dated report of it) when the data file was reviewed
    verified: bool
    #: the trigger's name (`awareness`, `materiality`, `after:dora-initial`) and in words
    trigger: str
    trigger_label: str
    trigger_at: datetime | None
    due_at: datetime | None
    due_local: datetime | None
    status: Status
    #: "2 days 5 hours left", "overdue by 3 hours", "waiting for the materiality determination"
    remaining: str
    done_at: datetime | None = None
    #: conditions to check (thresholds not known yet, assumed dates) and the rule's caveats
    notes: tuple[str, ...] = ()
