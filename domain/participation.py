"""One parent's participation in a programme counted from the aggregates themselves, by the
rulebook (domain/rules.py). The projections count every parent at once from their facts; this
is for where one parent's figures are needed from the aggregates (a payout checked before the
projections are wired, the demo data)."""

from __future__ import annotations

from typing import Iterable
from uuid import UUID

from domain.parent import Assessment
from domain.rules import DatedResult, DatedSitting, Earnings, Tally, counts_for
from domain.session import Session
from domain.training_program import TrainingProgram


def sittings(program: TrainingProgram, sessions: Iterable[Session], parent_id: UUID) -> list[DatedSitting]:
    """The sessions that count for the parent, each with its date."""
    periods = program.enrolment_periods(parent_id)
    return [
        DatedSitting(s.date, s.sitting(parent_id))
        for s in sessions
        if s.program_id == program.id and counts_for(s.held, parent_id, s.date, s.participants, periods)
    ]


def tally(program: TrainingProgram, sessions: Iterable[Session], parent_id: UUID) -> Tally:
    """The parent's tally over the programme's sessions that count for them."""
    return Tally.count(s.sitting for s in sittings(program, sessions, parent_id))


def results(program: TrainingProgram, assessments: Iterable[Assessment]) -> list[DatedResult]:
    """The parent's assessments in the programme that count (not withdrawn), each with the day it was taken."""
    return [
        DatedResult(a.taken_on, a.score, a.max_score)
        for a in assessments if a.program_id == program.id and not a.withdrawn
    ]


def earnings(
    program: TrainingProgram, sessions: Iterable[Session], assessments: Iterable[Assessment], parent_id: UUID
) -> Earnings:
    """What the parent earned in the programme, each part under the scheme in force on its day
    (in a trial: their arm's)."""
    return program.rulebook_for(parent_id).earned(
        sittings(program, sessions, parent_id), results(program, assessments)
    )


def completed(
    program: TrainingProgram, sessions: Iterable[Session], assessments: Iterable[Assessment], parent_id: UUID
) -> bool:
    """Whether the parent completed the programme, by the rule in force on their closing day."""
    counted = sittings(program, sessions, parent_id)
    return program.rulebook_for(parent_id).is_met(
        Tally.count(s.sitting for s in counted), counted, results(program, assessments)
    )
