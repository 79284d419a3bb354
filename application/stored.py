"""What the event store hands back, narrowed to what this programme stores: the library allows
text aggregate ids and any event protocol, but our aggregates have UUIDs and DomainEvents."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent, DomainEventProtocol
from eventsourcing.persistence import StoredEvent


def aggregate_id(stored: StoredEvent) -> UUID:
    """The aggregate a stored event belongs to (the store converts ids back to UUIDs)."""
    assert isinstance(stored.originator_id, UUID), stored.originator_id
    return stored.originator_id


def as_uuid(value: UUID | str) -> UUID | None:
    """An aggregate id as a UUID (stored as hex text on SQLite); None for text that is not one."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except ValueError:
        return None


def domain_event(event: DomainEventProtocol[Any]) -> DomainEvent:
    """A decoded event as the domain's event class (every aggregate here is an Aggregate)."""
    assert isinstance(event, DomainEvent), type(event)
    return event
