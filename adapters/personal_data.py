"""Personal data in events, encrypted per parent (AVG): the mapper that seals and opens it.

Names, contact details, the home language and free text about a person are encrypted with
the parent's own key before an event is stored; ids, dates, statuses, scores and amounts stay
readable, so every figure can be recomputed and audited without them. When a parent's key is
destroyed (erasure), their events still load: the personal fields read as "gewist"; personal
data recorded about them after that is not stored at all, only the word "gewist". A store that
never held the key (a log imported without `keys import`) or holds another one reads those
fields as "onleesbaar" instead: nothing was erased, the key is elsewhere."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any, Callable
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from adapters import snapshot_state
from adapters.keystore import TOMBSTONE, KeyStore
from domain.message import Mailbox
from domain.parent import ERASED, UNREADABLE, Parent
from domain.training_program import Enrolment, TrainingProgram

__all__ = ["ERASED", "UNREADABLE", "PERSONAL", "PersonalDataMapper", "withhold"]

PREFIX = "enc:v1:"


@dataclass(frozen=True)
class PersonalFields:
    """Which fields of an event are personal, and whose key protects them."""

    owner: Callable[[dict[str, Any]], UUID]
    fields: tuple[str, ...] = ()
    child_fields: tuple[str, ...] = ()  # fields of each item in the event's `children` list


def _originator(state: dict[str, Any]) -> UUID:
    return state["originator_id"]


def _parent(state: dict[str, Any]) -> UUID:
    return state["parent_id"]


def _topic(aggregate: type, event: str) -> str:
    return get_topic(getattr(aggregate, event))  # made by @event at run time, unseen by mypy


PERSONAL: dict[str, PersonalFields] = {
    get_topic(Parent.Registered): PersonalFields(_originator, ("name", "phone", "email", "language"), ("name",)),
    get_topic(Parent.ChildAdded): PersonalFields(_originator, ("name",)),
    get_topic(TrainingProgram.ParentWithdrawn): PersonalFields(_parent, ("reason",)),
    get_topic(Mailbox.Queued): PersonalFields(_parent, ("text",)),
    get_topic(Mailbox.Suppressed): PersonalFields(_parent, ("text",)),
    # corrections: the new values are as personal as the old (which stay sealed in the events before)
    _topic(Parent, "DetailsCorrected"): PersonalFields(_originator, ("name", "phone", "email", "language")),
    _topic(Parent, "ChildCorrected"): PersonalFields(_originator, ("name",)),
    _topic(Parent, "AssessmentCorrected"): PersonalFields(_originator, ("reason",)),
    _topic(TrainingProgram, "PayoutReversed"): PersonalFields(_parent, ("reason",)),
}


# Personal fields of the objects an aggregate's snapshot holds, sealed like the events they came
# from: (the field naming the parent whose key protects them, the fields). Only programmes and
# sessions are snapshotted (application/aggregate_cache.py); a session holds nothing personal.
SNAPSHOT_PERSONAL: dict[type, tuple[str, tuple[str, ...]]] = {
    Enrolment: ("parent_id", ("reason",)),  # the withdrawal's reason (TrainingProgram.ParentWithdrawn)
}
SNAPSHOT_TOPIC = get_topic(Snapshot)


class SnapshotRefused(Exception):
    """Personal data in a snapshot that can't be sealed under its owner's key (no key here, or
    it reads "onleesbaar"): the snapshot is not taken, so no personal data is kept in clear."""


class PersonalDataMapper(Mapper):
    """eventsourcing's mapper, with the personal fields encrypted under the parent's key."""

    def __init__(self, transcoder: Any, keys: KeyStore) -> None:
        super().__init__(transcoder)
        self.keys = keys

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if isinstance(domain_event, Snapshot):
            return self._to_stored_snapshot(domain_event)
        spec = PERSONAL.get(get_topic(type(domain_event)))
        if spec is None:
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        owner = spec.owner(state)
        key = self.keys.key_for(owner)
        aead = AESGCM(key) if key is not None else None
        _apply(spec, state, lambda field, value: _seal(aead, owner, field, value))
        # A copy of the event with the sealed fields, stored the library's way (topic, class
        # version, and any compressor or cipher configured).
        sealed = object.__new__(type(domain_event))
        object.__setattr__(sealed, "__dict__", state)
        return super().to_stored_event(sealed)

    def to_sealed_domain_event(self, stored_event: Any) -> Any:
        """The event with its personal fields still sealed: routing and scoping read ids and
        schools, never names, so they never need a key (nor fail for one they cannot open)."""
        return super().to_domain_event(stored_event)

    def to_domain_event(self, stored_event: Any) -> Any:
        event = super().to_domain_event(stored_event)
        if stored_event.topic == SNAPSHOT_TOPIC:
            state = vars(event)
            state["state"] = snapshot_state.decode(state["state"], self._open_fields)
            return event
        spec = PERSONAL.get(stored_event.topic)
        if spec is None:
            return event
        state = vars(event)
        owner = spec.owner(state)
        key = self.keys.lookup(owner)
        gone = ERASED if key == TOMBSTONE else UNREADABLE
        aead = AESGCM(key) if key else None
        _apply(spec, state, lambda field, value: _open(aead, gone, owner, field, value))
        return event


    def _to_stored_snapshot(self, snapshot: Snapshot) -> StoredEvent:
        """The snapshot with its state as JSON, each personal field sealed under its owner's key."""
        state = dict(vars(snapshot))
        state["state"] = snapshot_state.encode(snapshot.state, self._seal_fields)
        sealed = object.__new__(type(snapshot))
        object.__setattr__(sealed, "__dict__", state)
        return super().to_stored_event(sealed)

    def _seal_fields(self, kind: type, fields: dict[str, Any]) -> dict[str, Any]:
        spec = SNAPSHOT_PERSONAL.get(kind)
        if spec is None:
            return fields
        owner = fields[spec[0]]
        sealed = dict(fields)
        for name in spec[1]:
            value = fields.get(name)
            if value in (None, ERASED):  # nothing personal in it
                continue
            key = self.keys.lookup(owner)
            if key == TOMBSTONE:  # erased since it was read: not kept
                sealed[name] = ERASED
            elif key is None or value == UNREADABLE:
                raise SnapshotRefused(f"no key to seal {kind.__name__}.{name} of {owner} under")
            else:
                sealed[name] = _seal(AESGCM(key), owner, name, value)
        return sealed

    def _open_fields(self, kind: type, fields: dict[str, Any]) -> dict[str, Any]:
        spec = SNAPSHOT_PERSONAL.get(kind)
        if spec is None or not any(_sealed(fields.get(name)) for name in spec[1]):
            return fields  # the key is looked up only for what was sealed with it
        owner = fields[spec[0]]
        key = self.keys.lookup(owner)
        gone = ERASED if key == TOMBSTONE else UNREADABLE
        aead = AESGCM(key) if key else None
        for name in spec[1]:
            fields[name] = _open(aead, gone, owner, name, fields.get(name))
        return fields


