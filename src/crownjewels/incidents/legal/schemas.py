"""What goes in and out of a case's legal side: a legal step recorded and as read, the letters
a case calls for with whom each may go to, and a drafted letter's text preview."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crownjewels.incidents.schemas import When


class StepKind(StrEnum):
    """A legal step of a case."""

    COUNSEL_ENGAGED = "counsel-engaged"
    LETTER_SENT = "letter-sent"
    TRO_APPLIED = "tro-applied"
    SEIZURE_ORDERED = "seizure-ordered"
    INJUNCTION_GRANTED = "injunction-granted"
    SETTLEMENT = "settlement"
    POLICE_REPORT = "police-report"
    OTHER = "other"


STEP_WORDS: dict[StepKind, str] = {
    StepKind.COUNSEL_ENGAGED: "outside counsel engaged",
    StepKind.LETTER_SENT: "letter sent",
    StepKind.TRO_APPLIED: (
        "temporary restraining order or ex parte seizure applied for (18 U.S.C. § 1836(b)(2))"
    ),
    StepKind.SEIZURE_ORDERED: "seizure ordered by the court",
    StepKind.INJUNCTION_GRANTED: "injunction granted",
    StepKind.SETTLEMENT: "settlement reached",
    StepKind.POLICE_REPORT: "reported to the police",
    StepKind.OTHER: "other legal step",
}

#: the formats a letter is drafted in
LetterFormat = Literal["docx", "pdf", "text"]
MEDIA_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "text": "text/plain; charset=utf-8",
}
EXTENSIONS: dict[str, str] = {"docx": "docx", "pdf": "pdf", "text": "txt"}


class StepCreate(BaseModel):
    """A legal step taken: its kind, when (now when not given; a time without a zone is UTC)
    and a note (required for `other`: say what the step was)."""

    model_config = ConfigDict(extra="forbid")

    kind: StepKind
    taken_at: When | None = None
    note: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _other_says_what(self) -> Self:
        if self.kind == StepKind.OTHER and not self.note.strip():
            raise ValueError("say in the note what the step was (the kind is `other`)")
        return self


class StepRead(BaseModel):
    """A legal step as the case shows it."""

    number: int
    kind: StepKind
    kind_words: str
    taken_at: datetime
    note: str
    recorded_by: str
    created_at: datetime


class Choice(BaseModel):
    """Someone or something a letter may name, as a person types it (`value`) and reads it."""

    value: str
    label: str


class TemplateRead(BaseModel):
    """A letter a case may draft: whom it goes to, whether the case calls for it, what it
    cannot do without, and the case's people, organisations and agreements to choose from."""

    key: str
    title: str
    to: str
    regime: str | None
    applies: bool
    needs_recipient: bool
    needs_agreement: bool
    takes_recipient: bool
    #: a caution before drafting it (no clock of the case falls under its regime)
    note: str | None = None
    recipients: list[Choice] = Field(default_factory=list)
    agreements: list[Choice] = Field(default_factory=list)


class LetterPreview(BaseModel):
    """A drafted letter's text, with what the draft could not fill in from the records."""

    key: str
    title: str
    case: str
    to: str
    recipient: str | None
    agreements: list[str]
    filename: str
    sha256: str
    text: str
    notes: list[str]
