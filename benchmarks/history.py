"""Commands on a programme with a long history: 1,000 enrolments in a row (each timed, so the
1,000th can be compared with the 10th), then one-event commands on the 1,000-event programme:
more enrolments (the programme changes) and roll calls of one parent (the programme is checked),
warm (the aggregate cache) and cold (a fresh process: the programme's latest snapshot and the
events after it, docs/snapshots.md)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable
from uuid import UUID

from adapters.config import StoreConfig
from application.clock import SCHOOL_TZ
from application.programs import ProgramService
from betrokken.system import open_service, open_system


@dataclass
class History:
    """Milliseconds per enrolment in order, and per command on the long programme."""

    enrolments: list[float]
    warm: list[float]  # enrolments after the first 1,000
    roll_calls: list[float]  # a roll call of one parent on one of the programme's sessions
    cold_ms: float  # the same roll call, in a process that has not loaded the programme yet
    events: int

    def window(self, around: int, width: int = 10) -> float:
        """The median of the enrolments numbered around-width/2 .. around+width/2 (1-based)."""
        lo = max(0, around - 1 - width // 2)
        return statistics.median(self.enrolments[lo:lo + width])


def open_for_bench(config: StoreConfig, projector: bool) -> tuple[ProgramService, Callable[[], None]]:
    """The service with the composition root's in-process projector following every save (as
    `betrokken serve` runs it), or the bare service (projections left to catch up later); and
    what closes it."""
    if projector:
        system = open_system(config)
        return system.service, system.close
    service = open_service(config)
    return service, service.close


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def _parents(service: ProgramService, n: int) -> list[UUID]:
    return [service.register_parent(school="12AB", name=f"Ouder {i}").id for i in range(n)]


def bench_history(config: StoreConfig, enrolments: int = 1000, commands: int = 50, projector: bool = True) -> History:
    """Enrol `enrolments` parents one by one, then time `commands` more enrolments and roll calls
    warm, and one roll call cold."""
    service, close = open_for_bench(config, projector)
    try:
        program = service.create_program(school="12AB", name="Lange geschiedenis", kind="pact", starts_on=date(2024, 1, 1))
        parents = _parents(service, enrolments + commands + 1)
        times = [_timed(lambda p=p: service.enroll(program.id, parent_id=p, enrolled_on=date(2024, 1, 1)))
                 for p in parents[:enrolments]]
        warm = [_timed(lambda p=p: service.enroll(program.id, parent_id=p, enrolled_on=date(2024, 1, 1)))
                for p in parents[enrolments:enrolments + commands]]
        events = service.program(program.id).version
        first = datetime(2024, 1, 9, 19, 30, tzinfo=SCHOOL_TZ)
        sessions = [s.id for s in service.schedule_series(program.id, title="Bijeenkomst", first_starts_at=first,
                                                            weeks=commands + 1)]
        roll_calls = [_timed(lambda s=s: service.take_roll_call(s, [(parents[0], "present")])) for s in sessions[1:]]
    finally:
        close()
    fresh = open_service(config)  # a process that has not seen the programme yet
    try:
        fresh.parent(parents[0])  # its connections opened (what a server has done before any request)
        cold = _timed(lambda: fresh.take_roll_call(sessions[0], [(parents[0], "present")]))
    finally:
        fresh.close()
    return History(times, warm, roll_calls, cold, events)
