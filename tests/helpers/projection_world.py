"""The programme service and its projections on one store (a World), and a helper that holds
every (programme, parent) row to the oracle (tests/oracle.py: the figures counted from the aggregates)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable
from uuid import UUID

from adapters.config import StoreConfig
from betrokken.system import open_service_with_projections
from application.programs import ProgramService
from projections import Projections
from tests.oracle import ParentFigures, figures

CET = timezone(timedelta(hours=1))


@dataclass
class World:
    """The service with the projections wired in as the System does."""

    config: StoreConfig
    service: ProgramService
    projections: Projections

    def program(self, *, completion: dict[str, Any] | None = None, rewards: dict[str, Any] | None = None,
                kind: str = "custom") -> UUID:
        return self.service.create_program(
            school="12AB", name="Groep 5", kind=kind, starts_on=date(2025, 1, 1),
            completion=completion, rewards=rewards,
        ).id

    def parent(self, program_id: UUID | None = None, enrolled_on: date = date(2025, 1, 1)) -> UUID:
        parent = self.service.register_parent(school="12AB", name="Ouder", children=[("Kind", 5)])
        if program_id is not None:
            self.service.enroll(program_id, parent_id=parent.id, enrolled_on=enrolled_on)
        return parent.id

    def session(self, program_id: UUID, day: date, *, homework: str | None = None,
                participants: list[UUID] | None = None, hour: int = 19, tz: timezone = CET) -> UUID:
        starts = datetime(day.year, day.month, day.day, hour, 0, tzinfo=tz)
        return self.service.schedule_session(
            program_id, title="Bijeenkomst", starts_at=starts, homework=homework, participants=participants
        ).id

    def row(self, view: str, program_id: UUID, parent_id: UUID) -> dict[str, Any]:
        rows = self.projections.attendance(program_id)["parents"] if view == "attendance" else getattr(
            self.projections, view)(program_id)
        (found,) = [r for r in rows if r["parent_id"] == str(parent_id)]
        return found


def open_world(config: StoreConfig) -> World:
    return World(config, *open_service_with_projections(config))


def expected_rows(f: ParentFigures) -> dict[str, dict[str, Any]]:
    """The oracle's figures in the shape of the three views."""
    pid = str(f.parent_id)
    return {
        "attendance": {"parent_id": pid, "sessions_held": f.sessions_held, "attended": f.attended,
                       "excused": f.excused, "absent": f.absent, "attendance_rate": f.attendance_rate},
        "completion": {"parent_id": pid, "attended": f.attended, "attendance_rate": f.attendance_rate,
                       "homework_assigned": f.homework_assigned, "homework_completed": f.homework_completed,
                       "homework_rate": f.homework_rate, "completed": f.completed, "arm": f.arm},
        "rewards": {"parent_id": pid, "sessions_cents": f.sessions_cents, "homework_cents": f.homework_cents,
                    "assessment_cents": f.assessment_cents, "earned_cents": f.earned_cents,
                    "paid_cents": f.paid_cents, "outstanding_cents": f.outstanding_cents, "eligible": f.eligible,
                    "arm": f.arm, "cash_cents": f.cash_cents, "fund_cents": f.fund_cents,
                    "released_cents": f.released_cents, "forfeited_cents": f.forfeited_cents,
                    "fund_balance_cents": f.fund_balance_cents},
    }


def assert_matches_oracle(w: World) -> int:
    """Every (programme, parent) row of every view equals the oracle's; returns rows checked."""
    checked = 0
    for program in w.service.programs():
        parents = program.enrolled_parents()
        views = {
            "attendance": w.projections.attendance(program.id)["parents"],
            "completion": w.projections.completion(program.id),
            "rewards": w.projections.rewards(program.id),
        }
        for name, rows in views.items():
            assert [r["parent_id"] for r in rows] == [str(p) for p in parents], name
        for i, parent_id in enumerate(parents):
            expected = expected_rows(figures(w.service, program.id, parent_id))
            for name, rows in views.items():
                assert rows[i] == expected[name], (name, program.id, parent_id)
                checked += 1
        sessions = w.projections.attendance(program.id)["sessions"]
        held_sessions = [s for s in w.service.sessions(program.id) if not s.cancelled]
        assert [s["session_id"] for s in sessions] == [str(s.id) for s in held_sessions]
        for row, s in zip(sessions, held_sessions):
            counted = [p for p in parents if s.held and (s.participants is None or p in s.participants)
                       and program.is_enrolled_on(p, s.date)]
            present = sum(s.attendance.get(p) == "present" for p in counted)
            excused = sum(s.attendance.get(p) == "excused" for p in counted)
            assert row == {"session_id": str(s.id), "starts_at": s.starts_at.isoformat(), "present": present,
                           "excused": excused, "absent": len(counted) - present - excused}
    return checked


