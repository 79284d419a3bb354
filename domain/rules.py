"""The rulebook of attendance, completion and rewards (docs/rules.md states it in words).

Pure functions and value objects on plain values, written once: the projections turn their
facts into these values and call them, and so does anything that counts from the aggregates.
The completion rule and the reward scheme are stored in a programme's Created event as
`as_dict()`: their fields are part of the stored shape and must not change."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Any, Collection, Hashable, Iterable, NamedTuple, TypeVar

Day = TypeVar("Day", date, str)
"""A calendar date: a `date` on the aggregates, ISO text (which sorts the same) in the facts."""


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


@lru_cache(maxsize=4096)
def exact(number: float) -> Fraction:
    """A number as the decimal it was typed as (its shortest representation), so 3.3 is 33/10.
    (Remembered: the same counts and minimums come up for every parent.)"""
    return Fraction(str(number))


def reaches(part: float, whole: float, minimum: float) -> bool:
    """part / whole >= minimum, compared exactly: a rate exactly at its minimum reaches it
    (3.3 of 10 reaches 0.33, which 3.3 / 10 in floating point falls a hair short of)."""
    return exact(part) / exact(whole) >= exact(minimum)


# -- which sessions count for a parent -----------------------------------------------------


def is_enrolled_on(day: Day, periods: Iterable[tuple[Day, Day | None]]) -> bool:
    """Whether any of a parent's enrolment periods covers the day: enrolled_on <= day < withdrawn_on."""
    return any(on <= day and (off is None or day < off) for on, off in periods)


def takes_part(
    parent: Hashable, day: Day, participants: Collection[Any] | None, periods: Iterable[tuple[Day, Day | None]]
) -> bool:
    """A session is for a parent enrolled on its date, and named in it if it names anyone
    (whom its roll call is taken for)."""
    if participants is not None and parent not in participants:
        return False
    return is_enrolled_on(day, periods)


def counts_for(
    held: bool,
    parent: Hashable,
    day: Day,
    participants: Collection[Any] | None,
    periods: Iterable[tuple[Day, Day | None]],
) -> bool:
    """A held session counts for a parent it is for (see `takes_part`)."""
    return held and takes_part(parent, day, participants, periods)


# -- one parent's tally ----------------------------------------------------------------------


class Sitting(NamedTuple):
    """What one counted session recorded for one parent."""

    status: str | None  # present, absent, excused, or None: no record (counts as absent)
    homework_assigned: bool
    homework_done: bool


@dataclass(frozen=True)
class Tally:
    """What counted for one parent: sessions held, attended, excused, homework assigned and done.
    (Summed over the parents a session counts for, the same tally is that session's roll call.)"""

    sessions_held: int
    attended: int
    excused: int
    homework_assigned: int
    homework_completed: int

    @classmethod
    def count(cls, sittings: Iterable[Sitting]) -> "Tally":
        """Count the sittings of the sessions that counted."""
        held = attended = excused = assigned = done = 0
        for status, has_homework, homework_done in sittings:
            held += 1
            attended += status == "present"
            excused += status == "excused"
            if has_homework:
                assigned += 1
                done += homework_done
        return cls(held, attended, excused, assigned, done)

    def __add__(self, other: "Tally") -> "Tally":
        """Tallies add up: two sets of sittings counted apart and added are counted together
        (so a session's tally is the sum of its parents', and one sitting's change is a difference)."""
        return Tally(
            self.sessions_held + other.sessions_held, self.attended + other.attended, self.excused + other.excused,
            self.homework_assigned + other.homework_assigned, self.homework_completed + other.homework_completed,
        )

    def __sub__(self, other: "Tally") -> "Tally":
        return Tally(
            self.sessions_held - other.sessions_held, self.attended - other.attended, self.excused - other.excused,
            self.homework_assigned - other.homework_assigned, self.homework_completed - other.homework_completed,
        )

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


NOTHING = Tally(0, 0, 0, 0, 0)
"""The tally of no sittings."""


# -- completion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionRule:
    """When a parent has completed the programme (docs/rules.md, "Completion")."""

    min_attendance_rate: float = 0.5
    min_homework_rate: float = 0.0
    min_sessions_attended: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def is_met(self, tally: Tally) -> bool:
        """Enough sessions attended, a high enough attendance rate (a null rate passes only a 0
        minimum) and, when homework was assigned, a high enough homework rate."""
        counted = tally.sessions_held - tally.excused
        if counted == 0:
            rate_ok = self.min_attendance_rate == 0
        else:
            rate_ok = reaches(tally.attended, counted, self.min_attendance_rate)
        return (
            tally.attended >= self.min_sessions_attended
            and rate_ok
            and (tally.homework_assigned == 0
                 or reaches(tally.homework_completed, tally.homework_assigned, self.min_homework_rate))
        )


# -- rewards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Earnings:
    """What a parent earned, per source and in all (capped), in euro cents."""

    sessions_cents: int
    homework_cents: int
    assessment_cents: int
    earned_cents: int


