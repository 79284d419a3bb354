"""History and time travel for auditors: every fact recorded about a parent, programme or
session, and what it looked like at any earlier version or moment."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, DomainEvent

from application.actor import SYSTEM, Actor
from application.clock import with_school_offset
from application.programs import ProgramService
from application.stored import domain_event
from domain.errors import NotFoundError
from domain.parent import Parent
from domain.session import Session
from domain.training_program import TrainingProgram

# Envelope fields every event carries; the event's own data is the rest.
ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


def jsonable(value: Any) -> Any:
    """A value as plain JSON: UUIDs as strings, dates and times ISO 8601, records as objects."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)


def event_type(event: DomainEvent) -> str:
    """The event's name as the domain calls it, e.g. `Session.AttendanceRecorded`."""
    return type(event).__qualname__


def event_record(event: DomainEvent) -> dict[str, Any]:
    """One fact as auditors read it: version, type, when, who, and what."""
    data = {k: jsonable(v) for k, v in vars(event).items() if k not in ENVELOPE}
    return {
        "version": event.originator_version,
        "type": event_type(event),
        "timestamp": jsonable(event.timestamp),
        "actor": getattr(event, "actor", None),
        "data": data,
    }


def aggregate_state(aggregate: Aggregate) -> dict[str, Any]:
    """An aggregate's attributes as JSON (its id, version, created and modified times included)."""
    state: dict[str, Any] = {
        "id": str(aggregate.id),
        "type": type(aggregate).__qualname__,
        "version": aggregate.version,
        "created_on": jsonable(aggregate.created_on),
        "modified_on": jsonable(aggregate.modified_on),
    }
    state.update({k: jsonable(v) for k, v in vars(aggregate).items() if not k.startswith("_")})
    return state


class History:
    """Read the recorded facts and past states of one aggregate, within the actor's schools."""

    def __init__(self, service: ProgramService) -> None:
        self.service = service

    def _ensure_visible(self, aggregate_id: UUID, actor: Actor) -> None:
        """Unknown ids and those outside the actor's schools answer alike: not found."""
        try:
            current: Aggregate = self.service.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError("aggregate", aggregate_id) from None
        if isinstance(current, (Parent, TrainingProgram)):
            actor.ensure_may_see(current.school, "aggregate", aggregate_id)
        elif isinstance(current, Session):
            program: TrainingProgram = self.service.repository.get(current.program_id)
            actor.ensure_may_see(program.school, "aggregate", aggregate_id)
        elif actor.schools is not None:
            raise NotFoundError("aggregate", aggregate_id)

    def _events(self, aggregate_id: UUID) -> list[DomainEvent]:
        return [domain_event(e) for e in self.service.events.get(aggregate_id)]

    def events_of(self, aggregate_id: UUID, actor: Actor = SYSTEM) -> dict[str, Any]:
        """Every fact recorded about an aggregate, oldest first."""
        self._ensure_visible(aggregate_id, actor)
        return {
            "aggregate_id": str(aggregate_id),
            "events": [event_record(e) for e in self._events(aggregate_id)],
        }

    def state_at(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
        actor: Actor = SYSTEM,
    ) -> dict[str, Any]:
        """The aggregate as it was at a version, or at a moment (the last version recorded by then)."""
        if version is not None and as_of is not None:
            raise ValueError("give a version or a moment, not both")
        self._ensure_visible(aggregate_id, actor)
        if as_of is not None:
            moment = with_school_offset(as_of)
            earlier = [e.originator_version for e in self._events(aggregate_id) if e.timestamp <= moment]
            if not earlier:
                raise NotFoundError(f"aggregate (before {moment.isoformat()})", aggregate_id)
            version = earlier[-1]
        if version is not None and version < 1:
            raise NotFoundError(f"version {version} of aggregate", aggregate_id)
        try:
            aggregate: Aggregate = self.service.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFoundError(f"version {version} of aggregate", aggregate_id) from None
        if version is not None and aggregate.version != version:
            raise NotFoundError(f"version {version} of aggregate", aggregate_id)
        return {"aggregate_id": str(aggregate_id), "version": aggregate.version, "state": aggregate_state(aggregate)}
