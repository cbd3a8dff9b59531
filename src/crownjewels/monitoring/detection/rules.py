"""Detection rules as data: `data/rules.yaml` (versioned), plus an organisation's own file
that overrides rules by id (only the fields it names), disables them (`enabled: false`) or
adds new ones. Every problem is reported as `file:line: message`, all of them at once.

A rule has a `kind` (what the engine computes, `KINDS`), the actions it looks at, a window,
a severity and thresholds that may differ per secret tier (a number, or a mapping of tier to
number with an optional `default`). Under heightened watch (a departure) thresholds are
multiplied by `heightened` and the severity goes up one step."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from crownjewels.core import datafile
from crownjewels.core.errors import Invalid
from crownjewels.monitoring.schemas import Action, Severity
from crownjewels.settings import Settings

#: the rules shipped with Crown Jewels
DEFAULT_RULES = Path(__file__).parent / "data" / "rules.yaml"

TIERS = ("highly-sensitive", "sensitive", "confidential")
#: the key of a tiered value that applies to unclassified resources and any tier not named
DEFAULT = "default"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SIZES = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class RulesError(Invalid):
    """Rules that cannot be used; `problems` lists every one as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems), field="file")


def _duration(value: Any) -> int:
    """`90s`, `15m`, `1h`, `7d` (or a number of seconds) as seconds."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration; write e.g. 90s, 15m, 1h or 7d")
    return int(match[1]) * _UNITS[match[2] or "s"]


def _size(value: Any) -> int:
    """`500MB`, `2GB`, `10kb` (or a number of bytes) as bytes."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?b?)\s*", str(value).lower())
    if not match:
        raise ValueError(f"{value!r} is not a size; write e.g. 500MB, 2GB or 10000")
    return int(float(match[1]) * _SIZES[match[2]])


