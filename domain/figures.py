"""The rules of API.md ("Semantics of the projections") applied directly to aggregates.

This is the plain, obviously-correct statement of attendance, completion and rewards for one
parent in one programme. The projections compute the same figures incrementally for every
parent at once; tests hold the two to each other, and the service uses it where one parent's
figures are needed at once (checking a payout)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable
from uuid import UUID

from domain.parent import Assessment
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

    @property
    def outstanding_cents(self) -> int:
        return self.earned_cents - self.paid_cents

    @property
    def eligible(self) -> bool:
        return self.outstanding_cents > 0


def counts_for(session: Session, program: TrainingProgram, parent_id: UUID) -> bool:
    """A held session counts for a parent enrolled on its date (and named in it, if it names anyone)."""
    if not session.held:
        return False
    if session.participants is not None and parent_id not in session.participants:
        return False
    return program.is_enrolled_on(parent_id, session.date)


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def parent_figures(
    program: TrainingProgram,
    sessions: Iterable[Session],
    assessments: Iterable[Assessment],
    parent_id: UUID,
) -> ParentFigures:
    """Apply API.md's rules to one parent in one programme."""
    held = attended = excused = hw_assigned = hw_done = 0
    for s in sessions:
        if s.program_id != program.id or not counts_for(s, program, parent_id):
            continue
        held += 1
        status = s.attendance.get(parent_id)
        attended += status == "present"
        excused += status == "excused"
        if s.has_homework:
            hw_assigned += 1
            hw_done += s.homework_done.get(parent_id) is True
    attendance_rate = rate(attended, held - excused)
    homework_rate = rate(hw_done, hw_assigned)
    rule = program.completion
    rate_ok = (attendance_rate >= rule.min_attendance_rate) if attendance_rate is not None else rule.min_attendance_rate == 0
    completed = (
        attended >= rule.min_sessions_attended
        and rate_ok
        and (homework_rate is None or homework_rate >= rule.min_homework_rate)
    )
    scheme = program.rewards
    passed = sum(
        1
        for a in assessments
        if a.program_id == program.id and a.score / a.max_score >= scheme.assessment_threshold
    )
    sessions_cents = attended * scheme.per_session_cents
    homework_cents = hw_done * scheme.per_homework_cents
    assessment_cents = passed * scheme.per_assessment_cents
    earned = sessions_cents + homework_cents + assessment_cents
    if scheme.cap_cents is not None:
        earned = min(earned, scheme.cap_cents)
    return ParentFigures(
        parent_id=parent_id,
        sessions_held=held,
        attended=attended,
        excused=excused,
        absent=held - attended - excused,
        attendance_rate=attendance_rate,
        homework_assigned=hw_assigned,
        homework_completed=hw_done,
        homework_rate=homework_rate,
        completed=completed,
        sessions_cents=sessions_cents,
        homework_cents=homework_cents,
        assessment_cents=assessment_cents,
        earned_cents=earned,
        paid_cents=program.paid_cents(parent_id),
    )
