"""The list of capabilities: their tables (for Alembic), CLI commands, scheduled jobs and the
hooks that wire one capability into another. A new capability is one line in each list.

What only the web app needs (API routers, pages, the panels one capability shows on another's
page, the template folders) is in `routes.py`, so a command, the worker and a script start
without building a single route."""

from __future__ import annotations

from typer import Typer

from crownjewels.access import commands as access_commands
from crownjewels.access import jobs as access_jobs
from crownjewels.access import labels as access_labels
from crownjewels.access import models as access_models
from crownjewels.access.offboarding import commands as offboarding_commands
from crownjewels.access.offboarding import service as access_offboarding
from crownjewels.access.reviews import commands as reviews_commands
from crownjewels.agreements import commands as agreements_commands
from crownjewels.agreements import documents as agreements_documents
from crownjewels.agreements import jobs as agreements_jobs
from crownjewels.agreements import labels as agreements_labels
from crownjewels.agreements import models as agreements_models
from crownjewels.core import adverse, departures, documents
from crownjewels.core.jobs import Job
from crownjewels.core.models import Base
from crownjewels.custody import commands as custody_commands
from crownjewels.custody import jobs as custody_jobs
from crownjewels.custody import labels as custody_labels
from crownjewels.custody import models as custody_models
from crownjewels.disclosure import commands as disclosure_commands
from crownjewels.disclosure import models as disclosure_models
from crownjewels.disclosure import planting as disclosure_planting
from crownjewels.disclosure.ledger import commands as ledger_commands
from crownjewels.incidents import commands as incidents_commands
from crownjewels.incidents import jobs as incidents_jobs
from crownjewels.incidents import labels as incidents_labels
from crownjewels.incidents import models as incidents_models
from crownjewels.incidents import receivers as incidents_receivers
from crownjewels.incidents.containment import commands as containment_commands
from crownjewels.incidents.containment import jobs as containment_jobs
from crownjewels.incidents.evidence import commands as evidence_commands
from crownjewels.incidents.evidence import documents as evidence_documents
from crownjewels.incidents.evidence import labels as evidence_labels
from crownjewels.incidents.legal import commands as legal_commands
from crownjewels.incidents.reports import approvals as reports_approvals
from crownjewels.incidents.reports import attachments as reports_attachments
from crownjewels.incidents.reports import commands as reports_commands
from crownjewels.incidents.reports import labels as reports_labels
from crownjewels.inventory import commands as inventory_commands
from crownjewels.inventory import documents as inventory_documents
from crownjewels.inventory import jobs as inventory_jobs
from crownjewels.inventory import labels as inventory_labels
from crownjewels.inventory import models as inventory_models
from crownjewels.leaks import commands as leaks_commands
from crownjewels.leaks import escalation as leaks_escalation
from crownjewels.leaks import models as leaks_models
from crownjewels.leaks.canary import commands as canary_commands
from crownjewels.leaks.canary import labels as canary_labels
from crownjewels.leaks.canary import service as canary_service
from crownjewels.leaks.index import commands as leaks_index_commands
from crownjewels.leaks.index import jobs as leaks_index_jobs
from crownjewels.leaks.index import service as leaks_index
from crownjewels.leaks.scan import commands as leak_scan_commands
from crownjewels.leaks.scan import jobs as leak_scan_jobs
from crownjewels.leaks.scan import labels as leak_scan_labels
from crownjewels.leaks.watchlists import commands as watchlists_commands
from crownjewels.leaks.watchlists import jobs as watchlists_jobs
from crownjewels.leaks.watchlists import labels as watchlists_labels
from crownjewels.monitoring import commands as monitoring_commands
from crownjewels.monitoring import jobs as monitoring_jobs
from crownjewels.monitoring import models as monitoring_models
from crownjewels.monitoring.channels import commands as channels_commands
from crownjewels.monitoring.channels import jobs as channels_jobs
from crownjewels.monitoring.channels import labels as channels_labels
from crownjewels.monitoring.channels import service as channels_service
from crownjewels.monitoring.scoring import commands as scoring_commands
from crownjewels.monitoring.scoring import hooks as scoring_hooks
from crownjewels.monitoring.scoring import jobs as scoring_jobs
from crownjewels.monitoring.sources import commands as monitoring_sources_commands
from crownjewels.monitoring.triage import commands as triage_commands
from crownjewels.monitoring.triage import escalation as alert_escalation
from crownjewels.monitoring.triage import labels as triage_labels
from crownjewels.monitoring.watch import commands as watch_commands
from crownjewels.monitoring.watch import jobs as watch_jobs
from crownjewels.monitoring.watch import labels as watch_labels
from crownjewels.monitoring.watch import service as watch_service
from crownjewels.parties import commands as parties_commands
from crownjewels.parties import labels as parties_labels
from crownjewels.parties import models as parties_models
from crownjewels.parties.notifications import commands as notifications_commands
from crownjewels.parties.notifications import jobs as notifications_jobs
from crownjewels.parties.notifications import models as notifications_models
from crownjewels.training import commands as training_commands
from crownjewels.training import models as training_models
from crownjewels.vault import commands as vault_commands
from crownjewels.vault import jobs as vault_jobs
from crownjewels.vault import labels as vault_labels
from crownjewels.vault import models as vault_models
from crownjewels.vault import owners as vault_owners
from crownjewels.vendors import commands as vendors_commands
from crownjewels.vendors import documents as vendors_documents
from crownjewels.vendors import labels as vendors_labels
from crownjewels.vendors import models as vendors_models
from crownjewels.vendors.diligence import commands as diligence_commands
from crownjewels.vendors.diligence import documents as diligence_documents
from crownjewels.vendors.diligence import jobs as diligence_jobs
from crownjewels.vendors.diligence import models as diligence_models

