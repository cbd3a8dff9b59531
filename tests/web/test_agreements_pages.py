"""Agreement pages through the real forms: record (with the messages next to the fields when
refused), upload, analyse, the clause table linking each finding to its highlighted evidence,
legal's review, the lifecycle forms, the listing's badges, and what each role is offered."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.settings import Settings
from crownjewels.vault.keys import create_key_file
from tests.agreements.samples import NDA_TEXT, scanned_pdf
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person
from tests.web.conftest import Login, csrf_of

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]
MARK = re.compile(r'<mark id="(ev-\d+)" data-findings="([^"]*)"[^>]*>(.*?)</mark>', re.S)


def _record(client: TestClient, org_id: str, **fields: str) -> TestClient:
    page = client.get("/agreements/new")
    assert page.status_code == 200
    today = clock.today()
    data = {
        "csrf_token": csrf_of(page.text),
        "kind": "nda",
        "status": "in_force",
        "title": "Mutual NDA with Lotus",
        "organisations": org_id,
        "party_role": "recipient",
        "effective_on": str(today - timedelta(days=5)),
        "expires_on": str(today + timedelta(days=40)),
        "renewal_notice_days": "60",
        "governing_law": "US-NY",
        "scope": "all",
        "trade_secrets_survive": "on",
        "sig.0.name": "Priya Shah",
        "sig.0.signed_on": str(today),
        "sig.0.party": "Lotus Process Services",
        **fields,
    }
    return client.post("/agreements/new", data=data)  # type: ignore[return-value]


def test_record_upload_analyse_and_review(
    settings: Settings, db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    create_key_file(Path(settings.home) / "vault.key")
    with db.unit_of_work() as s:
        org = make_org(s, system_actor(), name="Lotus Process Services")
    client = client_of(make_login(Role.LEGAL))

    refused = _record(client, org.id, expires_on="2020-01-01")
    assert refused.status_code == 422
    expiry = re.search(r'id="expires_on-error">([^<]*)<', refused.text)
    assert expiry and "is before the effective date" in html.unescape(expiry.group(1))
    assert 'value="Mutual NDA with Lotus"' in refused.text  # the form comes back filled

    page = _record(client, org.id)
    assert page.status_code == 200, page.text
    assert "is recorded" in page.text and "Lotus Process Services" in page.text
    ref = re.search(r'id="agreement-ref">(AG-\d{4}-\d{3})<', page.text)
    assert ref
    url = f"/agreements/{ref.group(1)}"
    assert "Renewal due" in page.text and "Priya Shah" in page.text

    no_file = client.post(f"{url}/versions", data={"csrf_token": csrf_of(page.text)})
    assert no_file.status_code == 422 and "choose the agreement file" in no_file.text
    page = client.post(
        f"{url}/versions",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("nda.txt", NDA_TEXT.encode(), "text/plain")},
    )
    assert page.status_code == 200 and "Version 1 is in the vault" in page.text
    link = re.search(r'href="(/api/v1/documents/[0-9A-Z]{26}/content\?version=1)"', page.text)
    assert link
    assert client.get(link.group(1)).content == NDA_TEXT.encode()
    page = client.post(f"{url}/analyse", data={"csrf_token": csrf_of(page.text), "version": "1"})
    assert page.status_code == 200 and "is analysed" in page.text
    # New York has no profile of its own: the page names the fallback (once it said nothing)
    assert (
        "US-NY has no requirement profile of its own: version 1 was analysed under the US "
        "profile instead" in page.text
    )

    # the clause table links each finding with evidence to a mark around that evidence
    marks = {
        m.group(1): (m.group(2).split(), html.unescape(m.group(3)))
        for m in MARK.finditer(page.text)
    }
    assert marks, "no evidence is highlighted"
    rows = re.findall(
        r'<tr id="finding-([0-9A-Z]{26})" class="finding" data-requirement="([a-z_]+)" '
        r'data-status="([a-z_]+)">(.*?)</tr>',
        page.text,
        re.S,
    )
    statuses = {req: status for _, req, status, _ in rows}
    assert statuses["limited_use"] == "satisfied"
    assert statuses["breach_notification"] == "contradicted"
    assert statuses["audit_right"] == "not_mentioned"
    linked = {req: re.search(r'href="#(ev-\d+)"', body) for _, req, _, body in rows}
    limited = linked["limited_use"]
    assert limited and "solely for the Purpose" in marks[limited.group(1)][1]
    assert linked["audit_right"] is None  # nothing to point at
    breach_id = next(fid for fid, req, _, _ in rows if req == "breach_notification")
    breach = linked["breach_notification"]
    assert breach and breach_id in marks[breach.group(1)][0]
    assert "shall not be required to notify" in marks[breach.group(1)][1]

    refused = client.post(
        f"{url}/findings/{breach_id}/review",
        data={"csrf_token": csrf_of(page.text), "decision": "overridden", "status": "satisfied"},
    )
    assert refused.status_code == 422 and "needs a reason saying why" in html.unescape(refused.text)
    page = client.post(
        f"{url}/findings/{breach_id}/review",
        data={
            "csrf_token": csrf_of(page.text),
            "decision": "overridden",
            "status": "satisfied",
            "reason": "Schedule 2 sets a 48-hour notice",
        },
    )
    assert page.status_code == 200 and "is overridden" in page.text
    row = f'id="finding-{breach_id}" class="finding" data-requirement="breach_notification"'
    assert f'{row} data-status="satisfied"' in page.text
    assert "Schedule 2 sets a 48-hour notice" in page.text
    assert "AGREEMENT_FINDING_REVIEWED" in page.text

    # a scanned upload cannot be analysed: the page says why, the findings stay
    page = client.post(
        f"{url}/versions",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("scan.pdf", scanned_pdf(), "application/pdf")},
    )
    failed = client.post(f"{url}/analyse", data={"csrf_token": csrf_of(page.text), "version": "2"})
    assert failed.status_code == 422 and "no text layer: run OCR first" in failed.text
    assert "Clause analysis</strong> · version 1" in failed.text

    listing = client.get("/agreements?status=in_force")
    assert ref.group(1) in listing.text and "Renewal due" in listing.text
    row = f'<tr data-ref="{ref.group(1)}">'
    assert row in client.get("/agreements?renewal_due=true").text
    assert row not in client.get("/agreements?kind=msa").text
    page = client.get(url)
    page = client.post(f"{url}/terminate", data={"csrf_token": csrf_of(page.text), "reason": ""})
    assert page.status_code == 422 and "Enter the reason" in page.text
    page = client.post(
        f"{url}/terminate", data={"csrf_token": csrf_of(page.text), "reason": "offboarded"}
    )
    assert page.status_code == 200 and "is terminated" in page.text


def test_what_each_role_is_offered(
    settings: Settings, db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    create_key_file(Path(settings.home) / "vault.key")
    with db.unit_of_work() as s:
        org = make_org(s, system_actor(), name="Lotus Process Services")
    legal = client_of(make_login(Role.LEGAL))
    page = _record(legal, org.id)
    ref = re.search(r'id="agreement-ref">(AG-\d{4}-\d{3})<', page.text)
    assert ref
    url = f"/agreements/{ref.group(1)}"

    manager = client_of(make_login(Role.VENDOR_MANAGER))
    shown = manager.get(url).text
    assert 'href="/agreements"' in shown  # the nav link
    assert "/edit" in shown and 'id="upload-form"' in shown  # files agreements (documents:write)
    auditor = client_of(make_login(Role.AUDITOR))
    shown = auditor.get(url).text
    assert "/edit" not in shown and 'id="terminate-form"' not in shown
    assert auditor.get("/agreements/new").status_code == 403
    vendor_user = client_of(make_login(Role.VENDOR_USER))
    assert vendor_user.get(url).status_code == 403
    assert 'href="/agreements"' not in vendor_user.get("/").text


def test_edit_scope_and_a_lost_update(
    settings: Settings, db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    with db.unit_of_work() as s:
        admin = system_actor()
        org = make_org(s, admin, name="Lotus Process Services")
        recipe = make_secret(s, admin, name="Brine recipe")
    client = client_of(make_login(Role.LEGAL))
    page = _record(client, org.id)
    ref = re.search(r'id="agreement-ref">(AG-\d{4}-\d{3})<', page.text)
    assert ref
    url = f"/agreements/{ref.group(1)}"
    form = client.get(f"{url}/edit")
    assert form.status_code == 200 and 'value="Mutual NDA with Lotus"' in form.text
    version = re.search(r'name="version" value="(\d+)"', form.text)
    assert version
    base = {
        "csrf_token": csrf_of(form.text),
        "version": version.group(1),
        "kind": "nda",
        "title": "Mutual NDA with Lotus (amended)",
        "governing_law": "US-NY",
        "renewal_notice_days": "30",
        "trade_secrets_survive": "on",
    }
    refused = client.post(f"{url}/edit", data={**base, "scope": "named"})
    assert refused.status_code == 422 and "needs at least one secret" in refused.text
    saved = client.post(f"{url}/edit", data={**base, "scope": "named", "secrets": recipe.id})
    assert saved.status_code == 200 and "is saved" in saved.text
    assert "Brine recipe" in saved.text and "(amended)" in saved.text
    assert "AGREEMENT_SCOPE_CHANGED" in saved.text and "AGREEMENT_UPDATED" in saved.text
    stale = client.post(f"{url}/edit", data={**base, "title": "Lost update", "scope": "all"})
    assert stale.status_code == 409 and "changed by someone else" in stale.text


def test_add_a_party_and_a_signature(
    settings: Settings, db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    with db.unit_of_work() as s:
        admin = system_actor()
        org = make_org(s, admin, name="Lotus Process Services")
        person = make_person(s, admin, org=org, name="Arjun Mehta")
    client = client_of(make_login(Role.VENDOR_MANAGER))
    page = _record(client, org.id)
    ref = re.search(r'id="agreement-ref">(AG-\d{4}-\d{3})<', page.text)
    assert ref
    url = f"/agreements/{ref.group(1)}"
    refused = client.post(f"{url}/parties", data={"csrf_token": csrf_of(page.text), "party": ""})
    assert refused.status_code == 422 and "give exactly one" in refused.text
    page = client.post(
        f"{url}/parties",
        data={"csrf_token": csrf_of(page.text), "party": f"person:{person.id}"},
    )
    assert page.status_code == 200 and "Arjun Mehta is a party of" in page.text
    again = client.post(
        f"{url}/parties",
        data={"csrf_token": csrf_of(page.text), "party": f"person:{person.id}"},
    )
    assert again.status_code == 422 and "already names this party" in again.text
    party_id = re.search(r'<option value="([0-9A-Z]{26})">Arjun Mehta</option>', page.text)
    assert party_id
    page = client.post(
        f"{url}/signatories",
        data={
            "csrf_token": csrf_of(page.text),
            "name": "Arjun Mehta",
            "title": "Team Lead",
            "party": party_id.group(1),
            "signed_on": str(clock.today()),
        },
    )
    assert page.status_code == 200 and "Arjun Mehta's signature is recorded" in html.unescape(
        page.text
    )
    assert "AGREEMENT_PARTY_ADDED" in page.text and "AGREEMENT_SIGNATORY_ADDED" in page.text


def _analysed_page(client: TestClient, org_id: str) -> tuple[str, str]:
    page = _record(client, org_id)
    ref = re.search(r'id="agreement-ref">(AG-\d{4}-\d{3})<', page.text)
    assert ref
    url = f"/agreements/{ref.group(1)}"
    page = client.post(
        f"{url}/versions",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("nda.txt", NDA_TEXT.encode(), "text/plain")},
    )
    page = client.post(f"{url}/analyse", data={"csrf_token": csrf_of(page.text), "version": "1"})
    assert page.status_code == 200 and "is analysed" in page.text
    return url, page.text


def _rows(text: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'<tr id="finding-([0-9A-Z]{26})" class="finding" data-requirement="([a-z_]+)" '
        r'data-status="([a-z_]+)">',
        text,
    )


def _visible(text: str) -> str:
    """The page's words as a reader sees them: no tags, no attributes."""
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def test_the_clause_table_is_triaged_and_accepts_all_satisfied_in_one_action(
    settings: Settings, db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    create_key_file(Path(settings.home) / "vault.key")
    with db.unit_of_work() as s:
        org = make_org(s, system_actor(), name="Lotus Process Services")
    client = client_of(make_login(Role.LEGAL))
    url, text = _analysed_page(client, org.id)

    rows = _rows(text)
    order = [{"contradicted": 0, "not_mentioned": 1, "satisfied": 2}[st] for _, _, st in rows]
    assert order == sorted(order)  # contradictions, then what is missing, then satisfied
    counts = {st: sum(1 for _, _, s in rows if s == st) for st in ("contradicted", "satisfied")}
    summary = re.search(r'id="triage-summary">(.*?)</div>', text, re.S)
    assert summary
    words = " ".join(_visible(summary.group(1)).split())
    assert f"{counts['contradicted']} contradicted" in words
    assert f"{counts['satisfied']} satisfied" in words and "required clause" in words
    # the highlight says what a sentence does, with a legend
    assert 'class="tone-contradicts"' in text and 'class="tone-satisfies"' in text
    assert '<mark class="tone-satisfies">satisfies</mark>' in text
    # requirement ids live in tooltips and attributes, not in the words a lawyer reads
    clauses = re.search(r'<article id="clauses">(.*?)</article>', text, re.S)
    assert clauses and "breach_notification" not in _visible(clauses.group(1))
    assert 'title="Requirement breach_notification"' in text

    # an override without a reason keeps the choice and says so next to the reason, in view
    breach = next(fid for fid, req, _ in rows if req == "breach_notification")
    form = f'action="{url}/findings/{breach}/review#finding-{breach}"'
    assert form in text  # the refused page opens at the finding
    refused = client.post(
        f"{url}/findings/{breach}/review",
        data={"csrf_token": csrf_of(text), "decision": "overridden", "status": "satisfied"},
    )
    assert refused.status_code == 422
    row = refused.text[refused.text.index(f'id="finding-{breach}"') :]
    row = row[: row.index("</tr>")]
    assert '<option value="overridden" selected>' in row
    assert '<option value="satisfied" selected>' in row
    assert re.search(r'name="reason"[^>]*aria-invalid="true"', row)
    assert "needs a reason saying why" in html.unescape(row)

    accepted = client.post(
        f"{url}/findings/accept-satisfied", data={"csrf_token": csrf_of(refused.text)}
    )
    assert accepted.status_code == 200, accepted.text
    assert f"{counts['satisfied']} satisfied findings are accepted" in accepted.text
    assert 'id="accept-satisfied-form"' not in accepted.text  # nothing left to accept
    again = client.post(
        f"{url}/findings/accept-satisfied", data={"csrf_token": csrf_of(accepted.text)}
    )
    assert again.status_code == 422 and "no satisfied finding waiting" in again.text
