"""A holiday reading campaign (toolkit §2.5-2.6: reading at home, and short messages that remind
and encourage): a reading list to a programme's parents before a holiday, and up to two reminders
during it. Every message is an ordinary message to each parent, so the weekly cap, quiet hours,
opt-outs and the parent's choice of a digest hold for the campaign as for anything else."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from domain.errors import InvalidMessageError
from domain.message import QUIET_TZ

MAX_REMINDERS = 2
PLAN_AHEAD = timedelta(days=366)
"""A campaign is planned at most a year ahead (further is a typing error)."""
SEND_AT = time(10, 0)
"""A campaign's messages leave at ten in the morning (Dutch time) on their day."""


def leaves_on(day: date) -> datetime:
    """The moment a campaign message of this day leaves."""
    return datetime.combine(day, SEND_AT, tzinfo=QUIET_TZ)


def check_campaign(send_on: date, reminder_days: list[date], today: date) -> None:
    """The reading list goes out today or later (within a year); at most two reminders, each after
    it, in order."""
    if send_on < today:
        raise InvalidMessageError("the reading list cannot be sent in the past", send_on=send_on.isoformat())
    if any(day > today + PLAN_AHEAD for day in [send_on, *reminder_days]):
        raise InvalidMessageError("a campaign is planned at most a year ahead", send_on=send_on.isoformat())
    if len(reminder_days) > MAX_REMINDERS:
        raise InvalidMessageError(f"at most {MAX_REMINDERS} reminders", reminders=len(reminder_days))
    if any(day <= send_on for day in reminder_days) or reminder_days != sorted(set(reminder_days)):
        raise InvalidMessageError("each reminder comes after the reading list, on a day of its own, in order")
