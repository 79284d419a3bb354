"""The staff UI on a fresh SQLite store: an app per test, users in each role, a signed-in client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.actor import Actor
from application.clock import SCHOOL_TZ
from tests.helpers.hashing import CHEAP
from betrokken.wsgi import open_app

PASSWORD = "geheim-wachtwoord-1"
USERS = {
    "beheer": ("admin", []),
    "trainer": ("staff", ["12AB"]),
    "trainer2": ("staff", ["34CD"]),
    "controle": ("auditor", ["12AB"]),
    "analist": ("analyst", ["12AB"]),
}
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = open_app({"BETROKKEN_DATA_DIR": str(tmp_path / "data"), "TESTING": True, **CHEAP})
    accounts = app.extensions["betrokken"].accounts
    for name, (role, schools) in USERS.items():
        accounts.add_user(name, role, schools, PASSWORD)
    yield app
    app.extensions["betrokken"].close()


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    page = client.get(url).get_data(as_text=True)
    found = CSRF.search(page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": name, "password": password, "csrf_token": csrf_token(client)})


def post(client: FlaskClient, url: str, data: dict[str, Any], follow: bool = False) -> Any:
    """POST a form as a browser would: with the session's CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/")}, follow_redirects=follow)


@pytest.fixture
def client_as(app: Flask):  # type: ignore[no-untyped-def]
    """A signed-in test client for one of the USERS."""
    def make(name: str) -> FlaskClient:
        client = app.test_client()
        response = login(client, name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return make


@dataclass
class World:
    """A programme at 12AB with two enrolled parents and two weekly sessions (one with homework),
    and a programme at 34CD (another school)."""

    program_id: UUID
    other_program_id: UUID
    parent_a: UUID
    parent_b: UUID
    child_a: UUID
    other_parent: UUID
    session_1: UUID
    session_2: UUID
    other_session: UUID


@pytest.fixture
def world(app: Flask) -> World:
    service = app.extensions["betrokken"].service
    admin = Actor("beheer", "admin", None)
    start = date.today() - timedelta(days=30)
    program = service.create_program(
        school="12AB", name="Voorlezen groep 3", kind="pact", starts_on=start,
        rewards={"per_session_cents": 1250, "per_homework_cents": 500}, actor=admin,
    )
    a = service.register_parent(school="12AB", name="Fatima El Amrani", children=[("Yusuf", 3)], actor=admin)
    b = service.register_parent(school="12AB", name="Jan de Vries", children=[("Emma", 4)], actor=admin)
    for p in (a, b):
        service.enroll(program.id, parent_id=p.id, enrolled_on=start, actor=admin)
    first = datetime.combine(start + timedelta(days=7), datetime.min.time()).replace(hour=19, tzinfo=SCHOOL_TZ)
    s1, s2 = service.schedule_series(program.id, title="Bijeenkomst", first_starts_at=first, weeks=2,
                                     homework="Elke dag 20 minuten samen lezen", actor=admin)
    other = service.create_program(school="34CD", name="Pittige Jaren", kind="pittige_jaren", starts_on=start, actor=admin)
    o = service.register_parent(school="34CD", name="Piet Bakker", children=[("Sem", 2)], actor=admin)
    service.enroll(other.id, parent_id=o.id, enrolled_on=start, actor=admin)
    (os_,) = service.schedule_series(other.id, title="Sessie", first_starts_at=first, weeks=1, actor=admin)
    return World(program.id, other.id, a.id, b.id, next(iter(a.children)), o.id, s1.id, s2.id, os_.id)
