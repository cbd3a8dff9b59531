"""What a decision is made on: plain facts about the person, the secret and the request,
gathered from the database by `service` (through the lower capabilities' services) and turned
into Cedar entities by `engine`. Pure data: the benchmark and the rule tests build them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Level(StrEnum):
    """Access levels, cumulative in this order: a download grant also permits view and know-of."""

    KNOW_OF = "know-of"
    VIEW = "view"
    DOWNLOAD = "download"
    EDIT = "edit"

    @property
    def rank(self) -> int:
        """0 for know-of … 3 for edit."""
        return _ORDER.index(self)

    def includes(self) -> frozenset[Level]:
        """The levels a grant at this level permits (itself and every lower one)."""
        return frozenset(_ORDER[: self.rank + 1])


_ORDER = (Level.KNOW_OF, Level.VIEW, Level.DOWNLOAD, Level.EDIT)


@dataclass(frozen=True)
class PersonFacts:
    """The person asking (or receiving): status, country, organisation and what holds them."""

    id: str
    status: str
    kind: str
    country: str
    organisation_id: str
    organisation_kind: str
    organisation_status: str
    account_active: bool = True
    organisation_name: str = ""
    processing_countries: frozenset[str] = frozenset()
    diligence_current: bool = True
    training_current: bool = True

    @property
    def vendor_staff(self) -> bool:
        """True for the staff of a vendor organisation (the vendor rules apply to them)."""
        return self.kind == "vendor-staff" or self.organisation_kind == "vendor"


@dataclass(frozen=True)
class SecretFacts:
    """The secret asked for: tier, category, status, allowed regions and owner."""

    id: str
    tier: str
    category: str
    owner_id: str
    status: str = "active"
    allowed_regions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MechanismFacts:
    """A transfer mechanism recorded with a recipient: its kind (scc, bcr, derogation,
    adequacy, uk-idta, uk-addendum, cn-…), the origin regime it serves, the destinations it
    covers (empty: every one), and what its kind needs (SCC module, ground, CAC filing date)."""

    kind: str
    regime: str
    countries: frozenset[str] = frozenset()
    module: str | None = None
    ground: str | None = None
    filed_on: date | None = None
    effective_on: date | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class AssessmentFacts:
    """A transfer impact assessment recorded for a recipient: regime, destination, date and
    outcome (proceed, proceed-with-measures, do-not-proceed)."""

    regime: str
    country: str
    assessed_on: date
    outcome: str


@dataclass(frozen=True)
class Facts:
    """One request: who, what, which level, and the facts the rules read."""

    person: PersonFacts
    secret: SecretFacts
    action: Level
    #: the levels for which an active need-to-know grant applies to this request
    granted: frozenset[Level] = frozenset()
    mfa: bool = False
    agreement_covers: bool = False
    acknowledged: bool = False
    transfer_allowed: bool = True
    #: plain-words detail per rule, shown with a denial (e.g. which NDA expired when)
    details: dict[str, str] = field(default_factory=dict, compare=False)
