"""The public verbs of the departure watch, the heightened watches and the log reviews (what
pages, the API, the CLI, the jobs and the capabilities above use)."""

from __future__ import annotations

from crownjewels.monitoring.watch.departures import close_ended as close_ended
from crownjewels.monitoring.watch.departures import close_watch as close_watch
from crownjewels.monitoring.watch.departures import get_watch as get_watch
from crownjewels.monitoring.watch.departures import give_notice as give_notice
from crownjewels.monitoring.watch.departures import list_watches as list_watches
from crownjewels.monitoring.watch.departures import on_notice as on_notice
from crownjewels.monitoring.watch.departures import open_watch as open_watch
from crownjewels.monitoring.watch.departures import report as report
from crownjewels.monitoring.watch.departures import require_reader as require_reader
from crownjewels.monitoring.watch.departures import watch_of_person as watch_of_person
from crownjewels.monitoring.watch.departures import watched_people as watched_people
from crownjewels.monitoring.watch.heightened import end_heightened as end_heightened
from crownjewels.monitoring.watch.heightened import heighten as heighten
from crownjewels.monitoring.watch.heightened import heightened_for as heightened_for
from crownjewels.monitoring.watch.reviews import create_due as create_due
from crownjewels.monitoring.watch.reviews import get_review as get_review
from crownjewels.monitoring.watch.reviews import latest_by_secret as latest_by_secret
from crownjewels.monitoring.watch.reviews import list_reviews as list_reviews
from crownjewels.monitoring.watch.reviews import period_before as period_before
from crownjewels.monitoring.watch.reviews import raise_concern as raise_concern
from crownjewels.monitoring.watch.reviews import sign_off as sign_off
from crownjewels.monitoring.watch.reviews import tasks_for as tasks_for
