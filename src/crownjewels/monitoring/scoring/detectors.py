"""The detector the scorers use: the engine with the default rules and the organisation's
own rules file over them, loaded (and checked) once per process; a fresh `Detector` per batch
shares the loaded rules."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from crownjewels.monitoring.detection.engine import Detector
from crownjewels.monitoring.detection.rules import RuleSet, load_rules
from crownjewels.monitoring.scoring.service import DetectorLike
from crownjewels.settings import Settings


@lru_cache(maxsize=4)
def _rules(extra: Path | None, changed: float) -> RuleSet:
    # keyed by the file's modification time too: an edited rules file is read again
    return load_rules(extra=extra)


def default_factory(settings: Settings) -> Callable[[], DetectorLike]:
    """A maker of fresh detectors over the rules in force (a rules error is raised here, with
    every problem as file:line, before any event is scored)."""
    extra = settings.monitoring_rules
    changed = extra.stat().st_mtime if extra is not None and extra.is_file() else 0.0
    rules = _rules(extra, changed)

    def make() -> DetectorLike:
        return Detector(rules)

    return make
