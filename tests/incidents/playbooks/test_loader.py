"""Playbooks as data: the shipped ones cover every kind and the six steps; each kind of mistake
is reported at its file and line; an organisation's folder replaces a kind's default; tasks are
planned from the moment of discovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crownjewels.core.errors import Invalid, NotFound
from crownjewels.incidents.playbooks import loader
from crownjewels.incidents.playbooks.errors import PlaybookError
from crownjewels.incidents.playbooks.rules import plan_tasks, playbook_for
from crownjewels.incidents.playbooks.schemas import FIRST_DAY, Step, format_due, parse_due
from crownjewels.incidents.schemas import IncidentKind

# a valid organisation playbook; the error tests change one line of it (numbers on the right)
GOOD = """\
name: acme-theft
kind: theft
title: Acme theft response
description: |
  Our own steps when a secret is taken.
version: "3"
severity: critical
tasks:
  - title: Open the case
    step: assemble
    role: lead
    due: 1h
    guidance: Name the team.
  - title: Cut access
    step: contain
    role: forensics
    due: 4h
    guidance: Run the containment.
    contain: true
  - title: Image the laptop
    step: 3
    role: forensics
    due: 24h
    guidance: |
      Write blocker, hash, custody form.
  - title: Call counsel
    step: counsel
    role: legal
    due: 24h
    guidance: Engage outside counsel.
  - title: Brief the board
    step: communicate
    role: management
    due: 3d
    guidance: Privileged briefing.
  - title: Review
    step: remediate
    role: lead
    due: 2w
    guidance: Root cause and changes.
