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

import time
from dataclasses import dataclass

from adapters.config import StoreConfig
from adapters.side_store import SideStore, Tables, Tx

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


IDEMPOTENCY_TABLES = Tables(
    file=IDEMPOTENCY_FILE, table="betrokken_idempotency", sqlite_table="idempotency", secure_delete=True, pool_size=2,
    schema=(
        "CREATE TABLE IF NOT EXISTS {table} ("
        " user_name TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, path TEXT NOT NULL,"
        " state TEXT NOT NULL, status INTEGER, body {blob}, content_type TEXT,"
        " created_at DOUBLE PRECISION NOT NULL, claimed_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (user_name, key))",
    ),
)
# Whether a stored answer mentions a text, in its path or its body (bytes), per engine.
MENTIONS = {
    False: "instr(path, ?) > 0 OR instr(body, ?) > 0",
    True: "strpos(path, ?) > 0 OR position(?::bytea in coalesce(body, ''::bytea)) > 0",
}


class IdempotencyStore(SideStore):
    """Claims of (user, key) and the answers they produced (several processes may share them)."""

    def __init__(self, config: StoreConfig) -> None:
        super().__init__(config, IDEMPOTENCY_TABLES)

    def _row(self, tx: Tx, user: str, key: str) -> Row | None:
        found = tx.execute(
            f"SELECT fingerprint, state, status, body, content_type, created_at FROM {self.table}"
            " WHERE user_name = ? AND key = ?", (user, key),
        ).fetchone()
        if not found:
            return None
        fingerprint, state, status, body, content_type, created_at = found
        return Row(fingerprint, state, status, bytes(body) if body is not None else None, content_type, created_at)

    def claim(self, user: str, key: str, fingerprint: str, path: str) -> Outcome:
        """Claim the key for this request, or say what holds it already."""
        now = time.time()
        with self.transaction() as tx:
            # An expired key is free again; so is one whose claimer died mid-command.
            tx.execute(
                f"DELETE FROM {self.table} WHERE user_name = ? AND key = ?"
                " AND (created_at < ? OR (state = ? AND claimed_at < ?))",
                (user, key, now - TTL_SECONDS, IN_PROGRESS, now - LEASE_SECONDS),
            )
            inserted = tx.execute(
                f"INSERT INTO {self.table} (user_name, key, fingerprint, path, state, created_at, claimed_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (user, key, fingerprint, path, IN_PROGRESS, now, now),
            ).rowcount
            row = None if inserted else self._row(tx, user, key)
        if row is None and not inserted:  # released between our insert and our read: try again
            return self.claim(user, key, fingerprint, path)
        return Claimed() if row is None else outcome_of(row, fingerprint)

    def look(self, user: str, key: str, fingerprint: str) -> Outcome:
        """Where the key stands now (Claimed means it was released: claim it again)."""
        with self.reading() as tx:
            row = self._row(tx, user, key)
        return Claimed() if row is None else outcome_of(row, fingerprint)

    def complete(self, user: str, key: str, status: int, body: bytes, content_type: str) -> None:
        """Store the answer of the command that holds the key."""
        self.execute(
            f"UPDATE {self.table} SET state = ?, status = ?, body = ?, content_type = ?"
            " WHERE user_name = ? AND key = ?", (DONE, status, body, content_type, user, key),
        )

    def release(self, user: str, key: str) -> None:
        """Give the key up (the command failed on our side): a retry runs it afresh."""
        self.execute(f"DELETE FROM {self.table} WHERE user_name = ? AND key = ?", (user, key))

    def forget(self, mention: str) -> int:
        """Delete every stored answer whose path or body mentions `mention` (and expired ones)."""
        count = self.execute(
            f"DELETE FROM {self.table} WHERE {MENTIONS[self.is_postgres]} OR created_at < ?",
            (mention, mention.encode(), time.time() - TTL_SECONDS),
        )
        self.checkpoint()  # secure_delete zeroed the pages, but their old images may still sit in the WAL
        return count


def open_idempotency(config: StoreConfig) -> IdempotencyStore:
    """The idempotency table beside the configured event store."""
    return IdempotencyStore(config)
