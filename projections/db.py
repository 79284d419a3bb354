"""Where the read models live: their own SQLite file beside the event store, or their own schema
in the event store's PostgreSQL database, as one of the side stores (adapters/side_store.py), so
the views write the same SQL (`?` placeholders, `INSERT ... ON CONFLICT`) on either back end.

SQLite with `synchronous = NORMAL` (the event store keeps its own setting): in WAL mode a crash
or power cut can lose the last commits but never corrupts the file or tears a transaction, and
this file is a rebuildable read model whose tracking position commits with its rows. A lost
commit takes its position with it, so those pages are read from the log again: nothing is lost
or counted twice, only a little work is redone."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from adapters.config import StoreConfig
from adapters.side_store import LOCK_KEY, Row, SideStore, Tables, Tx

DEFAULT_NAMESPACE = "projections"
"""SQLite file `projections.sqlite` in the data dir; PostgreSQL schema `projections`."""

__all__ = ["DEFAULT_NAMESPACE", "Database", "Row", "Tx", "open_database"]


class Database(SideStore):
    """The read-model store; `exclusive()` is the one writer's transaction."""

    def exclusive(self) -> AbstractContextManager[Tx]:
        """One writer at a time across threads and processes (SQLite BEGIN IMMEDIATE, PostgreSQL
        the projections' advisory lock: two catch-ups never interleave); all or nothing."""
        return self.transaction(LOCK_KEY)

    def cursor_description(self, sql: str) -> tuple[list[str], list[Row]]:
        """Column names and rows of an analyst's query (PostgreSQL: in a READ ONLY transaction)."""
        with self.reading() as tx:
            cur: Any = tx.raw
            if self.is_postgres:
                cur.execute("SET TRANSACTION READ ONLY")
                # With a parameter tuple psycopg uses the extended protocol: one statement only, so a
                # "COMMIT; DELETE ..." cannot step outside the read-only transaction.
                cur.execute(sql.replace("%", "%%"), ())
            else:
                cur.execute(sql)
            return [d[0] for d in cur.description or ()], list(cur.fetchall())


def open_database(config: StoreConfig, namespace: str = DEFAULT_NAMESPACE, *, readonly: bool = False) -> Database:
    """The read-model store of this configuration."""
    tables = Tables(file=f"{namespace}.sqlite", namespace=namespace, durable=False, timeout=60.0,
                    cache_kib=65536)  # 64 MiB: a rebuild keeps its indexes in memory
    if readonly and not config.is_postgres and not (config.data_dir / tables.file).exists():
        raise FileNotFoundError(
            f"no projections yet at {config.data_dir / tables.file}: run `betrokken projections status` first")
    return Database(config, tables, readonly=readonly)
