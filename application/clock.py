"""Dates as the schools see them: the calendar in the Netherlands."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SCHOOL_TZ = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    """Today's date in the Netherlands (the default enrolment and withdrawal date)."""
    return datetime.now(SCHOOL_TZ).date()


def with_school_offset(moment: datetime) -> datetime:
    """A time typed without an offset is taken as Dutch local time."""
    return moment.replace(tzinfo=SCHOOL_TZ) if moment.tzinfo is None else moment
