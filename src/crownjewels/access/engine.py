"""The policy engine: Cedar (cedarpy) over the policies in `policies/` plus an organisation's
own folder of `.cedar` files, each validated against `policies/schema.cedarschema` at load (a
syntax or schema error names its file and line). The parsed policy set and schema are built
once and reused; each decision builds only the few entities of its own request (the secret's
part parsed once and kept, see `_secret_base`), so its cost does not grow with the number of
grants. A decision is one Cedar call that yields every rule's outcome (see `PolicyEngine`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cedarpy

from crownjewels.access.facts import Facts, Level, SecretFacts
from crownjewels.core.datafile import DataFileError

if TYPE_CHECKING:
    from crownjewels.settings import Settings

NS = "CrownJewels"
#: rule name of the default deny: no policy permitted the request
NO_GRANT = "need-to-know"
_ACLS = {
    Level.KNOW_OF: "knowers",
    Level.VIEW: "viewers",
    Level.DOWNLOAD: "downloaders",
    Level.EDIT: "editors",
}
# where a policy statement starts: its annotations, then permit/forbid
_STATEMENT = re.compile(r"((?:@\w+\s*\([^)]*\)\s*)*)\b(permit|forbid)\s*\(")
_COMMENT = re.compile(r"//[^\n]*")
# what a policy reads to see the grants: an access list (by attribute or by uid)
_SEES_GRANTS = re.compile(r"\b(?:knowers|viewers|downloaders|editors|Acl)\b")


class PolicyError(DataFileError):
    """A policy file that cannot be used: a syntax error, a schema error or a missing @id."""


@dataclass(frozen=True)
class Verdict:
    """What Cedar decided: allowed or not, the rules that forbade it, the rules that permitted."""

    allowed: bool
    failed: tuple[str, ...]
    permitted_by: tuple[str, ...]


@dataclass(frozen=True)
class _Policy:
    source: str
    line: int
    text: str
    id: str | None


def _uid(kind: str, id_: str) -> dict[str, str]:
    return {"type": f"{NS}::{kind}", "id": id_}


def _ref(kind: str, id_: str) -> dict[str, dict[str, str]]:
    return {"__entity": _uid(kind, id_)}


def _statements(text: str, source: str) -> list[_Policy]:
    """Split a policy file into statements with their first line (comments blanked, offsets
    kept)."""
    bare = _COMMENT.sub(lambda m: " " * len(m.group()), text)
    starts = [m.start() for m in _STATEMENT.finditer(bare)]
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        chunk = text[start:end]
        found = re.search(r'@id\s*\(\s*"([^"]*)"\s*\)', bare[start:end])
        line = text.count("\n", 0, start) + 1
        out.append(_Policy(source, line, chunk, found.group(1) if found else None))
    if not starts and bare.strip():
        out.append(_Policy(source, 1, text, None))
    return out


def _check(policy: _Policy, schema: cedarpy.Schema) -> str | None:
    try:
        cedarpy.PolicySet.from_str(policy.text)
    except ValueError as exc:
        return f"syntax error: {exc}"
    result = cedarpy.validate_policies(policy.text, schema)
    if not result.validation_passed:
        errors = "; ".join(
            re.sub(r"^\[policy0\] |for policy `policy0`, ", "", str(e)) for e in result.errors
        )
        return f"does not match the schema: {errors}"
    if not policy.id:
        return 'has no @id("rule") annotation: add one, it names the rule a denial shows'
    return None


def _load_file(path: Path | None, text: str, source: str, schema: cedarpy.Schema) -> list[_Policy]:
    policies = _statements(text, source)
    problems: list[tuple[int | None, str]] = [
        (p.line, msg) for p in policies if (msg := _check(p, schema)) is not None
    ]
    if problems:
        raise PolicyError(source, problems)
    return policies


class PolicyEngine:
    """The parsed default policies (and an organisation's own), ready to decide requests."""

    def __init__(self, policies: list[_Policy], schema: cedarpy.Schema, schema_text: str) -> None:
        self.policies = policies
        self.schema = schema
        self.schema_text = schema_text
        # One Cedar call per decision yields every rule's outcome: the policies are evaluated
        # as "fires" policies, each forbid turned into a permit of the same scope and
        # condition, so Cedar's reasons list every policy whose condition holds, permits and
        # forbids alike. The decision is then Cedar's own: allowed when some permit fires and
        # no forbid does (a policy that errors is skipped, as by Cedar, and raises below).
        fires = "\n".join(_as_permit(p.text) for p in policies)
        self.policy_set = cedarpy.PolicySet.from_str(fires)
        self._forbids = frozenset(
            f"policy{i}" for i, p in enumerate(policies) if _effect(p.text) == "forbid"
        )
        # whether a forbid can see the grants (an access list, the grantee): only then can the
        # rules that fail "as if the grant were active" differ from the rules that fail now
        self._forbids_see_grants = any(
            _SEES_GRANTS.search(_COMMENT.sub("", p.text))
            for p in policies
            if _effect(p.text) == "forbid"
        )
        self._order = {f"policy{i}": i for i in range(len(policies))}
        #: each policy's rule name (its @id) by Cedar's id for it
        self._names = {f"policy{i}": p.id or f"policy{i}" for i, p in enumerate(policies)}
        #: the reason (@id) messages of an organisation's own policies: their @reason annotation
        self.reasons: dict[str, str] = {}
        for p in policies:
            found = re.search(r'@reason\s*\(\s*"([^"]*)"\s*\)', p.text)
            if found and p.id:
                self.reasons[p.id] = found.group(1)

    @classmethod
    def load(cls, extra: Path | None = None) -> PolicyEngine:
        """The default policies plus every `*.cedar` file in `extra` (validated; PolicyError)."""
        schema_text = _read_builtin("schema.cedarschema")
        schema = cedarpy.Schema.from_str(schema_text)
        policies = _load_file(None, _read_builtin("default.cedar"), "default.cedar", schema)
        if extra is not None:
            if not extra.is_dir():
                raise PolicyError(
                    str(extra), [(0, "is not a folder of .cedar files; fix the path")]
                )
            for path in sorted(extra.glob("*.cedar")):
                policies += _load_file(path, path.read_text("utf-8"), str(path), schema)
        ids = [p.id for p in policies]
        dupes = sorted({i for i in ids if i and ids.count(i) > 1 and ":" not in i})
        if dupes:
            raise PolicyError(
                str(extra), [(0, f"@id {d!r} is used twice; make it unique") for d in dupes]
            )
        return cls(policies, schema, schema_text)

    def entities(self, facts: Facts) -> str:
        """The request's entities as Cedar JSON (what `decide` hands Cedar, for reading)."""
        return json.dumps(_secret_entities(facts.secret, facts.granted) + _person_entities(facts))

    def request(self, facts: Facts) -> dict[str, Any]:
        """The Cedar request of the facts (uids as type/id pairs: Cedar parses those fastest)."""
        return {
            "principal": _uid("Person", facts.person.id),
            "action": _uid("Action", facts.action.value),
            "resource": _uid("Secret", facts.secret.id),
            "context": {
                "mfa": facts.mfa,
                "agreement_covers": facts.agreement_covers,
                "acknowledged": facts.acknowledged,
                "transfer_allowed": facts.transfer_allowed,
            },
        }

    def _fired(self, facts: Facts) -> tuple[list[str], list[str]]:
        """One Cedar call: the policies (as Cedar ids, in policy-file order) whose condition
        holds for the facts, (permits, forbids)."""
        entities = _secret_base(facts.secret, facts.granted).with_added_json_str(
            json.dumps(_person_entities(facts))
        )
        result = cedarpy.is_authorized(self.request(facts), self.policy_set, entities)
        if result.diagnostics.errors:
            # an evaluation error in a policy (e.g. a custom policy reading a missing attribute)
            # denies: fail closed, and say which
            raise PolicyError("policies", [(0, str(e)) for e in result.diagnostics.errors])
        # in the order of the policy files (Cedar reports them in no fixed order)
        fired = sorted(result.diagnostics.reasons, key=lambda r: self._order.get(r, 0))
        permits = [r for r in fired if r not in self._forbids]
        return permits, [r for r in fired if r in self._forbids]

    def _named(self, ids: list[str]) -> tuple[str, ...]:
        return tuple(self._names[r] for r in ids)

    def decide(self, facts: Facts) -> Verdict:
        """Evaluate the request in one Cedar call; a denial lists every forbidding rule, led by
        the default deny when no permit applies either. A default deny alone also lists the
        rules that would forbid it were the grant active, so one answer says everything that
        must change."""
        permits, forbids = self._fired(facts)
        if permits and not forbids:
            return Verdict(True, (), self._named(permits))
        failed = self._named(forbids)
        if not forbids and self._forbids_see_grants:
            failed = self.denials_without_grant(facts)
        return Verdict(False, failed if permits else (NO_GRANT, *failed), ())

    def denials_without_grant(self, facts: Facts) -> tuple[str, ...]:
        """Every rule that fails besides the grant: the decision as if the grant were active.
        Used to approve a grant (every other rule must hold) and to explain a default deny."""
        if not self._forbids_see_grants:
            return self._named(self._fired(facts)[1])
        probe = replace(facts, granted=facts.action.includes())
        return self._named(self._fired(probe)[1])


# The entities of a request come in two parts. The secret's part (the secret, and the
# "grantee" access list the request's grants make members of its level lists) depends only on
# the secret's facts and the granted levels: it is parsed once and kept, a few hundred secrets
# times five grant shapes. Only the person and their organisation are parsed per request.
# Access lists are one per level (Acl::"view"), not per secret: the request's entities name one
# secret, so a list need not say whose it is, and the secret's part stays the same for
# everyone. The owner is referenced, not stubbed: `principal == resource.owner` compares uids.
_GRANTEE = _uid("Acl", "grantee")


def _secret_entities(s: SecretFacts, granted: frozenset[Level]) -> list[dict[str, Any]]:
    secret = {
        "uid": _uid("Secret", s.id),
        "attrs": {
            "tier": s.tier,
            "category": s.category,
            "status": s.status,
            "allowed_regions": sorted(s.allowed_regions),
            "owner": _ref("Person", s.owner_id),
            **{name: _ref("Acl", level.value) for level, name in _ACLS.items()},
        },
        "parents": [],
    }
    if not granted:
        return [secret]
    levels = [_uid("Acl", level.value) for level in sorted(granted, key=lambda lv: lv.rank)]
    return [secret, {"uid": _GRANTEE, "attrs": {}, "parents": levels}]


@lru_cache(maxsize=4096)
def _secret_base(s: SecretFacts, granted: frozenset[Level]) -> cedarpy.Entities:
    """The parsed secret's part of a request's entities (facts are frozen: the key is exact)."""
    return cedarpy.Entities.from_json_str(json.dumps(_secret_entities(s, granted)))


def _person_entities(facts: Facts) -> list[dict[str, Any]]:
    """The person (a member of the grantee list when a grant applies) and their organisation."""
    p = facts.person
    org = {
        "uid": _uid("Organisation", p.organisation_id),
        "attrs": {
            "kind": p.organisation_kind,
            "status": p.organisation_status,
            "processing_countries": sorted(p.processing_countries),
            "diligence_current": p.diligence_current,
        },
        "parents": [],
    }
    person = {
        "uid": _uid("Person", p.id),
        "attrs": {
            "status": p.status,
            "account_active": p.account_active,
            "kind": p.kind,
            "country": p.country,
            "vendor_staff": p.vendor_staff,
            "training_current": p.training_current,
            "organisation": _ref("Organisation", p.organisation_id),
        },
        "parents": [_GRANTEE] if facts.granted else [],
    }
    return [org, person]


def _as_permit(text: str) -> str:
    """The policy statement with its effect made "permit" (same scope, condition, annotations)."""
    found = _STATEMENT.search(_COMMENT.sub(lambda m: " " * len(m.group()), text))
    if found is None or found.group(2) == "permit":
        return text
    return text[: found.start(2)] + "permit" + text[found.end(2) :]


def _effect(text: str) -> str | None:
    """ "permit" or "forbid": the effect of one policy statement."""
    found = _STATEMENT.search(_COMMENT.sub("", text))
    return found.group(2) if found else None


def _read_builtin(name: str) -> str:
    return resources.files("crownjewels.access").joinpath("policies", name).read_text("utf-8")


@cache
def engine_for(extra: str | None) -> PolicyEngine:
    """The engine for a policy folder, parsed once per process (the folder path is the key)."""
    return PolicyEngine.load(Path(extra) if extra else None)


def policy_engine(settings: Settings) -> PolicyEngine:
    """The installation's engine: the default policies plus its own folder, if set."""
    folder = settings.access_policy_dir
    return engine_for(str(folder) if folder else None)
