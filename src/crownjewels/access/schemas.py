"""What goes in and out of access: grant requests and reads, decisions with their reasons."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crownjewels.access.facts import Level as Level  # re-exported: the public name of a level
from crownjewels.access.rules import GrantStatus as GrantStatus  # re-exported, like Level
from crownjewels.access.rules import in_force, permit_words


class GrantRequest(BaseModel):
    """Ask for need-to-know access: a person or a whole vendor organisation, a secret (or one
    of its documents), a level, a purpose and an expiry."""

    person: str | None = Field(None, description="person id or email")
    organisation: str | None = Field(None, description="organisation id or name (group grant)")
    secret: str = Field(description="secret id or reference")
    document_id: str | None = None
    level: Level = Level.VIEW
    purpose: str = Field("", max_length=2000)
    starts_at: datetime | None = None
    expires_at: datetime | None = None

    @field_validator("purpose")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class GrantDecision(BaseModel):
    """An approver's note, or the reason of a denial, suspension or revocation."""

    note: str | None = Field(None, max_length=2000)


class ApprovalRead(BaseModel):
    """One approver's decision."""

    model_config = ConfigDict(from_attributes=True)

    approver: str
    approver_person_id: str | None
    approved: bool
    note: str | None
    decided_at: datetime


class GrantRead(BaseModel):
    """A grant as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    ref: str
    person_id: str | None
    person_name: str | None = None
    organisation_id: str | None
    organisation_name: str | None = None
    group_id: str | None
    secret_id: str
    secret_ref: str | None = None
    secret_name: str | None = None
    document_id: str | None
    level: Level
    purpose: str
    requested_by: str
    approvals_needed: int
    status: GrantStatus
    status_reason: str | None
    starts_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    created_at: datetime
    approvals: list[ApprovalRead] = []

    @property
    def in_force(self) -> bool:
        """True while the grant is approved or active (access.rules.in_force)."""
        return in_force(self.status)


class GrantFilter(BaseModel):
    """Filters of the grant listing."""

    secret: str | None = None
    person: str | None = None
    organisation: str | None = None
    status: GrantStatus | None = None


class Reason(BaseModel):
    """One failed rule of a denial, in plain words."""

    rule: str
    message: str


class Decision(BaseModel):
    """What the policies decided for a person, a secret and an action, and why."""

    allowed: bool
    person_id: str
    person_name: str
    secret_id: str
    secret_ref: str
    action: Level
    reasons: list[Reason] = []
    permitted_by: list[str] = []
    grant_refs: list[str] = []

    @property
    def permits(self) -> list[Reason]:
        """The policies that allowed it, each as the sentence it stands for (pages show the
        sentence; the rule id stays in a tooltip and in the JSON)."""
        return [Reason(rule=r, message=permit_words(r)) for r in self.permitted_by]

    @property
    def summary(self) -> str:
        """One line: allowed, or denied with every reason."""
        verb = "may" if self.allowed else "may not"
        head = f"{self.person_name} {verb} {self.action.value} {self.secret_ref}"
        if self.allowed:
            return head
        return head + ": " + "; ".join(r.message for r in self.reasons)


class Check(BaseModel):
    """One fact an approver weighs, in words: whether it holds and what it says."""

    label: str
    ok: bool
    message: str


class ApprovalContext(BaseModel):
    """What approving a grant would mean for its recipient: the agreements in force with
    them, the facts the rules read (agreement covering the secret, training, acknowledgement,
    due diligence), and the decision the policies would give were the grant approved."""

    person_name: str
    agreements: list[str]
    checks: list[Check]
    decision: Decision