def _clock(value: Any) -> int:
    """`07:30` as minutes after midnight."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(value))
    if not match or int(match[1]) > 24 or int(match[2]) > 59:
        raise ValueError(f"{value!r} is not a time of day; write e.g. 07:30")
    return int(match[1]) * 60 + int(match[2])


def _tiered(convert: Any, *, fill: bool = True) -> Any:
    """A value per tier; `fill`: every tier and the default are filled in (an unnamed tier
    takes the default; without one, unclassified resources take the strictest threshold),
    so the engine looks a threshold up once per event."""

    def parse(value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            value = {DEFAULT: value}
        unknown = [k for k in value if k not in (*TIERS, DEFAULT)]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a tier; use {', '.join(TIERS)} or {DEFAULT}")
        out = {str(k): convert(v) for k, v in value.items()}
        if DEFAULT not in out and any(t not in out for t in TIERS):
            raise ValueError(f"name every tier ({', '.join(TIERS)}) or give a {DEFAULT}")
        if fill:
            default = out.get(DEFAULT, min(out.values()))
            out = {tier: out.get(tier, default) for tier in TIERS} | {DEFAULT: default}
        return out

    return parse


def _number(value: Any) -> float:
    """A number, or a size with its unit (for thresholds on bytes)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    try:
        return float(_size(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _severity(value: Any) -> Severity:
    try:
        return Severity(str(value))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a severity; use {', '.join(s.value for s in Severity)}"
        ) from None


def _actions(value: Any) -> frozenset[Action]:
    items = value if isinstance(value, list) else [value]
    out = set()
    for item in items:
        try:
            out.add(Action(str(item)))
        except ValueError:
            raise ValueError(
                f"{item!r} is not an action; use {', '.join(a.value for a in Action)}"
            ) from None
    return frozenset(out)


def _days(value: Any) -> frozenset[int]:
    items = value if isinstance(value, list) else [value]
    out = set()
    for item in items:
        name = str(item).lower()[:3]
        if name not in _DAYS:
            raise ValueError(f"{item!r} is not a day; use mon, tue, wed, thu, fri, sat, sun")
        out.add(_DAYS.index(name))
    return frozenset(out)


Seconds = Annotated[int, BeforeValidator(_duration)]
Bytes = Annotated[int, BeforeValidator(_size)]
Minutes = Annotated[int, BeforeValidator(_clock)]
TieredCount = Annotated[dict[str, float], BeforeValidator(_tiered(_number))]
TieredBytes = Annotated[dict[str, float], BeforeValidator(_tiered(_size))]
TieredSeverity = Annotated[dict[str, Severity], BeforeValidator(_tiered(_severity, fill=False))]
Actions = Annotated[frozenset[Action], BeforeValidator(_actions)]
Days = Annotated[frozenset[int], BeforeValidator(_days)]

#: the actions that touch a secret's content (what "access" means for most rules)
ACCESS = frozenset(Action) - {
    Action.LOGIN,
    Action.FAILED_LOGIN,
    Action.DENIED,
    Action.GRANT_CHANGE,
    Action.SIGNAL,
}
#: the actions that take content away
MOVES = frozenset({Action.DOWNLOAD, Action.COPY, Action.CLONE, Action.EXPORT, Action.PRINT})
MEASURES = ("events", "documents", "bytes", "secrets", "moves", "new-documents")
Measure = Literal["events", "documents", "bytes", "secrets", "moves", "new-documents"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,59}$")
    title: str = Field(min_length=3, max_length=120)
    description: str = ""
    enabled: bool = True
    severity: TieredSeverity
    #: thresholds × this under heightened watch (and severity one step up)
    heightened: float = Field(default=0.5, gt=0, le=1)
    #: findings with the same group key within this time join one alert
    group_window: Seconds = 86400


class Bulk(_Spec):
    """N distinct documents (or bytes) of one secret, or of all secrets, in a window."""

    kind: Literal["bulk"]
    scope: Literal["secret", "all"] = "secret"
    actions: Actions = MOVES
    window: Seconds = 3600
    documents: TieredCount | None = None
    bytes: TieredBytes | None = None


class OffHours(_Spec):
    """Access outside working hours in the person's own zone, unusual for them."""

    kind: Literal["off-hours"]
    actions: Actions = ACCESS
    start: Minutes = 7 * 60
    end: Minutes = 20 * 60
    working_days: Days = frozenset(range(5))
    #: events outside hours in one day before it counts
    events: TieredCount = Field(default_factory=lambda: {DEFAULT: 3.0})
    #: the person's share of active days with off-hours activity must be below this
    usual_share: float = Field(default=0.2, ge=0, le=1)
    #: days of history before the person's habit is trusted
    min_days: int = Field(default=5, ge=0)


class Novelty(_Spec):
    """A country, IP network (/24, /48) or device the person has not been seen with."""

    kind: Literal["new-country", "new-network", "new-device"]
    actions: Actions = frozenset(Action) - {Action.SIGNAL, Action.GRANT_CHANGE}
    #: events of the person seen before anything can be new
    min_events: int = Field(default=20, ge=0)
    min_days: int = Field(default=3, ge=0)
    #: distinct documents touched from the new value on its first day before it is a finding
    #: (1: the first event)
    documents: TieredCount = Field(default_factory=lambda: {DEFAULT: 1.0})


class Travel(_Spec):
    """Two places too far apart for the time between them."""

    kind: Literal["impossible-travel"]
    actions: Actions = frozenset(Action) - {Action.SIGNAL, Action.GRANT_CHANGE}
    speed_kmh: float = Field(default=900, gt=0)
    min_km: float = Field(default=500, ge=0)
    #: ignore arrival in a country the person was seen in this many times before (a VPN's
    #: exit, a second office); 0: judge every jump
    known_after: int = Field(default=3, ge=0)


class Departing(_Spec):
    """Access by a person whose notice is given (and above their own usual day), or after
    their last day."""

    kind: Literal["departing"]
    actions: Actions = MOVES
    #: during the notice period: documents in a day above the person's median by this many
    #: robust standard deviations (0: any access)
    above_usual: float = Field(default=1.0, ge=0)
    after_last_day: TieredSeverity = Field(default_factory=lambda: {DEFAULT: Severity.CRITICAL})


class GrantWindowRule(_Spec):
    """External access to a secret outside every grant window the person holds."""

    kind: Literal["outside-grant"]
    actions: Actions = ACCESS


class DenialBurst(_Spec):
    """N denials or failed logins by one actor in a window."""

    kind: Literal["denial-burst"]
    actions: Actions = frozenset({Action.DENIED, Action.FAILED_LOGIN})
    window: Seconds = 600
    events: TieredCount = Field(default_factory=lambda: {DEFAULT: 10.0})


class OrgVolume(_Spec):
    """An organisation's day far above its own history."""

    kind: Literal["organisation-volume"]
    actions: Actions = ACCESS
    measure: Measure = "events"
    z: float = Field(default=6.0, gt=0)
    min_days: int = Field(default=7, ge=1)
    #: and at least this many times its median
    ratio: float = Field(default=3.0, ge=1)
    external_only: bool = True


class Region(_Spec):
    """Access from a country outside the secret's allowed regions."""

    kind: Literal["region"]
    actions: Actions = ACCESS


class SignalRule(_Spec):
    """A signal raised by another capability (canary, leak match, watchlist)."""

    kind: Literal["signal"]
    actions: Actions = frozenset({Action.SIGNAL})


class UnusualDay(_Spec):
    """A person's day far above their own history and their peers'."""

    kind: Literal["unusual-day"]
    actions: Actions = ACCESS
    measure: Measure = "documents"
    #: robust z against the person's own days, and against their peers' person-days
    z_own: float = Field(default=5.0, gt=0)
    z_peers: float = Field(default=3.0, ge=0)
    #: the day's value must also reach this (a tiny day is never unusual)
    minimum: TieredCount = Field(default_factory=lambda: {DEFAULT: 10.0})
    #: the MAD's floor in the measure's unit (a regular person's MAD is 0)
    floor: float = Field(default=1.0, gt=0)
    #: without this many days of their own, the person is judged on peers alone (z_own
    #: then applies against peers)
    min_days: int = Field(default=5, ge=1)


class Sustained(_Spec):
    """Day after day above the person's usual: a cumulative sum (CUSUM) of the robust z of
    each day, less a slack, catches a slow drift that no single day shows."""

    kind: Literal["sustained"]
    actions: Actions = MOVES
    measure: Measure = "documents"
    slack: float = Field(default=1.0, ge=0)
    limit: float = Field(default=8.0, gt=0)
    floor: float = Field(default=1.0, gt=0)
    min_days: int = Field(default=7, ge=1)
    #: the day must also be above the peers' median by this many robust deviations
    z_peers: float = Field(default=0.0)


class NewSecret(_Spec):
    """Secrets the person has never touched and their peers do not use, in one day."""

    kind: Literal["new-secret"]
    actions: Actions = ACCESS
    secrets: TieredCount = Field(default_factory=lambda: {DEFAULT: 2.0})
    min_days: int = Field(default=7, ge=1)
    #: peers who used the secret before it is part of the group's work
    peers_using: int = Field(default=1, ge=1)


RuleSpec = Annotated[
    Bulk
    | OffHours
    | Novelty
    | Travel
    | Departing
    | GrantWindowRule
    | DenialBurst
    | OrgVolume
    | Region
    | SignalRule
    | UnusualDay
    | Sustained
    | NewSecret,
    Field(discriminator="kind"),
]


class Baselines(BaseModel):
    """How baselines are kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: active days kept per person and organisation
    window_days: int = Field(default=30, ge=3, le=400)
    #: person-days kept per peer group
    peer_days: int = Field(default=600, ge=10, le=100_000)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    baselines: dict[str, Any] | None = None
    rules: list[dict[str, Any]] = Field(default_factory=list)


KINDS = sorted(
    {
        kind
        for spec in (
            Bulk,
            OffHours,
            Novelty,
            Travel,
            Departing,
            GrantWindowRule,
            DenialBurst,
            OrgVolume,
            Region,
            SignalRule,
            UnusualDay,
            Sustained,
            NewSecret,
        )
        for kind in spec.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
    }
)


@dataclass(frozen=True)
class Rule:
    """One validated rule with the version of the file that last defined it."""

    spec: Any
    version: str
    #: `file:line` of its definition
    origin: str
    #: the spec's id and kind, read per event
    id: str = ""
    kind: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.spec.id))
        object.__setattr__(self, "kind", str(self.spec.kind))

    def severity(self, tier: str | None, *, heightened: bool = False) -> Severity:
        """The rule's severity for a secret tier, one step up under heightened watch."""
        return pick_severity(self.spec.severity, tier, heightened=heightened)


def tiered(values: Mapping[str, float], tier: str | None) -> float:
    """A tiered threshold's value for `tier` (None: unclassified)."""
    return values[tier] if tier is not None and tier in values else values[DEFAULT]


def pick_severity(
    values: Mapping[str, Severity], tier: str | None, *, heightened: bool = False
) -> Severity:
    """A tiered severity, raised one step (to at most critical) under heightened watch."""
    if tier is not None and tier in values:
        found = values[tier]
    elif DEFAULT in values:
        found = values[DEFAULT]
    else:
        found = max(values.values(), key=list(Severity).index)
    if heightened:
        order = list(Severity)
        found = order[min(order.index(found) + 1, len(order) - 1)]
    return found


@dataclass(frozen=True)
class RuleSet:
    """The rules in force: their versions, baselines' settings, and the files they came from."""

    version: str
    rules: tuple[Rule, ...]
    baselines: Baselines = field(default_factory=Baselines)
    sources: tuple[str, ...] = ()

    def get(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError when there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def enabled(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.spec.enabled)


_SPEC_ADAPTER: TypeAdapter[Any] = TypeAdapter(RuleSpec)


@dataclass
class _Pending:
    """A rule's fields as merged so far, each with the `file:line` it came from."""

    data: dict[str, Any]
    origins: dict[str, str]
    version: str
    origin: str


def parse(texts: Iterable[tuple[str, str]]) -> RuleSet:
    """Validate rules texts, given as (source, text); later texts override earlier ones by
    rule id, field by field. RulesError lists every problem of every text."""
    pending: dict[str, _Pending] = {}
    baselines: dict[str, Any] = {}
    baseline_origins: dict[str, str] = {}
    versions: list[str] = []
    sources: list[str] = []
    problems: list[str] = []
    for source, text in texts:
        sources.append(source)
        problems += _read(source, text, pending, baselines, baseline_origins, versions)
    rules: list[Rule] = []
    for rule_id, item in pending.items():
        try:
            spec = _SPEC_ADAPTER.validate_python(item.data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = [p for p in err["loc"] if p != item.data.get("kind")]
                if err["type"].startswith("union_tag"):
                    loc = ["kind"]
                at = item.origins.get(str(loc[0]), item.origin) if loc else item.origin
                path = datafile.where(tuple(loc), empty="rule")
                problems.append(f"{at}: rule {rule_id}: {path}: {_message(err)}")
            continue
        rules.append(Rule(spec=spec, version=item.version, origin=item.origin))
    try:
        settings = Baselines.model_validate(baselines)
    except ValidationError as exc:
        settings = Baselines()
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            at = baseline_origins.get(key, sources[-1] if sources else "rules")
            problems.append(f"{at}: baselines.{key}: {_message(err)}")
    if problems:
        raise RulesError(problems)
    return RuleSet(
        version="+".join(versions), rules=tuple(rules), baselines=settings, sources=tuple(sources)
    )


def _message(err: Any) -> str:
    if err["type"] == "union_tag_invalid":
        return f"{err['input'].get('kind')!r} is not a kind of rule; use {', '.join(KINDS)}"
    if err["type"] == "union_tag_not_found":
        return f"every rule needs a kind: {', '.join(KINDS)}"
    return datafile.message(err)


def _read(
    source: str,
    text: str,
    pending: dict[str, _Pending],
    baselines: dict[str, Any],
    baseline_origins: dict[str, str],
    versions: list[str],
) -> list[str]:
    """Merge one text's rules into `pending`; the problems found on the way."""
    try:
        doc = datafile.compose(text, source=source)
    except datafile.DataFileError as exc:
        return [
            f"{source}:{line}: {msg}" if line else f"{source}: {msg}" for line, msg in exc.problems
        ]
    if not isinstance(doc.data, dict):
        return [f"{source}:1: a rules file is a mapping with `version` and `rules`"]
    try:
        parsed = _File.model_validate(doc.data)
    except ValidationError as exc:
        return [f"{source}:{line or 1}: {msg}" for line, msg in doc.problems(exc)]
    versions.append(parsed.version)
    for key, value in (parsed.baselines or {}).items():
        baselines[key] = value
        baseline_origins[key] = f"{source}:{doc.line(('baselines', key))}"
    problems: list[str] = []
    seen: set[str] = set()
    for n, raw in enumerate(parsed.rules):
        at = f"{source}:{doc.line(('rules', n))}"
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(rule_id, str):
            problems.append(f"{at}: every rule needs an `id` (lower-case letters, digits, dashes)")
            continue
        if rule_id in seen:
            problems.append(f"{at}: rule id {rule_id!r} is used twice in this file")
            continue
        seen.add(rule_id)
        origins = {k: f"{source}:{doc.line(('rules', n, k))}" for k in raw}
        if rule_id in pending:
            item = pending[rule_id]
            if "kind" in raw and raw["kind"] != item.data.get("kind"):
                problems.append(
                    f"{origins['kind']}: rule {rule_id} is a {item.data.get('kind')} rule "
                    f"({item.origin}); give a new id for a rule of another kind"
                )
                continue
            item.data.update(raw)
            item.origins.update(origins)
            item.version = parsed.version
        else:
            pending[rule_id] = _Pending(dict(raw), origins, parsed.version, at)
    return problems


def load_rules(paths: Iterable[Path] | None = None, *, extra: Path | None = None) -> RuleSet:
    """The default rules (or the files in `paths`), then the organisation's own file
    (`extra`, the setting `monitoring_rules`) over them."""
    if paths is None and extra is None:
        return _defaults()
    files = list(paths) if paths is not None else [DEFAULT_RULES]
    if extra is not None:
        files.append(extra)
    texts = [(str(p), datafile.read_text(p, what="a rules YAML file")) for p in files]
    return parse(texts)


@lru_cache(maxsize=1)
def _defaults() -> RuleSet:
    """The shipped rules, read once per process (the scorer builds a detector per batch)."""
    return load_rules([DEFAULT_RULES])


def rules_for(settings: Settings) -> RuleSet:
    """The rules in force for an installation: the defaults and its own file, if any."""
    return load_rules(extra=settings.monitoring_rules)
