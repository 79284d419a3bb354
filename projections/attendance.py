"""The attendance read model: per programme, each session's roll call counts and each parent's
sessions held, attended, excused and absent, with their attendance rate."""

from __future__ import annotations

from typing import Any

from domain.rules import Tally, rate
from projections.db import Queries
from projections.facts import ProgramFacts

NAME = "attendance"
TABLES = {
    "attendance_sessions": """CREATE TABLE attendance_sessions (
        program_id TEXT NOT NULL, session_id TEXT NOT NULL, starts_at TEXT NOT NULL, starts_utc TEXT NOT NULL,
        position BIGINT NOT NULL, held BOOLEAN NOT NULL, counted INTEGER NOT NULL,
        present INTEGER NOT NULL, absent INTEGER NOT NULL, excused INTEGER NOT NULL,
        homework_assigned BOOLEAN NOT NULL, homework_completed INTEGER NOT NULL,
        PRIMARY KEY (program_id, session_id))""",
    "attendance_parents": """CREATE TABLE attendance_parents (
        program_id TEXT NOT NULL, parent_id TEXT NOT NULL, position BIGINT NOT NULL,
        sessions_held INTEGER NOT NULL, attended INTEGER NOT NULL, excused INTEGER NOT NULL,
        absent INTEGER NOT NULL, attendance_rate DOUBLE PRECISION,
        PRIMARY KEY (program_id, parent_id))""",
}
INDEXES: list[str] = []
KEYS = {"attendance_sessions": "session_id", "attendance_parents": "parent_id"}
"""Each table's rows are per programme and this column."""


def session_rows(facts: ProgramFacts, rolls: dict[str, Tally]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of the programme's sessions that have a roll call here, cancelled ones left out."""
    program = facts.program_id
    sessions = []
    for s in facts.sessions:
        roll = rolls.get(s.session_id)
        if roll is None or s.cancelled:
            continue
        # Scheduled but not yet held: listed with zero counts (it counts for nobody yet).
        sessions.append((
            program, s.session_id, s.starts_at, s.starts_utc, s.position, s.held, roll.sessions_held,
            roll.attended, roll.absent, roll.excused, s.has_homework, roll.homework_completed,
        ))
    return {"attendance_sessions": sessions}


def rows(facts: ProgramFacts, tallies: dict[str, Tally]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of these parents (every parent ever enrolled, when the whole programme is recounted)."""
    program = facts.program_id
    parents = [
        (program, p, facts.parents[p], t.sessions_held, t.attended, t.excused, t.absent, t.attendance_rate)
        for p, t in tallies.items()
    ]
    return {"attendance_parents": parents}


def read(db: Queries, program_id: str) -> dict[str, list[dict[str, Any]]]:
    """The attendance answer of the API: sessions by start, parents by enrolment order."""
    sessions = [
        {"session_id": sid, "starts_at": starts_at, "present": present, "absent": absent, "excused": excused}
        for sid, starts_at, present, absent, excused in db.query(
            "SELECT session_id, starts_at, present, absent, excused FROM attendance_sessions"
            " WHERE program_id = ? ORDER BY starts_utc, position", (program_id,)
        )
    ]
    parents = [
        {"parent_id": pid, "sessions_held": held, "attended": attended, "excused": excused,
         "absent": absent, "attendance_rate": rate}
        for pid, held, attended, excused, absent, rate in db.query(
            "SELECT parent_id, sessions_held, attended, excused, absent, attendance_rate FROM attendance_parents"
            " WHERE program_id = ? ORDER BY position", (program_id,)
        )
    ]
    return {"sessions": sessions, "parents": parents}


def summary(db: Queries, program_id: str) -> dict[str, Any]:
    """The programme at a glance: sessions planned (not cancelled) and held, and the attendance
    rate over all its parents (attended / (held - excused), summed; None when that is 0)."""
    [(planned, held)] = db.query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN held THEN 1 ELSE 0 END), 0) FROM attendance_sessions"
        " WHERE program_id = ?", (program_id,)
    )
    [(attended, countable)] = db.query(
        "SELECT COALESCE(SUM(attended), 0), COALESCE(SUM(sessions_held - excused), 0) FROM attendance_parents"
        " WHERE program_id = ?", (program_id,)
    )
    return {
        "sessions_planned": int(planned), "sessions_held": int(held),
        "attendance_rate": rate(int(attended), int(countable)),
    }
