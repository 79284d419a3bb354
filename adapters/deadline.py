"""A request's deadline: past it, a command is not applied, because its client has given up.

The web layer starts one per request (web/deadline.py); the service checks it before each
attempt at a command and the recorders check it again inside the write transaction, once the
store's write lock is held, so a command that waited too long on the store rolls back instead
of landing after the client's later commands. Outside a request there is no deadline."""

from __future__ import annotations

import time
from contextvars import ContextVar, Token

_deadline: ContextVar[float | None] = ContextVar("betrokken_deadline", default=None)


class DeadlineExceededError(Exception):
    """The request's time ran out before its command was stored; nothing was recorded."""

    code = "deadline_exceeded"
    message = "the server was too busy to store this in time; nothing was recorded, try again"


def start(seconds: float) -> Token[float | None]:
    """Give the current request `seconds` from now; hand the token back to `end`."""
    return _deadline.set(time.monotonic() + seconds)


def end(token: Token[float | None]) -> None:
    """Lift the deadline `start` set (a worker thread serves the next request without it)."""
    _deadline.reset(token)


def running() -> bool:
    """Whether the current work has a deadline (a request's; the CLI's has none)."""
    return _deadline.get() is not None


def check() -> None:
    """Refuse to go on once the current request's deadline has passed."""
    due = _deadline.get()
    if due is not None and time.monotonic() > due:
        raise DeadlineExceededError(DeadlineExceededError.message)
