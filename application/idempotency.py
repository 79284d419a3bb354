"""Idempotency keys: a command sent again with the same key is stored once, its answer replayed.

A tablet on bad wifi cannot tell a lost request from a lost answer, so it sends the same
command again. With an `Idempotency-Key` the first attempt claims (user, key) atomically
(INSERT ... ON CONFLICT DO NOTHING), runs, and stores its answer; every later attempt with the
same key and the same request gets that answer back instead of running the command again.

The table lives beside the events: its own small SQLite file (`idempotency.sqlite`, WAL,
claims in BEGIN IMMEDIATE so several processes agree) or `betrokken_idempotency` in
PostgreSQL. Keys expire after 24 hours. A stored answer may hold personal data (a registered
parent as shown), so erasing a parent also forgets every stored answer that mentions them
(`forget`), with SQLite's deleted pages overwritten and the WAL emptied.

Limit: the answer is stored after the command's events, in a separate transaction. If the
process dies in between, the key stays "in progress" until its lease runs out (LEASE), and a
retry after that runs the command again."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Protocol

from application.config import StoreConfig

IDEMPOTENCY_FILE = "idempotency.sqlite"
TTL_SECONDS = 24 * 3600
# An answer still "in progress" after this long belongs to a process that died mid-command.
LEASE_SECONDS = 120.0
IN_PROGRESS, DONE = "in_progress", "done"


@dataclass(frozen=True)
class Claimed:
    """This request holds the key: run the command, then `complete` or `release`."""


@dataclass(frozen=True)
class Stored:
    """The key's command already ran: replay this answer."""

    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True)
class InProgress:
    """Another request with this key is still running."""


@dataclass(frozen=True)
class Reused:
    """The key was used for a different request (another method, path or body)."""


Outcome = Claimed | Stored | InProgress | Reused


@dataclass(frozen=True)
class Row:
    """A stored key: what it was used for, and where it stands."""

    fingerprint: str
    state: str
    status: int | None
    body: bytes | None
    content_type: str | None
    created_at: float


def outcome_of(row: Row, fingerprint: str) -> Outcome:
    """What a request with this fingerprint meets in a key already claimed."""
    if row.fingerprint != fingerprint:
        return Reused()
    if row.state == DONE and row.status is not None:
        return Stored(row.status, row.body or b"", row.content_type or "application/json")
    return InProgress()


class IdempotencyStore(Protocol):
    """Claims of (user, key) and the answers they produced."""

    def claim(self, user: str, key: str, fingerprint: str, path: str) -> Outcome: ...
    def look(self, user: str, key: str, fingerprint: str) -> Outcome: ...
    def complete(self, user: str, key: str, status: int, body: bytes, content_type: str) -> None: ...
    def release(self, user: str, key: str) -> None: ...
    def forget(self, mention: str) -> int: ...
    def close(self) -> None: ...


class SQLiteIdempotencyStore:
    """Idempotency keys in their own SQLite file (several processes may share it)."""

    def __init__(self, path: Path) -> None:
        self.lock = threading.Lock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA secure_delete=ON")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS idempotency ("
            " user_name TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, path TEXT NOT NULL,"
            " state TEXT NOT NULL, status INTEGER, body BLOB, content_type TEXT,"
            " created_at REAL NOT NULL, claimed_at REAL NOT NULL, PRIMARY KEY (user_name, key))"
        )

    def _row(self, user: str, key: str) -> Row | None:
        found = self.conn.execute(
            "SELECT fingerprint, state, status, body, content_type, created_at FROM idempotency"
            " WHERE user_name = ? AND key = ?", (user, key),
        ).fetchone()
        return Row(*found) if found else None

    def claim(self, user: str, key: str, fingerprint: str, path: str) -> Outcome:
        """Claim the key for this request, or say what holds it already."""
        now = time.time()
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                # An expired key is free again; so is one whose claimer died mid-command.
                self.conn.execute(
                    "DELETE FROM idempotency WHERE user_name = ? AND key = ?"
                    " AND (created_at < ? OR (state = ? AND claimed_at < ?))",
                    (user, key, now - TTL_SECONDS, IN_PROGRESS, now - LEASE_SECONDS),
                )
                inserted = self.conn.execute(
                    "INSERT INTO idempotency (user_name, key, fingerprint, path, state, created_at, claimed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (user, key, fingerprint, path, IN_PROGRESS, now, now),
                ).rowcount
                row = None if inserted else self._row(user, key)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return Claimed() if row is None else outcome_of(row, fingerprint)

    def look(self, user: str, key: str, fingerprint: str) -> Outcome:
        """Where the key stands now (Claimed means it was released: claim it again)."""
        with self.lock:
            row = self._row(user, key)
        return Claimed() if row is None else outcome_of(row, fingerprint)

    def complete(self, user: str, key: str, status: int, body: bytes, content_type: str) -> None:
        """Store the answer of the command that holds the key."""
        with self.lock:
            self.conn.execute(
                "UPDATE idempotency SET state = ?, status = ?, body = ?, content_type = ?"
                " WHERE user_name = ? AND key = ?", (DONE, status, body, content_type, user, key),
            )

    def release(self, user: str, key: str) -> None:
        """Give the key up (the command failed on our side): a retry runs it afresh."""
        with self.lock:
            self.conn.execute("DELETE FROM idempotency WHERE user_name = ? AND key = ?", (user, key))

    def forget(self, mention: str) -> int:
        """Delete every stored answer whose path or body mentions `mention` (and expired ones)."""
        needle = mention.encode()
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                count = self.conn.execute(
                    "DELETE FROM idempotency WHERE instr(path, ?) > 0 OR instr(body, ?) > 0 OR created_at < ?",
                    (mention, needle, time.time() - TTL_SECONDS),
                ).rowcount
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            # secure_delete zeroed the pages, but their old images may still sit in the WAL.
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return count

    def close(self) -> None:
        self.conn.close()


