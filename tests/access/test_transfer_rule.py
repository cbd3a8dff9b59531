"""The cross-border transfer rule as a table: which mechanism admits which transfer under which
origin regime, each regime with its own adequacy list. The first rows are the case that was
wrong: a DPA in force alone admitted a DE -> IN transfer of personal data (a GDPR Art. 28
processor agreement is not a Chapter V transfer mechanism)."""

from __future__ import annotations

from datetime import date

import pytest

from crownjewels.access import regimes
from crownjewels.access.facts import AssessmentFacts, MechanismFacts
from crownjewels.access.regimes import RegimeFileError
from crownjewels.access.rules import scc_module, transfer_gaps

ON = date(2026, 6, 1)
LOTUS = "Lotus Process Services"
SCC_C2P = MechanismFacts(kind="scc", regime="GDPR", module="C2P", effective_on=date(2025, 1, 1))
TIA_IN = AssessmentFacts(
    regime="GDPR", country="IN", assessed_on=date(2025, 1, 5), outcome="proceed"
)


def gaps(
    origin: str,
    destination: str,
    mechanisms: list[MechanismFacts] | None = None,
    assessments: list[AssessmentFacts] | None = None,
    module: str = "C2P",
) -> list[str]:
    regime = regimes.regime_of(origin)
    assert regime is not None
    return transfer_gaps(
        regime=regime,
        origin=origin,
        destination=destination,
        recipient=LOTUS,
        module=module,
        mechanisms=mechanisms or [],
        assessments=assessments or [],
        on=ON,
    )


@pytest.mark.parametrize(
    ("origin", "destination", "mechanisms", "assessments", "admitted"),
    [
        # the case that was wrong: nothing but a DPA (which is no mechanism) -> refused
        ("DE", "IN", [], [], False),
        ("DE", "IN", [SCC_C2P], [], False),  # SCCs without a TIA
        ("DE", "IN", [SCC_C2P], [TIA_IN], True),
        # the wrong module: the vendor processes for us, so C2P, not C2C
        ("DE", "IN", [MechanismFacts(kind="scc", regime="GDPR", module="C2C")], [TIA_IN], False),
        # SCCs that ended, or not yet in force
        ("DE", "IN", [MechanismFacts("scc", "GDPR", module="C2P", expires_on=ON)], [TIA_IN], False),
        (
            "DE",
            "IN",
            [MechanismFacts("scc", "GDPR", module="C2P", effective_on=date(2026, 7, 1))],
            [TIA_IN],
            False,
        ),
        # SCCs for another destination only
        ("DE", "IN", [MechanismFacts("scc", "GDPR", frozenset({"PH"}), "C2P")], [TIA_IN], False),
        # a TIA that said no
        (
            "DE",
            "IN",
            [SCC_C2P],
            [AssessmentFacts("GDPR", "IN", date(2025, 1, 5), "do-not-proceed")],
            False,
        ),
        # BCRs need a TIA too; an Art. 49 derogation with its ground does not
        ("DE", "IN", [MechanismFacts("bcr", "GDPR")], [TIA_IN], True),
        ("DE", "IN", [MechanismFacts("derogation", "GDPR", ground="explicit-consent")], [], True),
        ("DE", "IN", [MechanismFacts("derogation", "GDPR", ground="hr-management")], [], False),
        # inside the EEA, and GDPR's own adequacy list
        ("DE", "FR", [], [], True),
        ("DE", "NO", [], [], True),
        ("DE", "JP", [], [], True),
        ("DE", "BR", [], [], True),  # Brazil, January 2026
        ("DE", "CA", [], [], False),  # adequate for organisations subject to PIPEDA only
        ("DE", "CA", [MechanismFacts("adequacy", "GDPR")], [], True),
        ("DE", "KR", [], [], True),
        ("DE", "US", [], [], False),  # adequacy only for DPF-certified recipients
        ("DE", "US", [MechanismFacts("adequacy", "GDPR")], [], True),
        # the origin's regime decides: UK data needs a UK mechanism, EU SCCs alone are not one
        ("GB", "IN", [MechanismFacts("scc", "GDPR", module="C2P")], [TIA_IN], False),
        (
            "GB",
            "IN",
            [MechanismFacts("scc", "UK", module="C2P")],
            [AssessmentFacts("UK", "IN", date(2025, 1, 5), "proceed")],
            False,
        ),
        (
            "GB",
            "IN",
            [MechanismFacts("uk-addendum", "UK", module="C2P")],
            [AssessmentFacts("UK", "IN", date(2025, 1, 5), "proceed")],
            True,
        ),
        ("GB", "DE", [], [], True),  # the UK's list holds the EEA
        ("GB", "GI", [], [], True),  # Gibraltar: on the UK's list, not on GDPR's
        ("DE", "GI", [], [], False),
        ("CH", "MC", [], [], True),  # Monaco: on Switzerland's list, not on GDPR's
        ("DE", "MC", [], [], False),
        # China: no adequacy list; the standard contract counts once filed, with a PIPIA
        ("CN", "DE", [], [], False),
        (
            "CN",
            "DE",
            [MechanismFacts("cn-standard-contract", "CN")],
            [AssessmentFacts("CN", "DE", date(2025, 1, 5), "proceed")],
            False,
        ),
        (
            "CN",
            "DE",
            [MechanismFacts("cn-standard-contract", "CN", filed_on=date(2025, 2, 1))],
            [AssessmentFacts("CN", "DE", date(2025, 1, 5), "proceed")],
            True,
        ),
        (
            "CN",
            "DE",
            [MechanismFacts("cn-exemption", "CN", ground="hr-management")],
            [AssessmentFacts("CN", "DE", date(2025, 1, 5), "proceed")],
            True,
        ),
        ("CN", "DE", [MechanismFacts("cn-exemption", "CN", ground="hr-management")], [], False),
        ("CN", "HK", [], [], False),  # Hong Kong is outbound from the mainland
    ],
)
def test_transfer_admitted_only_with_a_mechanism_of_the_origin_regime(
    origin: str,
    destination: str,
    mechanisms: list[MechanismFacts],
    assessments: list[AssessmentFacts],
    admitted: bool,
) -> None:
    assert (gaps(origin, destination, mechanisms, assessments) == []) is admitted


