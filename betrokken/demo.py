"""The demo data set: three Dutch primary schools running PACT, Pittige Jaren, REAL home
visits and information evenings in the autumn of 2025, written through the programme
service's use cases only (so every rule is checked as it would be for staff).

Dates are fixed relative to REFERENCE_DATE and all randomness comes from one
`random.Random(seed)`: the same seed gives the same programmes, parents, roll calls and
payouts (ids and recording times differ, as they would for any staff member)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable
from uuid import UUID

from application.actor import Actor
from application.clock import SCHOOL_TZ
from application.programs import ProgramService
from application.schools import register_school
from betrokken.demo_trial import run_trial
from betrokken.demo_people import Family, draw_family, engagement, homework_done, roll_call_status
from domain.parent import Parent
from domain.rules import Balance
from domain.session import Session
from domain.training_program import TrainingProgram
from projections.todo import MIN_ABSENCES, trailing_absences

REFERENCE_DATE = date(2026, 1, 30)
"""Everything in the demo happened before this Friday (the data is the same whenever it is made)."""

DEMO_ACTOR = Actor(name="demo")
DEFAULT_SEED = 2025
PARENTS_PER_SCHOOL = 18
PER_PROGRAMME = 12

BOOKS = (
    "Kikker is verliefd", "Rupsje Nooitgenoeg", "Jip en Janneke", "Nijntje in de speeltuin",
    "Dikkie Dik", "Pluk van de Petteflet", "Dolfje Weerwolfje", "Het Vlindermeisje",
    "Max en de Maximonsters", "De Gruffalo",
)
PJ_THEMES = (
    "Samen spelen", "Prijzen en aanmoedigen", "Belonen", "Grenzen stellen", "Negeren",
    "Time-out", "Natuurlijke gevolgen", "Problemen oplossen", "Emoties benoemen",
    "Kalmeren", "Vriendschappen", "Voorlezen als ritueel", "Terugblik", "Afsluiting",
)


@dataclass(frozen=True)
class DemoSchool:
    """A demo school: BRIN code, name and the evening its programmes meet."""

    brin: str
    name: str
    weekday: int  # 0 = Monday
    evening: time


SCHOOLS = (
    DemoSchool("12AB", "OBS De Regenboog (Rotterdam-Zuid)", 1, time(19, 0)),
    DemoSchool("34CD", "Basisschool Het Palet (Utrecht-Overvecht)", 2, time(19, 30)),
    DemoSchool("56EF", "IKC De Vlinderboom (Amsterdam Nieuw-West)", 3, time(19, 15)),
)

PACT_REWARDS = {
    "per_session_cents": 500, "per_homework_cents": 250, "per_assessment_cents": 1000,
    "assessment_threshold": 0.6, "cap_cents": 10_000, "payout": "education_fund",
}
"""€5 a session, €2.50 a homework, €10 a tussentoets at or above 60%, at most €100, paid
into the education fund (the trust arm of Fryer, Levitt & List)."""

PJ_REWARDS = {"per_session_cents": 500, "cap_cents": 5_000, "payout": "cash"}
"""€5 a session attended, at most €50, in cash (the cash arm)."""


@dataclass
class DemoSummary:
    """What the demo made, for the command's report and the tests."""

    schools: list[str] = field(default_factory=list)
    parents: int = 0
    programs: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    cancelled: int = 0
    roll_calls: int = 0
    corrections: int = 0
    assessments: int = 0
    payouts: int = 0
    paid_cents: int = 0
    events: int = 0
    planted_missing_roll_calls: list[UUID] = field(default_factory=list)
    """Every session the demo left without a roll call (home visits never reported, and one
    forgotten meeting per school): what the to-do page lists."""
    planted_absences: list[tuple[UUID, UUID]] = field(default_factory=list)
    """Every (programme, parent) the demo left with two or more unexcused absences in a row
    (two planted per school, and any the random roll calls made)."""


