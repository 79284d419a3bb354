"""The programme service and its projections on one store (a World), and a helper that holds
every (programme, parent) row to domain/figures.py, the plain statement of API.md's rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from application.config import StoreConfig
from application.factory import open_service
from application.programs import ProgramService
from domain.figures import ParentFigures
from projections import Projections, open_projections

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
    service = open_service(config)
    projections = open_projections(config, service)
    service.earned_cents = lambda program, parent_id: projections.earned_cents(program.id, parent_id)
    return World(config, service, projections)


def expected_rows(f: ParentFigures) -> dict[str, dict[str, Any]]:
    """The oracle's figures in the shape of the three views."""
    pid = str(f.parent_id)
    return {
        "attendance": {"parent_id": pid, "sessions_held": f.sessions_held, "attended": f.attended,
                       "excused": f.excused, "absent": f.absent, "attendance_rate": f.attendance_rate},
        "completion": {"parent_id": pid, "attended": f.attended, "attendance_rate": f.attendance_rate,
                       "homework_assigned": f.homework_assigned, "homework_completed": f.homework_completed,
                       "homework_rate": f.homework_rate, "completed": f.completed},
        "rewards": {"parent_id": pid, "sessions_cents": f.sessions_cents, "homework_cents": f.homework_cents,
                    "assessment_cents": f.assessment_cents, "earned_cents": f.earned_cents,
                    "paid_cents": f.paid_cents, "outstanding_cents": f.outstanding_cents, "eligible": f.eligible},
    }


def assert_matches_oracle(w: World) -> int:
    """Every (programme, parent) row of every view equals domain/figures.py; returns rows checked."""
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
            expected = expected_rows(w.service.figures(program.id, parent_id))
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
