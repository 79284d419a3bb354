"""An aggregate's state in a snapshot, as JSON the library's transcoder can store, stamped with
the shape of the domain code that took it.

The state holds what JSON has no form for: dicts keyed by parent (a session's attendance, a
programme's enrolments), the domain's value objects (enrolments, payouts, reward schemes, the
trial), ids, dates and tuples. Every such value is a JSON array whose first item says what it is
(["U", hex] an id, ["D", iso] a date, ["T", iso] a datetime, ["X", text] a decimal, ["L", ...] a
list, ["M", key, value, ...] a dict, ["P", ...] a tuple, ["O", topic, field, value, ...] an object
of the domain package, ["N", topic, ...] a NamedTuple); strings, numbers, booleans and null are
themselves. So nothing the domain keeps as a key becomes a JSON key, and reading a snapshot back
needs no JSON object hooks (it is several times faster to read than the events it replaces).

A snapshot is a cache of what the events say: one taken by other domain code (a field added,
renamed or moved) is not used, the aggregate is replayed from its events instead
(`StaleSnapshot`). The stamp is a digest of the domain package's source."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Callable
from uuid import UUID, SafeUUID

from eventsourcing.utils import get_topic, resolve_topic

import domain

SHAPE = "_shape"  # the key of the stamp in a stored snapshot's state
# Values JSON writes as they are; every other value is a list whose first item says what it is.
_NATIVE = frozenset({str, int, float, bool, type(None)})
_OURS = "domain."  # only our own domain classes are rebuilt from a stored topic

# Sealing and opening an object's fields: given its class and its fields, the fields to keep.
Fields = Callable[[type, dict[str, Any]], dict[str, Any]]


class StaleSnapshot(Exception):
    """A snapshot taken by other domain code, or one that can't be read back: replay instead."""


@cache
def shape() -> str:
    """A digest of the domain code that gives aggregates their state (any change: a new shape)."""
    digest = hashlib.sha256()
    for path in sorted(Path(domain.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _same(_: type, fields: dict[str, Any]) -> dict[str, Any]:
    return fields


def encode(state: dict[str, Any], seal: Fields = _same) -> dict[str, Any]:
    """The aggregate's state as JSON (with the stamp); `seal` may replace an object's fields."""
    return {SHAPE: shape(), "state": _encode(state, seal)}


def decode(stored: dict[str, Any], open_: Fields = _same) -> dict[str, Any]:
    """The aggregate's state back; StaleSnapshot when other domain code took it."""
    if stored.get(SHAPE) != shape():
        raise StaleSnapshot("taken by other domain code")
    try:
        state = _decode(stored["state"], open_)
        if type(state) is not dict:
            raise ValueError("the state is not a mapping")
        return state
    except (KeyError, TypeError, ValueError, AttributeError, ImportError) as e:
        raise StaleSnapshot(f"unreadable: {e!r}") from e


def _encode(value: Any, seal: Fields) -> Any:
    kind = type(value)
    if kind in _NATIVE:
        return value
    if kind is UUID:
        return ["U", value.hex]
    if kind is date:
        return ["D", value.isoformat()]
    if kind is datetime:
        return ["T", value.isoformat()]
    if kind is Decimal:
        return ["X", str(value)]
    if kind is list:
        return ["L", *(_encode(v, seal) for v in value)]
    if kind is dict:
        return ["M", *(_encode(x, seal) for item in value.items() for x in item)]
    if kind is tuple:
        return ["P", *(_encode(v, seal) for v in value)]
    topic = get_topic(kind)
    if not topic.startswith(_OURS):
        raise TypeError(f"a snapshot has no form for {topic}")
    if isinstance(value, tuple):  # a NamedTuple
        return ["N", topic, *(_encode(v, seal) for v in value)]
    fields = seal(kind, dict(vars(value)))
    return ["O", topic, *(x for k, v in fields.items() for x in (k, _encode(v, seal)))]


def _uuid(hex_: str) -> UUID:
    """UUID(hex_) without its constructor's parsing of every form an id can be written in (a
    third of reading a snapshot): the snapshot wrote 32 hex digits."""
    if len(hex_) != 32:
        raise ValueError(f"not an id: {hex_!r}")
    made = object.__new__(UUID)
    object.__setattr__(made, "int", int(hex_, 16))
    object.__setattr__(made, "is_safe", SafeUUID.unknown)
    return made


def _decode(value: Any, open_: Fields) -> Any:
    if type(value) is not list:
        return value
    tag = value[0]
    if tag == "U":
        return _uuid(value[1])
    if tag == "O":
        kind = _ours(value[1])
        fields = value[2:]
        obj = object.__new__(kind)
        # frozen dataclasses too: their __dict__ is theirs to fill
        obj.__dict__.update(open_(kind, dict(zip(fields[0::2], [_decode(v, open_) for v in fields[1::2]]))))
        return obj
    if tag == "M":
        items = value[1:]
        return {_decode(k, open_): _decode(v, open_) for k, v in zip(items[0::2], items[1::2])}
    if tag == "L":
        return [_decode(v, open_) for v in value[1:]]
    if tag == "D":
        return date.fromisoformat(value[1])
    if tag == "T":
        return datetime.fromisoformat(value[1])
    if tag == "X":
        return Decimal(value[1])
    if tag == "P":
        return tuple(_decode(v, open_) for v in value[1:])
    if tag == "N":
        return _ours(value[1])(*(_decode(v, open_) for v in value[2:]))
    raise ValueError(f"not a value of ours: {tag!r}")


@cache
def _ours(topic: str) -> Any:
    """The class of the domain package a stored topic names (no other class is rebuilt)."""
    if not topic.startswith(_OURS):
        raise ValueError(f"not a class of ours: {topic}")
    return resolve_topic(topic)
