"""Series of sessions that fit a school year: weekly, every two weeks or monthly, skipping the
school holidays of a region and the public holidays (adapters/holidays_nl.py)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Sequence
from uuid import UUID

from adapters.holidays_nl import is_closed
from application.actor import SYSTEM, Actor
from application.clock import SCHOOL_TZ
from application.programs import ProgramService
from domain.errors import UnknownRegionError
from domain.limits import REGIONS
from domain.schedule import Closed, at_local_time, series_dates
from domain.session import Session, ensure_session_time


def closed_days(region: str | None) -> Closed:
    """The check for closed days of a region (None: skip nothing)."""
    if region is None:
        return lambda day: False
    if region not in REGIONS:
        raise UnknownRegionError(f"region must be one of {', '.join(REGIONS)}", region=region)
    return partial(is_closed, region)


def schedule_series(
    service: ProgramService,
    program_id: UUID,
    *,
    title: str,
    first_starts_at: datetime,
    count: int,
    cadence: str = "weekly",
    skip_holidays: str | None = None,
    location: str | None = None,
    homework: str | None = None,
    numbered_from: int = 1,
    actor: Actor = SYSTEM,
) -> list[Session]:
    """Schedule `count` sessions on the cadence from the first start, leaving out the closed days of
    `skip_holidays`' region; titles numbered from `numbered_from` when more than one."""
    program = service.program(program_id, actor)
    ensure_session_time(first_starts_at)
    days = series_dates(first_starts_at.astimezone(SCHOOL_TZ).date(), count, cadence, closed_days(skip_holidays))
    titles = [f"{title} {numbered_from + i}" for i in range(count)] if count > 1 or numbered_from > 1 else [title]
    return _save_sessions(service, program.id, titles, at_local_time(days, first_starts_at, SCHOOL_TZ),
                          location=location, homework=homework, participants=None, actor=actor)


def extend_series(
    service: ProgramService,
    last_session_id: UUID,
    *,
    count: int,
    cadence: str = "weekly",
    skip_holidays: str | None = None,
    actor: Actor = SYSTEM,
) -> list[Session]:
    """Add `count` sessions after a series' last session, on its cadence, titled on from its number."""
    last = service.session(last_session_id, actor)
    base, _, number = last.title.rpartition(" ")
    title, start = (base, int(number) + 1) if number.isdigit() and base else (last.title, 2)
    local = last.starts_at.astimezone(SCHOOL_TZ).date()
    # the cadence's first date is the last session's own (when open): the new ones are the steps after it
    days = [d for d in series_dates(local, count + 1, cadence, closed_days(skip_holidays)) if d > local][:count]
    return _save_sessions(service, last.program_id, [f"{title} {start + i}" for i in range(count)],
                          at_local_time(days, last.starts_at, SCHOOL_TZ), location=last.location,
                          homework=last.homework, participants=last.participants, actor=actor)


def _save_sessions(
    service: ProgramService, program_id: UUID, titles: Sequence[str], moments: Sequence[datetime], *,
    location: str | None, homework: str | None, participants: list[UUID] | None, actor: Actor,
) -> list[Session]:
    """Schedule one session per title and moment, saved in one go."""
    sessions = [
        Session.schedule(program_id=program_id, title=title, starts_at=moment, location=location,
                         homework=homework, participants=participants, actor=actor.name)
        for title, moment in zip(titles, moments, strict=True)
    ]
    service._save(*sessions)
    return sessions


def move_session(service: ProgramService, session_id: UUID, *, starts_at: datetime, actor: Actor = SYSTEM) -> Session:
    """Move one session (without a roll call yet) to another time."""
    def command() -> Session:
        session = service.session(session_id, actor)
        session.move(starts_at=starts_at, actor=actor.name)
        service._save(session)
        return session
    return service._retrying(command, session_id)
