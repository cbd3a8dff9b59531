"""What the posture is computed from (plain facts, built by `service`) and what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel


class Measure(StrEnum):
    """One measure a secret needs in place to count as protected."""

    OWNER = "owner"
    ASSESSMENT = "assessment"
    LEGEND = "legend"
    REVIEW = "review"
    AGREEMENT = "agreement"
    TRAINING = "training"
    DILIGENCE = "diligence"
    EXPIRY = "expiry"


#: what each measure asks, as a person reads it (the dashboard's rows, the list's headings)
MEASURE_LABELS: dict[Measure, str] = {
    Measure.OWNER: "Owner in post",
    Measure.ASSESSMENT: "Secrecy assessment complete",
    Measure.LEGEND: "Legend set",
    Measure.REVIEW: "Review not overdue",
    Measure.AGREEMENT: "Every holder bound by an agreement in force",
    Measure.TRAINING: "Every holder's training current",
    Measure.DILIGENCE: "Every vendor holder's due diligence current",
    Measure.EXPIRY: "No grant past its expiry",
}

#: the tiers in the order people read them, most sensitive first
TIERS = ("highly-sensitive", "sensitive", "confidential")


@dataclass(frozen=True)
class HolderFacts:
    """One holder of a live grant on a secret (a person, or a vendor under a group grant)."""

    bound: bool
    training_current: bool = True
    vendor: bool = False
    diligence_current: bool = True


@dataclass(frozen=True)
class SecretCheck:
    """What the posture rule reads of one active secret."""

    ref: str
    tier: str
    owner_active: bool
    factors_assessed: int
    factors_required: int
    legend: str
    next_review_on: date
    holders: tuple[HolderFacts, ...] = ()
    grant_expiries: tuple[datetime, ...] = ()


class TierPosture(BaseModel):
    """One tier: its active secrets, how many have every measure, and per measure how many
    lack it."""

    tier: str
    total: int
    protected: int
    missing: dict[Measure, int]


class Posture(BaseModel):
    """The posture of the secrets an actor may see, per tier (every tier, most sensitive
    first, even when it has no secret)."""

    tiers: list[TierPosture]

    @property
    def total(self) -> int:
        """Active secrets counted."""
        return sum(t.total for t in self.tiers)

    @property
    def protected(self) -> int:
        """Active secrets with every measure in place."""
        return sum(t.protected for t in self.tiers)


class SecretGap(BaseModel):
    """One secret behind a posture number: what it lacks."""

    ref: str
    name: str
    tier: str
    owner_name: str | None
    missing: list[Measure]
