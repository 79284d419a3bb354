"""The service on a real store (a SQLite file, and PostgreSQL), with a small programme in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from betrokken.system import open_service
from application.programs import ProgramService

CEST = timezone(timedelta(hours=2))


@dataclass
class Pact:
    service: ProgramService
    program_id: UUID
    parents: list[UUID]
    session_id: UUID


@pytest.fixture
def service(store):
    svc = open_service(store)
    yield svc
    svc.close()


@pytest.fixture
def pact(service: ProgramService) -> Pact:
    program = service.create_program(school="12AB", name="PACT najaar", kind="pact", starts_on=date(2026, 9, 1),
                                     rewards={"per_session_cents": 500})
    parents = [
        service.register_parent(school="12AB", name=f"Ouder {i}", children=[(f"Kind {i}", 3)]).id
        for i in range(4)
    ]
    for p in parents:
        service.enroll(program.id, parent_id=p, enrolled_on=date(2026, 9, 1))
    session = service.schedule_session(program.id, title="Bijeenkomst 1", starts_at=datetime(2026, 9, 7, 19, 30, tzinfo=CEST),
                                       homework="Samen lezen")
    return Pact(service, program.id, parents, session.id)
