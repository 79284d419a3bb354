"""Pages of a list in a stable order, continued with an opaque cursor (like the audit log).

A list's items each have a key that never changes and orders them (a parent's place in the
order of registration; a session's start and place in the order of scheduling). A cursor is
the key of the item a page ended (or began) at, so a page continues where the last one ended
even when items were added in between. On the wire it is base64url of the key as JSON: callers
treat it as opaque, and a cursor of another list's shape is refused, not misread."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from dataclasses import dataclass
from typing import Callable, Generic, Sequence, TypeVar

T = TypeVar("T")
U = TypeVar("U")
Key = tuple[int | str, ...]


class InvalidCursor(ValueError):
    """A cursor that no list of this kind gave out."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """Some items of a list; `next` continues after the last, `previous` ends before the first
    (each None at that end of the list)."""

    items: list[T]
    next: Key | None
    previous: Key | None = None

    def map(self, convert: Callable[[T], U]) -> "Page[U]":
        """The same page with each item converted (e.g. an id into its record)."""
        return Page([convert(i) for i in self.items], self.next, self.previous)


def window(keyed: Sequence[tuple[Key, T]], limit: int, after: Key | None = None, before: Key | None = None) -> Page[T]:
    """At most `limit` items of `keyed` (sorted by key) after the key `after`, or else the last
    `limit` before the key `before`, or else from the start."""
    keys = [k for k, _ in keyed]
    if after is not None:
        start = bisect.bisect_right(keys, after)
        end = min(start + limit, len(keyed))
    elif before is not None:
        end = bisect.bisect_left(keys, before)
        start = max(0, end - limit)
    else:
        start, end = 0, min(limit, len(keyed))
    return Page(
        items=[item for _, item in keyed[start:end]],
        next=keys[end - 1] if end < len(keyed) and end > start else None,
        previous=keys[start] if start > 0 and end > start else None,
    )


def encode(key: Key) -> str:
    """The opaque text of a cursor."""
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str, shape: tuple[type, ...]) -> Key:
    """The key in a cursor of a list whose keys have this shape (e.g. `(int,)`)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidCursor("not a cursor this list gave out") from None
    if not isinstance(key, list) or len(key) != len(shape) or not all(
        type(k) is kind for k, kind in zip(key, shape)
    ):
        raise InvalidCursor("not a cursor this list gave out")
    return tuple(key)
