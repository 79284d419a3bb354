"""The read log: who looked at which parent's personal data, when, through what and why.

Its fields follow the government's *Logboek Dataverwerkingen* standard (a processing activity
per read, with its trace id, the data subject, the user, the time and the outcome), so a
school's privacy officer can review access as Kennisnet's norm SM.04 asks. The log is
append-only (nothing here updates or deletes a row) and tamper-evident by a SHA-256 hash chain
of its own: each row's `hash` covers its fields and the previous row's hash, so changing,
removing or inserting a row breaks every hash after it (`verify` says where).

The log names parents by id only (no name or contact details), so erasing a parent leaves it
intact: it shows that someone looked, not what they saw."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable
from uuid import UUID, uuid4

from adapters.config import StoreConfig
from adapters.side_store import NOT_DURABLE, SideStore, Tables

GENESIS = "0" * 64
LOCK = "betrokken-read-log"
FIELDS = ("at", "user_name", "role", "parent_id", "school", "channel", "activity", "purpose", "trace_id", "status")

READ_LOG_TABLES = Tables(
    file="reads.sqlite", table="betrokken_read_log", pool_size=2, pragmas=(NOT_DURABLE,), schema=(
        "CREATE TABLE IF NOT EXISTS {table} (position {identity}, at TEXT NOT NULL, user_name TEXT NOT NULL,"
        " role TEXT NOT NULL, parent_id TEXT NOT NULL, school TEXT NOT NULL, channel TEXT NOT NULL,"
        " activity TEXT NOT NULL, purpose TEXT NOT NULL, trace_id TEXT NOT NULL, status TEXT NOT NULL,"
        " prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {table}_by_parent ON {table} (parent_id, position)",
        "CREATE INDEX IF NOT EXISTS {table}_by_user ON {table} (user_name, position)",
    ))


@dataclass(frozen=True)
class Read:
    """One read of one parent's personal data (the Logboek Dataverwerkingen fields)."""

    at: str  # when, UTC ISO 8601
    user_name: str  # who (the signed-in user, or the CLI user)
    role: str
    parent_id: str  # the data subject
    school: str
    channel: str  # api, ui, cli, export
    activity: str  # the processing activity, e.g. "GET /api/v1/parents/{id}"
    purpose: str  # why (the caller's X-Purpose header, or the activity's default)
    trace_id: str  # one request or command: its reads share it
    status: str = "ok"


@dataclass(frozen=True)
class LoggedRead(Read):
    """A read as stored, with its place in the chain."""

    position: int = 0
    hash: str = ""


def link(prev_hash: str, read: Read) -> str:
    """The row's hash: SHA-256 over the previous hash and the row's fields as canonical JSON."""
    body = json.dumps([prev_hash, *(getattr(read, f) for f in FIELDS)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


def new_trace() -> str:
    return str(uuid4())


class ReadLog:
    """Append reads, list them (by parent, by user), and verify the chain."""

    def __init__(self, config: StoreConfig) -> None:
        self.store = SideStore(config, READ_LOG_TABLES)
        self.table = self.store.table

    def append(self, reads: Iterable[Read]) -> int:
        """Add reads at the end of the chain (one transaction); how many were added."""
        rows = list(reads)
        if not rows:
            return 0
        with self.store.transaction(LOCK) as tx:
            last = tx.query(f"SELECT hash FROM {self.table} ORDER BY position DESC LIMIT 1")
            prev = last[0][0] if last else GENESIS
            for r in rows:
                h = link(prev, r)
                tx.execute(
                    f"INSERT INTO {self.table} ({', '.join(FIELDS)}, prev_hash, hash) VALUES ({', '.join('?' * (len(FIELDS) + 2))})",
                    (*(getattr(r, f) for f in FIELDS), prev, h),
                )
                prev = h
        return len(rows)

    def find(
        self,
        *,
        parent_id: UUID | str | None = None,
        user: str | None = None,
        schools: frozenset[str] | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> list[LoggedRead]:
        """Reads after a position, oldest first, of one parent and/or by one user, within schools."""
        where: list[str] = ["position > ?"]
        params: list[int | str] = [after]
        if parent_id is not None:
            where.append("parent_id = ?")
            params.append(str(parent_id))
        if user is not None:
            where.append("user_name = ?")
            params.append(user)
        if schools is not None:
            if not schools:
                return []
            where.append(f"school IN ({', '.join('?' * len(schools))})")
            params.extend(sorted(schools))
        rows = self.store.query(
            f"SELECT position, hash, {', '.join(FIELDS)} FROM {self.table} WHERE {' AND '.join(where)}"
            f" ORDER BY position LIMIT {int(limit)}", params,
        )
        return [LoggedRead(**dict(zip(FIELDS, row[2:])), position=int(row[0]), hash=row[1]) for row in rows]

    def verify(self) -> tuple[int, int | None]:
        """(rows checked, the first position whose hash does not follow; None when intact)."""
        prev, count = GENESIS, 0
        rows = self.store.query(f"SELECT position, prev_hash, hash, {', '.join(FIELDS)} FROM {self.table} ORDER BY position")
        for position, prev_hash, h, *values in rows:
            read = Read(**dict(zip(FIELDS, values)))
            if prev_hash != prev or link(prev, read) != h:
                return count, int(position)
            prev, count = h, count + 1
        return count, None

    def close(self) -> None:
        self.store.close()