@dataclass(frozen=True)
class Balance:
    """Earned against paid: what is outstanding, and whether a payout is due."""

    earned_cents: int
    paid_cents: int

    @property
    def outstanding_cents(self) -> int:
        return self.earned_cents - self.paid_cents

    @property
    def eligible(self) -> bool:
        return self.outstanding_cents > 0


@dataclass(frozen=True)
class RewardScheme:
    """What a parent earns for taking part (the toolkit's "Belonen in ruil voor betrokkenheid";
    Fryer, Levitt & List, NBER WP 21477). Amounts in euro cents; `cap_cents` None means no cap."""

    per_session_cents: int = 0
    per_homework_cents: int = 0
    per_assessment_cents: int = 0
    assessment_threshold: float = 0.5
    cap_cents: int | None = None
    payout: str = "cash"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def passes(self, score: float, max_score: float) -> bool:
        """Whether an assessment's score reaches the threshold (as a fraction of the maximum,
        compared exactly: a score exactly at the threshold passes)."""
        return reaches(score, max_score, self.assessment_threshold)

    def earned(self, tally: Tally, assessments_passed: int) -> Earnings:
        """Sessions attended, homework done and assessments passed, each at its rate; the sum
        capped at `cap_cents`. A withdrawn parent keeps what was earned."""
        sessions = tally.attended * self.per_session_cents
        homework = tally.homework_completed * self.per_homework_cents
        assessments = assessments_passed * self.per_assessment_cents
        earned = sessions + homework + assessments
        if self.cap_cents is not None:
            earned = min(earned, self.cap_cents)
        return Earnings(sessions, homework, assessments, earned)


# -- rules that change mid-year --------------------------------------------------------------


@dataclass(frozen=True)
class RuleChange:
    """A programme's completion rule and/or reward scheme replaced from a date on (RulesChanged)."""

    effective_from: Any  # a date (ISO text in the facts)
    completion: CompletionRule | None = None
    rewards: RewardScheme | None = None


class DatedSitting(NamedTuple):
    """A counted session's calendar date and what it recorded for the parent."""

    day: Any
    sitting: Sitting


class DatedResult(NamedTuple):
    """An assessment of the parent in the programme: the day it was taken, its score and maximum."""

    day: Any
    score: float
    max_score: float


@dataclass(frozen=True)
class Rulebook:
    """A programme's rules over time: those it was created with, then each change from its
    effective date on (docs/rules.md, "Rules that change mid-year")."""

    completion: CompletionRule
    rewards: RewardScheme
    changes: tuple[RuleChange, ...] = ()

    def in_force(self, day: Any) -> tuple[CompletionRule, RewardScheme]:
        """The rules in force on a day (None: the rules as created). Changes apply in order of
        their effective date; on the same date the one recorded later wins (a stable sort)."""
        completion, rewards = self.completion, self.rewards
        if day is None:
            return completion, rewards
        for change in sorted(self.changes, key=lambda c: c.effective_from):
            if change.effective_from > day:
                break
            completion = change.completion or completion
            rewards = change.rewards or rewards
        return completion, rewards

    @staticmethod
    def closing_day(sittings: Iterable[DatedSitting], results: Iterable[DatedResult]) -> Any:
        """The parent's last day in the figures: the latest counted session or assessment (None: neither)."""
        days = [s.day for s in sittings] + [r.day for r in results]
        return max(days) if days else None

    def is_met(self, tally: Tally, sittings: Iterable[DatedSitting], results: Iterable[DatedResult]) -> bool:
        """Completion, judged by the rule in force on the parent's closing day."""
        rule = self.in_force(self.closing_day(sittings, results))[0]
        return rule.is_met(tally)

    def earned(self, sittings: Iterable[DatedSitting], results: Iterable[DatedResult]) -> Earnings:
        """Each session, homework and assessment at the rate of the scheme in force on its day;
        the sum capped by the cap in force on the parent's closing day."""
        sittings, results = list(sittings), list(results)
        if not self.changes:
            return self.earned_throughout(Tally.count(s.sitting for s in sittings), results)
        sessions = homework = assessments = 0
        for day, (status, has_homework, done) in sittings:
            scheme = self.in_force(day)[1]
            sessions += scheme.per_session_cents if status == "present" else 0
            homework += scheme.per_homework_cents if has_homework and done else 0
        for r in results:
            scheme = self.in_force(r.day)[1]
            assessments += scheme.per_assessment_cents if scheme.passes(r.score, r.max_score) else 0
        earned = sessions + homework + assessments
        cap = self.in_force(self.closing_day(sittings, results))[1].cap_cents
        return Earnings(sessions, homework, assessments, earned if cap is None else min(earned, cap))

    def earned_throughout(self, tally: Tally, results: Iterable[DatedResult]) -> Earnings:
        """What was earned when one scheme held throughout (no changes): counted from the tally."""
        scheme = self.rewards
        return scheme.earned(tally, sum(1 for r in results if scheme.passes(r.score, r.max_score)))
