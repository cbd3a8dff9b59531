"""A questionnaire template as data: sections of typed questions with guidance, weights,
conditions (shown when another answer matches) and which answers count as a control in place.
The YAML files in questionnaires/ are validated into these models by loader.py."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]{1,59}$")]
QuestionId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
]
Words = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
#: an answer value as stored: yes/no and choices are strings, numbers numbers, dates ISO strings
AnswerValue = str | float | int | bool | list[str] | None


class QuestionType(StrEnum):
    """What kind of answer a question takes."""

    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    DATE = "date"
    TEXT = "text"
    FILE = "file"


CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})
YES_NO = ("yes", "no")


class Condition(BaseModel):
    """Show a question only when another (earlier) question's answer is one of `in`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    question: QuestionId
    in_: list[str] = Field(alias="in", min_length=1)


class Control(BaseModel):
    """The security control a question evidences, in plain words, and which answers count as
    the control being in place: listed values (yes/no, choices: any one selected), a number
    bound (`at_least` / `at_most`), or for a file question any file given."""

    model_config = ConfigDict(extra="forbid")

    name: Words
    in_place: list[str] = Field(default_factory=list)
    at_least: float | None = None
    at_most: float | None = None


class Question(BaseModel):
    """One question: its id (unique in the template, e.g. "3.2"), text, type and scoring."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: QuestionId
    text: Words
    type: QuestionType
    required: bool = True
    guidance: str | None = Field(default=None, max_length=4000)
    choices: list[Words] = Field(default_factory=list)
    weight: int = Field(default=1, ge=0, le=10)
    show_if: Condition | None = None
    control: Control | None = None


class Section(BaseModel):
    """A titled group of questions."""

    model_config = ConfigDict(extra="forbid")

    title: Words
    questions: list[Question] = Field(min_length=1)


class Questionnaire(BaseModel):
    """A whole template: key and version (a higher version of the same key supersedes)."""

    model_config = ConfigDict(extra="forbid")

    key: Key
    version: int = Field(ge=1)
    title: Words
    description: str | None = Field(default=None, max_length=4000)
    sections: list[Section] = Field(min_length=1)

    def questions(self) -> list[Question]:
        """Every question in order."""
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions() if q.id == question_id), None)


def is_visible(question: Question, answers: dict[str, Any]) -> bool:
    """True when the question is shown given the other answers (conditions chain: a question
    whose condition's question is hidden is hidden too, as its answer does not count)."""
    if question.show_if is None:
        return True
    value = answers.get(question.show_if.question)
    if isinstance(value, list):
        return any(str(v) in question.show_if.in_ for v in value)
    return value is not None and _text(value) in question.show_if.in_


def visible_questions(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[Question]:
    """The questions shown for these answers, in order (a hidden question hides its dependants)."""
    shown: list[Question] = []
    effective: dict[str, Any] = {}
    for q in questionnaire.questions():
        if is_visible(q, effective):
            shown.append(q)
            if q.id in answers:
                effective[q.id] = answers[q.id]
    return shown


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def control_in_place(question: Question, value: Any) -> bool:
    """True when this answer counts as the question's control being in place."""
    control = question.control
    if control is None or value is None or value == "" or value == []:
        return False
    if question.type is QuestionType.FILE:
        return True
    if question.type is QuestionType.NUMBER:
        number = float(value)
        low = control.at_least is None or number >= control.at_least
        high = control.at_most is None or number <= control.at_most
        return low and high
    if isinstance(value, list):
        return any(v in control.in_place for v in value)
    return _text(value) in control.in_place


def coerce_answer(question: Question, raw: Any) -> AnswerValue:
    """An answer checked against its question's type, as stored; ValueError names the problem."""
    if raw is None or raw == "" or raw == []:
        return None
    kind = question.type
    if kind is QuestionType.YES_NO:
        text = _text(raw).strip().lower()
        if text not in YES_NO:
            raise ValueError("answer yes or no")
        return text
    if kind is QuestionType.SINGLE_CHOICE:
        if str(raw) not in question.choices:
            raise ValueError("choose one of: " + ", ".join(question.choices))
        return str(raw)
    if kind is QuestionType.MULTIPLE_CHOICE:
        values = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
        unknown = [v for v in values if v not in question.choices]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a choice; use: " + ", ".join(question.choices))
        return [c for c in question.choices if c in values]
    if kind is QuestionType.NUMBER:
        try:
            return float(str(raw).strip())
        except ValueError:
            raise ValueError("enter a number, e.g. 72") from None
    if kind is QuestionType.DATE:
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError("enter a date as YYYY-MM-DD") from None
    text = str(raw).strip()
    if len(text) > 20_000:
        raise ValueError("keep the answer under 20,000 characters")
    return text
