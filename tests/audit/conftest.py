"""The programme service on a real store with a little history in it, and raw SQL access to that
store, so tests can tamper with it the way someone with database access would."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator
from uuid import UUID

import pytest

from adapters.config import StoreConfig
from betrokken.system import open_service
from application.programs import ProgramService

CEST = timezone(timedelta(hours=2))


@dataclass
class RawStore:
    """Plain SQL on the events and seals tables, bypassing the application."""

    config: StoreConfig

    @property
    def events(self) -> str:
        return "betrokken_events" if self.config.is_postgres else "stored_events"

    @property
    def seals(self) -> str:
        return "betrokken_event_seals" if self.config.is_postgres else "event_seals"

    @property
    def position(self) -> str:
        return "notification_id" if self.config.is_postgres else "rowid"

    @contextmanager
    def connect(self) -> Iterator[Any]:
        if self.config.is_postgres:
            import psycopg

            with psycopg.connect(self.config.database_url) as conn:
                yield conn
        else:
            conn = sqlite3.connect(self.config.events_path)
            try:
                yield conn
                conn.commit()
            finally:
                conn.close()

    def sql(self, statement: str, *params: Any) -> list[tuple]:
        """Run one statement (`?` placeholders on both back ends); the rows it returns."""
        if self.config.is_postgres:
            statement = statement.replace("?", "%s")
        with self.connect() as conn:
            cur = conn.execute(statement, params)
            return list(cur.fetchall()) if cur.description else []

    def state(self, position: int) -> bytes:
        return bytes(self.sql(f"SELECT state FROM {self.events} WHERE {self.position} = ?", position)[0][0])


@dataclass
class Story:
    """A programme at 12AB with a parent, a session and a roll call; a parent at 99ZZ."""

    service: ProgramService
    program_id: UUID
    parent_id: UUID
    session_id: UUID
    other_parent_id: UUID


@pytest.fixture
def service(store: StoreConfig) -> Iterator[ProgramService]:
    svc = open_service(store)
    yield svc
    svc.close()


@pytest.fixture
def raw(store: StoreConfig) -> RawStore:
    return RawStore(store)


@pytest.fixture
def story(service: ProgramService) -> Story:
    program = service.create_program(school="12AB", name="PACT najaar", kind="pact", starts_on=date(2026, 9, 1),
                                     rewards={"per_session_cents": 500})
    parent = service.register_parent(school="12AB", name="Fatima", children=[("Yusuf", 3)])
    service.enroll(program.id, parent_id=parent.id, enrolled_on=date(2026, 9, 1))
    session = service.schedule_session(program.id, title="Bijeenkomst 1",
                                       starts_at=datetime(2026, 9, 7, 19, 30, tzinfo=CEST), homework="Samen lezen")
    service.take_roll_call(session.id, [(parent.id, "absent")])
    service.take_roll_call(session.id, [(parent.id, "present")])
    other = service.register_parent(school="99ZZ", name="Jan", children=[])
    return Story(service, program.id, parent.id, session.id, other.id)
