"""One parent's participation in a programme counted from the aggregates themselves, by the
rulebook (domain/rules.py). The projections count every parent at once from their facts; this
is for where one parent's figures are needed from the aggregates (a payout checked before the
projections are wired, the demo data)."""

from __future__ import annotations

from typing import Iterable
from uuid import UUID

from domain.parent import Assessment
from domain.rules import Earnings, RewardScheme, Tally, counts_for
from domain.session import Session
from domain.training_program import TrainingProgram


def tally(program: TrainingProgram, sessions: Iterable[Session], parent_id: UUID) -> Tally:
    """The parent's tally over the programme's sessions that count for them."""
    periods = program.enrolment_periods(parent_id)
    return Tally.count(
        s.sitting(parent_id)
        for s in sessions
        if s.program_id == program.id and counts_for(s.held, parent_id, s.date, s.participants, periods)
    )


def assessments_passed(
    program: TrainingProgram, assessments: Iterable[Assessment], scheme: RewardScheme | None = None
) -> int:
    """How many of the parent's assessments in the programme reach its (or the parent's arm's)
    threshold; a withdrawn assessment no longer counts."""
    scheme = scheme or program.rewards
    return sum(1 for a in assessments if a.program_id == program.id and not a.withdrawn and scheme.passes(a.score, a.max_score))


def earnings(
    program: TrainingProgram, sessions: Iterable[Session], assessments: Iterable[Assessment], parent_id: UUID
) -> Earnings:
    """What the parent earned in the programme under its reward scheme (in a trial: their arm's)."""
    scheme = program.scheme_for(parent_id)
    return scheme.earned(tally(program, sessions, parent_id), assessments_passed(program, assessments, scheme))
