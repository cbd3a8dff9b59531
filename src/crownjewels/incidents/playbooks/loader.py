"""Reading playbook YAML files into validated `Playbook`s: the shipped ones (read once, cached)
and an organisation's folder (read on every call, since people edit it). Every problem is
reported as `path:line: what is wrong; how to fix`, all of a file's problems at once: the YAML
node tree keeps each value's line and pydantic's error locations are mapped back to it."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crownjewels.core import datafile
from crownjewels.core.datafile import DataFileError, Document, Loc, Problem
from crownjewels.core.errors import Invalid
from crownjewels.incidents.playbooks.errors import PlaybookError
from crownjewels.incidents.playbooks.schemas import Playbook, PlaybookFile, Step
from crownjewels.incidents.schemas import IncidentKind, Severity, TeamRole

#: the playbooks shipped with Crown Jewels, one per kind, named after it (theft.yaml)
SHIPPED = Path(__file__).parent / "shipped"

_PLAYBOOK_KEYS = ("name", "kind", "title", "description", "version", "severity", "tasks")
_TASK_KEYS = ("title", "step", "role", "due", "guidance", "contain")
_CHOICES: dict[str, tuple[str, ...]] = {
    "kind": tuple(IncidentKind),
    "role": tuple(TeamRole),
    "severity": tuple(Severity),
}
#: what each key holds, said when it is missing or empty
_HOLDS = {
    "name": "the playbook's name (lower-case letters, digits and dashes: acme-theft)",
    "kind": "the kind of case it is for: " + ", ".join(IncidentKind),
    "title": "a short title",
    "description": "a few lines on when to use it",
    "version": "its version (1, 2026.1 …)",
    "tasks": "the list of tasks, each starting with `- title:`",
    "step": "the step: 1–6 or assemble, contain, investigate, counsel, communicate, remediate",
    "role": "the role who does it: " + ", ".join(TeamRole),
    "due": "how long after discovery it is due: 4h, 3d, 2w",
    "guidance": "what the person doing it needs to know",
}


_NOT_A_PLAYBOOK = (
    "this file holds no playbook; write a mapping with the keys name, kind, title, "
    "description, version and tasks (the shipped playbooks show how)"
)


@dataclass(frozen=True)
class _Read:
    """A file's playbook with its parsed document (for the lines of cross-file problems)."""

    playbook: Playbook
    doc: Document


def parse(text: str, *, source: str, shipped: bool = False) -> Playbook:
    """Validate playbook YAML text; PlaybookError lists every problem with its line."""
    return _parse(text, source=source, shipped=shipped).playbook


def load_file(path: Path, *, shipped: bool = False) -> Playbook:
    """Read and validate one playbook file."""
    return _read(path, shipped=shipped).playbook


def validate_file(path: Path) -> list[str]:
    """The problems of one playbook file as `path:line: what; fix` lines (none: it is fine)."""
    try:
        _read(path, shipped=False)
    except PlaybookError as exc:
        return exc.problems
    except Invalid as exc:
        return [exc.message]
    return []


@cache
def shipped() -> dict[str, Playbook]:
    """The shipped playbooks by name, read once (every case opening asks for them)."""
    return {r.playbook.name: r.playbook for r in _read_all(_files(SHIPPED), shipped=True)}


def load_playbooks(extra_dir: Path | None = None) -> dict[str, Playbook]:
    """Every playbook by name: the shipped ones, then the organisation's folder's (read afresh
    each call); a folder playbook with a shipped one's name replaces it."""
    playbooks = dict(shipped())
    if extra_dir is None:
        return playbooks
    if not extra_dir.is_dir():
        raise Invalid(
            f"{extra_dir}: no such folder; give the folder that holds your playbook files "
            "(*.yaml), or none to use the shipped playbooks",
            field="playbooks",
        )
    for read in _read_all(_files(extra_dir), shipped=False):
        playbooks.pop(read.playbook.name, None)
        playbooks[read.playbook.name] = read.playbook
    return playbooks


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _read_all(paths: list[Path], *, shipped: bool) -> list[_Read]:
    """Read every file of a folder; PlaybookError lists the problems of all of them."""
    reads: list[_Read] = []
    problems: list[str] = []
    for path in paths:
        try:
            reads.append(_read(path, shipped=shipped))
        except PlaybookError as exc:
            problems += exc.problems
    problems += _folder_problems(reads)
    if problems:
        raise PlaybookError(problems)
    return reads