MODELS = (
    custody_models,
    parties_models,
    notifications_models,
    vault_models,
    inventory_models,
    training_models,
    agreements_models,
    vendors_models,
    diligence_models,
    access_models,
    disclosure_models,
    monitoring_models,
    leaks_models,
    incidents_models,
)
METADATA = Base.metadata

#: (name, Typer sub-app, help) mounted on the root CLI
COMMANDS: tuple[tuple[str, Typer], ...] = (
    ("users", parties_commands.users),
    ("tokens", parties_commands.tokens),
    ("orgs", parties_commands.orgs),
    ("people", parties_commands.people),
    ("mail", notifications_commands.app),
    ("secrets", inventory_commands.app),
    ("vault", vault_commands.app),
    ("keys", vault_commands.keys_app),
    ("custody", custody_commands.app),
    ("questionnaires", diligence_commands.app),
    ("vendors", vendors_commands.app),
    ("agreements", agreements_commands.app),
    ("training", training_commands.app),
    ("access", access_commands.app),
    ("disclosures", ledger_commands.app),
    ("monitor", monitoring_commands.app),
    ("leaks", leaks_commands.app),
    ("incidents", incidents_commands.app),
    ("reports", reports_commands.app),
)

#: `monitor score`: the continuous scorer (or one pass with --once)
scoring_commands.mount(monitoring_commands.app)
#: each alert the scorer raises or grows goes to the channels; watched people are judged with
#: heightened thresholds
scoring_hooks.register_dispatch(channels_service.dispatch)
scoring_hooks.register_heightened(watch_service.watched_people)
#: `vault get` issues a registered, marked copy; `vault identify` names a found file's copy
disclosure_commands.mount(vault_commands.app)
#: `access review …`, `access offboard …`, `access offboarding …`: the grant lifecycle
reviews_commands.mount(access_commands.app)
offboarding_commands.mount(access_commands.app)
#: `monitor departures …`, `monitor reviews …`
watch_commands.mount(monitoring_commands.app)
#: `vendors assess VENDOR` starts a vendor's due diligence (sends the questionnaire)
vendors_commands.app.command("assess")(diligence_commands.assess_command)
#: `monitor alerts …`: the alert queue and triage
triage_commands.mount(monitoring_commands.app)
#: `monitor convert` and `monitor syslog`: other systems' activity in the event format
monitoring_sources_commands.mount(monitoring_commands.app)
#: `monitor channels …`: where alerts go
channels_commands.mount(monitoring_commands.app)
#: `leaks tokens|plant|retire|hits`: canary tokens
canary_commands.mount(leaks_commands.app)
#: `issue_copy(..., plant=...)` plants a canary token in the copy it issues
disclosure_planting.register(canary_service.plant_in_copy)
#: `leaks watchlist …`, `leaks feeds …`, `leaks reviews …`: market surveillance
watchlists_commands.mount(leaks_commands.app)
#: `leaks scan|scans|scan-show|matches|match|confirm|dismiss|investigate`, `leaks watches …`
leak_scan_commands.mount(leaks_commands.app)
#: `leaks index …`: the fingerprint index of the secrets' documents
leaks_index_commands.mount(leaks_commands.app)
#: `incidents evidence …`: a case's evidence and its chain of custody
evidence_commands.mount(incidents_commands.app)
#: `incidents contain|uncontain|containment`: containment in one action
containment_commands.mount(incidents_commands.app)
#: `incidents letters|letter|legal-step|legal-steps`: a case's letters and legal steps
legal_commands.mount(incidents_commands.app)