class PostgresIdempotencyStore:
    """Idempotency keys in the table `betrokken_idempotency` beside the events, on a small pool of
    checked connections (a restarted server costs a reconnect, not every later command)."""

    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        self.lock = threading.Lock()
        self.pool = ConnectionPool(
            url, min_size=1, max_size=2, kwargs={"autocommit": True},
            check=ConnectionPool.check_connection, open=True,
        )
        with self._connection() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS betrokken_idempotency ("
                " user_name text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, path text NOT NULL,"
                " state text NOT NULL, status integer, body bytea, content_type text,"
                " created_at double precision NOT NULL, claimed_at double precision NOT NULL,"
                " PRIMARY KEY (user_name, key))"
            )

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        with self.lock, self.pool.connection() as conn:
            yield conn

    @staticmethod
    def _row(conn: Any, user: str, key: str) -> Row | None:
        found = conn.execute(
            "SELECT fingerprint, state, status, body, content_type, created_at FROM betrokken_idempotency"
            " WHERE user_name = %s AND key = %s", (user, key),
        ).fetchone()
        if not found:
            return None
        fingerprint, state, status, body, content_type, created_at = found
        return Row(fingerprint, state, status, bytes(body) if body is not None else None, content_type, created_at)

    def claim(self, user: str, key: str, fingerprint: str, path: str) -> Outcome:
        """Claim the key for this request, or say what holds it already."""
        now = time.time()
        with self._connection() as conn, conn.transaction():
            conn.execute(
                "DELETE FROM betrokken_idempotency WHERE user_name = %s AND key = %s"
                " AND (created_at < %s OR (state = %s AND claimed_at < %s))",
                (user, key, now - TTL_SECONDS, IN_PROGRESS, now - LEASE_SECONDS),
            )
            inserted = conn.execute(
                "INSERT INTO betrokken_idempotency (user_name, key, fingerprint, path, state, created_at, claimed_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (user, key, fingerprint, path, IN_PROGRESS, now, now),
            ).rowcount
            row = None if inserted else self._row(conn, user, key)
        if row is None and not inserted:  # released between our insert and our read: try again
            return self.claim(user, key, fingerprint, path)
        return Claimed() if row is None else outcome_of(row, fingerprint)

    def look(self, user: str, key: str, fingerprint: str) -> Outcome:
        """Where the key stands now (Claimed means it was released: claim it again)."""
        with self._connection() as conn:
            row = self._row(conn, user, key)
        return Claimed() if row is None else outcome_of(row, fingerprint)

    def complete(self, user: str, key: str, status: int, body: bytes, content_type: str) -> None:
        """Store the answer of the command that holds the key."""
        with self._connection() as conn:
            conn.execute(
                "UPDATE betrokken_idempotency SET state = %s, status = %s, body = %s, content_type = %s"
                " WHERE user_name = %s AND key = %s", (DONE, status, body, content_type, user, key),
            )

    def release(self, user: str, key: str) -> None:
        """Give the key up (the command failed on our side): a retry runs it afresh."""
        with self._connection() as conn:
            conn.execute("DELETE FROM betrokken_idempotency WHERE user_name = %s AND key = %s", (user, key))

    def forget(self, mention: str) -> int:
        """Delete every stored answer whose path or body mentions `mention` (and expired ones)."""
        with self._connection() as conn:
            cur = conn.execute(
                "DELETE FROM betrokken_idempotency WHERE strpos(path, %s) > 0"
                " OR position(%s::bytea in coalesce(body, ''::bytea)) > 0 OR created_at < %s",
                (mention, mention.encode(), time.time() - TTL_SECONDS),
            )
        return cur.rowcount

    def close(self) -> None:
        self.pool.close()


def open_idempotency(config: StoreConfig) -> IdempotencyStore:
    """The idempotency table beside the configured event store."""
    if config.is_postgres:
        return PostgresIdempotencyStore(config.database_url or "")
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return SQLiteIdempotencyStore(config.data_dir / IDEMPOTENCY_FILE)
