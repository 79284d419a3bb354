"""Messages to parents on a real store, with a real SMTP server on loopback and a clock the test sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator
from uuid import UUID

import pytest

from adapters.config import StoreConfig
from application.messages import Messages
from application.programs import ProgramService
from betrokken.sender import SendReport, send_due
from adapters.delivery import NoSmsProvider, Transport
from adapters.smtp import SmtpSettings, SmtpTransport
from domain.message import QUIET_TZ
from projections import Projections
from betrokken.system import open_service_with_projections
from tests.helpers.smtp import Inbox, smtp_server


class Clock:
    """A clock the test moves (Dutch time)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, *args: int) -> None:
        self.now = datetime(*args, tzinfo=QUIET_TZ)  # type: ignore[misc]


@dataclass
class World:
    service: ProgramService
    projections: Projections
    messages: Messages
    clock: Clock
    smtp_url: str
    inbox: Inbox
    program_id: UUID
    parents: list[UUID]
    config: StoreConfig

    def transports(self) -> dict[str, Transport]:
        return {"email": SmtpTransport(SmtpSettings.from_url(self.smtp_url)), "sms": NoSmsProvider()}

    def send_due(self) -> SendReport:
        return send_due(self.messages, self.projections, self.transports())


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    yield from smtp_server()


def populate(service: ProgramService, parents: int = 3) -> tuple[UUID, list[UUID]]:
    """A PACT programme at 12AB with `parents` enrolled parents, each with an e-mail address."""
    program = service.create_program(school="12AB", name="PACT", kind="pact", starts_on=date(2026, 9, 1))
    ids = []
    for i in range(parents):
        p = service.register_parent(school="12AB", name=f"Ouder {i}", email=f"ouder{i}@example.nl",
                                    language="tr" if i == 1 else "nl", children=[(f"Kind {i}", 4)])
        service.enroll(program.id, parent_id=p.id, enrolled_on=date(2026, 9, 1))
        ids.append(p.id)
    return program.id, ids


@pytest.fixture
def world(store: StoreConfig, smtp: tuple[str, Inbox]) -> Iterator[World]:
    """Once on SQLite and once on PostgreSQL (the messages projection's SQL runs on both)."""
    service, projections = open_service_with_projections(store)
    clock = Clock(datetime(2026, 12, 1, 10, 0, tzinfo=QUIET_TZ))
    program_id, parents = populate(service)
    try:
        yield World(service, projections, Messages(service, clock), clock, smtp[0], smtp[1], program_id, parents, store)
    finally:
        projections.close()
        service.close()