def _read(path: Path, *, shipped: bool) -> _Read:
    text = datafile.read_text(path, what="a playbook YAML file")
    return _parse(text, source=str(path), shipped=shipped)


def _parse(text: str, *, source: str, shipped: bool) -> _Read:
    try:
        doc = datafile.compose(text, source=source)
    except DataFileError as exc:
        fix = "check the indentation, and quote text that holds a colon or starts with a symbol"
        problems = [(ln, f"{msg}; {fix}") for ln, msg in exc.problems]
        raise PlaybookError(_lines(source, problems)) from None
    problems = _duplicate_keys(text)
    if not isinstance(doc.data, dict):
        problems.append((1, _NOT_A_PLAYBOOK))
        raise PlaybookError(_lines(source, problems))
    try:
        content = PlaybookFile.model_validate(doc.data)
    except ValidationError as exc:
        problems += [(doc.line(loc), msg) for loc, msg in _errors(exc)]
        raise PlaybookError(_lines(source, sorted(problems, key=_by_line))) from None
    problems += [(doc.line(loc), msg) for loc, msg in _checks(content, doc)]
    if problems:
        raise PlaybookError(_lines(source, sorted(problems, key=_by_line)))
    return _Read(Playbook(**dict(content), source=source, shipped=shipped), doc)


def _by_line(problem: Problem) -> int:
    return problem[0] or 0


def _lines(source: str, problems: list[Problem]) -> list[str]:
    return [f"{source}:{ln}: {msg}" if ln else f"{source}: {msg}" for ln, msg in problems]


def _duplicate_keys(text: str) -> list[Problem]:
    """Keys given twice in one mapping (YAML would keep the last silently)."""
    problems: list[Problem] = []
    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if str(key.value) in first:
                    problems.append(
                        (
                            line,
                            f"`{key.value}` is given twice here (first on line "
                            f"{first[key.value]}); keep one",
                        )
                    )
                first.setdefault(str(key.value), line)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return problems


def _errors(exc: ValidationError) -> list[tuple[Loc, str]]:
    """pydantic's errors, each at the path of the value at fault, in a playbook editor's words."""
    out: list[tuple[Loc, str]] = []
    for err in exc.errors():
        loc: Loc = tuple(p if isinstance(p, int) else str(p) for p in err["loc"])
        out.append((loc, _message(err, loc)))
    return out


def _message(err: Any, loc: Loc) -> str:
    kind = str(err["type"])
    key = str(loc[-1]) if loc else "file"
    value = err.get("input")
    if loc and isinstance(loc[-1], int):
        return (
            "this task is not a mapping; write it as `- title: …` with step, role, due and "
            "guidance below it"
        )
    if kind == "missing":
        return f"`{key}` is missing; add `{key}:` with {_HOLDS.get(key, 'its value')}"
    if kind == "extra_forbidden":
        known = _TASK_KEYS if "tasks" in loc[:-1] else _PLAYBOOK_KEYS
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        where = "a task" if known is _TASK_KEYS else "a playbook"
        return f"unknown key `{key}`; {hint}{where} takes: {', '.join(known)}"
    if kind == "enum" and key in _CHOICES:
        return f"{value!r} is not a {key}; use one of: {', '.join(_CHOICES[key])}"
    if kind == "bool_parsing":
        return f"{value!r} is not true or false; write `{key}: true`, or leave the key out"
    if kind == "string_pattern_mismatch":
        return (
            f"{value!r} is not a playbook name; use 2–60 lower-case letters, digits and "
            "dashes, starting with a letter or digit (acme-theft)"
        )
    if kind == "string_too_short":
        return f"`{key}` is empty; write {_HOLDS.get(key, 'its value')}"
    if kind == "string_too_long":
        return f"`{key}` is longer than {err['ctx']['max_length']} characters; shorten it"
    if kind == "too_short":
        return f"`{key}` is empty; list the tasks, each starting with `- title:`"
    if kind in ("list_type", "model_type", "dict_type", "string_type"):
        return f"`{key}` has the wrong shape; give {_HOLDS.get(key, 'a single value')}"
    return datafile.message(err)


