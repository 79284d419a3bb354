"""Tamper evidence: every stored event is sealed in a hash chain, in log order, as it is written.

link_n = SHA-256(link_{n-1} || record_n), with link_0 = 32 zero bytes, where record_n is the
canonical form of the stored row exactly as stored (see `canonical_bytes`; docs/audit-chain.md
specifies it byte for byte, and tests/audit/test_audit_chain_spec.py holds the two together).
The links live beside the events (`event_seals` in the SQLite file, `<app>_event_seals` in
PostgreSQL) and are inserted by the application recorder in the same transaction as the events,
after the writer holds the store's write lock (SQLite: the first INSERT takes the database's
write lock; PostgreSQL: the library's `LOCK TABLE ... IN EXCLUSIVE MODE` on the events table),
so the previous link read there is the true predecessor.

The chain shows any edit of the log that was not followed by re-sealing. Someone with write
access can recompute every link, so keep the head (`betrokken audit digest`) somewhere else:
`betrokken audit verify --digest POS:HEX` then proves the log still extends it."""

from __future__ import annotations

import hashlib
import struct
import contextlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence, TypeVar
from uuid import UUID

from eventsourcing.persistence import Notification, PersistenceError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
import psycopg
from psycopg.sql import SQL, Identifier

from adapters import deadline

GENESIS = bytes(32)
PAGE = 1000


class SealError(PersistenceError):
    """The log no longer matches its seals, so new events cannot be chained on safely."""


class UnsealedStoreError(SealError):
    """The store holds events but no seals: its seals were dropped (or it predates sealing)."""

    def __init__(self, events: int) -> None:
        super().__init__(
            f"the event log holds {events} events and no seals: the seal table was emptied or dropped, so "
            "nothing shows the events are the ones that were written; refusing to open it. Check the events "
            "against an export or a kept digest, then seal them with `betrokken audit seal-unsealed --reason TEXT`"
        )
        self.events = events


# Set only by `betrokken audit seal-unsealed`: sealing an unsealed store is an explicit, recorded act.
_SEALING_UNSEALED: ContextVar[bool] = ContextVar("sealing_unsealed", default=False)


@contextmanager
def sealing_unsealed() -> Iterator[None]:
    """Let a store opened inside this block seal events that have no seals yet."""
    token = _SEALING_UNSEALED.set(True)
    try:
        yield
    finally:
        _SEALING_UNSEALED.reset(token)


def sealed_backlog(records: Sequence[StoredRecord]) -> list[Seal]:
    """The seals for the events of a store opened without any seal: none for no events, a
    refusal unless inside `sealing_unsealed()`."""
    if not records:
        return []
    if not _SEALING_UNSEALED.get():
        raise UnsealedStoreError(len(records))
    return chain(None, records)


@dataclass(frozen=True)
class StoredRecord:
    """One row of the event log exactly as stored, with its position."""

    position: int
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Seal:
    """The chain link that seals the event at a position."""

    position: int
    digest: bytes

    def __str__(self) -> str:
        return f"{self.position}:{self.digest.hex()}"

    @classmethod
    def parse(cls, text: str) -> "Seal":
        """Read a kept digest written as POS:HEX."""
        pos, sep, hexdigest = text.strip().partition(":")
        if not sep:
            raise ValueError(f"expected POS:HEX, not {text!r}")
        digest = bytes.fromhex(hexdigest)
        if len(digest) != 32:
            raise ValueError("a digest is 64 hexadecimal digits (SHA-256)")
        return cls(int(pos), digest)


Positioned = TypeVar("Positioned", StoredRecord, Seal)  # a row of the log, or its seal


def originator_text(originator_id: UUID | str) -> str:
    """The aggregate id as the SQLite store writes it (32 hex digits), on either back end."""
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


def canonical_bytes(record: StoredRecord) -> bytes:
    """Position, aggregate id, version, topic and state, each length-delimited, so no two rows
    share a form: >Q position, >I len + id (UTF-8), >q version, >I len + topic, >I len + state."""
    return row_bytes(record.position, record.originator_id, record.originator_version, record.topic, record.state)


