"""The one-call engine against the path it replaced. The reference below is the former
engine, kept here only as the oracle: the policies as written (permits and forbids) in one
Cedar call, a second call over the permits alone when a forbid denied (is a grant missing
too?), and a third on the facts "as if the grant were active" to explain a default deny.
On a generated set of requests (every rule failing alone, in pairs and in threes, and a
random sample of larger combinations, each with no grant, a lower grant, the grant asked for
and as the owner) both must give the same decision, the same rules in the same order and the
same permitting policies, with the default policies and with an organisation's own."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import cedarpy
import pytest

from crownjewels.access.engine import (
    NO_GRANT,
    PolicyEngine,
    Verdict,
    _effect,
    _person_entities,
    _secret_base,
)
from crownjewels.access.facts import Facts, Level
from tests.access import test_engine as engine_facts

#: the engine tests' facts, asking to view: every rule passes
BASE = replace(engine_facts.BASE, action=Level.VIEW, granted=Level.VIEW.includes())


def _person(**changes: object) -> Callable[[Facts], Facts]:
    return lambda f: replace(f, person=replace(f.person, **changes))  # type: ignore[arg-type]


def _secret(**changes: object) -> Callable[[Facts], Facts]:
    return lambda f: replace(f, secret=replace(f.secret, **changes))  # type: ignore[arg-type]


def _request(**changes: object) -> Callable[[Facts], Facts]:
    return lambda f: replace(f, **changes)  # type: ignore[arg-type]


#: one change of the facts per way a rule can fail (or stop applying)
BREAKS: dict[str, Callable[[Facts], Facts]] = {
    "no-agreement": _request(agreement_covers=False),
    "no-acknowledgement": _request(acknowledged=False),
    "diligence-lapsed": _person(diligence_current=False),
    "training-lapsed": _person(training_current=False),
    "country-outside": _person(country="CN"),
    "processing-outside": _person(processing_countries=frozenset({"DE", "IN"})),
    "transfer-refused": _request(transfer_allowed=False),
    "departing": _person(status="departing"),
    "login-off": _person(account_active=False),
    "organisation-suspended": _person(organisation_status="suspended"),
    "no-mfa": _request(mfa=False),
    "employee": _person(kind="employee", organisation_kind="own"),
    "regions-anywhere": _secret(allowed_regions=frozenset()),
    "sensitive-tier": _secret(tier="sensitive"),
}
#: how the request stands to the grants
STANDINGS: dict[str, Callable[[Facts], Facts]] = {
    "no-grant": _request(granted=frozenset()),
    "lower-grant": _request(granted=Level.KNOW_OF.includes()),
    "grant": _request(granted=Level.VIEW.includes()),
    "higher-grant": _request(granted=Level.EDIT.includes()),
    "owner": lambda f: replace(f, granted=frozenset(), person=replace(f.person, id="p-owner")),
    "edit-asked": _request(action=Level.EDIT),
}


def _cases() -> list[Facts]:
    names = list(BREAKS)
    combos = [c for k in range(4) for c in itertools.combinations(names, k)]
    rng = random.Random(20261206)
    combos += [tuple(rng.sample(names, rng.randint(4, len(names)))) for _ in range(150)]
    out = []
    for combo in combos:
        facts = BASE
        for name in combo:
            facts = BREAKS[name](facts)
        out += [standing(facts) for standing in STANDINGS.values()]
    return out


CASES = _cases()


class Reference:
    """The former engine: up to three Cedar calls per explained decision."""

    def __init__(self, engine: PolicyEngine) -> None:
        self.engine = engine
        texts = [p.text for p in engine.policies]
        self.policy_set = cedarpy.PolicySet.from_str("\n".join(texts))
        self.permit_set = cedarpy.PolicySet.from_str(
            "\n".join(t for t in texts if _effect(t) == "permit")
        )
        self.order = {f"policy{i}": i for i in range(len(texts))}

    def _entities(self, facts: Facts) -> cedarpy.Entities:
        return _secret_base(facts.secret, facts.granted).with_added_json_str(
            json.dumps(_person_entities(facts))
        )

    def decide(self, facts: Facts) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        entities = self._entities(facts)
        request = self.engine.request(facts)
        result = cedarpy.is_authorized(request, self.policy_set, entities)
        assert not result.diagnostics.errors
        reasons = sorted(result.diagnostics.reasons, key=lambda r: self.order.get(r, 0))
        names = result.diagnostics.id_annotations_by_reason
        fired = tuple(names.get(r, r) for r in reasons)
        if result.allowed:
            return True, (), fired
        if fired and not cedarpy.is_authorized(request, self.permit_set, entities).allowed:
            fired = (NO_GRANT, *fired)
        return False, fired or (NO_GRANT,), ()

    def denials_without_grant(self, facts: Facts) -> tuple[str, ...]:
        return self.decide(replace(facts, granted=facts.action.includes()))[1]

    def explained(self, facts: Facts) -> tuple[bool, list[str], tuple[str, ...]]:
        """What `decide.evaluate` made of the former engine's answers."""
        allowed, failed_, permitted = self.decide(facts)
        failed = list(failed_)
        if failed == [NO_GRANT]:
            failed += [r for r in self.denials_without_grant(facts) if r not in failed]
        elif not allowed and facts.action not in facts.granted and not _owner(facts):
            failed.insert(0, NO_GRANT)
        return allowed, list(dict.fromkeys(failed)), permitted