def first_weekday_on_or_after(day: date, weekday: int) -> date:
    """The first date on or after `day` that falls on `weekday`."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def evening(day: date, at: time) -> datetime:
    """A Dutch evening time on a day, with its offset (summer or winter time)."""
    return datetime.combine(day, at, tzinfo=SCHOOL_TZ)


class DemoBuilder:
    """Fills an empty store with the demo data set through the programme service."""

    def __init__(self, service: ProgramService, seed: int = DEFAULT_SEED, actor: Actor = DEMO_ACTOR) -> None:
        self.service = service
        self.rng = random.Random(seed)
        self.actor = actor
        self.summary = DemoSummary()
        self.turns_up: dict[UUID, float] = {}

    # -- the whole data set -----------------------------------------------------------------

    def build(self) -> DemoSummary:
        """Make every school's families, programmes, sessions, roll calls and payouts."""
        for school in SCHOOLS:
            self.build_school(school)
        plant_todo(self)  # after the schools, so the rest of the data set stays as it was
        return self.summary

    def build_school(self, school: DemoSchool) -> None:
        """One school: its families, a PACT and a Pittige Jaren group, and its extras."""
        self.summary.schools.append(school.brin)
        parents = [self.register(school.brin, draw_family(self.rng, groups=(1, 5))) for _ in range(PARENTS_PER_SCHOOL)]
        self.run_pact(school, self.rng.sample(parents, PER_PROGRAMME))
        self.run_pittige_jaren(school, self.rng.sample(parents, PER_PROGRAMME))
        if school.brin == "12AB":
            self.run_real(school, self.rng.sample(parents, 4))
        if school.brin == "34CD":
            self.run_info_meetings(school, parents)

    def register(self, brin: str, family: Family) -> Parent:
        """Register a made-up family at the school."""
        parent = self.service.register_parent(
            school=brin, name=family.name, children=family.children, phone=family.phone,
            email=family.email, language=family.language, actor=self.actor,
        )
        self.turns_up[parent.id] = engagement(self.rng)
        self.summary.parents += 1
        return parent

    def create(self, school: DemoSchool, kind: str, name: str, starts_on: date, rewards: dict | None = None) -> TrainingProgram:
        program = self.service.create_program(
            school=school.brin, name=name, kind=kind, starts_on=starts_on, rewards=rewards, actor=self.actor,
        )
        self.summary.programs[kind] = self.summary.programs.get(kind, 0) + 1
        return program

    def enroll(self, program: TrainingProgram, parent: Parent, on: date, groups: tuple[int, int]) -> None:
        """Enrol a parent for their child in the programme's target groups (if any)."""
        child = next((c.id for c in parent.children.values() if groups[0] <= c.group <= groups[1]), None)
        self.service.enroll(program.id, parent_id=parent.id, child_id=child, enrolled_on=on, actor=self.actor)

    # -- programmes -------------------------------------------------------------------------

    def run_pact(self, school: DemoSchool, parents: list[Parent]) -> None:
        """PACT: 8 weekly reading meetings; the reading at home until the next is the homework.
        The last parent joins late (at the third meeting); 12AB's group earns rewards."""
        first = first_weekday_on_or_after(date(2025, 10, 27), school.weekday)
        rewards = PACT_REWARDS if school.brin == "12AB" else None
        program = self.create(school, "pact", f"PACT voorleestraining najaar 2025 – {school.name}", first, rewards)
        weeks = 8
        late = parents[-1]
        for p in parents[:-1]:
            self.enroll(program, p, first - timedelta(days=14), (1, 5))
        sessions = self.series(program, school, "PACT-bijeenkomst", first, weeks, "Ouderkamer",
                               homework="Lees elke dag 20 minuten samen uit het boek van de week en vul de leeskaart in")
        for i, session in enumerate(sessions):
            if i == 2:
                self.enroll(program, late, session.date, (1, 5))
            self.roll_call(program, session)
            if i > 0:
                self.homework(program, sessions[i - 1])  # checked at the next meeting
            if rewards and i == weeks // 2:
                self.pay(program, share=0.3)
        self.homework(program, sessions[-1])
        self.correct(program, sessions)
        self.tussentoets(program, parents, date(2026, 1, 20))
        if rewards:
            self.pay(program, share=0.7)

    def run_pittige_jaren(self, school: DemoSchool, parents: list[Parent]) -> None:
        """Pittige Jaren: 14 weekly two-hour meetings; one is cancelled, one parent withdraws.
        56EF's group earns €5 a meeting in cash."""
        first = first_weekday_on_or_after(date(2025, 9, 8), school.weekday)
        rewards = PJ_REWARDS if school.brin == "56EF" else None
        program = self.create(school, "pittige_jaren", f"Pittige Jaren 2025 – {school.name}", first, rewards)
        for p in parents:
            self.enroll(program, p, first - timedelta(days=7), (1, 4))
        sessions = self.series(program, school, "Pittige Jaren", first, 14, "Speellokaal")
        cancelled = self.rng.randint(4, 9)
        leaver = self.rng.choice(parents)
        for i, session in enumerate(sessions):
            if i == 6:
                self.service.withdraw(program.id, parent_id=leaver.id, withdrawn_on=session.date,
                                      reason="Verhuisd naar een andere gemeente", actor=self.actor)
            if i == cancelled:
                self.service.cancel_session(session.id, reason="Vervalt: trainer ziek", actor=self.actor)
                self.summary.cancelled += 1
                continue
            self.roll_call(program, session)
        self.correct(program, [s for i, s in enumerate(sessions) if i != cancelled])
        if rewards:
            self.pay(program, share=0.8)

    def run_real(self, school: DemoSchool, families: list[Parent]) -> None:
        """REAL: a home visit to each family every three weeks plus two group meetings; some
        visits were moved (cancelled) or not yet reported, so delivered < planned."""
        first = date(2025, 9, 15)
        program = self.create(school, "real", f"REAL huisbezoeken 2025-2026 – {school.name}", first)
        for p in families:
            self.enroll(program, p, first, (1, 2))
        for n, parent in enumerate(families):
            for visit in range(6):
                day = first + timedelta(days=n + 21 * visit)
                session = self.service.schedule_session(
                    program.id, title=f"Huisbezoek {visit + 1}", starts_at=evening(day, time(15, 30)),
                    location="Bij het gezin thuis", participants=[parent.id], actor=self.actor,
                )
                self.summary.sessions += 1
                draw = self.rng.random()
                if draw < 0.12:
                    self.service.cancel_session(session.id, reason="Huisbezoek verzet op verzoek van het gezin", actor=self.actor)
                    self.summary.cancelled += 1
                elif draw < 0.22:
                    continue  # planned, never reported: not delivered
                else:
                    self.roll_call(program, session)
        for n, day in enumerate((date(2025, 10, 9), date(2025, 12, 4))):
            group = self.service.schedule_session(
                program.id, title=f"REAL groepsbijeenkomst {n + 1}", starts_at=evening(day, time(9, 0)),
                location="Bibliotheek", actor=self.actor,
            )
            self.summary.sessions += 1
            self.roll_call(program, group)

    def run_info_meetings(self, school: DemoSchool, parents: list[Parent]) -> None:
        """Three information evenings led by the head, the third after the first report."""
        first = date(2025, 9, 25)
        program = self.create(school, "info_meetings", f"Informatieavonden 2025-2026 – {school.name}", first)
        for p in parents:
            self.enroll(program, p, first - timedelta(days=10), (1, 8))
        titles = ("Kennismaking met de groep", "Hoe helpt u thuis bij lezen en rekenen?", "Het eerste rapport")
        for title, day in zip(titles, (first, date(2025, 10, 9), date(2026, 1, 22))):
            session = self.service.schedule_session(
                program.id, title=f"Informatieavond: {title}", starts_at=evening(day, time(19, 30)),
                location="Aula", actor=self.actor,
            )
            self.summary.sessions += 1
            self.roll_call(program, session)

    # -- sessions ---------------------------------------------------------------------------

    def series(self, program: TrainingProgram, school: DemoSchool, title: str, first: date, weeks: int,
               location: str, homework: str | None = None) -> list[Session]:
        sessions = self.service.schedule_series(
            program.id, title=title, first_starts_at=evening(first, school.evening), weeks=weeks,
            location=location, homework=homework, actor=self.actor,
        )
        self.summary.sessions += len(sessions)
        return sessions

    def counted(self, program_id: UUID, session: Session) -> list[UUID]:
        """The parents a session counts for: enrolled on its date (and named, for a home visit)."""
        program = self.service.program(program_id, self.actor)
        wanted = session.participants if session.participants is not None else program.enrolled_parents()
        return [p for p in wanted if program.is_enrolled_on(p, session.date)]

    def roll_call(self, program: TrainingProgram, session: Session) -> None:
        """Take the roll call; now and then a parent simply is not ticked (counts as absent)."""
        records = [
            (p, roll_call_status(self.rng, self.turns_up[p]))
            for p in self.counted(program.id, session)
            if self.rng.random() > 0.03
        ]
        if records:
            self.service.take_roll_call(session.id, records, actor=self.actor)
            self.summary.roll_calls += 1

    def homework(self, program: TrainingProgram, session: Session) -> None:
        """Check a meeting's reading homework: done or not, for everyone it counts for."""
        fresh = self.service.session(session.id, self.actor)
        if not fresh.held:
            return
        records = [
            (p, homework_done(self.rng, self.turns_up[p], fresh.attendance.get(p) == "present"))
            for p in self.counted(program.id, fresh)
        ]
        self.service.record_homework(session.id, records, actor=self.actor)

    def correct(self, program: TrainingProgram, sessions: list[Session]) -> None:
        """Two roll-call corrections: someone marked absent had come in late, or had called in."""
        for session in self.rng.sample(sessions, 2):
            fresh = self.service.session(session.id, self.actor)
            marked = [(p, s) for p, s in fresh.attendance.items() if s != "present"] or list(fresh.attendance.items())
            if not marked:
                continue
            parent_id, status = self.rng.choice(marked)
            new = "present" if status != "present" else "excused"
            self.service.take_roll_call(session.id, [(parent_id, new)], actor=self.actor)
            self.summary.corrections += 1

    # -- results and money ------------------------------------------------------------------

    def tussentoets(self, program: TrainingProgram, parents: list[Parent], taken_on: date) -> None:
        """The mid-year reading test (tussentoets) of each enrolled child, 40 questions."""
        enrolments = self.service.program(program.id, self.actor).enrolments
        for parent in parents:
            enrolment = enrolments.get(parent.id)
            child_id = enrolment[0].child_id if enrolment else None
            if child_id is None:
                continue
            score = round(min(40, max(8, self.rng.gauss(18 + 16 * self.turns_up[parent.id], 5))))
            self.service.record_assessment(
                parent.id, program_id=program.id, child_id=child_id, name="Tussentoets begrijpend lezen (midden)",
                score=score, max_score=40, taken_on=taken_on, actor=self.actor,
            )
            self.summary.assessments += 1

    def pay(self, program: TrainingProgram, share: float) -> None:
        """Pay out what some parents have earned so far, never more than is outstanding."""
        current = self.service.program(program.id, self.actor)
        for parent_id in current.enrolled_parents():
            if self.rng.random() > share:
                continue
            balance = Balance(self.service.earned_cents(current, parent_id), current.paid_cents(parent_id))
            if not balance.eligible:
                continue
            due = balance.outstanding_cents
            amount = due if self.rng.random() < 0.75 else due // 2
            if amount <= 0:
                continue
            self.service.record_payout(
                program.id, parent_id=parent_id, amount_cents=amount, method=current.rewards.payout, actor=self.actor,
            )
            self.summary.payouts += 1
            self.summary.paid_cents += amount