"""
# 1 name · 2 kind · 7 severity · 9-13 task 1 · 14-19 task 2 (19 contain) · 20-25 task 3
# (21 step) · 26-30 task 4 (28 role) · 31-35 task 5 (34 due) · 36-40 task 6
DISCOVERED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
YAML_FIX = "check the indentation, and quote text that holds a colon or starts with a symbol"
KINDS = "theft, disclosure, device, vendor-breach, departure, leak-found, canary, personal-data"
ROLES = "lead, legal, forensics, communications, management, owner"
STEPS = "1 assemble, 2 contain, 3 investigate, 4 counsel, 5 communicate, 6 remediate"
TASK_KEYS = "title, step, role, due, guidance, contain"


def _write(folder: Path, text: str, name: str = "acme-theft.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _edit(old: str, new: str, text: str = GOOD) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# -- the shipped playbooks ---------------------------------------------------------------------


def test_every_shipped_playbook_loads_and_every_kind_has_one() -> None:
    shipped = loader.shipped()
    assert sorted(shipped) == sorted(IncidentKind)
    for name, playbook in shipped.items():
        assert playbook.name == playbook.kind == name
        assert playbook.shipped
        assert Path(playbook.source) == loader.SHIPPED / f"{name}.yaml"
        assert loader.validate_file(Path(playbook.source)) == []
    assert sorted(p.stem for p in loader.SHIPPED.glob("*.yaml")) == sorted(IncidentKind)


@pytest.mark.parametrize("kind", list(IncidentKind))
def test_a_shipped_playbook_follows_the_six_steps_and_has_first_day_tasks(
    kind: IncidentKind,
) -> None:
    playbook = loader.shipped()[kind]
    assert {t.step for t in playbook.tasks} == set(Step)
    first_day = [t for t in playbook.tasks if t.due <= FIRST_DAY]
    assert {Step.ASSEMBLE, Step.CONTAIN} <= {t.step for t in first_day}
    assert any(t.step in (Step.INVESTIGATE, Step.COUNSEL) for t in first_day)
    contain = [t for t in playbook.tasks if t.contain]
    assert len(contain) == 1
    assert contain[0].step is Step.CONTAIN and contain[0].due <= FIRST_DAY
    assert len({t.title for t in playbook.tasks}) == len(playbook.tasks)
    assert all(len(t.guidance) >= 150 for t in playbook.tasks), "guidance a person can act on"


def test_the_shipped_guidance_cites_the_law_where_it_matters() -> None:
    shipped = loader.shipped()

    def text(kind: str) -> str:
        return "\n".join(t.guidance for t in shipped[kind].tasks)

    assert "18 U.S.C. §1836(b)(2)" in text("theft")
    assert "Issue a litigation hold" in [t.title for t in shipped["theft"].tasks]
    assert "Art. 33" in text("personal-data") and "72 hours" in text("personal-data")
    assert "§1833(b)" in text("departure") and "§1833(b)" in text("disclosure")
    assert "Wayback Machine" in text("leak-found")
    assert "Safe Links" in text("canary")


def test_the_shipped_load_is_cached() -> None:
    assert loader.load_playbooks()["theft"] is loader.load_playbooks()["theft"]


# -- due times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("1h", timedelta(hours=1)),
        ("4h", timedelta(hours=4)),
        ("24h", timedelta(hours=24)),
        ("3d", timedelta(days=3)),
        ("2w", timedelta(weeks=2)),
        ("52w", timedelta(weeks=52)),
    ],
)
def test_due_times(text: str, due: timedelta) -> None:
    assert parse_due(text) == due


@pytest.mark.parametrize(
    "text", ["", "4", "h", "4 h", "4H", "0h", "04h", "1.5h", "-1h", "3 days", "1d2h", "2m", " 4h"]
)
def test_due_times_are_parsed_strictly(text: str) -> None:
    with pytest.raises(ValueError, match="is not a due time; write a whole number and a unit"):
        parse_due(text)


def test_a_due_time_past_a_year_is_refused() -> None:
    with pytest.raises(ValueError, match="more than a year after discovery; use at most 52w"):
        parse_due("53w")


@given(st.text(max_size=8))
def test_any_text_is_a_due_time_within_a_year_or_refused(text: str) -> None:
    try:
        due = parse_due(text)
    except ValueError:
        return
    assert timedelta(0) < due <= timedelta(weeks=52)
    assert parse_due(format_due(due)) == due


# -- mistakes, each at its file and line --------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "    role: legal\n",
            "    role: legal: counsel\n",
            f"28: not valid YAML: mapping values are not allowed here; {YAML_FIX}",
        ),
        (
            "    guidance: Name the team.\n",
            "    guidance: Name the team.\n    owner: dana\n",
            f"14: unknown key `owner`; a task takes: {TASK_KEYS}",
        ),
        (
            "severity: critical",
            "severty: critical",
            "7: unknown key `severty`; did you mean `severity`? a playbook takes: "
            "name, kind, title, description, version, severity, tasks",
        ),
        ("kind: theft", "kind: stolen", f"2: 'stolen' is not a kind; use one of: {KINDS}"),
        ("role: legal", "role: lawyer", f"28: 'lawyer' is not a role; use one of: {ROLES}"),
        ("step: 3", "step: 7", f"21: '7' is not a step; use 1–6 or the step's key: {STEPS}"),
        (
            "step: 3",
            "step: investigation",
            f"21: 'investigation' is not a step; use 1–6 or the step's key: {STEPS}",
        ),
        (
            "due: 3d",
            "due: 3 days",
            "34: '3 days' is not a due time; write a whole number and a unit with no space: "
            "4h (hours), 3d (days), 2w (weeks)",
        ),
        (
            "severity: critical",
            "severity: dire",
            "7: 'dire' is not a severity; use one of: low, medium, high, critical",
        ),
        (
            "    contain: true",
            "    contain: maybe",
            "19: 'maybe' is not true or false; write `contain: true`, or leave the key out",
        ),
        (
            "    due: 2w\n",
            "",
            "36: `due` is missing; add `due:` with how long after discovery it is due: 4h, 3d, 2w",
        ),
        (
            'version: "3"\n',
            "",
            "1: `version` is missing; add `version:` with its version (1, 2026.1 …)",
        ),
        (
            "    guidance: Root cause and changes.\n",
            '    guidance: ""\n',
            "40: `guidance` is empty; write what the person doing it needs to know",
        ),
        (
            "name: acme-theft",
            "name: Acme Theft",
            "1: 'Acme Theft' is not a playbook name; use 2–60 lower-case letters, digits and "
            "dashes, starting with a letter or digit (acme-theft)",
        ),
        (
            "name: acme-theft",
            "name: device",
            "1: the name 'device' is kept for a device playbook, but this playbook's kind is "
            "theft; choose another name, or set `kind: device`",
        ),
        (
            "    due: 3d\n",
            "    due: 3d\n    due: 4d\n",
            "35: `due` is given twice here (first on line 34); keep one",
        ),
        (
            "  - title: Brief the board",
            "  - title: Call counsel",
            "31: the task title 'Call counsel' is already used on line 26; give each task its "
            "own title",
        ),
        (
            "    guidance: Engage outside counsel.\n",
            "    guidance: Engage outside counsel.\n    contain: true\n",
            "31: only a step 2 (contain) task can carry `contain: true`; set `step: contain` or "
            "move the mark to the containment task",
        ),
        (
            "    step: 3\n",
            "    step: contain\n",
            "8: no task in step 3 (investigate); every playbook follows the six steps, so add a "
            "task with `step: investigate`",
        ),
    ],
)
def test_each_mistake_is_reported_at_its_line(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    path = _write(tmp_path, _edit(old, new))
    assert loader.validate_file(path) == [f"{path}:{problem}"]
    with pytest.raises(PlaybookError) as raised:
        loader.load_file(path)
    assert isinstance(raised.value, Invalid)
    assert raised.value.message == f"{path}:{problem}"


def test_a_misspelt_key_is_named_with_its_spelling_and_the_field_as_missing(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, _edit("    guidance: Privileged", "    guidence: Privileged"))
    assert loader.validate_file(path) == [
        f"{path}:31: `guidance` is missing; add `guidance:` with what the person doing it "
        "needs to know",
        f"{path}:35: unknown key `guidence`; did you mean `guidance`? a task takes: {TASK_KEYS}",
    ]


def test_a_second_containment_task_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, _edit("    step: 3\n", "    step: contain\n    contain: true\n"))
    assert loader.validate_file(path) == [
        f"{path}:8: no task in step 3 (investigate); every playbook follows the six steps, so "
        "add a task with `step: investigate`",
        f"{path}:22: the task on line 14 already carries `contain: true`; mark only the one "
        "task the one-action containment completes",
    ]


def test_a_playbook_without_tasks(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.split("tasks:")[0] + "tasks: []\n")
    assert loader.validate_file(path) == [
        f"{path}:8: `tasks` is empty; list the tasks, each starting with `- title:`"
    ]


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = _edit("kind: theft", "kind: stolen")
    text = _edit("role: legal", "role: lawyer", text)
    text = _edit("due: 3d", "due: soon", text)
    path = _write(tmp_path, text)
    with pytest.raises(PlaybookError) as raised:
        loader.load_file(path)
    lines = [p.split(": ", 1)[0] for p in raised.value.problems]
    assert lines == [f"{path}:2", f"{path}:28", f"{path}:34"]
    assert raised.value.message == "\n".join(raised.value.problems)


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "a line of text\n"])
def test_a_file_that_holds_no_playbook(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    assert loader.validate_file(path) == [
        f"{path}:1: this file holds no playbook; write a mapping with the keys name, kind, "
        "title, description, version and tasks (the shipped playbooks show how)"
    ]


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert loader.validate_file(path) == [
        f"{path}: no such file; give the path of a playbook YAML file"
    ]


def test_a_task_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path, _edit("tasks:\n", "tasks:\n  - just a line\n"))
    assert loader.validate_file(path) == [
        f"{path}:9: this task is not a mapping; write it as `- title: …` with step, role, due "
        "and guidance below it"
    ]


# -- an organisation's folder --------------------------------------------------------------------


def test_an_organisations_playbook_becomes_its_kinds_default(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    _write(folder, GOOD)
    playbooks = loader.load_playbooks(folder)
    assert list(playbooks)[: len(IncidentKind)] == list(loader.shipped())
    assert list(playbooks)[-1] == "acme-theft"
    mine = playbook_for("theft", playbooks)
    assert (mine.name, mine.shipped, mine.severity) == ("acme-theft", False, "critical")
    assert mine.source == str(folder / "acme-theft.yaml")
    # the shipped one is still there, chosen by name; other kinds keep the shipped default
    assert playbook_for("theft", playbooks, name="theft") is loader.shipped()["theft"]
    assert playbook_for("device", playbooks) is loader.shipped()["device"]


def test_a_playbook_named_after_a_kind_replaces_the_shipped_one(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    _write(folder, _edit("name: acme-theft", "name: theft"), "ours.yaml")
    playbooks = loader.load_playbooks(folder)
    assert len(playbooks) == len(IncidentKind)
    assert list(playbooks)[-1] == "theft"  # the shipped ones first, then the folder's
    assert not playbooks["theft"].shipped
    assert playbooks["theft"].title == "Acme theft response"
    assert playbook_for("theft", playbooks) is playbooks["theft"]
    assert loader.shipped()["theft"].shipped  # the cache is untouched


def test_of_several_playbooks_of_a_kind_the_one_named_after_it_is_the_default(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "playbooks"
    _write(folder, GOOD)
    _write(folder, _edit("name: acme-theft", "name: theft"), "theft.yaml")
    playbooks = loader.load_playbooks(folder)
    assert playbook_for("theft", playbooks).source == str(folder / "theft.yaml")
    chosen = playbook_for("theft", playbooks, name="acme-theft")
    assert chosen.source == str(folder / "acme-theft.yaml")


def test_several_playbooks_of_a_kind_none_named_after_it_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    first = _write(folder, GOOD)
    second = _write(folder, _edit("name: acme-theft", "name: exec-theft"), "exec-theft.yaml")
    with pytest.raises(PlaybookError) as raised:
        loader.load_playbooks(folder)
    assert raised.value.problems == [
        f"{first}:2: 2 playbooks are of kind theft (also {second}:2) and none is named theft; "
        "name the one new theft cases use `name: theft`, the others are chosen by name"
    ]


def test_a_name_used_twice_in_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    first = _write(folder, GOOD, "a.yaml")
    second = _write(folder, _edit("title: Acme theft response", "title: Again"), "b.yaml")
    with pytest.raises(PlaybookError) as raised:
        loader.load_playbooks(folder)
    assert raised.value.problems == [
        f"{second}:1: the name 'acme-theft' is already used by {first}:1; give each playbook "
        "its own name"
    ]


def test_the_problems_of_every_file_in_the_folder_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    bad_kind = _write(folder, _edit("kind: theft", "kind: stolen"), "a.yaml")
    bad_due = _write(
        folder, _edit("name: acme-theft", "name: b-theft").replace("due: 2w", "due: 2y"), "b.yml"
    )
    _write(folder, "not: [a, playbook", "notes.txt")  # not a playbook file: ignored
    with pytest.raises(PlaybookError) as raised:
        loader.load_playbooks(folder)
    assert [p.split(": ", 1)[0] for p in raised.value.problems] == [
        f"{bad_kind}:2",
        f"{bad_due}:39",
    ]


def test_the_folder_is_read_afresh_each_time(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    path = _write(folder, GOOD)
    assert loader.load_playbooks(folder)["acme-theft"].title == "Acme theft response"
    path.write_text(_edit("title: Acme theft response", "title: Edited"), encoding="utf-8")
    assert loader.load_playbooks(folder)["acme-theft"].title == "Edited"


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match=r"no such folder; give the folder that holds your"):
        loader.load_playbooks(tmp_path / "nowhere")


# -- choosing a playbook -----------------------------------------------------------------------


def test_choosing_a_playbook_names_the_fix() -> None:
    playbooks = loader.load_playbooks()
    with pytest.raises(Invalid, match=r"^'stolen' is not a kind of incident; use one of: theft"):
        playbook_for("stolen", playbooks)
    with pytest.raises(NotFound, match=r"^no playbook is named 'acme'; choose one of: canary"):
        playbook_for("theft", playbooks, name="acme")
    with pytest.raises(Invalid) as raised:
        playbook_for("theft", playbooks, name="device")
    assert raised.value.message == (
        "the playbook 'device' is for lost or stolen device cases, not suspected trade-secret "
        "theft; choose a theft playbook (theft) or change the case's kind"
    )
    with pytest.raises(NotFound, match=r"no playbook is loaded for canary cases; add one"):
        playbook_for("canary", {n: p for n, p in playbooks.items() if n != "canary"})


# -- planning tasks ----------------------------------------------------------------------------


def test_plan_tasks_orders_by_due_then_step_from_discovery(tmp_path: Path) -> None:
    playbook = loader.load_file(_write(tmp_path, GOOD))
    # written in reverse, planned in order: the sort is by due, then by step
    shuffled = playbook.model_copy(update={"tasks": list(reversed(playbook.tasks))})
    planned = plan_tasks(shuffled, DISCOVERED)
    assert [(t.title, t.step, t.step_name, t.role, t.due_at, t.first_day) for t in planned] == [
        ("Open the case", 1, "assemble", "lead", datetime(2026, 3, 2, 10, 30, tzinfo=UTC), True),
        ("Cut access", 2, "contain", "forensics", datetime(2026, 3, 2, 13, 30, tzinfo=UTC), True),
        ("Image the laptop", 3, "investigate", "forensics", DISCOVERED + FIRST_DAY, True),
        ("Call counsel", 4, "counsel", "legal", DISCOVERED + FIRST_DAY, True),
        ("Brief the board", 5, "communicate", "management", DISCOVERED + timedelta(3), False),
        ("Review", 6, "remediate", "lead", datetime(2026, 3, 16, 9, 30, tzinfo=UTC), False),
    ]
    assert [t.contain for t in planned] == [False, True, False, False, False, False]
    assert planned[2].guidance == "Write blocker, hash, custody form."
    assert planned[1].step_title == "detect and contain"


def test_a_task_due_after_24_hours_is_not_a_first_day_task(tmp_path: Path) -> None:
    playbook = loader.load_file(_write(tmp_path, _edit("due: 3d", "due: 25h")))
    planned = {t.title: t for t in plan_tasks(playbook, DISCOVERED)}
    assert planned["Call counsel"].first_day
    assert not planned["Brief the board"].first_day
    assert planned["Brief the board"].due_at == DISCOVERED + timedelta(hours=25)


def test_plan_tasks_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_tasks(loader.shipped()["theft"], datetime(2026, 3, 2, 9, 30))
