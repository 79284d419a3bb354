"""The catch-up loop: read the event log page by page from the views' tracking position, record
the facts, recompute the touched programmes' rows and move the position, all in ONE
transaction per page. A crash anywhere before the commit leaves rows and position as they
were, so the page is simply read again: every event counts exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from eventsourcing.application import Application

from projections import attendance, completion, facts, rewards
from projections.db import Database, Tx
from projections.tally import tallies

SCHEMA_VERSION = "1"
VIEWS = (attendance, completion, rewards)
VIEW_NAMES = ("facts",) + tuple(v.NAME for v in VIEWS)
"""The views advance together (one read of the log feeds all of them); each keeps its row."""
PAGE_SIZE = 1000

BOOKKEEPING = {
    "projection_meta": "CREATE TABLE projection_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "projection_positions": "CREATE TABLE projection_positions (view TEXT PRIMARY KEY, position BIGINT NOT NULL)",
}


def all_tables() -> dict[str, str]:
    """Every table of the read-model store, with its DDL."""
    tables = {**BOOKKEEPING, **facts.TABLES}
    for view in VIEWS:
        tables.update(view.TABLES)
    return tables


def table_exists(tx: Tx, db: Database, name: str) -> bool:
    if db.is_postgres:
        return bool(tx.query("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?", (name,)))
    return bool(tx.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


def reset(tx: Tx) -> None:
    """Drop and recreate every table, positions at 0 (a rebuild from zero starts here)."""
    for name in all_tables():
        tx.execute(f"DROP TABLE IF EXISTS {name}")
    for ddl in all_tables().values():
        tx.execute(ddl)
    for ddl in facts.INDEXES + [i for v in VIEWS for i in v.INDEXES]:
        tx.execute(ddl)
    tx.execute("INSERT INTO projection_meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    tx.executemany("INSERT INTO projection_positions VALUES (?, 0)", [(v,) for v in VIEW_NAMES])


def ensure_schema(db: Database) -> None:
    """Create the tables on first use; a store of an older schema is rebuilt from zero."""
    with db.exclusive() as tx:
        if table_exists(tx, db, "projection_meta"):
            found = tx.query("SELECT value FROM projection_meta WHERE key = 'schema_version'")
            if found and found[0][0] == SCHEMA_VERSION:
                return
        reset(tx)


def positions(tx: Tx) -> dict[str, int]:
    """Each view's tracking position."""
    return {view: int(pos) for view, pos in tx.query("SELECT view, position FROM projection_positions")}


@dataclass
class CatchUp:
    """Applies pages of the event log to the read-model store, exactly once."""

    db: Database
    app: Application
    page_size: int = PAGE_SIZE
    before_commit: Callable[[], None] | None = None
    """A test hook: runs after the rows and the position are written, before the commit."""

    def __post_init__(self) -> None:
        self.ledger = facts.Ledger()
        self.topics = self.ledger.topics

    def page(self) -> tuple[int, int]:
        """Process one page; returns (position reached, notifications read)."""
        with self.db.exclusive() as tx:
            # Read the position inside the writer's lock: a second catch-up waits here, then
            # sees where the first one got to.
            start = min(positions(tx).values())
            notes = self.app.recorder.select_notifications(start=start, limit=self.page_size, inclusive_of_start=False)
            if not notes:
                return start, 0
            to_event = self.app.mapper.to_domain_event
            events = [(n.id, n.topic, to_event(n)) for n in notes if n.topic in self.topics]
            self.apply(tx, events)
            last = notes[-1].id
            tx.executemany("UPDATE projection_positions SET position = ? WHERE view = ?", [(last, v) for v in VIEW_NAMES])
            if self.before_commit is not None:
                self.before_commit()
            return last, len(notes)

    def apply(self, tx: Tx, events: list[tuple[int, str, Any]]) -> None:
        """Record the page's facts, then recompute every programme they touched."""
        page = self.ledger.record(tx, events)
        page.write(tx)
        for program_id in sorted(page.touched):
            program = facts.load_program(tx, program_id)
            if program is None:
                continue
            counted = tallies(program)
            for view in VIEWS:
                view.refresh(tx, program, counted)