def dump(p: Projections) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the read-model store, rows sorted (to compare two builds)."""
    from projections.catch_up import all_tables

    out = {}
    for table in all_tables():
        if table == "projection_meta":
            continue
        out[table] = sorted(tuple(str(v) for v in r) for r in p.db.query(f"SELECT * FROM {table}"))
    return out


def random_commands(w: World, rng: "random.Random", count: int, after_each: Callable[[], None] | None = None) -> int:
    """Run `count` random staff commands (some refused, as in real life), calling `after_each`
    after each; returns those accepted."""
    from application.rule_changes import change_rules
    from domain.errors import DomainError

    svc = w.service
    programs: list[UUID] = []
    sessions: dict[UUID, list[UUID]] = {}
    accepted = 0
    start = date(2025, 1, 6)
    for _ in range(count):
        kind = rng.random()
        try:
            if not programs or kind < 0.03:
                programs.append(w.program(
                    completion={"min_attendance_rate": rng.choice([0, 0.5, 0.75]),
                                "min_homework_rate": rng.choice([0, 0.5]),
                                "min_sessions_attended": rng.choice([0, 1, 3])},
                    rewards={"per_session_cents": rng.choice([0, 250, 500]), "per_homework_cents": rng.choice([0, 100]),
                             "per_assessment_cents": rng.choice([0, 1000]), "assessment_threshold": rng.choice([0.5, 0.6]),
                             "cap_cents": rng.choice([None, 1500])},
                ))
                sessions[programs[-1]] = []
                continue
            prog = rng.choice(programs)
            program = svc.program(prog)
            parents = program.enrolled_parents()
            day = start + timedelta(days=rng.randrange(0, 70))
            if not parents or kind < 0.12:
                w.parent(prog, enrolled_on=day)
            elif not sessions[prog] or kind < 0.22:
                participants = [rng.choice(parents)] if rng.random() < 0.15 else None
                sessions[prog].append(w.session(prog, day, homework="Lezen" if rng.random() < 0.5 else None,
                                                participants=participants, hour=rng.choice([0, 9, 19, 23])))
            elif kind < 0.6:
                s = svc.session(rng.choice(sessions[prog]))
                who = [p for p in (s.participants or parents) if program.is_enrolled_on(p, s.date)]
                records = [(p, rng.choice(["present", "present", "absent", "excused"])) for p in who if rng.random() < 0.8]
                svc.take_roll_call(s.id, records)
            elif kind < 0.75:
                s = svc.session(rng.choice(sessions[prog]))
                who = [p for p in (s.participants or parents) if program.is_enrolled_on(p, s.date)]
                svc.record_homework(s.id, [(p, rng.random() < 0.7) for p in who])
            elif kind < 0.81:
                svc.withdraw(prog, parent_id=rng.choice(parents), reason="reden", withdrawn_on=day)
            elif kind < 0.85:
                svc.enroll(prog, parent_id=rng.choice(parents), enrolled_on=day)
            elif kind < 0.88:
                svc.cancel_session(rng.choice(sessions[prog]), reason="vervalt")
            elif kind < 0.94:
                parent = svc.parent(rng.choice(parents))
                svc.record_assessment(parent.id, program_id=prog, child_id=next(iter(parent.children)), name="toets",
                                      score=rng.choice([3, 5, 6, 7.5, 10]), max_score=10, taken_on=day)
            elif kind < 0.96:  # the rules change from a day on (docs/rules.md, "Rules that change mid-year")
                change_rules(svc, prog, effective_from=day, reason="nieuw besluit",
                             completion={"min_sessions_attended": rng.choice([0, 1, 2])} if rng.random() < 0.5 else None,
                             rewards={"per_session_cents": rng.choice([0, 300, 700]),
                                      "assessment_threshold": rng.choice([0.5, 0.7]), "cap_cents": rng.choice([None, 900])})
            else:
                parent_id = rng.choice(parents)
                outstanding = figures(w.service, prog, parent_id).outstanding_cents
                amount = rng.choice([1, max(outstanding, 1), outstanding + 1, 100])
                svc.record_payout(prog, parent_id=parent_id, amount_cents=amount, method="cash")
            accepted += 1
        except DomainError:
            pass
        if after_each is not None:
            after_each()
    return accepted
