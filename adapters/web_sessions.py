"""Server-side sign-in sessions: the cookie carries a random id, the data lives in the store.

A session ends when it is idle too long, when it reaches its absolute age, at sign-out, and
for all of a user's sessions at once when the user is disabled or changes password. Only the
SHA-256 of an id is stored, so a copy of the table opens no session. No Flask here: the data
arrives already serialised (web/sessions.py is the Flask side)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from adapters.web_store import WebStore

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
PURGE_EVERY = 300.0  # seconds between sweeps of expired rows (per process)


def new_session_id() -> str:
    """A fresh session id: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def id_hash(session_id: str) -> str:
    """What is stored of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class SessionRecord:
    """A live session as stored: its serialised data, whose it is, when it began and was last seen."""

    data: str
    user: str | None
    created_at: float
    seen_at: float


class WebSessions:
    """Create, find, refresh and end sign-in sessions."""

    def __init__(self, store: WebStore, idle: timedelta = IDLE_TIMEOUT, absolute: timedelta = ABSOLUTE_TIMEOUT) -> None:
        self.store = store
        self.idle = idle.total_seconds()
        self.absolute = absolute.total_seconds()
        self._last_purge = 0.0

    def expired(self, record: SessionRecord, now: float) -> bool:
        """Whether a session is past its idle or absolute timeout."""
        return now - record.seen_at > self.idle or now - record.created_at > self.absolute

    def load(self, session_id: str, now: float | None = None) -> SessionRecord | None:
        """The live session with this id; None when unknown or expired (an expired one is deleted)."""
        now = time.time() if now is None else now
        with self.store.reading() as cur:
            cur.execute(
                "SELECT data, user_name, created_at, seen_at FROM betrokken_web_sessions WHERE id_hash = ?",
                (id_hash(session_id),),
            )
            row = cur.fetchone()
        if row is None:
            return None
        record = SessionRecord(row[0], row[1], float(row[2]), float(row[3]))
        if self.expired(record, now):
            self.delete(session_id)
            return None
        return record

    def save(self, session_id: str, data: str, user: str | None, created_at: float, now: float | None = None) -> None:
        """Store (or replace) a session's data and mark it seen now."""
        now = time.time() if now is None else now
        with self.store.transaction() as cur:
            cur.execute(
                "INSERT INTO betrokken_web_sessions (id_hash, user_name, data, created_at, seen_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id_hash) DO UPDATE SET "
                "user_name = excluded.user_name, data = excluded.data, seen_at = excluded.seen_at",
                (id_hash(session_id), user, data, created_at, now),
            )
        self.purge_now_and_then(now)

    def touch(self, session_id: str, now: float | None = None) -> None:
        """Mark a session seen now (it stays alive while used)."""
        now = time.time() if now is None else now
        with self.store.transaction() as cur:
            cur.execute("UPDATE betrokken_web_sessions SET seen_at = ? WHERE id_hash = ?", (now, id_hash(session_id)))

    def delete(self, session_id: str) -> None:
        """End one session (sign-out)."""
        with self.store.transaction() as cur:
            cur.execute("DELETE FROM betrokken_web_sessions WHERE id_hash = ?", (id_hash(session_id),))

    def revoke_user(self, name: str) -> int:
        """End every session of a user (disabled, or a new password); how many there were."""
        with self.store.transaction() as cur:
            cur.execute("DELETE FROM betrokken_web_sessions WHERE user_name = ?", (name,))
            return int(getattr(cur, "rowcount", 0) or 0)

    def count(self, user: str | None = None) -> int:
        """How many sessions are stored (of one user, when named)."""
        with self.store.reading() as cur:
            if user is None:
                cur.execute("SELECT COUNT(*) FROM betrokken_web_sessions")
            else:
                cur.execute("SELECT COUNT(*) FROM betrokken_web_sessions WHERE user_name = ?", (user,))
            return int(cur.fetchone()[0])

    def purge(self, now: float | None = None) -> int:
        """Delete every expired session."""
        now = time.time() if now is None else now
        with self.store.transaction() as cur:
            cur.execute(
                "DELETE FROM betrokken_web_sessions WHERE seen_at < ? OR created_at < ?",
                (now - self.idle, now - self.absolute),
            )
            return int(getattr(cur, "rowcount", 0) or 0)

    def purge_now_and_then(self, now: float) -> None:
        """Sweep expired sessions at most every few minutes, so abandoned rows do not pile up."""
        if now - self._last_purge >= PURGE_EVERY:
            self._last_purge = now
            self.purge(now)
