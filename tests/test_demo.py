"""`crownjewels demo`: a realistic company seeded once through the services (every row has its
custody event), idempotent, with logins that work for the five-minute tour without a phone."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.access.rules import GrantStatus
from crownjewels.access.schemas import GrantFilter
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.core.sealing import Sealer
from crownjewels.demo import access as demo_access
from crownjewels.demo import agreements as demo_agreements
from crownjewels.demo import dataset
from crownjewels.demo import diligence as demo_diligence
from crownjewels.demo import documents as demo_documents
from crownjewels.demo import incidents as demo_incidents
from crownjewels.demo import inventory as demo_inventory
from crownjewels.demo import leaks as demo_leaks
from crownjewels.demo import monitoring as demo_monitoring
from crownjewels.demo import training as demo_training
from crownjewels.demo import vendors as demo_vendors
from crownjewels.demo.dataset import DemoDataError
from crownjewels.inventory.schemas import Category, Tier
from crownjewels.parties import accounts
from tests.cli_helpers import Cli, assert_user_error
from tests.conftest import PgServer
from tests.pinned_clock import pin

ADMIN = "dana.whitfield@northwind.example"
VENDOR_USER = "arjun.mehta@lotus-process.example"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, str]:
    """One demo installation for the module (argon2 makes seeding take a second or two)."""
    cli = Cli(tmp_path_factory.mktemp("demo"))
    cli.ok("init")
    return cli, cli.ok("demo").out


@pytest.fixture
def demo(seeded: tuple[Cli, str]) -> Cli:
    return seeded[0]


@pytest.fixture
def copy(demo: Cli, tmp_path: Path) -> Cli:
    """A copy of the demo installation for tests that write."""
    return demo.copy_to(tmp_path / "home")


def _password(output: str) -> str:
    found = re.search(r"password\s+(\S+)", output)
    assert found, output
    return found.group(1)


def _all(cli: Cli, *args: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = cli.ok(*args, "--limit", "500", "--json").json()["items"]
    return items


def test_the_output_says_how_to_log_in(seeded: tuple[Cli, str]) -> None:
    _, out = seeded
    assert out.startswith("Seeded the demo company Northwind Biologics:")
    assert "http://127.0.0.1:8000" in out
    assert f"email     {ADMIN}" in out
    assert f"crownjewels demo code {ADMIN}" in out
    assert "CROWNJEWELS_COMPANY_NAME" in out
    for role in Role:
        assert f"  {role.value} " in out
    assert re.fullmatch(r"demo-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}", _password(out))


def test_the_company_vendors_and_partner(demo: Cli) -> None:
    orgs = _all(demo, "orgs", "list")
    kinds = Counter(o["kind"] for o in orgs)
    assert kinds == {"own": 1, "subsidiary": 1, "vendor": 4, "partner": 1}
    vendors = [o for o in orgs if o["kind"] == "vendor"]
    assert sorted(o["country"] for o in vendors) == ["IN", "PH", "PL", "VN"]
    assert next(o for o in orgs if o["kind"] == "own")["name"] == "Northwind Biologics"


def test_the_vendor_files(demo: Cli) -> None:
    vendors = _all(demo, "vendors", "list")
    assert sorted(v["name"] for v in vendors) == sorted(
        o["name"] for o in _all(demo, "orgs", "list") if o["kind"] == "vendor"
    )
    lotus = demo.ok("vendors", "show", "Lotus Process Services Pvt Ltd", "--json").json()
    assert (lotus["status"], lotus["exposure"]) == ("active", ["IN", "PH"])  # PH: its subcontractor
    assert [c["ref"] for c in lotus["chain"]] == [
        next(v["ref"] for v in vendors if v["name"].startswith("Bayani"))
    ]
    assert {c["state"] for c in lotus["certifications"]} == {"valid", "expiring"}
    assert any(c["is_primary"] and c["person_id"] for c in lotus["contacts"])
    states = {
        c["state"]
        for v in vendors
        for c in demo.ok("vendors", "show", v["ref"], "--json").json()["certifications"]
    }
    assert states == {"valid", "expiring", "expired"}


def test_the_people(demo: Cli) -> None:
    people = _all(demo, "people", "list")
    assert len(people) >= 30
    assert {p["kind"] for p in people} == {"employee", "contractor", "vendor-staff"}
    status = Counter(p["status"] for p in people)
    assert status["departed"] >= 2 and status["departing"] >= 2
    per_org = Counter(p["organisation_name"] for p in people)
    assert all(per_org[o["name"]] >= 2 for o in _all(demo, "orgs", "list"))


def test_one_login_per_role_with_totp_enrolled_vendor_users_too(demo: Cli) -> None:
    users = demo.ok("users", "list", "--json").json()
    assert sorted(r for u in users for r in u["roles"]) == sorted(r.value for r in Role)
    for user in users:
        assert user["mfa_enrolled"] is True, user
        assert user["mfa_required"] is True, user


def test_the_register(demo: Cli) -> None:
    secrets = _all(demo, "secrets", "list")
    assert len(secrets) >= 12
    assert {s["category"] for s in secrets} == {c.value for c in Category}
    assert {s["tier"] for s in secrets} == {t.value for t in Tier}
    assert [s["status"] for s in secrets].count("retired") == 1
    overdue = demo.ok("secrets", "list", "--overdue", "--json").json()["items"]
    assert len(overdue) == 1
    reviewed = 0
    for ref in (s["ref"] for s in secrets):
        secret = demo.ok("secrets", "show", ref, "--json").json()
        assert len(secret["secrecy_assessment"]) == 6, ref
        assert all(f["rationale"] for f in secret["secrecy_assessment"].values()), ref
        assert len(secret["legal_tests"]) == 3, ref
        assert secret["locations"] and secret["allowed_regions"], ref
        assert secret["estimated_value"] and secret["currency"], ref
        assert len(secret["description"]) > 80, ref
        assert "NORTHWIND BIOLOGICS" in secret["legend"], ref
        reviewed += bool(secret["reviews"])
    assert reviewed >= 3


def test_every_row_has_its_custody_event_and_the_chain_verifies(demo: Cli) -> None:
    assert demo.ok("custody", "verify").out.startswith("chain intact: ")
    events = Counter(r[0] for r in demo.sql("SELECT event_type FROM custody_event"))
    assert events["ORGANISATION_CREATED"] == demo.count("organisation")
    assert events["PERSON_CREATED"] == demo.count("person")
    assert events["USER_CREATED"] == demo.count("app_user")
    assert events["USER_MFA_ENROLLED"] == demo.count("app_user")
    assert events["SECRET_REGISTERED"] == demo.count("trade_secret")
    assert events["SECRET_LOCATION_ADDED"] == demo.count("secret_location")
    assert events["SECRET_REVIEWED"] == demo.count("secret_review")
    assert events["SECRET_STATUS_CHANGED"] == 1
    assert events["PERSON_DEPARTED"] + events["PERSON_DEPARTING"] >= 4
    assert events["VENDOR_PROFILE_CREATED"] == demo.count("vendor_profile")
    assert events["VENDOR_CERTIFICATION_ADDED"] == demo.count("vendor_certification")
    assert events["DEMO_SEEDED"] == 1


def test_a_second_run_changes_nothing_and_prints_the_same_credentials(
    seeded: tuple[Cli, str], copy: Cli
) -> None:
    _, first = seeded
    head = copy.sql("SELECT max(seq) FROM custody_event")[0][0]
    again = copy.ok("demo").out
    assert again.startswith("Already seeded (nothing changed): the demo company Northwind")
    assert _password(again) == _password(first)
    assert again.split("\n", 1)[1] == first.split("\n", 1)[1]
    assert copy.sql("SELECT max(seq) FROM custody_event")[0][0] == head


def test_the_printed_password_and_code_log_the_admin_in(seeded: tuple[Cli, str], copy: Cli) -> None:
    password = _password(seeded[1])
    now = clock.now()
    clock.set_clock(lambda: now)  # both code commands and the check see the same time step
    db = Database(copy.url)
    try:
        code = copy.ok("demo", "code", ADMIN).out.strip()
        assert re.fullmatch(r"\d{6}", code)
        assert copy.ok("demo", "code", "admin").out.strip() == code
        sealer = Sealer((copy.home / "secret.key").read_text().strip())
        with db.unit_of_work() as session:
            first = accounts.check_password(
                session, username=ADMIN, password=password, name_key="k"
            )
            assert first.ok and not first.needs_mfa_enrolment, first
            assert first.user_id is not None
            second = accounts.check_totp(session, user_id=first.user_id, code=code, sealer=sealer)
            assert second.ok, second
            vendor_code = copy.ok("demo", "code", VENDOR_USER).out.strip()
            vendor = accounts.check_password(
                session, username=VENDOR_USER, password=password, name_key="k"
            )
            assert vendor.ok and not vendor.needs_mfa_enrolment and vendor.user_id
            totp = accounts.check_totp(
                session, user_id=vendor.user_id, code=vendor_code, sealer=sealer
            )
            assert totp.ok, totp
    finally:
        pin()
        db.dispose()


def test_demo_code_refuses_other_logins(demo: Cli) -> None:
    assert_user_error(demo("demo", "code", "someone@example.com"), "not a demo login or role")


def test_the_demo_refuses_a_register_that_holds_other_data(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.ok("init")
    cli.ok("orgs", "add", "Acme", "--kind", "own", "--country", "US")
    events = cli.count("custody_event")
    assert_user_error(cli("demo"), "already holds data")
    assert (cli.count("organisation"), cli.count("custody_event")) == (1, events)


@pytest.fixture
def pg_cli(pg_server: PgServer, tmp_path: Path) -> Iterator[Cli]:
    url = pg_server.create()
    cli = Cli(tmp_path / "home", url)
    cli.ok("init")
    yield cli
    pg_server.drop(url)


@pytest.mark.postgres
def test_the_demo_on_postgresql_with_a_company_name(pg_cli: Cli) -> None:
    out = pg_cli.ok("demo", CROWNJEWELS_COMPANY_NAME="Acme Biologics").out
    assert out.startswith("Seeded the demo company Acme Biologics:")
    assert "export CROWNJEWELS_COMPANY_NAME" not in out
    orgs = _all(pg_cli, "orgs", "list", "--kind", "own")
    assert [o["name"] for o in orgs] == ["Acme Biologics"]
    assert "ACME BIOLOGICS" in pg_cli.ok("secrets", "show", "TS-0001", "--json").json()["legend"]
    assert len(_all(pg_cli, "secrets", "list")) >= 12
    assert pg_cli.ok("custody", "verify").code == 0
    head = pg_cli.sql("SELECT max(seq) FROM custody_event")[0][0]
    assert pg_cli.ok("demo").out.startswith("Already seeded")
    assert pg_cli.sql("SELECT max(seq) FROM custody_event")[0][0] == head


def test_due_diligence_one_completed_with_its_explanation_one_in_progress(demo: Cli) -> None:
    assert [t["key"] for t in demo.ok("questionnaires", "list", "--json").json()] == [
        "vendor-security"
    ]
    sent = demo.ok("questionnaires", "list", "--sent", "--json").json()["items"]
    assert sorted((a["vendor_name"], a["status"]) for a in sent) == [
        ("Lotus Process Services Pvt Ltd", "completed"),
        ("Mekong Precision Manufacturing JSC", "in_progress"),
    ]
    done = next(a for a in sent if a["status"] == "completed")
    shown = demo.ok("questionnaires", "show", done["ref"]).out
    assert "criticality high: +3" in shown
    assert "India: USTR Priority Watch List 2025: +2" in shown
    assert "MFA for all staff not in place (answer 3.2 accepted)" in shown
    assert "remediation [open] MFA for all staff who reach our data" in shown


def test_the_agreements(demo: Cli) -> None:
    listed = demo.ok("agreements", "list", "--json").json()["items"]
    kinds = Counter(a["kind"] for a in listed)
    assert kinds == {"nda": 6, "dpa": 1, "employee-confidentiality": 2}
    vendors = {o["id"] for o in _all(demo, "orgs", "list") if o["kind"] in ("vendor", "partner")}
    in_force = [a for a in listed if a["in_force_today"]]
    assert vendors <= {p["organisation_id"] for a in in_force for p in a["parties"]}
    assert [a["status"] for a in listed].count("expired") == 1
    due = [a for a in listed if a["renewal_due"]]
    assert len(due) == 1 and due[0]["expires_in_days"] == 25
    lotus = demo.ok("agreements", "show", due[0]["ref"], "--json").json()
    assert lotus["findings_version"] == 1
    statuses = {f["requirement"]: f["status"] for f in lotus["findings"]}
    assert statuses["breach_notification"] == "contradicted"
    assert statuses["limited_use"] == "satisfied"


def test_the_demo_vendor_user_may_download_its_granted_playbook(demo: Cli) -> None:
    """The seeded grant passes every rule; the pending request waits for its owner."""
    actor = system_actor()
    with Database(demo.url).unit_of_work(write=False) as session:
        arjun = access.decide(
            session,
            actor=actor,
            person=VENDOR_USER,
            secret="TS-0010",
            action=Level.DOWNLOAD,
            record=False,
        )
        assert arjun.allowed, arjun.summary
        kavya = access.decide(
            session,
            actor=actor,
            person="kavya.nair@lotus-process.example",
            secret="TS-0010",
            action=Level.VIEW,
            record=False,
        )
        assert [r.rule for r in kavya.reasons] == ["need-to-know", "bound:acknowledgement"]
        pending = access.list_grants(
            session, actor=actor, filters=GrantFilter(status=GrantStatus.REQUESTED)
        )
        assert [g.person_name for g in pending] == ["Kavya Nair"]


def test_every_granted_secret_has_a_document_to_hand_out(demo: Cli) -> None:
    """A granted download (the tour's vendor portal step) finds a file: each secret a grant
    names has a document in the vault, and the seeded grants name at least one."""
    granted = {g.secret for g in dataset.load("access.yaml", demo_access.Grants).grants}
    assert granted
    for ref in sorted(granted):
        docs = demo.ok("vault", "list", "--secret", ref, "--json").json()
        assert docs, f"{ref} is granted but has no document"
        assert all(d["status"] == "active" for d in docs), ref


#: every shipped data file but company.yaml, with the model of its seeding step
DATA_FILES: dict[str, type[dataset.DataFile]] = {
    "access.yaml": demo_access.Grants,
    "activity.yaml": demo_monitoring.Activity,
    "agreements.yaml": demo_agreements.Agreements,
    "diligence.yaml": demo_diligence.Diligence,
    "documents.yaml": demo_documents.Documents,
    "incidents.yaml": demo_incidents.Incidents,
    "leaks.yaml": demo_leaks.Leaks,
    "secrets.yaml": demo_inventory.Register,
    "training.yaml": demo_training.Training,
    "vendors.yaml": demo_vendors.VendorFiles,
}


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_every_shipped_data_file_loads() -> None:
    assert {p.name for p in dataset.DATA.glob("*.yaml")} == {"company.yaml", *DATA_FILES}
    assert dataset.company().company.name == "Northwind Biologics"
    for name, model in DATA_FILES.items():
        assert isinstance(dataset.load(name, model), model)


def test_a_wrong_value_in_a_row_names_the_file_and_its_line() -> None:
    text = (dataset.DATA / "company.yaml").read_text()
    broken = text.replace("    country: PH\n", "    country: Philippinez\n", 1)
    with pytest.raises(DemoDataError) as err:
        dataset.parse(broken, source="demo/company.yaml", model=dataset.Company)
    line = _line_of(broken, "Philippinez")
    assert str(err.value) == (
        f"demo/company.yaml:{line}: organisations.bayani.country: 'Philippinez' is not an ISO "
        "3166 country code; use two letters such as US, DE, IN, PH"
    )


def test_a_key_that_names_nothing_names_the_file_and_its_line() -> None:
    text = (dataset.DATA / "vendors.yaml").read_text()
    broken = text.replace("  - vendor: wisla\n", "  - vendor: wisła\n", 1)
    with pytest.raises(DemoDataError) as err:
        dataset.parse(
            broken, source="vendors.yaml", model=demo_vendors.VendorFiles, company=dataset.company()
        )
    [(line, message)] = err.value.problems
    assert line == _line_of(broken, "wisła")
    assert message.endswith(
        ".vendor: 'wisła' names no vendor profile; use one of bayani, lotus, mekong, wisla"
    )


@pytest.fixture
def broken_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, int]]:
    """A copy of the demo data whose secrets.yaml has a tier that does not exist."""
    for source in dataset.DATA.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text())
    path = tmp_path / "secrets.yaml"
    text = path.read_text().replace("tier: sensitive", "tier: secret-ish", 1)
    path.write_text(text)
    monkeypatch.setattr(dataset, "DATA", tmp_path)
    dataset.company.cache_clear()
    dataset._load.cache_clear()
    yield path, _line_of(text, "secret-ish")
    dataset.company.cache_clear()
    dataset._load.cache_clear()


def test_a_broken_data_file_stops_the_demo_with_its_line_and_seeds_nothing(
    tmp_path: Path, broken_data: tuple[Path, int]
) -> None:
    path, line = broken_data
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    events = cli.count("custody_event")
    assert_user_error(cli("demo"), f"{path}:{line}: secrets[", "].tier: use one of")
    assert (cli.count("organisation"), cli.count("custody_event")) == (0, events)


def test_the_month_of_activity_tells_its_two_stories_as_alerts(demo: Cli) -> None:
    """The departing scientist's night download and the departed vendor login abroad are in
    the alert queue, explained. (The routine around them follows the calendar, so what else it
    raises may differ from day to day: only the stories are pinned.)"""
    alerts = demo.ok("monitor", "alerts", "list", "--status", "open", "--json").json()["alerts"]
    about = {(a["person_name"], a["rule_id"]): a for a in alerts}
    bulk = about["Laura Kim", "bulk-secret"]
    assert "of TS-0002" in bulk["explanation"] and "notice of departure" in bulk["explanation"]
    assert bulk["severity"] == "critical"
    gone = about["Rohan Gupta", "departing"]
    assert "after their last day" in gone["explanation"]
    assert ("Rohan Gupta", "region") in about
    watches = demo.ok("monitor", "departures", "list", "--json").json()
    assert [(w["person_name"], w["status"]) for w in watches] == [("Laura Kim", "open")]


def test_leak_detection_shows_a_leaked_excerpt_a_fired_canary_and_a_queued_item(
    demo: Cli,
) -> None:
    """The renamed excerpt of the routing engine is found with its verdict, the decoy DOCX
    called home, the patent item waits for legal, and both finds are alerts."""
    (match,) = demo.ok("leaks", "matches", "--json").json()
    assert (match["secret_ref"], match["document_name"]) == ("TS-0005", "routing.py")
    assert "consecutive lines of TS-0005 routing.py, identifiers renamed" in match["verdict"]
    (token,) = demo.ok("leaks", "tokens", "--json").json()
    assert (token["secret_ref"], token["kind"], token["hits"]) == ("TS-0002", "docx", 1)
    (review,) = demo.ok("leaks", "reviews", "list", "--json").json()
    assert (review["secret_ref"], review["status"]) == ("TS-0003", "pending")
    assert "'fed-batch'" in review["reason"]
    alerts = demo.ok("monitor", "alerts", "list", "--status", "open", "--json").json()["alerts"]
    titles = {a["title"] for a in alerts}
    assert {"A canary token fired", "A scan found a secret's content"} <= titles


def test_the_demo_case_runs_its_gdpr_clock(demo: Cli) -> None:
    """One open case, opened by security with counsel seated, its first tasks done and its
    GDPR and NDA clocks running."""
    cases = demo.ok("incidents", "list", "--open", "--json").json()
    assert [c["title"] for c in cases] == [
        "Hospital contacts exported from the Bayani support desk"
    ]
    case = demo.ok("incidents", "show", cases[0]["ref"], "--json").json()
    assert [m["role"] for m in case["team"]] == ["lead", "legal"]
    assert [t["status"] for t in case["tasks"][:3]] == ["done"] * 3
    clocks = {c["key"]: c for c in demo.ok("incidents", "clocks", case["ref"], "--json").json()}
    assert clocks["gdpr-art-33"]["status"] == "running"
    assert any(c["regime"].lower().startswith("contract") for c in clocks.values())