_POSITION_ID = struct.Struct(">QI")
_VERSION_TOPIC = struct.Struct(">qI")
_STATE = struct.Struct(">I")


def row_bytes(position: int, originator_id: UUID | str, originator_version: int, topic: str, state: bytes) -> bytes:
    """`canonical_bytes` of a row given field by field (a reader checking every event it reads
    builds no record for it)."""
    oid = originator_text(originator_id).encode()
    topic_bytes = topic.encode()
    return b"".join((
        _POSITION_ID.pack(position, len(oid)), oid,
        _VERSION_TOPIC.pack(originator_version, len(topic_bytes)), topic_bytes,
        _STATE.pack(len(state)), state,
    ))


def links_after(previous: bytes, notes: Sequence[Notification]) -> list[bytes]:
    """The chain links of consecutive notifications, after the link `previous`: `link_after`
    for each in turn, with the per-event work cut to the hashing (a rebuild runs this for
    every event in the log; the bytes are `row_bytes`, a test holds the two together)."""
    sha256, head, middle, tail = hashlib.sha256, _POSITION_ID.pack, _VERSION_TOPIC.pack, _STATE.pack
    topics: dict[str, bytes] = {}
    link, links = previous, []
    for note in notes:
        oid = note.originator_id
        oid_bytes = (oid.hex if isinstance(oid, UUID) else str(oid)).encode()
        topic = topics.get(note.topic)
        if topic is None:
            topic = topics[note.topic] = note.topic.encode()
        state = note.state.encode("utf-8") if isinstance(note.state, str) else note.state
        digest = sha256(link)
        digest.update(head(note.id, len(oid_bytes)))
        digest.update(oid_bytes)
        digest.update(middle(note.originator_version, len(topic)))
        digest.update(topic)
        digest.update(tail(len(state)))
        digest.update(state)
        link = digest.digest()
        links.append(link)
    return links


def next_link(previous: bytes, record: StoredRecord) -> bytes:
    """The chain link sealing `record` after the link `previous`."""
    return hashlib.sha256(previous + canonical_bytes(record)).digest()


def chain(previous: Seal | None, records: Sequence[StoredRecord]) -> list[Seal]:
    """Seal records (in increasing positions) onto the chain ending at `previous`."""
    link = previous.digest if previous else GENESIS
    last = previous.position if previous else 0
    seals = []
    for r in records:
        if r.position <= last:
            raise SealError(
                f"the event log was altered at or before position {last} (a new event got position "
                f"{r.position}); run `betrokken audit verify`"
            )
        link = next_link(link, r)
        last = r.position
        seals.append(Seal(r.position, link))
    return seals


@dataclass(frozen=True)
class SealedPage:
    """A page of the log as a catch-up reads it: the notifications after `after`, the seal stored
    at each one's position (None where there is none), the link at `after` (None when no seal
    is stored there; GENESIS before position 1), and how many seals lie in the page's range."""

    notes: list[Notification]
    digests: list[bytes | None]
    link_before: bytes | None
    seals_in_range: int


class SealedRecorder:
    """What the auditors need from a sealed store, on either back end."""

    def select_records(self, after: int, limit: int) -> list[StoredRecord]:
        """Stored rows after a position, in log order."""
        raise NotImplementedError

    def select_seals(self, after: int, limit: int) -> list[Seal]:
        """Seals after a position, in log order."""
        return [Seal(position, digest) for position, digest in self.select_digests(after, limit)]

    def select_digests(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """The seals after a position as (position, link) rows, in log order: no objects, for
        a reader that checks every page it reads (projections/catch_up.py)."""
        raise NotImplementedError

    def select_sealed_page(self, after: int, limit: int) -> SealedPage:
        """The notifications after a position, each with its own seal, read in one transaction
        with the seal at `after` and the number of seals in the page's range (a catch-up's page)."""
        raise NotImplementedError

    def head(self) -> Seal | None:
        """The last seal (the chain's head), None for an empty log."""
        raise NotImplementedError

    def import_records(self, records: Sequence[StoredRecord]) -> None:
        """Write rows with their own positions, sealed, in one transaction (after the current end)."""
        raise NotImplementedError

    def is_empty(self) -> bool:
        """Whether the log holds no events and no seals."""
        raise NotImplementedError

    def iter_records(self, page: int = PAGE) -> Iterator[StoredRecord]:
        """Every stored row, in log order."""
        return paged(self.select_records, page)

    def iter_seals(self, page: int = PAGE) -> Iterator[Seal]:
        """Every seal, in log order."""
        return paged(self.select_seals, page)


def paged(select: Callable[[int, int], Sequence[Positioned]], page: int) -> Iterator[Positioned]:
    """Every row `select(after, limit)` gives, a page at a time, in log order."""
    after = 0
    while True:
        rows = select(after, page)
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].position


