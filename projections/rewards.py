"""The rewards read model: per programme and parent, what they earned (sessions, homework,
assessments, capped), what was paid and what is outstanding."""

from __future__ import annotations

from typing import Any

from domain.rules import Balance, Tally
from projections.db import Queries
from projections.facts import ProgramFacts

NAME = "rewards"
TABLES = {
    "rewards": """CREATE TABLE rewards (
        program_id TEXT NOT NULL, parent_id TEXT NOT NULL, position BIGINT NOT NULL,
        sessions_cents BIGINT NOT NULL, homework_cents BIGINT NOT NULL, assessment_cents BIGINT NOT NULL,
        earned_cents BIGINT NOT NULL, paid_cents BIGINT NOT NULL, outstanding_cents BIGINT NOT NULL,
        eligible BOOLEAN NOT NULL, PRIMARY KEY (program_id, parent_id))""",
}
INDEXES: list[str] = []
FIELDS = ("sessions_cents", "homework_cents", "assessment_cents", "earned_cents", "paid_cents", "outstanding_cents")


def row(facts: ProgramFacts, parent: str, t: Tally) -> tuple[int, int, int, int, int, int, bool]:
    """One parent's reward figures; a withdrawn parent keeps what was earned."""
    e = facts.rewards.earned(t, facts.assessments_passed(parent))
    balance = Balance(e.earned_cents, facts.paid.get(parent, 0))
    return (
        e.sessions_cents, e.homework_cents, e.assessment_cents, e.earned_cents,
        balance.paid_cents, balance.outstanding_cents, balance.eligible,
    )


def rows(facts: ProgramFacts, tallies: dict[str, Tally]) -> dict[str, list[tuple[Any, ...]]]:
    """The programme's rows, one per parent ever enrolled."""
    program = facts.program_id
    return {"rewards": [(program, p, facts.parents[p], *row(facts, p, t)) for p, t in tallies.items()]}


def read(db: Queries, program_id: str) -> list[dict[str, Any]]:
    """The rewards answer of the API, parents by enrolment order."""
    return [
        {"parent_id": pid, **{f: int(v) for f, v in zip(FIELDS, values)}, "eligible": bool(eligible)}
        for pid, *values, eligible in db.query(
            f"SELECT parent_id, {', '.join(FIELDS)}, eligible FROM rewards WHERE program_id = ? ORDER BY position",
            (program_id,),
        )
    ]


def earned_cents(db: Queries, program_id: str, parent_id: str) -> int:
    """What the parent earned in the programme (0 when not enrolled)."""
    found = db.query("SELECT earned_cents FROM rewards WHERE program_id = ? AND parent_id = ?", (program_id, parent_id))
    return int(found[0][0]) if found else 0