def _apply(spec: PersonalFields, state: dict[str, Any], change: Callable[[str, Any], Any]) -> None:
    """Replace each personal field of an event's state (its children's too) by change(field, value)."""
    for name in spec.fields:
        state[name] = change(name, state.get(name))
    if spec.child_fields and state.get("children"):
        state["children"] = [
            {**c, **{f: change(f"children.{f}", c.get(f)) for f in spec.child_fields}}
            for c in state["children"]
        ]


def _seal(aead: AESGCM | None, owner: UUID, field: str, value: Any) -> Any:
    if value is None:
        return None
    if aead is None:  # the owner was erased: what is personal is not kept
        return ERASED
    nonce = os.urandom(12)
    data = aead.encrypt(nonce, json.dumps(value).encode(), owner.bytes + field.encode())
    return PREFIX + base64.b64encode(nonce + data).decode()


def _sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def _open(aead: AESGCM | None, gone: str, owner: UUID, field: str, value: Any) -> Any:
    """The field's value, or `gone` ("gewist" or "onleesbaar") when there is no key to open it."""
    if not _sealed(value):
        return value
    if aead is None:
        return gone
    raw = base64.b64decode(value[len(PREFIX):])
    try:
        return json.loads(aead.decrypt(raw[:12], raw[12:], owner.bytes + field.encode()))
    except InvalidTag:  # a key, but not the one it was sealed with
        return UNREADABLE


def withhold(topic: str, data: dict[str, Any]) -> list[str]:
    """Take the personal fields out of an event's readable data, in place; the names of those taken.

    A field that reads "gewist" or "onleesbaar" holds no personal data: it stays, so an export
    without personal data still tells an erasure from a missing key."""
    spec = PERSONAL.get(topic)
    if spec is None:
        return []
    taken: list[str] = []

    def take(item: dict[str, Any], field: str, name: str) -> None:
        if field in item and item[field] not in (None, ERASED, UNREADABLE):
            del item[field]
            if name not in taken:
                taken.append(name)

    for field in spec.fields:
        take(data, field, field)
    for child in data.get("children") or ():
        for field in spec.child_fields:
            take(child, field, f"children.{field}")
    return taken
