"""An aggregate's state in a snapshot, as JSON the library's transcoder can store, stamped with
the shape of the domain code that took it.

The state holds what JSON has no form for: dicts keyed by parent (a session's attendance, a
programme's enrolments), the domain's value objects (enrolments, payouts, reward schemes, the
trial) and tuples. Each is written as a small tagged object, so nothing the domain keeps as a
key ever becomes a JSON key: {"d": [[key, value], ...]} a dict, {"t": [...]} a tuple,
{"o": topic, "f": [[field, value], ...]} an object of ours (a NamedTuple: {"o": topic, "n": [...]}).
Ids, dates and datetimes are left to the transcoder's own transcodings.

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
from uuid import UUID

from eventsourcing.utils import get_topic, resolve_topic

import domain

SHAPE = "_shape"  # the key of the stamp in a stored snapshot's state
# Values written as they are (the transcoder knows ids, dates, datetimes and decimals).
_PLAIN = frozenset({str, int, float, bool, type(None), UUID, date, datetime, Decimal})
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
    return {SHAPE: shape(), "state": [[k, _encode(v, seal)] for k, v in state.items()]}


def decode(stored: dict[str, Any], open_: Fields = _same) -> dict[str, Any]:
    """The aggregate's state back; StaleSnapshot when other domain code took it."""
    if stored.get(SHAPE) != shape():
        raise StaleSnapshot("taken by other domain code")
    try:
        return {k: _decode(v, open_) for k, v in stored["state"]}
    except (KeyError, TypeError, ValueError, AttributeError, ImportError) as e:
        raise StaleSnapshot(f"unreadable: {e!r}") from e


def _encode(value: Any, seal: Fields) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [_encode(v, seal) for v in value]
    if kind is dict:
        return {"d": [[_encode(k, seal), _encode(v, seal)] for k, v in value.items()]}
    if kind is tuple:
        return {"t": [_encode(v, seal) for v in value]}
    topic = get_topic(kind)
    if not topic.startswith(_OURS):
        raise TypeError(f"a snapshot has no form for {topic}")
    if isinstance(value, tuple):  # a NamedTuple
        return {"o": topic, "n": [_encode(v, seal) for v in value]}
    fields = seal(kind, dict(vars(value)))
    return {"o": topic, "f": [[k, _encode(v, seal)] for k, v in fields.items()]}


def _decode(value: Any, open_: Fields) -> Any:
    if type(value) is list:
        return [_decode(v, open_) for v in value]
    if type(value) is not dict:
        return value
    if "d" in value:
        return {_decode(k, open_): _decode(v, open_) for k, v in value["d"]}
    if "t" in value:
        return tuple(_decode(v, open_) for v in value["t"])
    topic = value["o"]
    if not topic.startswith(_OURS):
        raise ValueError(f"not a class of ours: {topic}")
    kind = resolve_topic(topic)
    if "n" in value:
        return kind(*(_decode(v, open_) for v in value["n"]))
    obj = object.__new__(kind)
    fields = open_(kind, {k: _decode(v, open_) for k, v in value["f"]})
    obj.__dict__.update(fields)  # frozen dataclasses too: their __dict__ is theirs to fill
    return obj
