"""Programmes at a glance, a page of them at once: what the start page shows, read from the
projection tables in one read (no programme's history is loaded); and which programmes a parent
is in, so a parent's page loads those programmes only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from domain.rules import rate
from projections.db import Database


@dataclass(frozen=True)
class Glance:
    """One programme's figures: enrolled now, sessions planned (not cancelled) and held, the
    attendance rate over all its parents, and how many completed."""

    enrolled: int = 0
    sessions_planned: int = 0
    sessions_held: int = 0
    attendance_rate: float | None = None
    completed: int = 0


def read(db: Database, program_ids: Sequence[str]) -> dict[str, Glance]:
    """The glance of each of these programmes (all zero for one without rows yet)."""
    if not program_ids:
        return {}
    marks = ",".join("?" * len(program_ids))
    ids = tuple(program_ids)
    with db.reading() as tx:
        enrolled: dict[str, int] = dict(tx.query(
            f"SELECT program_id, COUNT(*) FROM enrolments WHERE withdrawn_on IS NULL AND program_id IN ({marks})"
            " GROUP BY program_id", ids))
        sessions = {p: (planned, held) for p, planned, held in tx.query(
            "SELECT program_id, COUNT(*), COALESCE(SUM(CASE WHEN held THEN 1 ELSE 0 END), 0) FROM attendance_sessions"
            f" WHERE program_id IN ({marks}) GROUP BY program_id", ids)}
        attended = {p: (a, c) for p, a, c in tx.query(
            "SELECT program_id, COALESCE(SUM(attended), 0), COALESCE(SUM(sessions_held - excused), 0)"
            f" FROM attendance_parents WHERE program_id IN ({marks}) GROUP BY program_id", ids)}
        completed: dict[str, int] = dict(tx.query(
            f"SELECT program_id, COUNT(*) FROM completion WHERE completed AND program_id IN ({marks})"
            " GROUP BY program_id", ids))
    found = {}
    for p in program_ids:
        planned, held = sessions.get(p, (0, 0))
        a, countable = attended.get(p, (0, 0))
        found[p] = Glance(int(enrolled.get(p, 0)), int(planned), int(held), rate(int(a), int(countable)),
                          int(completed.get(p, 0)))
    return found


def programs_of_parent(db: Database, parent_id: str) -> list[str]:
    """The programmes a parent was ever enrolled in, in order of their first enrolment there."""
    return [p for (p,) in db.query(
        "SELECT program_id FROM program_parents WHERE parent_id = ? ORDER BY position, program_id", (parent_id,))]
