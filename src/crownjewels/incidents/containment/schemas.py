"""What goes in and out of a containment: the kinds of step, the plan as previewed (each kind
with its items in words), the request to run it, what ran, and what its reversal did."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class StepKind(StrEnum):
    """A kind of change a containment makes, in the order it makes them."""

    GRANTS = "grants"
    ACCOUNTS = "accounts"
    TOKENS = "tokens"
    SESSIONS = "sessions"
    VENDORS = "vendors"
    HOLDS = "holds"
    COPIES = "copies"
    MONITORING = "monitoring"


#: each kind in words: what it does, what it did, and what a reversal does to it
KIND_WORDS: dict[StepKind, tuple[str, str, str]] = {
    StepKind.GRANTS: (
        "Suspend their access grants",
        "Access grants suspended",
        "reinstated when reversed",
    ),
    StepKind.ACCOUNTS: ("Disable their logins", "Logins disabled", "enabled again when reversed"),
    StepKind.TOKENS: ("Revoke their API tokens", "API tokens revoked", "stay revoked"),
    StepKind.SESSIONS: ("End their web sessions", "Web sessions ended", "stay ended"),
    StepKind.VENDORS: ("Suspend the vendor", "Vendor suspended", "reinstated when reversed"),
    StepKind.HOLDS: (
        "Put the secrets' documents on legal hold",
        "Documents put on legal hold",
        "released when reversed",
    ),
    StepKind.COPIES: (
        "Mark the copies issued to them compromised",
        "Copies marked compromised",
        "stay marked compromised",
    ),
    StepKind.MONITORING: (
        "Raise monitoring to heightened thresholds",
        "Monitoring raised to heightened thresholds",
        "ends when reversed",
    ),
}
#: the kinds a reversal undoes (the others stay as the containment left them)
REVERSIBLE = frozenset(
    {StepKind.GRANTS, StepKind.ACCOUNTS, StepKind.VENDORS, StepKind.HOLDS, StepKind.MONITORING}
)


class PlanItem(BaseModel):
    """One change, as a person reads it: its reference (GR-000012, an email, a token's name,
    VN-0002, a document's title, a copy's id) and the line in words."""

    ref: str
    text: str


class PlanStep(BaseModel):
    """One kind of change: how many, which, what is already so, and what is held back."""

    kind: StepKind
    title: str
    #: what a reversal does to it
    undo: str
    reversible: bool
    count: int
    items: list[PlanItem]
    #: items already in the state containment puts them in ("already suspended: 2")
    already: int = 0
    already_words: str | None = None
    #: changes left out, each with why: a protected reporter without a second approval, a
    #: vendor that cannot be suspended in its status
    held: list[PlanItem] = Field(default_factory=list)
    #: left out of the run as asked (the summary does not count it)
    left_out: bool = False


class ContainmentPlan(BaseModel):
    """What running the case's containment would change now, kind by kind, with the one-line
    summary (of the kinds not left out) and the digest that names exactly this plan (a run
    given it refuses if the world changed since)."""

    case: str
    title: str
    people: list[str]
    organisations: list[str]
    secrets: list[str]
    #: people protected from retaliation (reporters who gave their name) among them
    protected: list[str]
    steps: list[PlanStep]
    summary: str
    digest: str

    def step(self, kind: StepKind) -> PlanStep:
        """The step of one kind."""
        return next(s for s in self.steps if s.kind == kind)

    @property
    def empty(self) -> bool:
        """True when nothing would change."""
        return not any(s.count for s in self.steps)


class ContainRequest(BaseModel):
    """Run the containment: the kinds of step to leave out, and the digest of the plan that
    was previewed (refused when the plan changed since; leave it out to run what stands now)."""

    model_config = ConfigDict(extra="forbid")

    skip: list[StepKind] = Field(default_factory=list)
    expected: str | None = Field(default=None, max_length=64)


class ReverseRequest(BaseModel):
    """Reverse a case's containment: why."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class StepDone(BaseModel):
    """One kind of change a containment made, with its items in words."""

    kind: StepKind
    title: str
    undo: str
    count: int
    items: list[str]


class ContainmentRead(BaseModel):
    """One run of a case's containment: what it changed, who ran it, and its reversal."""

    number: int
    case: str
    summary: str
    steps: list[StepDone]
    ran_by: str
    ran_at: datetime
    reversed_by: str | None
    reversed_at: datetime | None


class ContainmentResult(BaseModel):
    """What a containment run did: the run itself, the kinds left out, and what was held back
    (each line with why)."""

    case: str
    status: str
    containment: ContainmentRead
    skipped: list[StepKind]
    held: list[str]
    message: str


class ReversalResult(BaseModel):
    """What a reversal undid, and what it left as it is (and why)."""

    case: str
    reversed: list[str]
    kept: list[str]
    summary: str
