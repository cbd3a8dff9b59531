"""The results of clause analysis: findings per requirement with their evidence sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["satisfied", "contradicted", "not_mentioned"]
Strictness = Literal["required", "recommended", "flag", "optional"]
STATUSES: tuple[Status, ...] = ("satisfied", "contradicted", "not_mentioned")


@dataclass(frozen=True)
class Evidence:
    """A sentence or list item cited for a finding: its text and character offsets."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """The evidence as a JSON-ready dict."""
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Finding:
    """Whether the agreement satisfies, contradicts or does not mention one requirement."""

    requirement: str
    title: str
    status: Status
    evidence: list[Evidence]
    explanation: str
    strictness: Strictness
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict."""
        return {
            "requirement": self.requirement,
            "title": self.title,
            "status": self.status,
            "strictness": self.strictness,
            "evidence": [e.to_dict() for e in self.evidence],
            "explanation": self.explanation,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Analysis:
    """Every requirement's finding for one agreement text, with the profile that was applied
    (`fallback`: why it is not the jurisdiction's own, when the jurisdiction has none)."""

    kind: str
    jurisdiction: str | None
    profile: str
    findings: list[Finding]
    notes: tuple[str, ...] = field(default=())
    fallback: str | None = None

    def finding(self, requirement: str) -> Finding:
        """The finding for one requirement key; KeyError when there is none."""
        for f in self.findings:
            if f.requirement == requirement:
                return f
        raise KeyError(requirement)

    def to_dict(self) -> dict[str, Any]:
        """The analysis as a JSON-ready dict (`findings` first)."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "profile": self.profile,
            "notes": list(self.notes),
            "fallback": self.fallback,
        }