# -- SQLite ------------------------------------------------------------------------------------

SQLITE_SEALS = "event_seals"


class SealedSQLiteApplicationRecorder(SQLiteApplicationRecorder, SealedRecorder):
    """eventsourcing's SQLite application recorder, sealing each event as it is inserted."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {SQLITE_SEALS} (position INTEGER PRIMARY KEY, digest BLOB NOT NULL)",
        ]

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            self._seal_backlog(c)

    def _seal_backlog(self, c: SQLiteCursor) -> None:
        # Events without any seal are refused, unless `audit seal-unsealed` is sealing them.
        c.execute(f"SELECT COUNT(*) FROM {SQLITE_SEALS}")
        if c.fetchone()[0]:
            return
        c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} ORDER BY rowid")
        self._write_seals(c, sealed_backlog([self._record(row) for row in c.fetchall()]))

    @staticmethod
    def _record(row: Any) -> StoredRecord:
        # A state edited by hand (e.g. SQL replace()) may come back as TEXT: seal its bytes as
        # they now are, so the chain reports the change instead of the check crashing.
        state = row[4].encode("utf-8") if isinstance(row[4], str) else bytes(row[4])
        return StoredRecord(row[0], row[1], row[2], row[3], state)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # The INSERTs take SQLite's write lock, so the last seal read after them is final.
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None
        deadline.check()  # waited too long for the lock: roll back rather than land late
        records = [
            StoredRecord(p, originator_text(s.originator_id), s.originator_version, s.topic, s.state)
            for p, s in zip(positions, stored_events)
        ]
        self._write_seals(c, chain(self._head(c), records))
        return positions

    def _head(self, c: SQLiteCursor) -> Seal | None:
        c.execute(f"SELECT position, digest FROM {SQLITE_SEALS} ORDER BY position DESC LIMIT 1")
        row = c.fetchone()
        return Seal(row[0], bytes(row[1])) if row else None

    @staticmethod
    def _write_seals(c: SQLiteCursor, seals: list[Seal]) -> None:
        c.executemany(f"INSERT INTO {SQLITE_SEALS} (position, digest) VALUES (?, ?)", [(s.position, s.digest) for s in seals])

    def select_records(self, after: int, limit: int) -> list[StoredRecord]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} "
                "WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (after, limit),
            )
            return [self._record(row) for row in c.fetchall()]

    def select_digests(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, digest FROM {SQLITE_SEALS} WHERE position > ? ORDER BY position LIMIT ?", (after, limit))
            return list(c.fetchall())  # BLOBs come back as bytes already

    def select_sealed_page(self, after: int, limit: int) -> SealedPage:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, s.digest "
                f"FROM {self.events_table_name} e LEFT JOIN {SQLITE_SEALS} s ON s.position = e.rowid "
                f"WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?",
                (after, limit),
            )
            rows = c.fetchall()
            convert = self.convert_originator_id
            notes = [Notification(id=r[0], originator_id=convert(r[1]), originator_version=r[2], topic=r[3], state=r[4]) for r in rows]
            last = notes[-1].id if notes else after
            c.execute(
                f"SELECT (SELECT digest FROM {SQLITE_SEALS} WHERE position = ?), "
                f"(SELECT COUNT(*) FROM {SQLITE_SEALS} WHERE position > ? AND position <= ?)",
                (after, after, last),
            )
            before, count = c.fetchone()
        return SealedPage(notes, [r[5] for r in rows], GENESIS if after == 0 else before, count)

    def head(self) -> Seal | None:
        with self.datastore.transaction(commit=False) as c:
            return self._head(c)

    def is_empty(self) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT EXISTS (SELECT 1 FROM {self.events_table_name}) OR EXISTS (SELECT 1 FROM {SQLITE_SEALS})")
            return not c.fetchone()[0]

    def import_records(self, records: Sequence[StoredRecord]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
            last = c.fetchone()[0] or 0
            if records and records[0].position <= last:
                raise SealError(f"cannot import position {records[0].position}: the log already reaches {last}")
            c.executemany(
                f"INSERT INTO {self.events_table_name} (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                [(r.position, originator_text(r.originator_id), r.originator_version, r.topic, r.state) for r in records],
            )
            self._write_seals(c, chain(self._head(c), records))


# -- PostgreSQL --------------------------------------------------------------------------------


_UNREAD: Any = object()
_HEAD_READ: ContextVar[Any] = ContextVar("betrokken_sealing_head", default=_UNREAD)
"""The previous link as a save read it under the table lock (the request's deadline check waits
for the lock with that read): set by `_lock_table`, taken by the same save's sealing."""


