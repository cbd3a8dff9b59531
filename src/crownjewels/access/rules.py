"""Pure grant rules: the longest grant per tier, how many approvals a tier needs, which
status changes are allowed, and whether a grant applies to a request at a given time; and the
cross-border transfer rule (`transfer_gaps`) over the regimes of `regimes`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from crownjewels.access.facts import AssessmentFacts, Level, MechanismFacts
from crownjewels.access.regimes import Regime
from crownjewels.core.permissions import Role


class GrantStatus(StrEnum):
    """A grant's lifecycle."""

    REQUESTED = "requested"
    APPROVED = "approved"  # approved, its start still ahead
    DENIED = "denied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REVOKED = "revoked"


#: the longest grant a tier allows, from its start
MAX_DAYS: dict[str, int] = {"highly-sensitive": 90, "sensitive": 180, "confidential": 365}
#: distinct approvers a tier needs (the secret's owner first)
APPROVALS: dict[str, int] = {"highly-sensitive": 2, "sensitive": 1, "confidential": 1}

S = GrantStatus
_MOVES: dict[GrantStatus, frozenset[GrantStatus]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.ACTIVE, S.DENIED, S.REVOKED}),
    S.APPROVED: frozenset({S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.REVOKED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.EXPIRED, S.REVOKED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.APPROVED, S.EXPIRED, S.REVOKED}),
    S.DENIED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REVOKED: frozenset(),
}
#: statuses in which a grant still counts (or may again)
LIVE = frozenset({S.REQUESTED, S.APPROVED, S.ACTIVE, S.SUSPENDED})
#: statuses under which a grant is in force: it gives access (within its dates), its documents
#: may be listed and its notice acknowledged
IN_FORCE = frozenset({S.APPROVED, S.ACTIVE})
#: roles whose holder may give the second approval of a highly sensitive secret
SECOND_APPROVERS = frozenset({Role.ADMIN, Role.LEGAL, Role.SECURITY})


def in_force(status: GrantStatus | str) -> bool:
    """Whether a grant in this status is in force (approved or active)."""
    return status in IN_FORCE


def can_move(current: GrantStatus, new: GrantStatus) -> bool:
    """Whether a grant may go from `current` to `new`."""
    return new in _MOVES[current]


def why_bad_expiry(tier: str, starts_at: datetime, expires_at: datetime | None) -> str | None:
    """Why the expiry cannot be used for a grant on a secret of this tier, or None."""
    if expires_at is None:
        return "a grant needs an expiry date; give one (at most the tier's maximum)"
    if expires_at <= starts_at:
        return (
            f"the expiry ({expires_at:%Y-%m-%d}) must come after the start ({starts_at:%Y-%m-%d})"
        )
    longest = MAX_DAYS.get(tier, min(MAX_DAYS.values()))
    if expires_at - starts_at > timedelta(days=longest):
        latest = starts_at + timedelta(days=longest)
        return (
            f"a grant on a {tier} secret lasts at most {longest} days: "
            f"choose an expiry on or before {latest:%Y-%m-%d}"
        )
    return None


def applies(
    status: GrantStatus, starts_at: datetime, expires_at: datetime, *, at: datetime
) -> bool:
    """Whether a grant gives access at `at`: approved or active, started, not expired
    (the start inclusive, the expiry exclusive)."""
    return in_force(status) and starts_at <= at < expires_at


def status_at(
    status: GrantStatus, starts_at: datetime, expires_at: datetime, *, at: datetime
) -> GrantStatus:
    """The status a grant should hold at `at` (the jobs move approved → active → expired)."""
    if status in (S.APPROVED, S.ACTIVE, S.SUSPENDED) and at >= expires_at:
        return S.EXPIRED
    if status == S.APPROVED and starts_at <= at:
        return S.ACTIVE
    return status


def levels_granted(levels: list[str]) -> frozenset[Level]:
    """The levels a set of grants permits (each grant its level and every lower one)."""
    out: set[Level] = set()
    for value in levels:
        out |= Level(value).includes()
    return frozenset(out)


# --- cross-border transfers ------------------------------------------------------------------

#: how a missing mechanism is named in a denial ({module}: the SCC module the roles need)
_WANTED = {
    "scc": "SCCs module {module}",
    "uk-addendum": "the UK Addendum to SCCs module {module}",
    "uk-idta": "an IDTA",
    "bcr": "BCRs",
    "derogation": "a derogation",
    "cn-standard-contract": "a China standard contract filed with the CAC",
    "cn-certification": "a PIPL certification",
    "cn-security-assessment": "a CAC security assessment",
    "cn-exemption": "a 2024 Provisions exemption",
}
#: outcomes of a transfer impact assessment that let the transfer go ahead
PROCEED = frozenset({"proceed", "proceed-with-measures"})


def scc_module(*, importer_is_processor: bool, exporter_is_processor: bool = False) -> str:
    """The module of the SCCs (Decision (EU) 2021/914, Clause 1 and the modules' headings) the
    parties' roles need: exporter then importer, C(ontroller) or P(rocessor)."""
    return ("P" if exporter_is_processor else "C") + "2" + ("P" if importer_is_processor else "C")