#: scheduled jobs that `crownjewels worker` (and `serve`, in a thread) runs
JOBS: tuple[Job, ...] = (
    *custody_jobs.JOBS,
    *notifications_jobs.JOBS,
    *vault_jobs.JOBS,
    *inventory_jobs.JOBS,
    *diligence_jobs.JOBS,
    *agreements_jobs.JOBS,
    *access_jobs.JOBS,
    *monitoring_jobs.JOBS,
    *channels_jobs.JOBS,
    *watch_jobs.JOBS,
    *scoring_jobs.JOBS,
    *watchlists_jobs.JOBS,
    *leak_scan_jobs.JOBS,
    *leaks_index_jobs.JOBS,
    *incidents_jobs.JOBS,
    *containment_jobs.JOBS,
)

#: what vault documents may belong to: each owner capability resolves and scopes its own
vault_owners.register(inventory_documents.OWNER_TYPE, inventory_documents.SECRET_OWNERS)
vault_owners.register(diligence_documents.OWNER_TYPE, diligence_documents.ASSESSMENT_OWNERS)
vault_owners.register(vendors_documents.OWNER_TYPE, vendors_documents.VENDOR_OWNERS)
vault_owners.register(agreements_documents.OWNER_TYPE, agreements_documents.AGREEMENT_OWNERS)
vault_owners.register(access_offboarding.OWNER_TYPE, access_offboarding.OFFBOARDING_OWNERS)
vault_owners.register(evidence_documents.OWNER_TYPE, evidence_documents.CASE_OWNERS)
#: an open case's evidence stays, whatever its legal hold
vault_owners.register_keeper(evidence_documents.OWNER_TYPE, evidence_documents.keeps)
vault_owners.register(reports_attachments.OWNER_TYPE, reports_attachments.REPORT_OWNERS)

#: custody subjects as people read and type them (TS-0014, Dana Whitfield), one kind each
custody_labels.register("secret", inventory_labels.SECRETS)
custody_labels.register("agreement", agreements_labels.AGREEMENTS)
custody_labels.register("vendor", vendors_labels.VENDORS)
custody_labels.register("grant", access_labels.GRANTS)
custody_labels.register("person", parties_labels.PEOPLE)
custody_labels.register("user", parties_labels.USERS)
custody_labels.register("organisation", parties_labels.ORGANISATIONS)
custody_labels.register("document", vault_labels.DOCUMENTS)
custody_labels.register("alert", triage_labels.ALERTS)
custody_labels.register("alert-channel", channels_labels.CHANNELS)
custody_labels.register("departure-watch", watch_labels.WATCHES)
custody_labels.register("log-review", watch_labels.REVIEWS)
custody_labels.register("canary-token", canary_labels.TOKENS)
custody_labels.register("watchlist", watchlists_labels.WATCHLISTS)
custody_labels.register("watch-feed", watchlists_labels.FEEDS)
custody_labels.register("watch-review", watchlists_labels.REVIEWS)
custody_labels.register("leak-scan", leak_scan_labels.SCANS)
custody_labels.register("leak-match", leak_scan_labels.MATCHES)
custody_labels.register("leak-watch", leak_scan_labels.WATCHES)
custody_labels.register("incident", incidents_labels.CASES)
custody_labels.register("evidence", evidence_labels.EVIDENCE)
custody_labels.register("report", reports_labels.REPORTS)
custody_labels.register("adverse-approval", reports_labels.APPROVALS)
custody_labels.register_users(parties_labels.find_users)

#: a notice of departure recorded on a person (parties) opens their departure watch
departures.listen(watch_service.on_notice)

#: an adverse action against a person protected from retaliation (a reporter of the report
#: channel) needs a second approval: access and parties ask before they act
adverse.register(reports_approvals.check_adverse)

#: a stored version of a secret's document is queued for fingerprinting; a shredded
#: document's fingerprints go with it (both in the vault's transaction)
documents.on_stored(leaks_index.on_stored)
documents.on_destroyed(leaks_index.on_destroyed)

#: an escalated alert, and a leak match, canary or watchlist item sent for investigation, opens
#: a case (or joins the one the same origin opened)
alert_escalation.register("incidents", incidents_receivers.on_alert)
leaks_escalation.register("incidents", incidents_receivers.on_finding)