class SealedPostgresApplicationRecorder(PostgresApplicationRecorder, SealedRecorder):
    """eventsourcing's PostgreSQL application recorder, sealing each event under its table lock."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        # The stored-procedure path inserts without our hook; sealing needs the plain one.
        self.datastore.enable_db_functions = False
        base = events_table_name.removesuffix("_events")
        self.seals_table_name = f"{base}_event_seals"
        self.check_identifier_length(self.seals_table_name)
        self.seals = SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier(self.seals_table_name))
        self.events = SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {0} (position bigint PRIMARY KEY, digest bytea NOT NULL)").format(self.seals)
        )

    def create_table(self) -> None:
        # Hosts and workers booting together would run the same DDL at once (PostgreSQL refuses
        # with "tuple concurrently updated" or a duplicate type): one at a time, installation-wide.
        with self.datastore.get_connection() as lock:
            lock.execute("SELECT pg_advisory_lock(hashtextextended('betrokken.create_table', 0))")
            try:
                self._create_and_seal()
            finally:
                lock.execute("SELECT pg_advisory_unlock(hashtextextended('betrokken.create_table', 0))")

    def _create_and_seal(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.lock_table_statements:
                curs.execute(statement)
            curs.execute(SQL("SELECT COUNT(*) AS n FROM {0}").format(self.seals))
            if curs.fetchone()["n"]:  # type: ignore[index]
                return
            curs.execute(
                SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {0} ORDER BY notification_id").format(self.events)
            )
            # Events without any seal are refused, unless `audit seal-unsealed` is sealing them.
            self._write_seals(curs, sealed_backlog([self._record(row) for row in curs.fetchall()]))

    @staticmethod
    def _record(row: Any) -> StoredRecord:
        return StoredRecord(
            row["notification_id"], originator_text(row["originator_id"]), row["originator_version"], row["topic"], bytes(row["state"])
        )

    def _lock_table(self, curs: Any) -> None:
        super()._lock_table(curs)
        _HEAD_READ.set(_UNREAD)  # this save's own, or none
        if deadline.running():
            # Checked before the INSERT, once the lock is really held (a fetch waits for the
            # pipelined LOCK TABLE): the library commits what its transaction holds and then
            # re-raises, so an error here commits nothing, and after the INSERT it would be late.
            # The fetch that waits is the chain's previous link, read under the lock, as the
            # seals need it anyway (one round trip for both).
            _HEAD_READ.set(self._head(curs))
            deadline.check()

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # Still inside the transaction that holds the EXCLUSIVE lock on the events table.
        # The rows just inserted are sealed from what was sent (the same bytes; no re-read): under
        # the lock only the previous link is read.
        head = _HEAD_READ.get()
        _HEAD_READ.set(_UNREAD)
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            records = [
                StoredRecord(p, originator_text(s.originator_id), s.originator_version, s.topic, bytes(s.state))
                for p, s in zip(ids, stored_events)
            ]
            try:
                self._write_seals(curs, chain(head if head is not _UNREAD else self._head(curs), records))
            except SealError:
                # The library holds an error raised here until its pipeline has closed, and its
                # transaction then commits: fail the transaction on the server first, so that
                # commit rolls the unsealed events back.
                with contextlib.suppress(psycopg.Error):
                    curs.execute("DO $$ BEGIN RAISE EXCEPTION 'unsealable events are not recorded'; END $$")
                    curs.fetchall()
                raise
        return ids

    def _head(self, curs: Any) -> Seal | None:
        curs.execute(SQL("SELECT position, digest FROM {0} ORDER BY position DESC LIMIT 1").format(self.seals))
        row = curs.fetchone()
        return Seal(row["position"], bytes(row["digest"])) if row else None

    def _write_seals(self, curs: Any, seals: list[Seal]) -> None:
        if seals:
            curs.executemany(
                SQL("INSERT INTO {0} (position, digest) VALUES (%s, %s)").format(self.seals),
                [(s.position, s.digest) for s in seals],
            )

    def select_records(self, after: int, limit: int) -> list[StoredRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {0} "
                    "WHERE notification_id > %s ORDER BY notification_id LIMIT %s").format(self.events),
                (after, limit),
            )
            return [self._record(row) for row in curs.fetchall()]

    def select_digests(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT position, digest FROM {0} WHERE position > %s ORDER BY position LIMIT %s").format(self.seals), (after, limit))
            return [(row["position"], bytes(row["digest"])) for row in curs.fetchall()]

    def select_sealed_page(self, after: int, limit: int) -> SealedPage:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, s.digest "
                    "FROM {0} e LEFT JOIN {1} s ON s.position = e.notification_id "
                    "WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s"
                ).format(self.events, self.seals),
                (after, limit),
            )
            rows = curs.fetchall()
            notes = [
                Notification(id=r["notification_id"], originator_id=r["originator_id"], originator_version=r["originator_version"],
                             topic=r["topic"], state=bytes(r["state"]))
                for r in rows
            ]
            last = notes[-1].id if notes else after
            curs.execute(
                SQL("SELECT (SELECT digest FROM {0} WHERE position = %s) AS before, "
                    "(SELECT COUNT(*) FROM {0} WHERE position > %s AND position <= %s) AS n").format(self.seals),
                (after, after, last),
            )
            found = curs.fetchone()
        before = found["before"]  # type: ignore[index]
        digests = [None if r["digest"] is None else bytes(r["digest"]) for r in rows]
        link = GENESIS if after == 0 else (None if before is None else bytes(before))
        return SealedPage(notes, digests, link, int(found["n"]))  # type: ignore[index]

    def head(self) -> Seal | None:
        with self.datastore.transaction(commit=False) as curs:
            return self._head(curs)

    def is_empty(self) -> bool:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT EXISTS (SELECT 1 FROM {0}) OR EXISTS (SELECT 1 FROM {1}) AS any").format(self.events, self.seals))
            return not curs.fetchone()["any"]  # type: ignore[index]

    def import_records(self, records: Sequence[StoredRecord]) -> None:
        if not records:
            return
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.lock_table_statements:
                curs.execute(statement)
            curs.execute(SQL("SELECT MAX(notification_id) AS last FROM {0}").format(self.events))
            last = curs.fetchone()["last"] or 0  # type: ignore[index]
            if records[0].position <= last:
                raise SealError(f"cannot import position {records[0].position}: the log already reaches {last}")
            curs.executemany(
                SQL("INSERT INTO {0} (notification_id, originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s, %s)").format(self.events),
                [(r.position, self._originator(r.originator_id), r.originator_version, r.topic, r.state) for r in records],
            )
            self._write_seals(curs, chain(self._head(curs), records))
            # New events must continue after the imported positions.
            curs.execute(
                SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
                (f'"{self.datastore.schema}"."{self.events_table_name}"', records[-1].position),
            )

    def _originator(self, originator_id: UUID | str) -> UUID | str:
        if self.datastore.originator_id_type == "uuid" and not isinstance(originator_id, UUID):
            return UUID(originator_id)
        return originator_id


