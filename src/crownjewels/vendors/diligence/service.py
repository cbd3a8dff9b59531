"""Due diligence's verbs, by job: the questionnaire catalogue (`catalog.py`), sending and
one-time links (`sending.py`), answering (`answering.py`) and reading (`reads.py`); the vendor
manager's review is in `review.py`, the risk facts in `scoring.py`, reassessment in
`schedule.py`. This module re-exports them for the capabilities above, which import `service`
only; the package's own modules use the homes above. Every write records its custody event in
the caller's transaction; the edge commits."""

from __future__ import annotations

from crownjewels.vendors.diligence.answering import canonical_sha256 as canonical_sha256
from crownjewels.vendors.diligence.answering import flush_changes as flush_changes
from crownjewels.vendors.diligence.answering import require_answerer as require_answerer
from crownjewels.vendors.diligence.answering import save_answers as save_answers
from crownjewels.vendors.diligence.answering import set_evidence as set_evidence
from crownjewels.vendors.diligence.answering import submit as submit
from crownjewels.vendors.diligence.catalog import TEMPLATE_SUBJECT as TEMPLATE_SUBJECT
from crownjewels.vendors.diligence.catalog import import_file as import_file
from crownjewels.vendors.diligence.catalog import import_template as import_template
from crownjewels.vendors.diligence.catalog import list_templates as list_templates
from crownjewels.vendors.diligence.reads import SUBJECT as SUBJECT
from crownjewels.vendors.diligence.reads import answer_values as answer_values
from crownjewels.vendors.diligence.reads import assessment_row as assessment_row
from crownjewels.vendors.diligence.reads import detail as detail
from crownjewels.vendors.diligence.reads import get_row as get_row
from crownjewels.vendors.diligence.reads import latest_risk as latest_risk
from crownjewels.vendors.diligence.reads import list_assessments as list_assessments
from crownjewels.vendors.diligence.reads import questionnaire_of as questionnaire_of
from crownjewels.vendors.diligence.reads import read as read
from crownjewels.vendors.diligence.reads import remediation_items as remediation_items
from crownjewels.vendors.diligence.reads import risk as risk
from crownjewels.vendors.diligence.reads import standing as standing
from crownjewels.vendors.diligence.reads import template_row as template_row
from crownjewels.vendors.diligence.reads import vendor_choices as vendor_choices
from crownjewels.vendors.diligence.reads import vendor_row as vendor_row
from crownjewels.vendors.diligence.schedule import reassessments_due as reassessments_due
from crownjewels.vendors.diligence.sending import LINK_PREFIX as LINK_PREFIX
from crownjewels.vendors.diligence.sending import issue_link as issue_link
from crownjewels.vendors.diligence.sending import link_actor as link_actor
from crownjewels.vendors.diligence.sending import send as send
from crownjewels.vendors.diligence.tasks import tasks_for as tasks_for
