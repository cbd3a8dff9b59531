"""The policy engine on pure Facts (no database): one row per default rule, changing only the
fact that rule reads, denies with exactly that rule; an organisation's own policies load,
deny with their @reason, and a broken file names its file and line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from crownjewels.access.engine import PolicyEngine, PolicyError
from crownjewels.access.facts import Facts, Level, PersonFacts, SecretFacts

ENGINE = PolicyEngine.load()
PERSON = PersonFacts(
    id="p-1",
    status="active",
    kind="vendor-staff",
    country="DE",
    organisation_id="o-1",
    organisation_kind="vendor",
    organisation_status="active",
    processing_countries=frozenset({"DE", "FR"}),
)
SECRET = SecretFacts(
    id="s-1",
    tier="highly-sensitive",
    category="formula",
    owner_id="p-owner",
    allowed_regions=frozenset({"DE", "FR", "US"}),
)
BASE = Facts(
    person=PERSON,
    secret=SECRET,
    action=Level.DOWNLOAD,
    granted=Level.DOWNLOAD.includes(),
    mfa=True,
    agreement_covers=True,
    acknowledged=True,
    transfer_allowed=True,
)


def _person(**changes: object) -> Facts:
    return replace(BASE, person=replace(PERSON, **changes))  # type: ignore[arg-type]


def _secret(**changes: object) -> Facts:
    return replace(BASE, secret=replace(SECRET, **changes))  # type: ignore[arg-type]


def test_the_baseline_is_allowed_by_its_grant() -> None:
    verdict = ENGINE.decide(BASE)
    assert verdict.allowed and verdict.failed == ()
    assert verdict.permitted_by == ("need-to-know:download",)


RULES = [
    ("need-to-know", replace(BASE, granted=Level.VIEW.includes())),
    ("need-to-know", replace(BASE, granted=frozenset())),
    ("bound:agreement", replace(BASE, agreement_covers=False)),
    ("bound:acknowledgement", replace(BASE, acknowledged=False)),
    ("diligence", _person(diligence_current=False)),
    ("training", _person(training_current=False)),
    ("region:countries", _person(country="CN")),
    ("region:countries", _person(processing_countries=frozenset({"DE", "IN"}))),
    ("region:transfer", replace(BASE, transfer_allowed=False)),
    ("active", _person(status="departing")),
    ("active", _person(account_active=False)),
    ("active", _person(organisation_status="suspended")),
    ("mfa", replace(BASE, mfa=False)),
]


@pytest.mark.parametrize(
    ("rule", "facts"), RULES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(RULES)]
)
def test_each_default_rule_alone_denies(rule: str, facts: Facts) -> None:
    verdict = ENGINE.decide(facts)
    assert not verdict.allowed
    assert verdict.failed == (rule,)


@pytest.mark.parametrize(
    "facts",
    [
        replace(
            BASE,
            person=replace(
                PERSON, kind="employee", organisation_kind="own", diligence_current=False
            ),
            acknowledged=False,
        ),
        _secret(allowed_regions=frozenset()),
        replace(_secret(tier="sensitive"), mfa=False),
        replace(BASE, action=Level.KNOW_OF),
    ],
    ids=["employee-no-vendor-rules", "no-regions-anywhere", "mfa-only-highly", "lower-level"],
)
def test_rules_that_do_not_apply_do_not_deny(facts: Facts) -> None:
    assert ENGINE.decide(facts).allowed


def test_the_owner_has_need_to_know_but_every_forbid_still_applies() -> None:
    owner = replace(BASE, granted=frozenset(), person=replace(PERSON, id=SECRET.owner_id))
    assert ENGINE.decide(owner).allowed
    assert ENGINE.decide(replace(owner, mfa=False)).failed == ("mfa",)


def test_every_failed_rule_is_listed() -> None:
    facts = replace(_person(training_current=False), mfa=False, agreement_covers=False)
    assert set(ENGINE.decide(facts).failed) == {"training", "mfa", "bound:agreement"}


def test_a_forbid_without_a_grant_lists_the_missing_grant_too() -> None:
    facts = replace(BASE, granted=frozenset(), agreement_covers=False)
    assert ENGINE.decide(facts).failed == ("need-to-know", "bound:agreement")


def test_denials_without_grant_ignore_the_missing_grant() -> None:
    facts = replace(BASE, granted=frozenset(), mfa=False)
    assert ENGINE.denials_without_grant(facts) == ("mfa",)
    assert ENGINE.denials_without_grant(replace(BASE, granted=frozenset())) == ()


CUSTOM = """// our own rule: no formulas to contractors
@id("no-formulas-to-contractors")
@reason("formulas are never shared with contractors")
forbid (principal, action, resource)
when { principal.kind == "contractor" && resource.category == "formula" };
"""


def test_a_custom_forbid_denies_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "ours.cedar").write_text(CUSTOM, "utf-8")
    engine = PolicyEngine.load(tmp_path)
    assert engine.reasons == {
        "no-formulas-to-contractors": "formulas are never shared with contractors"
    }
    assert engine.decide(BASE).allowed
    verdict = engine.decide(_person(kind="contractor"))
    assert verdict.failed == ("no-formulas-to-contractors",)


def _error(tmp_path: Path, text: str) -> PolicyError:
    (tmp_path / "good.cedar").write_text(CUSTOM, "utf-8")
    (tmp_path / "bad.cedar").write_text(text, "utf-8")
    with pytest.raises(PolicyError) as caught:
        PolicyEngine.load(tmp_path)
    return caught.value


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = (
        '// one\n// two\n@id("broken")\n'
        "forbid (principal, action, resource)\nwhen { principal.kind == };\n"
    )
    message = str(_error(tmp_path, text))
    assert "bad.cedar" in message and ":3" in message and "syntax" in message


def test_a_schema_error_names_file_and_line(tmp_path: Path) -> None:
    text = (
        '\n\n\n\n@id("unknown-attr")\n'
        "forbid (principal, action, resource)\nwhen { principal.shoe_size > 40 };\n"
    )
    message = str(_error(tmp_path, text))
    assert "bad.cedar" in message and ":5" in message and "schema" in message


def test_a_policy_without_id_is_refused(tmp_path: Path) -> None:
    message = str(_error(tmp_path, "forbid (principal, action, resource);\n"))
    assert "bad.cedar" in message and "@id" in message


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not a folder"):
        PolicyEngine.load(tmp_path / "nowhere")
