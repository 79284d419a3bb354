"""Read-only history for auditors: the programme service's event log, page by page.

An auditor of some schools sees only the events of parents, programmes and sessions of those
schools; an admin (schools None) sees all of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Callable
from uuid import UUID

from eventsourcing import domain as es_domain
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from application.clock import SCHOOL_TZ
from application.programs import ProgramService
from application.stored import aggregate_id, domain_event
from adapters.sealing import Seal, SealedRecorder
from adapters.verification import Verdict, verify
from domain.parent import Parent
from domain.session import Session
from domain.training_program import TrainingProgram

MAX_PAGE = 1000
# How many stored events one filtered read looks at before it answers with where it stopped:
# a rare match never makes a page wait on a scan of the whole log.
SCAN_BUDGET = 5000
SCAN_CHUNK = 500


@dataclass(frozen=True)
class LogEntry:
    """One stored event as the log shows it: where, what, when and who."""

    position: int
    aggregate_id: UUID
    version: int
    type: str
    timestamp: datetime
    actor: str | None


@dataclass(frozen=True)
class LogPage:
    """A page of the log; `next` is the position to continue after, None at the end."""

    items: list[LogEntry]
    next: int | None
    # True when a filtered read stopped at its scan budget rather than at `limit` matches or the end.
    budget_spent: bool = False


@dataclass(frozen=True)
class LogFilter:
    """What an auditor looks for in the log: an event type, an actor, a date range (Dutch dates, inclusive)."""

    type: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None

    @property
    def empty(self) -> bool:
        """Whether the filter lets every event through."""
        return not (self.type or self.actor or self.since or self.until)

    def type_matches(self, type_name: str) -> bool:
        """Whether an event of this type may match (checked before the event is decoded)."""
        return not self.type or type_name == self.type

    def matches(self, entry: LogEntry) -> bool:
        """Whether a decoded log entry matches every criterion given."""
        if not self.type_matches(entry.type):
            return False
        # Actor names are usernames: compared whole, case aside, so "trainer" is not "trainer2".
        if self.actor and (entry.actor or "").casefold() != self.actor.strip().casefold():
            return False
        if self.since and entry.timestamp < datetime.combine(self.since, time.min, SCHOOL_TZ):
            return False
        if self.until and entry.timestamp >= datetime.combine(self.until + timedelta(days=1), time.min, SCHOOL_TZ):
            return False
        return True


class NotSealedError(Exception):
    """The store was not opened with the sealing recorder, so there is no chain to verify."""


@lru_cache(maxsize=None)
def _type_of_topic(topic: str) -> str:
    # Through resolve_topic, so a topic renamed with register_topic still names today's class.
    try:
        return resolve_topic(topic).__qualname__
    except Exception:  # an unknown topic: the log shows it as stored
        return topic.partition(":")[2] or topic


def event_types() -> list[str]:
    """Every event type the log can hold, e.g. `Session.AttendanceRecorded`, sorted."""
    found: list[str] = []
    for aggregate in (Parent, TrainingProgram, Session):
        # The library's default `Created` of an aggregate whose creation event is named otherwise
        # (Parent.Registered) is never stored; its register of creation events says which is used.
        creating = getattr(es_domain, "_created_event_classes", {}).get(aggregate)
        for value in vars(aggregate).values():
            if not isinstance(value, type) or not issubclass(value, DomainEvent) or value.__name__ == "Event":
                continue
            if creating and issubclass(value, Aggregate.Created) and value not in creating:
                continue
            found.append(value.__qualname__)
    return sorted(found)


class AuditLog:
    """The stored events of the programme service, in the order they were recorded."""

    def __init__(self, service: ProgramService) -> None:
        self.service = service

    def log(self, after: int = 0, limit: int = 100, schools: frozenset[str] | None = None) -> LogPage:
        """Up to `limit` events recorded after position `after` (of these schools' records, if given)."""
        limit = max(1, min(limit, MAX_PAGE))
        visible = self._visible_in(schools)
        items: list[LogEntry] = []
        position = max(after, 0)
        while True:
            # One more than asked tells whether another page follows without a second query.
            page = self.service.recorder.select_notifications(
                start=position, limit=limit + 1, inclusive_of_start=False
            )
            for n in page:
                if len(items) == limit:
                    return LogPage(items=items, next=items[-1].position)
                position = n.id
                if visible(aggregate_id(n)):
                    items.append(self._entry(n))
            if len(page) <= limit:
                return LogPage(items=items, next=None)

    def search(
        self,
        wanted: LogFilter,
        after: int = 0,
        limit: int = 100,
        schools: frozenset[str] | None = None,
        budget: int = SCAN_BUDGET,
    ) -> LogPage:
        """Up to `limit` matching events after `after`, scanning at most `budget` stored events.

        `next` is where to continue: after the last match when `limit` were found, after the last
        event looked at when the budget ran out (`budget_spent`), None at the end of the log."""
        if wanted.empty:
            return self.log(after, limit, schools)
        limit = max(1, min(limit, MAX_PAGE))
        visible = self._visible_in(schools)
        items: list[LogEntry] = []
        position = max(after, 0)
        scanned = 0
        while scanned < budget:
            page = self.service.recorder.select_notifications(
                start=position, limit=min(SCAN_CHUNK, budget - scanned), inclusive_of_start=False
            )
            if not page:
                return LogPage(items=items, next=None)
            for n in page:
                scanned += 1
                position = n.id
                if not wanted.type_matches(_type_of_topic(n.topic)) or not visible(aggregate_id(n)):
                    continue
                entry = self._entry(n)
                if wanted.matches(entry):
                    items.append(entry)
                    if len(items) == limit:
                        return LogPage(items=items, next=position if self._more_after(position) else None)
        more = self._more_after(position)
        return LogPage(items=items, next=position if more else None, budget_spent=more)

    def _more_after(self, position: int) -> bool:
        return bool(self.service.recorder.select_notifications(start=position, limit=1, inclusive_of_start=False))

    def verify(self, kept: Seal | None = None) -> Verdict:
        """Recompute the hash chain over the stored log (and check it still extends a kept digest)."""
        recorder = self.service.recorder
        if not isinstance(recorder, SealedRecorder):
            raise NotSealedError("this store is not configured with the sealing recorder")
        return verify(recorder, kept)

    def _visible_in(self, schools: frozenset[str] | None) -> Callable[[UUID], bool]:
        if schools is None:
            return lambda _: True
        school_of: dict[UUID, str] = {}

        def reindex() -> None:
            school_of.update(self.service.directory.school_of_each())

        def visible(aggregate_id: UUID) -> bool:
            # Created after the last look: look again (once per unknown id), so paging never skips it.
            if aggregate_id not in school_of:
                reindex()
            return school_of.get(aggregate_id) in schools

        return visible

    def _entry(self, n: Notification) -> LogEntry:
        e = domain_event(self.service.mapper.to_domain_event(n))
        return LogEntry(
            position=n.id,
            aggregate_id=e.originator_id,
            version=e.originator_version,
            type=type(e).__qualname__,
            timestamp=e.timestamp,
            actor=getattr(e, "actor", None),
        )
