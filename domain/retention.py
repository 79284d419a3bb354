"""How long a parent's personal data is kept, per programme kind, and when an erasure request
waits (AVG art. 5(1)(e) storage limitation, art. 17). Pure rules; the sweep applies them.

Defaults, and why (a school board sets its own with BETROKKEN_RETENTION_MONTHS):
- every kind: 24 months after the programme closed, after the PO-Raad's model: a pupil file is
  kept 2 years after the pupil leaves; a programme's participation is part of that file;
- info_meetings: 12 months (attendance lists of information evenings are needed less long);
- payment records: their amounts and dates stay 7 years (AWR art. 52, the fiscal duty to keep
  records), but amounts are not personal once the name is gone: erasure keeps them anyway, so
  they never hold an erasure back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.templates import KINDS

DEFAULT_MONTHS = 24
RETENTION_MONTHS: dict[str, int] = {kind: DEFAULT_MONTHS for kind in KINDS} | {"info_meetings": 12}
NEVER_ENROLLED_MONTHS = DEFAULT_MONTHS
"""A parent registered but never enrolled: kept as long, counted from registration."""
HOLD_DAYS = 42
"""An erasure request of a parent still owed rewards in a running programme waits six weeks
(time to pay out what is owed); then the sweep erases."""


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    year, month = divmod(day.month - 1 + months, 12)
    target_year, target_month = day.year + year, month + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(target_year, target_month, d)
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def parse_months(text: str) -> dict[str, int]:
    """`pact=24,info_meetings=12` -> {kind: months}; an unknown kind or a bad number is an error."""
    found: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, months = part.partition("=")
        kind = kind.strip()
        if kind not in KINDS:
            raise ValueError(f"unknown programme kind {kind!r} in the retention setting")
        if not months.strip().isdigit():
            raise ValueError(f"retention for {kind} must be a whole number of months, not {months!r}")
        found[kind] = int(months)
    return found


@dataclass(frozen=True)
class Involvement:
    """One programme a parent was enrolled in: its kind and when it closed (None: still running)."""

    kind: str
    closed_on: date | None


def kept_until(involvements: list[Involvement], registered_on: date, months: dict[str, int]) -> date | None:
    """The last day the parent's data must be kept; None while any of their programmes runs."""
    if not involvements:
        return add_months(registered_on, NEVER_ENROLLED_MONTHS)
    ends = []
    for i in involvements:
        if i.closed_on is None:
            return None
        ends.append(add_months(i.closed_on, months.get(i.kind, DEFAULT_MONTHS)))
    return max(ends)


def hold_until(requested_on: date) -> date:
    """Until when an erasure request waits for rewards still owed."""
    return requested_on + timedelta(days=HOLD_DAYS)
