"""The report channel's pure rules: the deadlines of EU Directive 2019/1937 and the follow-up
code (random, high entropy, typed back however the reporter wrote it down).

Art. 9(1)(b): the receipt of a report is acknowledged to the reporter within seven days.
Art. 9(1)(f): feedback is given within a reasonable time of no more than three months from the
acknowledgement, or, when none was sent, from the end of the seven days after the report."""

from __future__ import annotations

import calendar
import hashlib
import secrets
from datetime import datetime, timedelta

from crownjewels.incidents.reports.schemas import Deadlines

#: Art. 9(1)(b)
ACKNOWLEDGE_DAYS = 7
#: Art. 9(1)(f)
FEEDBACK_MONTHS = 3
#: Crockford's base32: no I, L, O or U, so nothing is misread when typed back
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 16 symbols of 5 bits: 80 random bits, shown in groups of four
CODE_LENGTH = 16
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def acknowledgement_due(received_at: datetime) -> datetime:
    """Seven days after the report (Art. 9(1)(b))."""
    return received_at + timedelta(days=ACKNOWLEDGE_DAYS)


def feedback_due(received_at: datetime, acknowledged_at: datetime | None) -> datetime:
    """Three months after the acknowledgement, or after the end of the seven days when there
    was none (Art. 9(1)(f)): a late acknowledgement moves the clock with it, as the article
    reads; the acknowledgement itself is then late."""
    start = acknowledged_at or acknowledgement_due(received_at)
    return add_months(start, FEEDBACK_MONTHS)


def new_code() -> str:
    """A fresh follow-up code, grouped for reading: K7QF-2M9X-…"""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(typed: str) -> str:
    """The code as typed back: case, spaces and dashes do not matter, nor O for 0 or I, L
    for 1."""
    kept = "".join(c for c in typed.upper() if c.isalnum())
    return kept.translate(_MISREAD)


def code_hash(typed: str) -> str:
    """The SHA-256 kept of a code (its 80 random bits make a slow hash unnecessary)."""
    return hashlib.sha256(normalise_code(typed).encode()).hexdigest()


def deadlines(
    *,
    received_at: datetime,
    acknowledged_at: datetime | None,
    feedback_at: datetime | None,
    closed: bool,
    now: datetime,
) -> Deadlines:
    """Both deadlines of a report and whether each passed with nothing done (a closed report
    is overdue no more)."""
    ack_due = acknowledgement_due(received_at)
    fb_due = feedback_due(received_at, acknowledged_at)
    return Deadlines(
        acknowledgement_due=ack_due,
        acknowledged_at=acknowledged_at,
        acknowledgement_overdue=acknowledged_at is None and not closed and now > ack_due,
        acknowledged_late=acknowledged_at is not None and acknowledged_at > ack_due,
        feedback_due=fb_due,
        feedback_at=feedback_at,
        feedback_overdue=feedback_at is None and not closed and now > fb_due,
    )
