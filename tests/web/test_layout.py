"""The layout every page shares: the favicon, the header (a Menu button for phones, secondary
entries under More), the Access section's tabs and the confirm step of destructive actions."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.core.permissions import Role
from tests.web.markup import confirmed

ClientFor = Callable[..., TestClient]


def test_the_favicon_is_served_and_linked(app: FastAPI, client_for: ClientFor) -> None:
    anonymous = TestClient(app)
    moved = anonymous.get("/favicon.ico", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/static/favicon.svg"
    icon = anonymous.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in icon.text
    assert '<link rel="icon" href="/static/favicon.svg"' in anonymous.get("/login").text
    anonymous.close()
    assert '<link rel="icon"' in client_for(Role.AUDITOR).get("/").text


def test_the_header_folds_on_phones_and_keeps_evidence_under_more(client_for: ClientFor) -> None:
    page = client_for(Role.AUDITOR).get("/custody").text
    assert 'id="nav-toggle"' in page and 'for="nav-toggle"' in page
    more = re.search(r'<details class="dropdown more-menu">.*?</details>', page, re.S)
    assert more, "the secondary entries are grouped under More"
    for href in ("/custody", "/disclosures", "/organisations", "/training"):
        assert f'href="{href}"' in more.group(0)
    assert 'aria-current="page"' in more.group(0)  # the custody log is under it: More is lit
    main = page.split('<ul class="main-nav"', 1)[1].split("more-menu", 1)[0]
    # training moved under More so that Incidents fits the header at desktop width
    assert 'href="/custody"' not in main and 'href="/training"' not in main
    assert 'href="/incidents"' in main


def test_the_access_pages_reach_reviews_and_offboarding(client_for: ClientFor) -> None:
    security = client_for(Role.SECURITY)
    grants = security.get("/access/grants").text
    assert 'id="nav-access-reviews"' in grants and 'id="nav-access-offboarding"' in grants
    reviews = security.get("/access/reviews").text
    assert re.search(r'href="/access/reviews" id="nav-access-reviews" aria-current="page"', reviews)
    # a secret owner decides grants (reviews are theirs) but reads no offboarding
    owner = client_for(Role.SECRET_OWNER).get("/access/grants").text
    assert 'id="nav-access-reviews"' in owner and 'id="nav-access-offboarding"' not in owner


def test_offboarding_asks_once_more(client_for: ClientFor) -> None:
    page = client_for(Role.SECURITY).get("/access/offboarding").text
    assert confirmed(page, 'id="offboard-button"')
    assert not confirmed(page, 'name="person"')  # the form's fields stay in view


def test_only_admins_find_the_email_outbox_under_more(client_for: ClientFor) -> None:
    for role, shown in ((Role.ADMIN, True), (Role.AUDITOR, False), (Role.SECURITY, False)):
        page = client_for(role).get("/").text
        more = re.search(r'<details class="dropdown more-menu">.*?</details>', page, re.S)
        assert more
        assert ('href="/admin/outbox"' in more.group(0)) is shown, role


def test_the_search_box_is_for_internal_roles_only(client_for: ClientFor) -> None:
    assert 'class="site-search"' in client_for(Role.AUDITOR).get("/").text
    portal = client_for(Role.VENDOR_USER).get("/portal")
    assert portal.status_code == 200 and 'class="site-search"' not in portal.text
