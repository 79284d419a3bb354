"""Dates of a series of sessions: weekly, every two weeks or monthly, skipping closed days.

Skipping keeps the cadence: the series' dates are the cadence's own (the first, the first plus
one step, plus two steps, ...), and a date on which the school is closed is left out and the
series runs one step longer, so a fortnightly series stays on its fortnight."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Callable

from domain.errors import InvalidSeriesLengthError, NoSessionsLeftError, UnknownCadenceError
from domain.limits import CADENCES, LAST_YEAR, MAX_WEEKS, MIN_WEEKS

Closed = Callable[[date], bool]
MAX_SKIPPED = 60
"""Closed dates a series may step over before it is refused (a year of fortnights)."""


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) such weekday of a month, or its last when the month has fewer."""
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday]
    return days[min(n, len(days)) - 1]


def step(first: date, k: int, cadence: str) -> date:
    """The cadence's k-th date after the first (monthly: the same weekday of the same week of the month)."""
    if cadence == "weekly":
        return first + timedelta(weeks=k)
    if cadence == "fortnightly":
        return first + timedelta(weeks=2 * k)
    if cadence == "monthly":
        months = first.month - 1 + k
        return nth_weekday(first.year + months // 12, months % 12 + 1, first.weekday(), (first.day - 1) // 7 + 1)
    raise UnknownCadenceError(f"cadence must be one of {', '.join(CADENCES)}", cadence=cadence)


def series_dates(first: date, count: int, cadence: str, closed: Closed = lambda d: False) -> list[date]:
    """`count` dates on the cadence from `first`, leaving out the days `closed` says."""
    if not MIN_WEEKS <= count <= MAX_WEEKS:
        raise InvalidSeriesLengthError(f"count must be between {MIN_WEEKS} and {MAX_WEEKS}", count=count)
    step(first, 0, cadence)  # an unknown cadence is refused before anything else
    found: list[date] = []
    k = skipped = 0
    while len(found) < count:
        day = step(first, k, cadence)
        if day.year > LAST_YEAR:
            raise NoSessionsLeftError("the series runs past the last year a session may lie in", count=count)
        if not closed(day):
            found.append(day)
        else:
            skipped += 1
            if skipped > MAX_SKIPPED:
                raise NoSessionsLeftError("too many dates of the series fall on closed days", count=count)
        k += 1
    return found


def at_local_time(days: list[date], first: datetime, zone: tzinfo) -> list[datetime]:
    """Each day at the first session's wall-clock time in `zone` (19:00 stays 19:00 across the
    change to winter time), with that day's own fixed UTC offset."""
    wall = first.astimezone(zone).time().replace(tzinfo=None)
    moments = [datetime.combine(d, wall, tzinfo=zone) for d in days]
    return [m.astimezone(timezone(m.utcoffset() or timedelta(0))) for m in moments]
