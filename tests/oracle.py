"""The test oracle: one parent's figures in one programme counted from the aggregates.

The projections compute the same figures for every parent at once from their own facts (a
ledger of SQL rows); the tests hold the two to each other. Both apply the one rulebook
(domain/rules.py), so what this checks is the way to it: the facts, enrolment periods at each
session's date, corrections, cancellations and payouts. The rules themselves have their own
unit tests (tests/unit/test_rules.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable
from uuid import UUID

from application.programs import ProgramService
from domain import participation
from domain.parent import Assessment
from domain.rules import Balance
from domain.session import Session
from domain.training_program import TrainingProgram


@dataclass(frozen=True)
class ParentFigures:
    """Attendance, completion and rewards of one parent in one programme."""

    parent_id: UUID
    sessions_held: int
    attended: int
    excused: int
    absent: int
    attendance_rate: float | None
    homework_assigned: int
    homework_completed: int
    homework_rate: float | None
    completed: bool
    sessions_cents: int
    homework_cents: int
    assessment_cents: int
    earned_cents: int
    paid_cents: int
    arm: str | None = None
    cash_cents: int = 0
    fund_cents: int = 0
    released_cents: int = 0
    forfeited_cents: int = 0

    @property
    def fund_balance_cents(self) -> int:
        return self.fund_cents - self.released_cents - self.forfeited_cents

    @property
    def outstanding_cents(self) -> int:
        return Balance(self.earned_cents, self.paid_cents).outstanding_cents

    @property
    def eligible(self) -> bool:
        return Balance(self.earned_cents, self.paid_cents).eligible


def parent_figures(
    program: TrainingProgram,
    sessions: Iterable[Session],
    assessments: Iterable[Assessment],
    parent_id: UUID,
) -> ParentFigures:
    """Apply the rulebook (docs/rules.md) to one parent in one programme."""
    sessions, assessments = list(sessions), list(assessments)
    t = participation.tally(program, sessions, parent_id)
    earned = participation.earnings(program, sessions, assessments, parent_id)  # in a trial: the arm's scheme
    moves = [m for m in program.trial.fund_moves if m.parent_id == parent_id]
    return ParentFigures(
        parent_id=parent_id,
        sessions_held=t.sessions_held,
        attended=t.attended,
        excused=t.excused,
        absent=t.absent,
        attendance_rate=t.attendance_rate,
        homework_assigned=t.homework_assigned,
        homework_completed=t.homework_completed,
        homework_rate=t.homework_rate,
        completed=participation.completed(program, sessions, assessments, parent_id),
        sessions_cents=earned.sessions_cents,
        homework_cents=earned.homework_cents,
        assessment_cents=earned.assessment_cents,
        earned_cents=earned.earned_cents,
        paid_cents=program.paid_cents(parent_id),
        arm=program.trial.arm_of.get(parent_id),
        cash_cents=program.paid_cents(parent_id) - program.fund_in_cents(parent_id),
        fund_cents=program.fund_in_cents(parent_id),
        released_cents=sum(m.amount_cents for m in moves if m.kind == "released"),
        forfeited_cents=sum(m.amount_cents for m in moves if m.kind == "forfeited"),
    )


def figures(service: ProgramService, program_id: UUID, parent_id: UUID) -> ParentFigures:
    """One parent's figures, loading the programme's aggregates through the service."""
    program = service.program(program_id)
    sessions = service.sessions(program_id)
    return parent_figures(program, sessions, service.parent(parent_id).assessments, parent_id)
