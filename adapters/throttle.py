"""Slowing down password guessing, across threads and processes: failed sign-ins are rows in the
store, counted per scope (a username, an API token, a client address) over a sliding window.

After LIMIT failures in WINDOW for a scope, that scope waits BASE_DELAY after its last failure,
doubling with each further failure, capped at MAX_DELAY; attempts during the wait are refused
without being counted, so a real user is never locked out for longer than MAX_DELAY. A sign-in
that gets through and succeeds clears the username's failures.

Trade-off: a guesser who keeps trying one username keeps that username waiting (at most
MAX_DELAY at a time) while getting only about a guess per delay; not counting per username would
let guessing spread over many addresses. A school's staff share one address behind its router:
failures count against the account (sign-in) or the token sent (API) first, and against the
address only up to a ceiling ten times higher, so one broken script or forgetful colleague
never locks out the others at that address. A bad token is counted by its hash, never stored.

Race-free: `begin` checks and records the attempt in one transaction that holds the lock
(SQLite BEGIN IMMEDIATE, PostgreSQL advisory locks on the scopes), so concurrent guesses cannot
all slip under the limit: the attempt counts as a failure until `succeeded` takes it back."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from adapters.web_store import WebStore

WINDOW = 15 * 60.0
BASE_DELAY = 60.0
MAX_DELAY = 15 * 60.0
USER_LIMIT = 5
TOKEN_LIMIT = 5
ADDRESS_LIMIT = 300


def user_scope(name: str) -> str:
    """The scope counting a username's failures (case-insensitive, as people type)."""
    return "user:" + name.strip().casefold()


def token_scope(token: str) -> str:
    """The scope counting the failures of one API token (by a hash: no token is kept)."""
    return "token:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def address_scope(address: str | None) -> str:
    """The scope counting a client address's failures."""
    return "addr:" + (address or "unknown")


@dataclass(frozen=True)
class Attempt:
    """A sign-in allowed to go ahead: the ids of the rows that count it (as a failure, for now)."""

    ids: tuple[int, ...] = ()
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Throttled:
    """A refused attempt: how long to wait."""

    retry_after: float = field(default=0.0)

    @property
    def seconds(self) -> int:
        """Whole seconds to wait (at least one)."""
        return max(1, math.ceil(self.retry_after))


class LoginThrottle:
    """Count failed sign-ins per scope and say when a scope must wait."""

    def __init__(self, store: WebStore, limits: dict[str, int] | None = None) -> None:
        self.store = store
        self.limits = {"user:": USER_LIMIT, "token:": TOKEN_LIMIT, "addr:": ADDRESS_LIMIT, **(limits or {})}

    def limit_of(self, scope: str) -> int:
        """How many failures a scope may have in the window before it waits."""
        for prefix, limit in self.limits.items():
            if scope.startswith(prefix):
                return limit
        return USER_LIMIT

    def _longest_wait(self, query: Callable[[str, Sequence[Any]], list[Any]], scopes: list[str], now: float) -> float:
        """How long the most throttled of these scopes waits from `now` (0: none does), read in one
        statement through `query` (the store's, or a transaction's)."""
        if not scopes:
            return 0.0
        found = query(
            f"SELECT scope, COUNT(*), MAX(at) FROM betrokken_login_attempts WHERE scope IN ({','.join('?' * len(scopes))})"
            " AND at > ? GROUP BY scope", (*scopes, now - WINDOW),
        )
        return max((self._delay(scope, int(count), float(last), now) for scope, count, last in found), default=0.0)

    def _delay(self, scope: str, count: int, last: float, now: float) -> float:
        """How long a scope with `count` failures in the window, the last at `last`, waits from `now`."""
        limit = self.limit_of(scope)
        if not count or count < limit:
            return 0.0
        delay = min(BASE_DELAY * 2 ** min(count - limit, 16), MAX_DELAY)
        return max(0.0, last + delay - now)

    def begin(self, scopes: list[str], now: float | None = None) -> Attempt | Throttled:
        """Let an attempt go ahead (counted as a failure until it succeeds) or say how long to wait."""
        now = time.time() if now is None else now
        with self.store.transaction(*scopes) as cur:
            wait = self._longest_wait(cur.query, scopes, now)
            if wait > 0:
                return Throttled(wait)
            ids = []
            for scope in scopes:
                cur.execute("INSERT INTO betrokken_login_attempts (scope, at) VALUES (?, ?) RETURNING id", (scope, now))
                ids.append(int(cur.fetchone()[0]))
        return Attempt(tuple(ids), tuple(scopes))

    def waiting(self, scopes: list[str], now: float | None = None) -> Throttled | None:
        """Whether any of these scopes must wait now (a read only: one statement for all scopes)."""
        now = time.time() if now is None else now
        wait = self._longest_wait(self.store.query, scopes, now)
        return Throttled(wait) if wait > 0 else None

    def failed(self, scopes: list[str], now: float | None = None) -> None:
        """Count a failure for these scopes (one statement per scope)."""
        now = time.time() if now is None else now
        with self.store.transaction() as cur:
            for scope in scopes:
                cur.execute("INSERT INTO betrokken_login_attempts (scope, at) VALUES (?, ?)", (scope, now))
            if int(now) % 16 == 0:  # now and then, forget what the window no longer sees
                cur.execute("DELETE FROM betrokken_login_attempts WHERE at < ?", (now - WINDOW,))

    def succeeded(self, attempt: Attempt, clear: list[str]) -> None:
        """The attempt was right: take back its own rows, and clear these scopes (the username)."""
        with self.store.transaction() as cur:
            for row_id in attempt.ids:
                cur.execute("DELETE FROM betrokken_login_attempts WHERE id = ?", (row_id,))
            for scope in clear:
                cur.execute("DELETE FROM betrokken_login_attempts WHERE scope = ?", (scope,))

    def failures(self, scope: str, now: float | None = None) -> int:
        """How many failures a scope has in the window."""
        now = time.time() if now is None else now
        with self.store.reading() as cur:
            cur.execute("SELECT COUNT(*) FROM betrokken_login_attempts WHERE scope = ? AND at > ?", (scope, now - WINDOW))
            return int(cur.fetchone()[0])
