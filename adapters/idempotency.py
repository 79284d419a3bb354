"""Idempotency keys: a command sent again with the same key runs once, later attempts get its answer.
The answer is stored after the command, in a separate transaction: if the process dies in between,
the key stays "in progress" until its lease runs out. Keys expire after a day."""

from __future__ import annotations

import time
from dataclasses import dataclass

from adapters.config import StoreConfig
from adapters.side_store import SECURE_DELETE, SideStore, Tables, Tx

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


IDEMPOTENCY_TABLES = Tables(
    file="idempotency.sqlite", table="betrokken_idempotency", sqlite_table="idempotency", pool_size=2,
    pragmas=(SECURE_DELETE,), schema=(
        "CREATE TABLE IF NOT EXISTS {table} (user_name TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
        " path TEXT NOT NULL, state TEXT NOT NULL, status INTEGER, body {blob}, content_type TEXT,"
        " created_at DOUBLE PRECISION NOT NULL, claimed_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (user_name, key))",))
# Whether a stored answer mentions a text, in its path or its body (bytes), per engine.
MENTIONS = {
    False: "instr(path, ?) > 0 OR instr(body, ?) > 0",
    True: "strpos(path, ?) > 0 OR position(?::bytea in coalesce(body, ''::bytea)) > 0",
}


class IdempotencyStore(SideStore):
    """Claims of (user, key) and the answers they produced (several processes may share them)."""

    def _outcome(self, tx: Tx, user: str, key: str, fingerprint: str) -> Outcome:
        """What a request with this fingerprint meets at the key (Claimed: nothing holds it)."""
        found = tx.execute(f"SELECT fingerprint, state, status, body, content_type FROM {self.table}"
                           " WHERE user_name = ? AND key = ?", (user, key)).fetchone()
        if not found:
            return Claimed()
        if found[0] != fingerprint:
            return Reused()
        _, state, status, body, content_type = found
        if state == DONE and status is not None:
            return Stored(status, bytes(body or b""), content_type or "application/json")
        return InProgress()

    def claim(self, user: str, key: str, fingerprint: str, path: str) -> Outcome:
        """Claim the key for this request, or say what holds it already."""
        now = time.time()
        with self.transaction() as tx:
            # An expired key is free again; so is one whose claimer died mid-command.
            tx.execute(f"DELETE FROM {self.table} WHERE user_name = ? AND key = ?"
                       " AND (created_at < ? OR (state = ? AND claimed_at < ?))",
                       (user, key, now - TTL_SECONDS, IN_PROGRESS, now - LEASE_SECONDS))
            inserted = tx.execute(f"INSERT INTO {self.table} (user_name, key, fingerprint, path, state, created_at,"
                                  " claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                  (user, key, fingerprint, path, IN_PROGRESS, now, now)).rowcount
            outcome = Claimed() if inserted else self._outcome(tx, user, key, fingerprint)
        if isinstance(outcome, Claimed) and not inserted:  # released between our insert and our read
            return self.claim(user, key, fingerprint, path)
        return outcome

    def look(self, user: str, key: str, fingerprint: str) -> Outcome:
        """Where the key stands now (Claimed means it was released: claim it again)."""
        with self.reading() as tx:
            return self._outcome(tx, user, key, fingerprint)

    def complete(self, user: str, key: str, status: int, body: bytes, content_type: str) -> None:
        """Store the answer of the command that holds the key."""
        self.execute(f"UPDATE {self.table} SET state = ?, status = ?, body = ?, content_type = ?"
                     " WHERE user_name = ? AND key = ?", (DONE, status, body, content_type, user, key))

    def release(self, user: str, key: str) -> None:
        """Give the key up (the command failed on our side): a retry runs it afresh."""
        self.execute(f"DELETE FROM {self.table} WHERE user_name = ? AND key = ?", (user, key))

    def forget(self, mention: str) -> int:
        """Delete every stored answer whose path or body mentions `mention` (and expired ones)."""
        count = self.execute(f"DELETE FROM {self.table} WHERE {MENTIONS[self.is_postgres]} OR created_at < ?",
                             (mention, mention.encode(), time.time() - TTL_SECONDS))
        self.checkpoint()  # secure_delete zeroed the pages, but their old images may still sit in the WAL
        return count


def open_idempotency(config: StoreConfig) -> IdempotencyStore:
    """The idempotency table beside the configured event store."""
    return IdempotencyStore(config, IDEMPOTENCY_TABLES)
