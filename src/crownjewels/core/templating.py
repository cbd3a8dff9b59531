"""The Jinja2 environment for server-rendered pages: one loader over every capability's
templates/ folder (names only; core imports no capability)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from crownjewels.core.wording import counted, file_kind, words


def make_templates(packages: Iterable[str]) -> Jinja2Templates:
    """Templates found in `crownjewels/<package>/templates/` for each package, in order."""
    root = Path(__file__).resolve().parent.parent
    loader = ChoiceLoader(
        [
            PackageLoader("crownjewels", f"{name}/templates")
            for name in packages
            if (root / name / "templates").is_dir()
        ]
    )
    env = Environment(
        loader=loader, autoescape=select_autoescape(), trim_blocks=True, lstrip_blocks=True
    )
    env.filters["words"] = words  # one capitalisation for statuses and tiers on every page
    env.filters["file_kind"] = file_kind  # "PDF", not application/pdf
    env.filters["counted"] = counted  # "1 line", "39 lines", never "line(s)"
    return Jinja2Templates(env=env)
