"""Counting one parent's sessions in one programme, the part all three views share (API.md,
"Semantics of the projections": held, counted, attended, excused, homework)."""

from __future__ import annotations

from dataclasses import dataclass

from projections.facts import ProgramFacts


@dataclass(frozen=True)
class Tally:
    """What counted for one parent: sessions held, attended, excused, homework assigned and done."""

    sessions_held: int
    attended: int
    excused: int
    homework_assigned: int
    homework_completed: int

    @property
    def absent(self) -> int:
        """No record counts as absent."""
        return self.sessions_held - self.attended - self.excused

    @property
    def attendance_rate(self) -> float | None:
        """attended / (held - excused); None when that is 0."""
        return rate(self.attended, self.sessions_held - self.excused)

    @property
    def homework_rate(self) -> float | None:
        """completed / assigned; None when no homework was assigned."""
        return rate(self.homework_completed, self.homework_assigned)


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def tally(facts: ProgramFacts, parent: str) -> Tally:
    """Count the held sessions that count for this parent."""
    held = attended = excused = assigned = done = 0
    for s in facts.sessions:
        if not facts.counts_for(s, parent):
            continue
        held += 1
        status = facts.attendance.get((s.session_id, parent))
        attended += status == "present"
        excused += status == "excused"
        if s.has_homework:
            assigned += 1
            done += facts.homework.get((s.session_id, parent)) is True
    return Tally(held, attended, excused, assigned, done)


def tallies(facts: ProgramFacts) -> dict[str, Tally]:
    """Every enrolled parent's tally, in order of enrolment."""
    return {parent: tally(facts, parent) for parent in facts.parents}