def _owner(facts: Facts) -> bool:
    return facts.person.id == facts.secret.owner_id


def _explained(engine: PolicyEngine, facts: Facts) -> tuple[bool, list[str], tuple[str, ...]]:
    """What `decide.evaluate` makes of the engine's one answer."""
    verdict = engine.decide(facts)
    failed = list(verdict.failed)
    if not verdict.allowed and facts.action not in facts.granted and not _owner(facts):
        failed.insert(0, NO_GRANT)
    return verdict.allowed, list(dict.fromkeys(failed)), verdict.permitted_by


# an organisation's own policies: a forbid on plain attributes, one that reads the grants
# (so "as if the grant were active" differs), and a permit besides the grants
OWN = {
    "formulas.cedar": """@id("no-formulas-to-contractors")
@reason("formulas are never shared with contractors")
forbid (principal, action, resource)
when { principal.kind == "contractor" && resource.category == "formula" };
""",
    "editors.cedar": """// editors of a highly sensitive secret must be staff
@id("editors-are-staff")
forbid (principal, action, resource)
when { principal in resource.editors && principal.vendor_staff };
""",
    "open.cedar": """@id("open-know-of")
permit (principal, action == CrownJewels::Action::"know-of", resource)
when { resource.tier == "confidential" };
""",
}


def _own_engine(tmp_path: Path) -> PolicyEngine:
    for name, text in OWN.items():
        (tmp_path / name).write_text(text, "utf-8")
    return PolicyEngine.load(tmp_path)


def _own_cases() -> list[Facts]:
    more = [_person(kind="contractor", organisation_kind="partner"), _secret(tier="confidential")]
    out = []
    for facts in CASES[::7]:  # 7: coprime with the standings, so each is met
        out.append(facts)
        out += [change(facts) for change in more]
        out.append(replace(facts, action=Level.KNOW_OF))
    return out


def test_the_cases_cover_every_rule_alone_and_together() -> None:
    reference = Reference(PolicyEngine.load())
    seen: set[tuple[str, ...]] = set()
    for facts in CASES:
        seen.add(tuple(reference.explained(facts)[1]))
    rules = {r for combo in seen for r in combo}
    assert rules == {
        NO_GRANT,
        "bound:agreement",
        "bound:acknowledgement",
        "diligence",
        "training",
        "region:countries",
        "region:transfer",
        "active",
        "mfa",
    }
    assert len(seen) > 200  # many combinations, not only single failures


def test_the_default_policies_decide_as_before() -> None:
    engine = PolicyEngine.load()
    reference = Reference(engine)
    for facts in CASES:
        assert engine.decide(facts) == Verdict(*reference.decide(facts)), facts
        assert _explained(engine, facts) == reference.explained(facts), facts
        assert engine.denials_without_grant(facts) == reference.denials_without_grant(facts)


def test_an_organisations_own_policies_decide_as_before(tmp_path: Path) -> None:
    engine = _own_engine(tmp_path)
    reference = Reference(engine)
    for facts in _own_cases():
        assert _explained(engine, facts) == reference.explained(facts), facts
        assert engine.denials_without_grant(facts) == reference.denials_without_grant(facts)


@pytest.mark.parametrize("grant_blind", [True, False])
def test_one_cedar_call_per_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grant_blind: bool
) -> None:
    """With forbids that cannot see the grants (the default policies), every decision is one
    Cedar call; only a default deny under a forbid that reads the grants takes a second, to
    ask "as if granted"."""
    engine = PolicyEngine.load() if grant_blind else _own_engine(tmp_path)
    calls: list[int] = []
    real = cedarpy.is_authorized

    def counting(*args: Any, **kwargs: Any) -> cedarpy.AuthzResult:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cedarpy, "is_authorized", counting)
    for facts in CASES[::7]:
        calls.clear()
        verdict = engine.decide(facts)
        assert len(calls) == 1 or (not grant_blind and verdict.failed[0] == NO_GRANT)
        assert len(calls) <= 2
