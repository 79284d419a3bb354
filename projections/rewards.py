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
        eligible BOOLEAN NOT NULL, arm TEXT, cash_cents BIGINT NOT NULL, fund_cents BIGINT NOT NULL,
        released_cents BIGINT NOT NULL, forfeited_cents BIGINT NOT NULL, fund_balance_cents BIGINT NOT NULL,
        PRIMARY KEY (program_id, parent_id))""",
}
INDEXES: list[str] = []
KEYS = {"rewards": "parent_id"}
"""Each table's rows are per programme and this column."""
FIELDS = ("sessions_cents", "homework_cents", "assessment_cents", "earned_cents", "paid_cents", "outstanding_cents")
FUND_FIELDS = ("cash_cents", "fund_cents", "released_cents", "forfeited_cents", "fund_balance_cents")
"""Paid in cash, paid into the child's education fund, released from it, forfeited, and what it holds."""


def row(facts: ProgramFacts, parent: str, t: Tally) -> tuple[int, int, int, int, int, int, bool]:
    """One parent's reward figures (each part under the scheme in force on its day; in a trial their arm's); a withdrawn parent keeps what was earned."""
    e = facts.earnings(parent, t)
    balance = Balance(e.earned_cents, facts.paid.get(parent, 0))
    return (
        e.sessions_cents, e.homework_cents, e.assessment_cents, e.earned_cents,
        balance.paid_cents, balance.outstanding_cents, balance.eligible,
    )


def rows(facts: ProgramFacts, tallies: dict[str, Tally]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of these parents (every parent ever enrolled, when the whole programme is recounted)."""
    program = facts.program_id
    return {"rewards": [
        (program, p, facts.parents[p], *row(facts, p, t), facts.arms.get(p), *fund_row(facts.fund.get(p, {})))
        for p, t in tallies.items()
    ]}


def fund_row(moves: dict[str, int]) -> tuple[int, int, int, int, int]:
    """Cash paid, paid into the fund, released, forfeited, and the fund's balance (in - released - forfeited)."""
    cash, fund = moves.get("cash", 0), moves.get("education_fund", 0)
    released, forfeited = moves.get("released", 0), moves.get("forfeited", 0)
    return cash, fund, released, forfeited, fund - released - forfeited


def read(db: Queries, program_id: str) -> list[dict[str, Any]]:
    """The rewards answer of the API, parents by enrolment order."""
    found = db.query(
        f"SELECT parent_id, {', '.join(FIELDS)}, eligible, arm, {', '.join(FUND_FIELDS)} FROM rewards"
        " WHERE program_id = ? ORDER BY position", (program_id,),
    )
    n = len(FIELDS)
    return [
        {"parent_id": r[0], **{f: int(v) for f, v in zip(FIELDS, r[1:n + 1])}, "eligible": bool(r[n + 1]),
         "arm": r[n + 2], **{f: int(v) for f, v in zip(FUND_FIELDS, r[n + 3:])}}
        for r in found
    ]


def earned_cents(db: Queries, program_id: str, parent_id: str) -> int:
    """What the parent earned in the programme (0 when not enrolled)."""
    found = db.query("SELECT earned_cents FROM rewards WHERE program_id = ? AND parent_id = ?", (program_id, parent_id))
    return int(found[0][0]) if found else 0
