"""Errors of playbooks, each saying what is wrong and what to do."""

from __future__ import annotations

from crownjewels.core.errors import Invalid, NotFound


class PlaybookError(Invalid):
    """Playbook files that cannot be used; `problems` lists every `path:line: what; fix`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems), field="file")


class UnknownPlaybook(NotFound):
    """No playbook with that name (or none for that kind of case)."""
