"""How a field's type reads in the code and how its value looks in the stored JSON, worked out
from the type hints and, for the examples, by the stores' own transcoders."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

NoneType = type(None)

EXAMPLES: dict[type, Any] = {
    UUID: UUID("3f2b8c1e-5d4a-4e7b-9c2d-1a0b9e8f7c6d"),
    datetime: datetime(2025, 10, 28, 19, 0, tzinfo=timezone(timedelta(hours=1))),
    date: date(2025, 10, 28),
}
"""A value of each type the JSON transcoder tags, encoded by the store's transcoder for the page."""

TAGGED_MEANING = {
    UUID: "the 32 lower-case hex digits of the id, no hyphens",
    datetime: "ISO 8601 with the UTC offset the moment was given in (`+00:00` for recorded times)",
    date: "YYYY-MM-DD",
}

PLAIN = {str: "string", int: "integer", float: "number", bool: "`true` / `false`"}


def transcoder_of(application: type[Application]) -> JSONTranscoder:
    """The JSON transcoder an application class stores its events with, without opening a store:
    its `register_transcodings` only registers, so a bare instance is enough."""
    transcoder = JSONTranscoder()
    application.register_transcodings(object.__new__(application), transcoder)
    return transcoder


def tag_of(transcoder: JSONTranscoder, kind: type) -> str:
    """The `_type_` a transcoder writes for values of this type."""
    return str(json.loads(transcoder.encode(EXAMPLES[kind]))["_type_"])


def example(transcoder: JSONTranscoder, kind: type) -> str:
    """An example value of the type as the transcoder writes it."""
    return transcoder.encode(EXAMPLES[kind]).decode()


def arguments(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp)


def is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def is_record(tp: Any) -> bool:
    """A TypedDict or a dataclass: stored as a JSON object with known keys."""
    return typing.is_typeddict(tp) or (isinstance(tp, type) and dataclasses.is_dataclass(tp))


def keys_of(tp: Any) -> dict[str, Any]:
    """A record's keys and their types, in order."""
    return typing.get_type_hints(tp)


def type_text(tp: Any) -> str:
    """The type as the code spells it (`list[UUID] | None`)."""
    if tp is NoneType:
        return "None"
    if tp is Any:
        return "Any"
    if is_union(tp):
        return " | ".join(type_text(a) for a in arguments(tp))
    origin = typing.get_origin(tp)
    if origin is not None:
        return f"{origin.__name__}[{', '.join(type_text(a) for a in arguments(tp))}]"
    return str(tp.__name__)


def stored_text(transcoder: JSONTranscoder, tp: Any) -> str:
    """How a value of the type appears in the stored JSON."""
    if is_union(tp):
        return " or ".join("`null`" if a is NoneType else stored_text(transcoder, a) for a in arguments(tp))
    if typing.get_origin(tp) is list:
        return "array of " + stored_text(transcoder, arguments(tp)[0])
    if typing.get_origin(tp) is dict or is_record(tp):
        return "object"
    if tp in EXAMPLES:
        return f"`{tag_of(transcoder, tp)}` object"
    return PLAIN[tp]


def leaves(tp: Any) -> Iterator[type]:
    """Every plain type a value of this type is built from."""
    if is_union(tp) or typing.get_origin(tp) in (list, dict):
        for a in arguments(tp):
            yield from leaves(a)
    elif is_record(tp):
        for k in keys_of(tp).values():
            yield from leaves(k)
    elif isinstance(tp, type):
        yield tp
