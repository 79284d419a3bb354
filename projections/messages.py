"""The messages to parents as read models: where each message stands (the sender's queue, the
coordinator's list of failed messages) and how many each parent got per week, by purpose.

Counts, statuses, purposes and times only: the text and the address stay in the (encrypted)
events. Applied in the catch-up's own page transaction (projections/catch_up.py), so each event
counts exactly once; the weekly rows are recomputed from the message rows of the (parent, week)
pairs a page touched, so they never drift from them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from domain.message import QUIET_TZ, Mailbox
from projections.db import Database, Tx
from projections.facts import Event, plain, topic

NAME = "messages"
TABLES = {
    "messages": """CREATE TABLE messages (
        message_id TEXT PRIMARY KEY, parent_id TEXT NOT NULL, school TEXT NOT NULL, purpose TEXT NOT NULL,
        channel TEXT, status TEXT NOT NULL, reason TEXT, queued_at TEXT NOT NULL, due_at TEXT, sent_at TEXT,
        week TEXT NOT NULL, position BIGINT NOT NULL)""",
    "message_weeks": """CREATE TABLE message_weeks (
        parent_id TEXT NOT NULL, school TEXT NOT NULL, week TEXT NOT NULL, purpose TEXT NOT NULL,
        written INTEGER NOT NULL, sent INTEGER NOT NULL, suppressed INTEGER NOT NULL, failed INTEGER NOT NULL,
        PRIMARY KEY (parent_id, week, purpose))""",
}
INDEXES = [
    "CREATE INDEX messages_by_status ON messages (status, due_at)",
    "CREATE INDEX messages_by_parent ON messages (parent_id)",
]

QUEUED, SUPPRESSED = topic(Mailbox, "Queued"), topic(Mailbox, "Suppressed")
SENDING, SENT, FAILED = topic(Mailbox, "SendingStarted"), topic(Mailbox, "Sent"), topic(Mailbox, "Failed")
TOPICS = {QUEUED, SUPPRESSED, SENDING, SENT, FAILED}

INSERT = """INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (message_id) DO NOTHING"""
STATUS = "UPDATE messages SET status = ?, reason = COALESCE(?, reason), sent_at = COALESCE(?, sent_at) WHERE message_id = ?"


def utc(moment: datetime | None) -> str | None:
    """A moment as sortable UTC text (the projections' way; see docs/projections.md)."""
    return None if moment is None else moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def week_of(moment: datetime) -> str:
    """The ISO week a message was written in, Dutch time (e.g. 2026-W49)."""
    year, week, _ = moment.astimezone(QUIET_TZ).isocalendar()
    return f"{year}-W{week:02d}"


def apply(tx: Tx, events: list[Event]) -> None:
    """Record a page's message events, then recompute the weekly rows they touched."""
    touched: set[str] = set()
    for position, topic_, _, stored in events:
        state: dict[str, Any] = plain(stored)
        message_id = state["message_id"]
        if topic_ in (QUEUED, SUPPRESSED):
            queued_at = state["queued_at"]
            queued = topic_ == QUEUED
            tx.execute(INSERT, (
                message_id, state["parent_id"], state["school"], state["purpose"], state.get("channel"),
                "queued" if queued else "suppressed", state.get("reason"), utc(queued_at),
                utc(state.get("due_at")), None, week_of(queued_at), position,
            ))
        elif topic_ == SENDING:
            tx.execute(STATUS, ("sending", None, None, message_id))
        elif topic_ == SENT:
            tx.execute(STATUS, ("sent", None, utc(state["sent_at"]), message_id))
        elif topic_ == FAILED:
            tx.execute(STATUS, ("failed", state["reason"], None, message_id))
        touched.add(message_id)
    if touched:
        _recount(tx, sorted(touched))


def _recount(tx: Tx, message_ids: list[str]) -> None:
    marks = ",".join("?" * len(message_ids))
    pairs = tx.query(f"SELECT DISTINCT parent_id, week FROM messages WHERE message_id IN ({marks})", message_ids)
    for parent_id, week in pairs:
        tx.execute("DELETE FROM message_weeks WHERE parent_id = ? AND week = ?", (parent_id, week))
        tx.execute(
            """INSERT INTO message_weeks
               SELECT parent_id, MIN(school), week, purpose, COUNT(*),
                      SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END),
                      SUM(CASE WHEN status = 'suppressed' THEN 1 ELSE 0 END),
                      SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END)
               FROM messages WHERE parent_id = ? AND week = ? GROUP BY parent_id, week, purpose""",
            (parent_id, week),
        )


# -- reading -----------------------------------------------------------------------------------


def due(db: Database, now: datetime, limit: int = 500) -> list[tuple[str, str]]:
    """(parent_id, message_id) of the queued messages that may leave now, oldest due first."""
    rows = db.query(
        "SELECT parent_id, message_id FROM messages WHERE status = 'queued' AND due_at <= ? "
        "ORDER BY due_at, message_id LIMIT ?", (utc(now), limit),
    )
    return [(str(p), str(m)) for p, m in rows]


def sending(db: Database) -> list[tuple[str, str]]:
    """(parent_id, message_id) of the messages handed to a sender whose outcome is not recorded."""
    rows = db.query("SELECT parent_id, message_id FROM messages WHERE status = 'sending' ORDER BY message_id")
    return [(str(p), str(m)) for p, m in rows]


def failed(db: Database, schools: frozenset[str] | None) -> list[dict[str, Any]]:
    """The messages that failed, newest first, at these schools (None: every school): for the
    coordinator's to-do list (each links to the parent, where staff can write again)."""
    rows = db.query(
        "SELECT message_id, parent_id, school, purpose, channel, reason, queued_at FROM messages "
        "WHERE status = 'failed' ORDER BY queued_at DESC, message_id"
    )
    keys = ("message_id", "parent_id", "school", "purpose", "channel", "reason", "queued_at")
    return [dict(zip(keys, row)) for row in rows if schools is None or row[2] in schools]


WEEK_COLUMNS = ("parent_id", "school", "week", "purpose", "written", "sent", "suppressed", "failed")


def weeks(db: Database, schools: frozenset[str] | None) -> list[dict[str, Any]]:
    """Messages per parent, week and purpose at these schools (None: every school), by week."""
    rows = db.query(f"SELECT {', '.join(WEEK_COLUMNS)} FROM message_weeks ORDER BY week, parent_id, purpose")
    return [dict(zip(WEEK_COLUMNS, row)) for row in rows if schools is None or row[1] in schools]
