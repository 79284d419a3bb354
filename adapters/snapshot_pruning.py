"""Older snapshots of an aggregate deleted once a newer one is stored: a load reads only the
latest (docs/snapshots.md), so a programme keeps one snapshot instead of one per 100 events."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg.sql import SQL, Identifier


def prune_snapshots(recorder: Any, originator_id: UUID, below: int) -> int:
    """Delete the aggregate's snapshots of versions below `below`; how many were deleted (a
    recorder of another kind, in memory, keeps them all)."""
    if isinstance(recorder, PostgresAggregateRecorder):
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL("DELETE FROM {}.{} WHERE originator_id = %s AND originator_version < %s").format(
                    Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)),
                (originator_id, below),
            )
            return int(curs.rowcount)
    if isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {recorder.events_table_name} WHERE originator_id = ? AND originator_version < ?",
                      (originator_id.hex, below))
            return int(c.sqlite_cursor.rowcount)
    return 0
