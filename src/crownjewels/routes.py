"""What the web app mounts: every capability's API routers and pages, the public routes, the
panels one capability shows on another's page and the folders of templates. Kept apart from
`registry.py` (tables, commands, jobs, hooks) so that a command or the worker never builds a
route; importing this imports the registry, so the app is wired the same way."""

from __future__ import annotations

from fastapi import APIRouter

import crownjewels.registry  # noqa: F401  (the tables, hooks and labels, wired before any route)
from crownjewels.access import pages as access_pages
from crownjewels.access import router as access_router
from crownjewels.access.offboarding import pages as offboarding_pages
from crownjewels.access.offboarding import router as offboarding_router
from crownjewels.access.posture import pages as posture_pages
from crownjewels.access.reviews import pages as reviews_pages
from crownjewels.access.reviews import router as reviews_router
from crownjewels.agreements import pages as agreements_pages
from crownjewels.agreements import panels as agreements_panels
from crownjewels.agreements import router as agreements_router
from crownjewels.core import panels
from crownjewels.custody import pages as custody_pages
from crownjewels.custody import router as custody_router
from crownjewels.disclosure import pages as disclosure_pages
from crownjewels.disclosure import router as disclosure_router
from crownjewels.disclosure.ledger import pages as ledger_pages
from crownjewels.disclosure.ledger import router as ledger_router
from crownjewels.disclosure.portal import pages as disclosure_portal
from crownjewels.incidents import pages as incidents_pages
from crownjewels.incidents import panels as incidents_panels
from crownjewels.incidents import router as incidents_router
from crownjewels.incidents.containment import pages as containment_pages
from crownjewels.incidents.containment import router as containment_router
from crownjewels.incidents.evidence import pages as evidence_pages
from crownjewels.incidents.evidence import router as evidence_router
from crownjewels.incidents.legal import pages as legal_pages
from crownjewels.incidents.legal import router as legal_router
from crownjewels.incidents.reports import pages as reports_pages
from crownjewels.incidents.reports import public as reports_public
from crownjewels.incidents.reports import router as reports_router
from crownjewels.inventory import pages as inventory_pages
from crownjewels.inventory import router as inventory_router
from crownjewels.leaks.canary import callback as canary_callback
from crownjewels.leaks.canary import pages as canary_pages
from crownjewels.leaks.canary import panels as canary_panels
from crownjewels.leaks.canary import router as canary_router
from crownjewels.leaks.index import panels as leaks_index_panels
from crownjewels.leaks.index import router as leaks_index_router
from crownjewels.leaks.scan import pages as leak_scan_pages
from crownjewels.leaks.scan import router as leak_scan_router
from crownjewels.leaks.watchlists import pages as watchlists_pages
from crownjewels.leaks.watchlists import router as watchlists_router
from crownjewels.monitoring import pages as monitoring_pages
from crownjewels.monitoring import panels as monitoring_panels
from crownjewels.monitoring import router as monitoring_router
from crownjewels.monitoring.channels import pages as channels_pages
from crownjewels.monitoring.channels import router as channels_router
from crownjewels.monitoring.triage import pages as triage_pages
from crownjewels.monitoring.triage import panels as triage_panels
from crownjewels.monitoring.triage import router as triage_router
from crownjewels.monitoring.watch import pages as watch_pages
from crownjewels.monitoring.watch import panels as watch_panels
from crownjewels.monitoring.watch import router as watch_router
from crownjewels.parties import pages as parties_pages
from crownjewels.parties import router as parties_router
from crownjewels.parties.notifications import pages as notifications_pages
from crownjewels.parties.profile import pages as profile_pages
from crownjewels.training import pages as training_pages
from crownjewels.training import panels as training_panels
from crownjewels.training import router as training_router
from crownjewels.vault import router as vault_router
from crownjewels.vendors import pages as vendors_pages
from crownjewels.vendors import router as vendors_router
from crownjewels.vendors.diligence import pages as diligence_pages
from crownjewels.vendors.diligence import router as diligence_router
from crownjewels.vendors.imports import pages as vendor_imports_pages
from crownjewels.vendors.transfers import pages as transfers_pages
from crownjewels.vendors.transfers import router as transfers_router
from crownjewels.web import search as search_pages

