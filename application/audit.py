"""Read-only history for auditors: the programme service's event log, page by page.

An auditor of some schools sees only the events of parents, programmes and sessions of those
schools; an admin (schools None) sees all of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from uuid import UUID

from eventsourcing.persistence import Notification

from application.programs import ProgramService

MAX_PAGE = 1000


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
                if visible(n.originator_id):
                    items.append(self._entry(n))
            if len(page) <= limit:
                return LogPage(items=items, next=None)

    def _visible_in(self, schools: frozenset[str] | None) -> Callable[[UUID], bool]:
        if schools is None:
            return lambda _: True
        school_of: dict[UUID, str] = {}

        def reindex() -> None:
            d = self.service.directory
            d.refresh()
            school_of.update(d.parents)
            school_of.update(d.programs)
            for program_id, sessions in d.sessions.items():
                school_of.update((s, d.programs.get(program_id, "")) for s in sessions)

        def visible(aggregate_id: UUID) -> bool:
            # Created after the last look: look again (once per unknown id), so paging never skips it.
            if aggregate_id not in school_of:
                reindex()
            return school_of.get(aggregate_id) in schools

        return visible

    def _entry(self, n: Notification) -> LogEntry:
        e = self.service.mapper.to_domain_event(n)
        return LogEntry(
            position=n.id,
            aggregate_id=e.originator_id,
            version=e.originator_version,
            type=type(e).__qualname__,
            timestamp=e.timestamp,
            actor=getattr(e, "actor", None),
        )