def _in_force(m: MechanismFacts, on: date) -> bool:
    return (m.effective_on is None or m.effective_on <= on) and (
        m.expires_on is None or on < m.expires_on
    )


def _why_unfit(regime: Regime, m: MechanismFacts, module: str, on: date) -> str | None:
    """Why a recorded mechanism in force does not serve this transfer (None: it does)."""
    accepted = regime.accepted(m.kind)
    if accepted is None or m.kind == "adequacy":
        return None if accepted else f"{m.kind} is not a {regime.code} transfer mechanism"
    if m.kind in ("scc", "uk-addendum") and m.module != module:
        return f"SCCs module {m.module or '(none)'} are recorded but the roles need module {module}"
    if m.kind in ("derogation", "cn-exemption") and (
        m.ground is None or not regime.ground(m.ground)
    ):
        return f"the ground {m.ground or '(none)'} is not a {regime.code} ground"
    if m.kind == "cn-standard-contract" and (m.filed_on is None or m.filed_on > on):
        return "the China standard contract is not filed with the provincial CAC (Art. 7)"
    return None


def transfer_gaps(
    *,
    regime: Regime,
    origin: str,
    destination: str,
    recipient: str,
    module: str,
    mechanisms: Iterable[MechanismFacts],
    assessments: Iterable[AssessmentFacts],
    on: date,
) -> list[str]:
    """What is missing for personal data held in `origin` (under `regime`) to reach
    `recipient` in `destination` on `on`; empty when the transfer is admitted.

    Admitted: a destination inside the regime; one on the regime's own adequacy list (a
    conditional entry only with a recorded `adequacy` mechanism confirming the condition); or a
    mechanism the regime accepts (SCCs of the module the roles need, a filed China standard
    contract, a derogation or exemption with one of the regime's grounds …), in force, for this
    destination, plus a transfer impact assessment that lets it proceed where the mechanism's
    kind needs one. A DPA (GDPR Art. 28) is never a mechanism: it governs processing, not the
    transfer (GDPR Art. 44)."""
    if destination in regime.members:
        return []
    route = f"with {recipient} for transfers from {origin} to {destination}"
    mine = [
        m
        for m in mechanisms
        if m.regime == regime.code
        and _in_force(m, on)
        and (not m.countries or destination in m.countries)
    ]
    entry = regime.adequate(destination)
    if entry is not None and entry.condition is None:
        return []
    if entry is not None and any(m.kind == "adequacy" for m in mine):
        return []
    unfit = [(m.kind, _why_unfit(regime, m, module, on)) for m in mine if m.kind != "adequacy"]
    usable = [k for k, why in unfit if why is None and regime.accepted(k)]
    gaps: list[str] = []
    if not usable:
        wanted = [
            _WANTED[a.kind].format(module=module) for a in regime.mechanisms if a.kind in _WANTED
        ]
        also = f" ({' or '.join(wanted[1:])} would also do)" if len(wanted) > 1 else ""
        gaps.append(f"no {wanted[0]} {route}{also}")
        if entry is not None:
            gaps.append(
                f"{destination} is adequate under {regime.code} ({entry.instrument}) only if "
                f"{entry.condition}: record that as an adequacy mechanism"
            )
        gaps += [why for _, why in unfit if why]
    needs_tia = not usable or all(
        (a := regime.accepted(k)) is not None and a.assessment for k in usable
    )
    if needs_tia:
        gaps += _assessment_gaps(regime, destination, assessments, on)
    return gaps


def _assessment_gaps(
    regime: Regime, destination: str, assessments: Iterable[AssessmentFacts], on: date
) -> list[str]:
    done = sorted(
        (a for a in assessments if a.regime == regime.code and a.country == destination),
        key=lambda a: a.assessed_on,
    )
    done = [a for a in done if a.assessed_on <= on]
    name = (
        "TIA" if regime.assessment.name == "transfer impact assessment" else regime.assessment.name
    )
    if not done:
        return [f"{name} missing ({regime.assessment.basis.split(';')[0]})"]
    last = done[-1]
    if last.outcome not in PROCEED:
        return [f"the {name} of {last.assessed_on} concluded {last.outcome}"]
    return []


#: what each permitting policy of the default set stands for (policies/default.cedar)
_PERMITS = {
    "need-to-know:know-of": "a need-to-know grant lets them know of the secret",
    "need-to-know:view": "a need-to-know grant lets them view the secret",
    "need-to-know:download": "a need-to-know grant lets them download the secret",
    "need-to-know:edit": "a need-to-know grant lets them edit the secret",
    "need-to-know:owner": "they are the secret's business owner",
}


def permit_words(rule: str) -> str:
    """A permitting policy id (`need-to-know:view`) as the sentence it stands for."""
    return _PERMITS.get(rule) or f"the policy {rule.replace(':', ' ').replace('-', ' ')} allows it"
