"""Reading a questionnaire YAML file into a validated `Questionnaire`. Every error names the
file and the line it is on: the YAML node tree keeps each value's mark, pydantic's error
locations are mapped back to the nearest node, and the cross-question checks (unique ids,
conditions pointing at earlier questions, scoring values that are real choices) do the same."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from crownjewels.core import datafile
from crownjewels.core.datafile import DataFileError, Loc, Problem
from crownjewels.vendors.diligence.definition import (
    CHOICE_TYPES,
    YES_NO,
    Question,
    Questionnaire,
    QuestionType,
)

#: the questionnaires shipped with Crown Jewels
BUILT_IN = Path(__file__).parent / "questionnaires"


class QuestionnaireError(DataFileError):
    """A questionnaire file that cannot be used; `problems` lists (line, message) pairs."""


#: what an id or key pattern expects, in the words of someone editing the file
_HINTS = {"string_pattern_mismatch": "is not allowed: use lower-case letters, digits and dashes"}


@dataclass(frozen=True)
class Loaded:
    """A validated questionnaire with the text it came from and that text's SHA-256."""

    questionnaire: Questionnaire
    source: str
    sha256: str


def parse(text: str, *, source: str) -> Loaded:
    """Validate questionnaire YAML text; QuestionnaireError lists each problem with its line."""
    doc = datafile.compose(text, source=source, error=QuestionnaireError)
    if not isinstance(doc.data, dict):
        raise QuestionnaireError(
            source, [(1, "a questionnaire is a mapping with key, version, title and sections")]
        )
    try:
        questionnaire = Questionnaire.model_validate(doc.data)
    except ValidationError as exc:
        raise QuestionnaireError(source, doc.problems(exc, hints=_HINTS)) from None
    problems: list[Problem] = [
        (doc.line(loc), f"{datafile.where(loc)}: {msg}") for loc, msg in _checks(questionnaire)
    ]
    if problems:
        raise QuestionnaireError(source, problems)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Loaded(questionnaire=questionnaire, source=text, sha256=digest)


def load(path: Path) -> Loaded:
    """Read and validate a questionnaire file."""
    return parse(datafile.read_text(path, what="a questionnaire YAML"), source=str(path))


def built_in() -> list[Loaded]:
    """The questionnaires shipped in questionnaires/*.yaml."""
    return [load(p) for p in sorted(BUILT_IN.glob("*.yaml"))]


def _positions(q: Questionnaire) -> Iterator[tuple[Loc, Question]]:
    for s, section in enumerate(q.sections):
        for n, question in enumerate(section.questions):
            yield ("sections", s, "questions", n), question


def _checks(q: Questionnaire) -> list[tuple[Loc, str]]:
    """Problems that span questions, each at the path of the value at fault."""
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, Question] = {}
    for loc, question in _positions(q):
        problems += _check_question(loc, question, seen)
        seen.setdefault(question.id, question)
    return problems


def _check_question(
    loc: Loc, question: Question, seen: dict[str, Question]
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if question.id in seen:
        problems.append(
            ((*loc, "id"), f"question id {question.id!r} is used twice; ids are unique")
        )
    if question.type in CHOICE_TYPES and len(question.choices) < 2:
        problems.append(((*loc, "type"), "a choice question needs `choices` with two or more"))
    if question.type not in CHOICE_TYPES and question.choices:
        problems.append(((*loc, "choices"), f"a {question.type} question takes no choices"))
    cond = question.show_if
    if cond is not None:
        target = seen.get(cond.question)
        if target is None:
            problems.append(
                (
                    (*loc, "show_if", "question"),
                    f"show_if names {cond.question!r}, which is not "
                    "an earlier question; conditions refer to questions above them",
                )
            )
        else:
            allowed = _allowed(target)
            bad = [v for v in cond.in_ if allowed is not None and v not in allowed]
            if bad:
                problems.append(
                    (
                        (*loc, "show_if", "in"),
                        f"{bad[0]!r} is not an answer of question "
                        f"{target.id}; use one of: {', '.join(allowed or [])}",
                    )
                )
    if question.control is not None:
        problems += _check_control((*loc, "control"), question)
    return problems


def _allowed(question: Question) -> list[str] | None:
    if question.type is QuestionType.YES_NO:
        return list(YES_NO)
    if question.type in CHOICE_TYPES:
        return list(question.choices)
    return None


def _check_control(loc: Loc, question: Question) -> list[tuple[Loc, str]]:
    control = question.control
    assert control is not None
    kind = question.type
    if kind in (QuestionType.TEXT, QuestionType.DATE):
        return [(loc, f"a {kind} answer cannot evidence a control; remove `control`")]
    if kind is QuestionType.NUMBER:
        if control.at_least is None and control.at_most is None:
            return [(loc, "a number control needs `at_least` or `at_most`")]
        return []
    if kind is QuestionType.FILE:
        return []
    if not control.in_place:
        return [((*loc, "in_place"), "list the answers that count as the control in place")]
    allowed = _allowed(question) or []
    bad = [v for v in control.in_place if v not in allowed]
    if bad:
        return [
            (
                (*loc, "in_place"),
                f"{bad[0]!r} is not an answer of this question; use one of: {', '.join(allowed)}",
            )
        ]
    return []
