"""An in-process index of which parents, programmes and sessions exist, where they belong, and
which erasure requests are held.

The event store answers "give me aggregate X" but not "which programmes does school 12AB
run". The directory reads only the creation events (and the erasure requests' outcomes) (by topic, from the position it last saw),
so it stays current with writes from any process at the cost of one indexed range query.
It reads the events with their personal fields still sealed: where a parent belongs is never
behind a key (a key this host cannot open leaves the listing and the scoping intact).

Web threads share one directory: every read refreshes and copies out under the lock, so no
thread iterates a dict while another's refresh adds to it."""

from __future__ import annotations

import threading
from datetime import date
from dataclasses import dataclass, field
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from adapters.personal_data import PersonalDataMapper
from domain.parent import Parent
from domain.school import School
from domain.session import Session
from domain.training_program import TrainingProgram

PAGE = 1000


@dataclass
class Directory:
    """Parents and programmes per school, sessions per programme, in order of creation."""

    app: Application
    position: int = 0
    parents: dict[UUID, str] = field(default_factory=dict)
    programs: dict[UUID, str] = field(default_factory=dict)
    sessions: dict[UUID, list[UUID]] = field(default_factory=dict)
    schools: dict[str, UUID] = field(default_factory=dict)  # BRIN -> the register's aggregate
    held: dict[UUID, date] = field(default_factory=dict)  # erasure requests held, until when
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # Each handler takes the event class of its topic, which only the topic says.
        self.topics: dict[str, Callable[[Any], None]] = {
            get_topic(Parent.Registered): self._parent,
            get_topic(TrainingProgram.Created): self._program,
            get_topic(Session.Scheduled): self._session,
            get_topic(School.Registered): self._school,
            # the erasure requests' outcomes (events declared by @event, not attributes mypy sees)
            f"{get_topic(Parent)}.ErasureHeld": self._held,
            f"{get_topic(Parent)}.ErasureRefused": self._request_ended,
            f"{get_topic(Parent)}.Erased": self._request_ended,
        }

    def refresh(self) -> None:
        """Read the creation events written since the last look."""
        with self.lock:
            self._refresh()

    def _refresh(self) -> None:
        # The caller holds self.lock.
        mapper = self.app.mapper
        decode = mapper.to_sealed_domain_event if isinstance(mapper, PersonalDataMapper) else mapper.to_domain_event
        while True:
            page = self.app.recorder.select_notifications(
                start=self.position, limit=PAGE, topics=list(self.topics), inclusive_of_start=False
            )
            for n in page:
                self.topics[n.topic](decode(n))
                self.position = n.id
            if len(page) < PAGE:
                return

    def _parent(self, e: Parent.Registered) -> None:
        self.parents[e.originator_id] = e.school

    def _program(self, e: TrainingProgram.Created) -> None:
        self.programs[e.originator_id] = e.school

    def _session(self, e: Session.Scheduled) -> None:
        self.sessions.setdefault(e.program_id, []).append(e.originator_id)

    def _school(self, e: School.Registered) -> None:
        self.schools[e.brin] = e.originator_id

    def _held(self, e: Any) -> None:
        self.held[e.originator_id] = e.until

    def _request_ended(self, e: Any) -> None:
        self.held.pop(e.originator_id, None)

    def erasures_due(self, schools: frozenset[str] | None, on: date) -> list[tuple[UUID, date]]:
        """Held erasure requests whose date has passed (on or before `on`) at these schools: back
        on the to-do list until the sweep (or an admin) erases the parent or refuses the request."""
        with self.lock:
            self._refresh()
            return sorted(((p, until) for p, until in self.held.items()
                           if until <= on and (schools is None or self.parents.get(p) in schools)),
                          key=lambda x: (x[1], str(x[0])))

    def programs_of(self, schools: frozenset[str] | None) -> list[UUID]:
        """The programmes of these schools (all when None), in order of creation."""
        with self.lock:
            self._refresh()
            return [p for p, s in self.programs.items() if schools is None or s in schools]

    def parents_of(self, schools: frozenset[str] | None) -> list[UUID]:
        """The parents registered at these schools (all when None), in order of registration."""
        with self.lock:
            self._refresh()
            return [p for p, s in self.parents.items() if schools is None or s in schools]

    def sessions_of(self, program_id: UUID) -> list[UUID]:
        """The sessions of a programme, in order of scheduling."""
        with self.lock:
            self._refresh()
            return list(self.sessions.get(program_id, []))

    def school_of_each(self) -> dict[UUID, str]:
        """The school of every parent, programme and session (a session's is its programme's)."""
        with self.lock:
            self._refresh()
            found = {**self.parents, **self.programs}
            for program_id, sessions in self.sessions.items():
                found.update((s, self.programs.get(program_id, "")) for s in sessions)
            return found

    def schools_of(self, schools: frozenset[str] | None) -> list[UUID]:
        """The registered schools among these BRIN codes (all when None), in order of registration."""
        with self.lock:
            self._refresh()
            return [i for brin, i in self.schools.items() if schools is None or brin in schools]