def fill_demo(service: ProgramService, seed: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Write the demo data set into the service's (empty) store."""
    before = service.recorder.max_notification_id() or 0
    builder = DemoBuilder(service, seed)
    summary = builder.build()
    run_trial(builder, SCHOOLS[0])  # the reward study with cash, fund and control arms (demo_trial.py)
    # What the demo left to do, once the trial ran too (its roll calls leave absences of their own).
    summary.planted_missing_roll_calls, summary.planted_absences = left_to_do(service, builder.actor)
    summary.events = (service.recorder.max_notification_id() or 0) - before
    return summary


REGIONS = {"12AB": "midden", "34CD": "midden", "56EF": "noord"}
"""The demo schools' holiday regions (Rotterdam and Utrecht: midden; Amsterdam: noord)."""


def plant_todo(builder: DemoBuilder) -> None:
    """Register the demo schools, and give the to-do page something to show: at each school a
    follow-up meeting of its Pittige Jaren group where two parents were absent after an absence
    already, then one more meeting nobody took the roll call of."""
    service, actor = builder.service, builder.actor
    for school in SCHOOLS:
        register_school(service, brin=school.brin, name=school.name, region=REGIONS[school.brin], actor=actor)
    for n, school in enumerate(SCHOOLS):
        program = next(p for p in service.programs(actor) if p.school == school.brin and p.kind == "pittige_jaren")
        enrolled = [p for p in program.enrolled_parents() if program.current_enrolment(p) is not None]
        absent = enrolled[n: n + 2]
        for week, day in enumerate((date(2026, 1, 13), date(2026, 1, 20))):
            session = service.schedule_session(
                program.id, title=f"Terugkombijeenkomst {week + 1}", starts_at=evening(day, school.evening),
                location="Speellokaal", actor=actor)
            builder.summary.sessions += 1
            records = [(p, "absent" if p in absent else "present") for p in enrolled]
            service.take_roll_call(session.id, records, actor=actor)
            builder.summary.roll_calls += 1
        service.schedule_session(  # the meeting nobody takes the roll call of
            program.id, title="Terugkombijeenkomst 3", starts_at=evening(date(2026, 1, 27), school.evening),
            location="Speellokaal", actor=actor)
        builder.summary.sessions += 1


def left_to_do(service: ProgramService, actor: Actor) -> tuple[list[UUID], list[tuple[UUID, UUID]]]:
    """What the demo left to do, from its aggregates: sessions without a roll call, and the
    parents still enrolled whose latest roll calls are two or more unexcused absences in a row."""
    missing, absences = [], []
    for program in service.programs(actor):
        sessions = [s for s in service.sessions(program.id, actor) if not s.cancelled]
        missing += [s.id for s in sessions if not s.attendance]
        for parent in program.enrolled_parents():
            run = [(s.attendance[parent], str(s.id), "") for s in sessions if parent in s.attendance]
            if program.current_enrolment(parent) is not None and trailing_absences(run)[0] >= MIN_ABSENCES:
                absences.append((program.id, parent))
    return missing, absences
