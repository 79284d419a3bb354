"""The completion read model: per programme and parent, whether they completed it under the
programme's rule (attendance, homework, minimum sessions attended)."""

from __future__ import annotations

from typing import Any

from domain.rules import Tally
from projections.db import Queries
from projections.facts import ProgramFacts

NAME = "completion"
TABLES = {
    "completion": """CREATE TABLE completion (
        program_id TEXT NOT NULL, parent_id TEXT NOT NULL, position BIGINT NOT NULL,
        attended INTEGER NOT NULL, attendance_rate DOUBLE PRECISION,
        homework_assigned INTEGER NOT NULL, homework_completed INTEGER NOT NULL,
        homework_rate DOUBLE PRECISION, completed BOOLEAN NOT NULL, arm TEXT,
        PRIMARY KEY (program_id, parent_id))""",
}
INDEXES: list[str] = []
KEYS = {"completion": "parent_id"}
"""Each table's rows are per programme and this column."""


def rows(facts: ProgramFacts, tallies: dict[str, Tally]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of these parents (every parent ever enrolled, when the whole programme is recounted)."""
    program = facts.program_id
    return {"completion": [
        (program, p, facts.parents[p], t.attended, t.attendance_rate, t.homework_assigned, t.homework_completed,
         t.homework_rate, facts.completed(p, t), facts.arms.get(p))
        for p, t in tallies.items()
    ]}


def read(db: Queries, program_id: str) -> list[dict[str, Any]]:
    """The completion answer of the API, parents by enrolment order."""
    return [
        {"parent_id": pid, "attended": attended, "attendance_rate": a_rate, "homework_assigned": assigned,
         "homework_completed": done, "homework_rate": h_rate, "completed": bool(ok), "arm": arm}
        for pid, attended, a_rate, assigned, done, h_rate, ok, arm in db.query(
            "SELECT parent_id, attended, attendance_rate, homework_assigned, homework_completed, homework_rate,"
            " completed, arm FROM completion WHERE program_id = ? ORDER BY position", (program_id,)
        )
    ]
