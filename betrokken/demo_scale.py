"""More of the same for benchmarks: extra schools, each with a PACT and a Pittige Jaren group,
until the demo has N parents. Built as aggregates whose own methods check every rule
(enrolment on the session's date, outstanding before a payout) and saved a school at a time
with `service.save`: one multi-aggregate transaction per school instead of a command each,
which is what makes a million events take minutes rather than an hour."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, time as clock_time, timedelta
from typing import Callable, Iterator
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.programs import ProgramService
from betrokken.demo import DEMO_ACTOR, PACT_REWARDS, SCHOOLS, evening, first_weekday_on_or_after
from betrokken.demo_people import draw_family, engagement, homework_done, roll_call_status
from domain import participation
from domain.parent import Parent
from domain.session import Session
from domain.training_program import TrainingProgram

PARENTS_PER_SCHOOL = 48
PACT_WEEKS = 10
PJ_WEEKS = 14
LETTERS = "ABCDEFGHJKLMNPRSTUVWXZ"
EVENINGS = ((19, 0), (19, 15), (19, 30), (20, 0))


@dataclass
class ScaleProgress:
    """Running totals while the extra schools are written."""

    schools: int = 0
    parents: int = 0
    events: int = 0
    seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def brin_codes() -> Iterator[str]:
    """BRIN-like codes (two digits, two letters) not used by the hand-made demo schools."""
    taken = {s.brin for s in SCHOOLS}
    for letters in ((a + b) for a in LETTERS for b in LETTERS):
        for digits in range(10, 100):
            code = f"{digits:02d}{letters}"
            if code not in taken:
                yield code


class SchoolBlock:
    """One extra school's families, programmes, sessions, roll calls, results and payouts."""

    def __init__(self, brin: str, n_parents: int, rng: random.Random) -> None:
        self.brin = brin
        self.rng = rng
        self.weekday = rng.randint(0, 3)
        self.evening = clock_time(*rng.choice(EVENINGS))
        self.parents = [self.register() for _ in range(n_parents)]
        self.turns_up = {p.id: engagement(rng) for p in self.parents}
        self.programs: list[TrainingProgram] = []
        self.sessions: list[Session] = []

    def register(self) -> Parent:
        family = draw_family(self.rng, groups=(1, 5))
        return Parent.register(
            school=self.brin, name=family.name, phone=family.phone, email=family.email,
            language=family.language, children=family.children, actor=DEMO_ACTOR.name,
        )

    def build(self) -> list[Aggregate]:
        """Run both programmes and return every aggregate with its pending events."""
        half = len(self.parents) // 2
        self.run(self.parents[:half], "pact", f"PACT voorleestraining najaar 2025 – {self.brin}",
                 first_weekday_on_or_after(date(2025, 10, 27), self.weekday), PACT_WEEKS, PACT_REWARDS,
                 homework="Lees elke dag 20 minuten samen uit het boek van de week")
        self.run(self.parents[half:], "pittige_jaren", f"Pittige Jaren 2025 – {self.brin}",
                 first_weekday_on_or_after(date(2025, 9, 8), self.weekday), PJ_WEEKS, None, homework=None)
        return [*self.parents, *self.programs, *self.sessions]

    def child_of(self, parent: Parent) -> UUID | None:
        return next((c.id for c in parent.children.values() if c.group <= 5), None)

    def run(self, parents: list[Parent], kind: str, name: str, first: date, weeks: int,
            rewards: dict | None, homework: str | None) -> None:
        """Enrol, meet weekly (one meeting cancelled), roll calls, a correction, homework,
        a late joiner and a leaver, the tussentoets, and payouts of what was earned."""
        if not parents:
            return
        rng, actor = self.rng, DEMO_ACTOR.name
        program = TrainingProgram.create(school=self.brin, name=name, kind=kind, starts_on=first,
                                         completion=None, rewards=rewards, actor=actor)
        self.programs.append(program)
        late, leaver = parents[-1], parents[0]
        for p in parents[:-1]:
            program.enroll(parent_id=p.id, parent_school=p.school, child_id=self.child_of(p), enrolled_on=first - timedelta(days=7), actor=actor)
        sessions = [
            Session.schedule(program_id=program.id, title=f"{kind} {i + 1}", starts_at=evening(first + timedelta(weeks=i), self.evening),
                             location="Ouderkamer", homework=homework, participants=None, actor=actor)
            for i in range(weeks)
        ]
        self.sessions.extend(sessions)
        cancelled = rng.randrange(2, weeks)
        for i, session in enumerate(sessions):
            if i == 2:
                program.enroll(parent_id=late.id, parent_school=late.school, child_id=self.child_of(late), enrolled_on=session.date, actor=actor)
            if i == weeks // 2 and len(parents) > 1:
                program.withdraw(parent_id=leaver.id, withdrawn_on=session.date, reason="Verhuisd", actor=actor)
            if i == cancelled:
                session.cancel(reason="Vervalt: trainer ziek", actor=actor)
                continue
            counted = [p.id for p in parents if program.is_enrolled_on(p.id, session.date)]
            program.ensure_enrolled_on(session.date, counted)
            session.record_attendance([(p, roll_call_status(rng, self.turns_up[p])) for p in counted], actor=actor)
            if homework:
                session.record_homework(
                    [(p, homework_done(rng, self.turns_up[p], session.attendance.get(p) == "present")) for p in counted],
                    actor=actor,
                )
        held = [s for s in sessions if s.held]
        if held:  # one roll-call correction per programme
            fix = rng.choice(held)
            parent_id, status = rng.choice(list(fix.attendance.items()))
            fix.record_attendance([(parent_id, "present" if status != "present" else "excused")], actor=actor)
        for p in parents:
            child = self.child_of(p)
            if kind == "pact" and child is not None:
                score = round(min(40, max(8, rng.gauss(18 + 16 * self.turns_up[p.id], 5))))
                p.record_assessment(program_id=program.id, child_id=child, name="Tussentoets begrijpend lezen (midden)",
                                    score=score, max_score=40, taken_on=date(2026, 1, 20), actor=actor)
        if rewards:
            for p in parents:
                earned = participation.earnings(program, sessions, p.assessments, p.id).earned_cents
                if earned > 0 and rng.random() < 0.7:
                    program.record_payout(parent_id=p.id, amount_cents=earned, method=program.rewards.payout,
                                          earned_cents=earned, actor=actor)


def add_schools(
    service: ProgramService,
    extra_parents: int,
    seed: int,
    report: Callable[[ScaleProgress], None] | None = None,
    report_every: float = 2.0,
) -> ScaleProgress:
    """Add schools of PARENTS_PER_SCHOOL parents until `extra_parents` more are registered."""
    rng = random.Random(seed * 7919 + 1)
    progress = ScaleProgress()
    codes = brin_codes()
    started = last = time.perf_counter()
    while progress.parents < extra_parents:
        n = min(PARENTS_PER_SCHOOL, extra_parents - progress.parents)
        aggregates = SchoolBlock(next(codes), n, rng).build()
        progress.events += len(service.save(*aggregates))
        progress.schools += 1
        progress.parents += n
        now = time.perf_counter()
        progress.seconds = now - started
        if report and now - last >= report_every:
            report(progress)
            last = now
    progress.seconds = time.perf_counter() - started
    return progress