def test_the_denial_names_the_missing_module_the_recipient_the_route_and_the_tia() -> None:
    found = gaps("DE", "IN")
    assert found[0].startswith(f"no SCCs module C2P with {LOTUS} for transfers from DE to IN")
    assert found[-1].startswith("TIA missing")


def test_a_wrong_module_is_named() -> None:
    found = gaps("DE", "IN", [MechanismFacts("scc", "GDPR", module="C2C")], [TIA_IN])
    assert any("module C2C are recorded but the roles need module C2P" in g for g in found)


def test_an_unfiled_china_contract_is_named() -> None:
    found = gaps("CN", "DE", [MechanismFacts("cn-standard-contract", "CN")])
    assert any("not filed with the provincial CAC" in g for g in found)
    assert any("personal information protection impact assessment missing" in g for g in found)


@pytest.mark.parametrize(
    ("importer_is_processor", "exporter_is_processor", "module"),
    [(True, False, "C2P"), (False, False, "C2C"), (True, True, "P2P"), (False, True, "P2C")],
)
def test_scc_module_follows_the_roles(
    importer_is_processor: bool, exporter_is_processor: bool, module: str
) -> None:
    assert (
        scc_module(
            importer_is_processor=importer_is_processor, exporter_is_processor=exporter_is_processor
        )
        == module
    )


def test_every_regime_cites_its_sources_and_its_members_are_disjoint() -> None:
    shipped = regimes.all_regimes()
    assert {r.code for r in shipped} == {"GDPR", "UK", "CH", "CN"}
    for regime in shipped:
        assert regime.url.startswith("https://") or regime.url.startswith("http://")
        assert regime.adequacy.source and regime.assessment.basis
        for accepted in regime.mechanisms:
            assert accepted.basis


def test_a_country_in_two_regimes_is_refused_with_its_line() -> None:
    text = regimes.BUILT_IN.read_text(encoding="utf-8").replace(
        "members: [GB]", "members: [GB, DE]"
    )
    with pytest.raises(RegimeFileError) as exc:
        regimes.parse(text, source="regimes.yaml")
    assert "DE is a member of both GDPR and UK" in exc.value.message