API_ROUTERS: tuple[APIRouter, ...] = (
    parties_router.router,
    inventory_router.router,
    vault_router.router,
    agreements_router.router,
    disclosure_router.router,
    training_router.router,
    ledger_router.router,
    custody_router.router,
    diligence_router.router,
    transfers_router.router,
    vendors_router.router,
    access_router.router,
    reviews_router.router,
    offboarding_router.router,
    triage_router.router,
    monitoring_router.router,
    channels_router.router,
    watch_router.router,
    canary_router.router,
    watchlists_router.router,
    leak_scan_router.router,
    leaks_index_router.router,
    incidents_router.router,
    reports_router.router,
    evidence_router.router,
    containment_router.router,
    legal_router.router,
)
PAGE_ROUTERS: tuple[APIRouter, ...] = (
    inventory_pages.router,
    disclosure_pages.router,
    ledger_pages.router,
    disclosure_portal.router,
    agreements_pages.router,
    parties_pages.router,
    notifications_pages.router,
    profile_pages.router,
    custody_pages.router,
    diligence_pages.router,
    transfers_pages.router,
    vendor_imports_pages.router,
    vendors_pages.router,
    access_pages.router,
    posture_pages.router,
    reviews_pages.router,
    offboarding_pages.router,
    training_pages.router,
    search_pages.router,
    monitoring_pages.router,
    triage_pages.router,
    channels_pages.router,
    watch_pages.router,
    canary_pages.router,
    watchlists_pages.router,
    leak_scan_pages.router,
    incidents_pages.router,
    reports_pages.router,
    evidence_pages.router,
    containment_pages.router,
    legal_pages.router,
)
#: routes anyone may call, without login or the request guards (app.PUBLIC_PATHS names them)
PUBLIC_ROUTERS: tuple[APIRouter, ...] = (
    #: /c/<token>: canary tokens call home
    canary_callback.router,
    #: /report, /report/follow-up: the report channel, anonymous (nothing identifying is kept)
    reports_public.router,
)

#: panels a capability shows on another's page: the agreements with a vendor on its page
panels.register(vendors_pages.PANEL_SLOT, agreements_panels.vendor_agreements)
#: a person's training and acknowledgements on their page
panels.register(parties_pages.PERSON_SLOT, training_panels.person_training)
#: the identities a person acts under in other systems, on their page
panels.register(parties_pages.PERSON_SLOT, monitoring_panels.person_identities)
#: the alerts naming a person, on their page (for readers of alerts)
panels.register(parties_pages.PERSON_SLOT, triage_panels.person_alerts)
#: a person's departure watch on their page and their offboarding; log reviews in the posture
panels.register(parties_pages.PERSON_SLOT, watch_panels.person_watch)
panels.register(offboarding_pages.OFFBOARDING_SLOT, watch_panels.offboarding_watch)
panels.register(posture_pages.POSTURE_SLOT, watch_panels.posture_reviews)
#: how many of a secret's documents leak scans can find, and its canary tokens with their hits
panels.register(inventory_pages.SECRET_SLOT, leaks_index_panels.secret_fingerprints)
panels.register(inventory_pages.SECRET_SLOT, canary_panels.secret_tokens)
#: the cases that concern a secret and its open remediation; all open remediation in the posture
panels.register(inventory_pages.SECRET_SLOT, incidents_panels.secret_cases)
panels.register(posture_pages.POSTURE_SLOT, incidents_panels.posture_remediation)

#: packages whose templates/ folder the page renderer searches
TEMPLATE_PACKAGES = (
    "web",
    "inventory",
    "parties",
    "parties/notifications",
    "custody",
    "disclosure",
    "vendors",
    "vendors/diligence",
    "agreements",
    "access",
    "training",
    "monitoring",
    "leaks",
    "incidents",
)
