"""Whether a configured store already holds an event log, found without creating anything (no
file, no table, no master key): the auditors' commands read a store, they never start one."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from adapters.config import StoreConfig

SQLITE_EVENTS_TABLE = "stored_events"  # eventsourcing's name on SQLite


def has_event_store(config: StoreConfig, app_name: str) -> bool:
    """Whether the events table of the application `app_name` exists in this store."""
    if config.is_postgres:
        import psycopg

        # eventsourcing names the table after the application: "<name>_events", lower case.
        with psycopg.connect(config.database_url or "", autocommit=True) as conn:
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{app_name.lower()}_events",)).fetchone()
            return bool(exists and exists[0])
    path = config.events_path
    if not path.is_file():  # checked first: connecting would create the file
        return False
    try:
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SQLITE_EVENTS_TABLE,))
            return rows.fetchone() is not None
    except sqlite3.DatabaseError:  # not a SQLite file at all
        return False
