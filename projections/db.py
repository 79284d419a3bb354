"""Where the read models live: their own SQLite file beside the event store, or their own schema
in the event store's PostgreSQL database. One small interface over both, so the views write
the same SQL (`?` placeholders, `INSERT ... ON CONFLICT`) on either back end."""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Protocol, Sequence

from application.config import StoreConfig

DEFAULT_NAMESPACE = "projections"
"""SQLite file `projections.sqlite` in the data dir; PostgreSQL schema `projections`."""

Row = tuple[Any, ...]


class Tx(Protocol):
    """The statements a view may run inside one catch-up transaction."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


class Database:
    """A connection to the read-model store; `exclusive()` is the one writer's transaction."""

    is_postgres = False
    location = ""

    def exclusive(self) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover
        raise NotImplementedError


class SQLiteDatabase(Database):
    """The read models in their own SQLite file (WAL, busy timeout, BEGIN IMMEDIATE for writers).

    `synchronous = NORMAL` here only (the event store keeps its own setting): in WAL mode a
    crash or power cut can lose the last commits but never corrupts the file or tears a
    transaction, and this file is a rebuildable read model whose tracking position commits with
    its rows. A lost commit takes its position with it, so those pages are read from the log
    again: nothing is lost or counted twice, only a little work is redone."""

    def __init__(self, path: Path, *, readonly: bool = False, timeout: float = 60.0) -> None:
        self.path = path
        self.location = str(path)
        if readonly:
            if not path.exists():
                raise FileNotFoundError(f"no projections yet at {path}: run `betrokken projections status` first")
            self.conn = sqlite3.connect(
                f"file:{path.resolve()}?mode=ro", uri=True, timeout=timeout,
                isolation_level=None, check_same_thread=False,
            )
            self.conn.execute("PRAGMA query_only = ON")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL stays consistent after a crash; a lost last page is simply re-read.
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: a rebuild keeps its indexes in memory
        self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self.lock = threading.RLock()

    @contextmanager
    def exclusive(self) -> Iterator["SQLiteTx"]:
        """BEGIN IMMEDIATE: one writer at a time across threads and processes; all or nothing."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteTx(self.conn)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def cursor_description(self, sql: str) -> tuple[list[str], list[Row]]:
        """Column names and rows of an analyst's query."""
        with self.lock:
            cur = self.conn.execute(sql)
            names = [d[0] for d in cur.description or ()]
            return names, cur.fetchall()

    def close(self) -> None:
        self.conn.close()


class SQLiteTx:
    """Statements inside a SQLite transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.conn.execute(sql, params).fetchall()


_PLACEHOLDER = re.compile(r"\?")


def to_pg(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (our SQL has no literal question marks or percent signs)."""
    return _PLACEHOLDER.sub("%s", sql)


class PostgresDatabase(Database):
    """The read models in their own schema of the event store's PostgreSQL database."""

    is_postgres = True
    LOCK_KEY = 0x6265_7472  # "betr": the advisory lock that makes one catch-up run at a time

    def __init__(self, url: str, namespace: str, *, readonly: bool = False) -> None:
        import psycopg

        self.namespace = namespace
        self.location = f"schema {namespace}"
        self.conn = psycopg.connect(url, autocommit=True)
        self.readonly = readonly
        if not readonly:
            # CREATE SCHEMA IF NOT EXISTS can still clash when two processes race: take the lock.
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.LOCK_KEY,))
                self.conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{namespace}"')
        self.conn.execute(f'SET search_path TO "{namespace}"')
        if readonly:
            self.conn.execute("SET default_transaction_read_only = on")
        self.lock = threading.RLock()

    @contextmanager
    def exclusive(self) -> Iterator["PostgresTx"]:
        """A transaction holding the projections' advisory lock: two catch-ups never interleave."""
        with self.lock, self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.LOCK_KEY,))
            yield PostgresTx(self.conn)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.lock:
            return self.conn.execute(to_pg(sql), params).fetchall()

    def cursor_description(self, sql: str) -> tuple[list[str], list[Row]]:
        """Column names and rows of an analyst's query, in a READ ONLY transaction."""
        with self.lock, self.conn.transaction():
            self.conn.execute("SET TRANSACTION READ ONLY")
            # With a parameter tuple psycopg uses the extended protocol: one statement only, so a
            # "COMMIT; DELETE ..." cannot step outside the read-only transaction.
            cur = self.conn.execute(sql.replace("%", "%%"), ())
            names = [d.name for d in cur.description or ()]
            return names, cur.fetchall()

    def close(self) -> None:
        self.conn.close()


class PostgresTx:
    """Statements inside a PostgreSQL transaction."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(to_pg(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(to_pg(sql), rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.conn.execute(to_pg(sql), params).fetchall()


def open_database(config: StoreConfig, namespace: str = DEFAULT_NAMESPACE, *, readonly: bool = False) -> Database:
    """The read-model store of this configuration."""
    if config.is_postgres:
        return PostgresDatabase(config.database_url or "", namespace, readonly=readonly)
    return SQLiteDatabase(config.data_dir / f"{namespace}.sqlite", readonly=readonly)