def _checks(playbook: PlaybookFile, doc: Document) -> list[tuple[Loc, str]]:
    """Problems that span a file's values, each at the path of the value at fault."""
    problems: list[tuple[Loc, str]] = []
    if playbook.name in tuple(IncidentKind) and playbook.name != playbook.kind:
        problems.append(
            (
                ("name",),
                f"the name {playbook.name!r} is kept for a {playbook.name} playbook, but this "
                f"playbook's kind is {playbook.kind}; choose another name, or set "
                f"`kind: {playbook.name}`",
            )
        )
    missing = [s for s in Step if s not in {t.step for t in playbook.tasks}]
    if missing:
        steps = ("steps " if len(missing) > 1 else "step ") + ", ".join(
            f"{s.value} ({s.key})" for s in missing
        )
        problems.append(
            (
                ("tasks",),
                f"no task in {steps}; every playbook follows the six steps, so add a task "
                f"with `step: {missing[0].key}`",
            )
        )
    return problems + _check_tasks(playbook, doc)


def _check_tasks(playbook: PlaybookFile, doc: Document) -> list[tuple[Loc, str]]:
    """A task title used twice; `contain: true` off step 2 or on more than one task."""
    problems: list[tuple[Loc, str]] = []
    titles: dict[str, int] = {}
    contained: int | None = None
    for i, task in enumerate(playbook.tasks):
        line = doc.line(("tasks", i)) or 0
        if task.title in titles:
            problems.append(
                (
                    ("tasks", i, "title"),
                    f"the task title {task.title!r} is already used on line "
                    f"{titles[task.title]}; give each task its own title",
                )
            )
        titles.setdefault(task.title, line)
        if task.contain:
            problems += _check_contain(i, task.step, contained)
            if task.step is Step.CONTAIN and contained is None:
                contained = line
    return problems


def _check_contain(i: int, step: Step, marked_on: int | None) -> list[tuple[Loc, str]]:
    loc: Loc = ("tasks", i, "contain")
    if step is not Step.CONTAIN:
        return [
            (
                loc,
                "only a step 2 (contain) task can carry `contain: true`; set `step: contain` "
                "or move the mark to the containment task",
            )
        ]
    if marked_on is not None:
        return [
            (
                loc,
                f"the task on line {marked_on} already carries `contain: true`; mark only the "
                "one task the one-action containment completes",
            )
        ]
    return []


def _folder_problems(reads: list[_Read]) -> list[str]:
    """Problems between a folder's files: a name used twice, a kind with several playbooks
    and none of them named after it (which one would new cases use?)."""
    problems: list[str] = []
    named: dict[str, _Read] = {}
    for read in reads:
        name = read.playbook.name
        if name in named:
            problems.append(
                f"{_at(read, 'name')}: the name {name!r} is already used by "
                f"{_at(named[name], 'name')}; give each playbook its own name"
            )
        named.setdefault(name, read)
    kinds = Counter(r.playbook.kind for r in named.values())
    for kind, count in kinds.items():
        if count > 1 and kind not in named:
            of_kind = [r for r in named.values() if r.playbook.kind == kind]
            others = ", ".join(_at(r, "kind") for r in of_kind[1:])
            problems.append(
                f"{_at(of_kind[0], 'kind')}: {count} playbooks are of kind {kind} (also "
                f"{others}) and none is named {kind}; name the one new {kind} cases use "
                f"`name: {kind}`, the others are chosen by name"
            )
    return problems


def _at(read: _Read, key: str) -> str:
    return f"{read.playbook.source}:{read.doc.line((key,))}"
